"""Helpers that the tests and the benchmarks share: sign-in, CSRF tokens, sync clients, and a
PostgreSQL reset. Plain functions and classes, no fixtures: `tests/conftest.py` builds its
fixtures on them, and `bench/` imports them without pytest.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from webapp.db import make_engine
from webapp.migrations import upgrade

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SESSION_PATH = "/api/v1/session"


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without a log line per request (a failure shows the test's message)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def buffered(app: Flask) -> Callable[..., list[bytes]]:
    """Wrap the app so that each answer is read, and its file closed, before it is sent.

    Werkzeug's development server skips closing the answer's iterable when the browser resets
    the connection mid-download (its cleanup reads the socket first, and that read raises), so
    a static file stayed open and the ResourceWarning failed whichever test ran next.
    """

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return application


@contextmanager
def serve(app: Flask) -> Iterator[BaseWSGIServer]:
    """Serve the app over real HTTP on a free loopback port, threaded, until the block ends."""
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True, request_handler=QuietHandler)
    # Join the request threads on close: a daemon thread cut off mid-download (a precached icon
    # when a browser context closes) leaves its file open, and the ResourceWarning then fails
    # whichever test runs next.
    server.daemon_threads = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def pg_url(url: str) -> str:
    """Return a PostgreSQL URL with the psycopg 3 driver (`postgresql://` names psycopg2)."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def worker_database(url: str) -> str:
    """Return the PostgreSQL URL this test process uses: under pytest-xdist, one database per
    worker (`<name>_gw0`, …), made beside the given one when missing; else the given one."""
    url = pg_url(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return url
    given = make_url(url)
    name = f"{given.database}_{worker}"
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL database (its `public` schema) and migrate it from scratch."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
    finally:
        engine.dispose()


def csrf_from(html: str) -> str:
    """Return the first CSRF token in a page."""
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def api_token(client: FlaskClient) -> str:
    """Return the CSRF token that API requests send as `X-CSRFToken`."""
    return client.get(SESSION_PATH).get_json()["csrf_token"]


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> str:
    """Sign a test client in through the real form; return its API CSRF token."""
    response = Auth(client).login(email, password)
    assert response.status_code == 302, f"sign-in of {email} answered {response.status_code}"
    return api_token(client)


def sign_in_http(
    base_url: str,
    email: str,
    password: str = PASSWORD,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> requests.Session:
    """Sign in over HTTP through the form; the session sends the API CSRF token by default."""
    http = requests.Session()
    try:
        http.headers.update({"Accept-Language": "en", **(headers or {})})
        token = csrf_from(http.get(f"{base_url}/login", timeout=timeout).text)
        answer = http.post(
            f"{base_url}/login",
            data={"email": email, "password": password, "csrf_token": token},
            allow_redirects=False,
            timeout=timeout,
        )
        assert answer.status_code == 302, answer.text
        session_info = http.get(f"{base_url}{SESSION_PATH}", timeout=timeout)
        assert session_info.status_code == 200, session_info.text
        http.headers["X-CSRFToken"] = session_info.json()["csrf_token"]
    except BaseException:
        http.close()
        raise
    return http


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
        return api_token(self.client)

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """Post a form with a valid CSRF token."""
        payload = {"csrf_token": self.api_token(), **(data or {})}
        return self.client.post(path, data=payload, **kwargs)


class SyncClient:
    """A device talking the sync protocol through the test client."""

    def __init__(self, client: FlaskClient, workspace_id: Any):
        self.client = client
        self.workspace = str(workspace_id)
        self.cursor = 0
        self._token: str | None = None
        # This device session's unlock token (`X-Enlace-Unlock`), sent when set: the app sends
        # it while unlocked. Without it only a recent password reads `changes`.
        self.unlock: str | None = None

    def token(self) -> str:
        if self._token is None:
            self._token = api_token(self.client)
        return self._token

    def post(self, body: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = {"X-CSRFToken": self.token(), **kwargs.pop("headers", {})}
        if self.unlock is not None:
            headers.setdefault("X-Enlace-Unlock", self.unlock)
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
