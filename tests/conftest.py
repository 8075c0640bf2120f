"""Fixtures: the app on SQLite (and PostgreSQL when ENLACE_TEST_DATABASE_URL is set), clients,
factories and a sign-in helper."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from webapp import create_app
from webapp.db import Base, get_engine, make_engine, session_scope
from webapp.migrations import upgrade

PG_URL = os.environ.get("ENLACE_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery"


def pg_url() -> str:
    """Return the PostgreSQL URL with the psycopg 3 driver."""
    url = PG_URL
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate an SQLite database once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "enlace.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """Empty the test PostgreSQL database and migrate it from scratch, once."""
    url = pg_url()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return url


def _truncate(app: Flask) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with get_engine(app).begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test run."""
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "enlace.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("postgres_database")


def app_config(database_url: str, instance: Path) -> dict[str, Any]:
    """Return the settings of a test app."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


class EnglishClient(FlaskClient):
    """A test client whose browser asks for English unless a test says otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def app(database_url: str, backend: str, tmp_path: Path) -> Iterator[Flask]:
    """The application, bound to a fresh database."""
    application = create_app(app_config(database_url, tmp_path / "instance"))
    application.test_client_class = EnglishClient
    yield application
    if backend == "postgresql":
        _truncate(application)
    get_engine(application).dispose()


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Return a function that builds another app on this test's database; disposed after."""
    made: list[Flask] = []

    def make(name: str = "other", **overrides: Any) -> Flask:
        application = create_app(app_config(database_url, tmp_path / name) | overrides)
        application.test_client_class = EnglishClient
        made.append(application)
        return application

    yield make
    for application in made:
        get_engine(application).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    """A CLI runner bound to the app."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """Return a function that creates a user (password PASSWORD unless given)."""
    from webapp.auth import service

    def make(
        email: str | None = None,
        name: str = "Test User",
        password: str = PASSWORD,
        locale: str | None = "en",
    ):  # type: ignore[no-untyped-def]
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        with app.app_context(), session_scope(app) as session:
            user = service.create_user(session, email, name, password, locale=locale)
            session.expunge(user)
        return user

    return make


@pytest.fixture
def make_workspace(app: Flask, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Return a function that creates a workspace with an owner (a new user unless given)."""
    from webapp.workspaces import service

    def make(
        name: str = "Brand", owner: Any = None, country: str = "MX", city: str = "Ciudad de México"
    ):  # type: ignore[no-untyped-def]
        owner = owner or make_user()
        with app.app_context(), session_scope(app) as session:
            workspace = service.create_workspace(session, name, session.merge(owner), country, city)
            session.expunge(workspace)
        return workspace

    return make


@pytest.fixture
def add_member(app: Flask) -> Callable[..., Any]:
    """Return a function that adds a user to a workspace with a role."""
    from webapp.workspaces import service

    def add(workspace: Any, user: Any, role: str) -> None:
        with app.app_context(), session_scope(app) as session:
            service.add_member(session, workspace.id, session.merge(user), role)

    return add


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Return the first CSRF token in a page."""
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def submit_form(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Open the page at `path` and post its form with `data`, as a person would."""
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(page), **data})


def change_password(client: FlaskClient, current: str, new: str):  # type: ignore[no-untyped-def]
    """Post the account page's password form."""
    return submit_form(
        client,
        "/account",
        {
            "password-current_password": current,
            "password-new_password": new,
            "password-confirm": new,
            "password-submit": "1",
        },
    )


class Auth:
    """Sign a test client in and out through the real forms."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def token(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def login(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        token = self.token("/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def api_token(self) -> str:
        return self.client.get("/api/v1/session").get_json()["csrf_token"]

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """Post a form with a valid CSRF token."""
        payload = {"csrf_token": self.api_token(), **(data or {})}
        return self.client.post(path, data=payload, **kwargs)


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Sign-in helper for the default client."""
    return Auth(client)


class SyncClient:
    """A device talking the sync protocol through the test client."""

    def __init__(self, client: FlaskClient, workspace_id: Any):
        self.client = client
        self.workspace = str(workspace_id)
        self.cursor = 0
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            self._token = self.client.get("/api/v1/session").get_json()["csrf_token"]
        return self._token

    def post(self, body: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = {"X-CSRFToken": self.token(), **kwargs.pop("headers", {})}
        return self.client.post("/api/v1/sync", json=body, headers=headers, **kwargs)

    def sync(
        self, *mutations: dict[str, Any], cursor: int | None = None, expect: int = 200
    ) -> dict[str, Any]:
        """Send mutations from `cursor` (default: this device's); return the JSON body."""
        body = {
            "workspace": self.workspace,
            "cursor": self.cursor if cursor is None else cursor,
            "mutations": list(mutations),
        }
        response = self.post(body)
        assert response.status_code == expect, response.get_data(as_text=True)
        data = response.get_json()
        if expect == 200 and cursor is None:
            self.cursor = data["cursor"]
        return data


def mutation(
    entity_id: Any,
    fields: dict[str, Any] | None = None,
    *,
    type: str = "contact",  # noqa: A002
    op: str = "put",
    base_version: int | None = None,
    base: dict[str, Any] | None = None,
    id: Any = None,  # noqa: A002
) -> dict[str, Any]:
    """Return one sync mutation."""
    body: dict[str, Any] = {
        "id": str(id or uuid.uuid4()),
        "type": type,
        "entity_id": str(entity_id),
        "op": op,
        "base_version": base_version,
    }
    if op == "put":
        body["fields"] = fields or {}
        body["base"] = base or {}
    return body


@pytest.fixture
def device(
    app: Flask,
    make_user: Callable[..., Any],
    make_workspace: Callable[..., Any],
    add_member: Callable[..., Any],
):  # type: ignore[no-untyped-def]
    """Return a function giving a signed-in SyncClient for (workspace, role)."""

    def make(workspace: Any = None, role: str = "owner", user: Any = None) -> SyncClient:
        if workspace is None:
            user = user or make_user()
            workspace = make_workspace(owner=user)
        elif user is None:
            user = make_user()
            add_member(workspace, user, role)
        client = app.test_client()
        assert Auth(client).login(user.email).status_code == 302
        sync_client = SyncClient(client, workspace.id)
        sync_client.user = user  # type: ignore[attr-defined]
        sync_client.workspace_obj = workspace  # type: ignore[attr-defined]
        return sync_client

    return make
