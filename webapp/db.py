"""SQLAlchemy engine and sessions, the declarative Base and its naming convention."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest values of the integer columns (PostgreSQL `integer` and `bigint`; SQLite holds
# 64 bits): a number from a request is checked against them before it reaches a query.
MAX_INT4 = 2**31 - 1
MAX_INT8 = 2**63 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    """Return a new random UUID for a primary key."""
    return uuid.uuid4()


def make_engine(url: str) -> Engine:
    """Create the engine, with WAL and foreign keys on for SQLite."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite opens transactions lazily and cannot do SAVEPOINT or BEGIN IMMEDIATE unless
    # SQLAlchemy emits BEGIN itself (the recipe from SQLAlchemy's SQLite dialect documentation).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # A writer asks for BEGIN IMMEDIATE with the execution option `sqlite_begin`.
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


# Under WAL a transaction that began as a reader and then writes fails at once with
# SQLITE_BUSY when another writer committed meanwhile, whatever the busy timeout: a transaction
# that may write must take the write lock when it begins. The begin event reads this option.
IMMEDIATE = {"sqlite_begin": "BEGIN IMMEDIATE"}
DEFERRED = {"sqlite_begin": "BEGIN"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    """Bind an engine and a session factory to the app; close the request session on teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["enlace_db"] = {
        "engine": engine,
        "writer": engine.execution_options(**IMMEDIATE),
        "sessionmaker": factory,
    }

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_engine(app: Flask | None = None) -> Engine:
    """Return the app's engine."""
    return (app or current_app).extensions["enlace_db"]["engine"]


def get_session() -> Session:
    """Return the session of this request or app context, opening it on first use.

    A request that may change state (POST, PUT, PATCH, DELETE) writes: on SQLite each of its
    transactions begins IMMEDIATE. A GET reads; the few GETs that write do it through
    `session_scope` or the audit log's `record_now`. A route must end its transaction (commit)
    before a slow step such as a password hash, so that it holds no write lock meanwhile.
    """
    if "db_session" not in g:
        db = current_app.extensions["enlace_db"]
        writes = has_request_context() and request.method not in SAFE_METHODS
        g.db_session = db["sessionmaker"](bind=db["writer"]) if writes else db["sessionmaker"]()
    return g.db_session


def discard_session() -> None:
    """Roll back and close this request's session after a failure, if it opened one.

    The connection may be dead (the database went away): its errors are ignored, and the pool
    drops it, so the next request starts on a fresh connection once the database is back.
    """
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    with contextlib.suppress(Exception):
        session.rollback()
    with contextlib.suppress(Exception):
        session.close()


def begin_read(session: Session) -> None:
    """End the session's transaction and start one that only reads.

    On SQLite it begins deferred even in a request that may write (POST): a read such as the
    device-session lookup or a no-op sync must not take the database's one write lock.
    """
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options=DEFERRED)


def end_read(session: Session) -> None:
    """End a read begun by `begin_read`, where it matters.

    On SQLite the request's next transaction must begin as the request needs (IMMEDIATE in a
    writer); on PostgreSQL the request goes on in the same transaction, saving a round trip.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.commit()


def begin_snapshot_read(session: Session) -> None:
    """End the session's transaction and start one whose statements all see one snapshot.

    PostgreSQL's default READ COMMITTED gives each statement its own snapshot, so a read made of
    several queries (changes of four tables, a snapshot build) could see a later commit in one
    table and not in another; REPEATABLE READ gives the whole transaction one snapshot. SQLite's
    read transactions in WAL mode already do.
    """
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection(execution_options=DEFERRED)  # a reader takes no write lock


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """Yield a session of its own that commits on success and rolls back on error.

    It is a writer: on SQLite its transaction begins IMMEDIATE. Inside a request, call it only
    while the request's own session holds no write lock (a writer would wait for itself).
    """
    db = (app or current_app).extensions["enlace_db"]
    session = db["sessionmaker"](bind=db["writer"])
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
