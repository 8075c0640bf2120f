"""When the database or Redis cannot be reached: 503 `unavailable` with Retry-After, never an
HTML 500; the next request works once the database is back; Redis down stops neither sync nor
snapshots (issue 18, findings 2 and 3).

Faults are made in the test (tests/faults.py): a relay to PostgreSQL that stops, an SQLite
folder that disappears, a Redis URL on a closed port. The machine's services keep running.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import Auth, SyncClient, mutation
from tests.faults import CLOSED_REDIS_URL, FragileDatabase, make_user_in, reset_limiter
from webapp.db import session_scope
from webapp.snapshot.service import PlaintextCache


@pytest.fixture
def fragile(app: Flask, database_url: str, tmp_path: Path, make_app) -> Iterator[tuple]:  # type: ignore[type-arg]
    """An app on a database the test can take down and bring back: (app, database).

    Its users and workspace are made through it (on SQLite it has a copy of its own); `app`
    is requested so that PostgreSQL's tables are emptied after the test.
    """
    database = FragileDatabase(database_url, tmp_path / "fragile-db")
    fragile_app = make_app("fragile", DATABASE_URL=database.url)
    yield fragile_app, database
    database.close()


def workspace_in(app: Flask, owner_email: str) -> str:
    from webapp.auth import service as auth_service
    from webapp.workspaces import service

    with app.app_context(), session_scope(app) as session:
        owner = auth_service.find_user(session, owner_email)
        workspace = service.create_workspace(session, "Brand", owner, "MX", "CDMX")
        return str(workspace.id)


def assert_unavailable_json(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "unavailable"
    assert response.get_json()["message"]
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"


def assert_unavailable_page(response, lang: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert 'data-testid="unavailable"' in page
    assert "Internal Server Error" not in page
    return page


def test_database_down_answers_503_in_the_users_language_and_recovers(fragile):
    app, database = fragile
    make_user_in(app, "ana@example.com", locale="es")
    workspace = workspace_in(app, "ana@example.com")
    phone = app.test_client()  # its browser asks for English; Ana's account speaks Spanish
    assert Auth(phone).login("ana@example.com").status_code == 302
    device = SyncClient(phone, workspace)
    device.sync(mutation(uuid.uuid4(), {"name": "Before"}))
    stranger = app.test_client()
    stranger.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    english = app.test_client()
    # The sign-in form itself needs no database (nobody is signed in); sending it does.
    forms = [(browser, Auth(browser).token()) for browser in (stranger, english)]

    database.down(app)
    try:
        assert_unavailable_json(phone.get("/api/v1/session"))
        assert_unavailable_json(device.post({"workspace": workspace, "cursor": 0}))
        unsent = {
            "workspace": workspace,
            "cursor": 0,
            "mutations": [mutation(uuid.uuid4(), {"name": "During"})],
        }
        assert_unavailable_json(device.post(unsent))
        assert_unavailable_json(phone.get(f"/api/v1/workspaces/{workspace}/snapshot"))
        # Pages: a page of their own in the reader's language, found without the database.
        page = assert_unavailable_page(phone.get("/account"), "es")
        assert "Volvemos en un momento" in page
        sent = [
            browser.post(
                "/login", data={"email": "ana@example.com", "password": "x", "csrf_token": token}
            )
            for browser, token in forms
        ]
        assert "Volvemos en un momento" in assert_unavailable_page(sent[0], "es")
        assert "Back in a moment" in assert_unavailable_page(sent[1], "en")
        # ?lang= (the app's language) decides the API's message.
        es = phone.get("/api/v1/session?lang=es").get_json()["message"]
        en = phone.get("/api/v1/session?lang=en").get_json()["message"]
        assert es != en
    finally:
        database.up()

    # The failed requests left nothing behind: the same clients go on at once.
    assert phone.get("/api/v1/session").status_code == 200
    assert device.sync(unsent["mutations"][0])["results"][0]["status"] == "applied"
    assert stranger.get("/login").status_code == 200


def test_the_database_going_away_mid_session_leaves_the_pool_usable(fragile):
    app, database = fragile
    make_user_in(app, "ana@example.com")
    workspace = workspace_in(app, "ana@example.com")
    phone = app.test_client()
    assert Auth(phone).login("ana@example.com").status_code == 302
    device = SyncClient(phone, workspace)
    for round_ in range(2):  # down and back twice: no connection of the first outage lingers
        device.sync(mutation(uuid.uuid4(), {"name": f"Round {round_}"}))
        database.down(app)
        try:
            for _ in range(3):
                assert_unavailable_json(phone.get("/api/v1/session"))
        finally:
            database.up()
    assert device.sync(mutation(uuid.uuid4(), {"name": "After"}))["results"][0]["status"] == (
        "applied"
    )


@pytest.fixture
def without_redis(app: Flask, make_app) -> Iterator[Callable[[], Flask]]:  # type: ignore[no-untyped-def]
    """Return a function that starts another process of the same deployment (the same instance
    keys) whose Redis is down. The rate limiter is one per process: once it starts, every app
    of this test process counts in that Redis, so sign in before."""
    reset = reset_limiter()
    yield lambda: make_app(
        "no-redis",
        INSTANCE_PATH=app.instance_path,
        REDIS_URL=CLOSED_REDIS_URL,
        RATELIMIT_STORAGE_URI=CLOSED_REDIS_URL,
    )
    reset()


def same_device(signed_in, other_app: Flask):  # type: ignore[no-untyped-def]
    """A client of `other_app` holding the cookies of `signed_in` (one device, another worker)."""
    client = other_app.test_client()
    for name in ("enlace_session",):
        cookie = signed_in.get_cookie(name)
        client.set_cookie(name, cookie.value)
    return client


def test_redis_down_stops_neither_sync_nor_snapshots(
    app, client, auth, make_user, make_workspace, without_redis
):
    owner = make_user(email="ana@example.com")
    workspace = make_workspace(owner=owner)
    assert auth.login("ana@example.com").status_code == 302
    phone = same_device(client, without_redis())
    device = SyncClient(phone, workspace.id)
    for i in range(3):
        result = device.sync(mutation(uuid.uuid4(), {"name": f"Contact {i}"}))
        assert result["results"][0]["status"] == "applied"
    assert phone.get("/api/v1/session").status_code == 200
    first = phone.get(f"/api/v1/workspaces/{workspace.id}/snapshot")
    assert first.status_code == 200
    # Built once and kept in process memory meanwhile: the same envelope's tag again.
    again = phone.get(
        f"/api/v1/workspaces/{workspace.id}/snapshot",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


def test_redis_down_refuses_sign_ins_with_503_not_500(make_user, without_redis):
    make_user(email="ana@example.com")
    browser = without_redis().test_client()
    page = Auth(browser).login("ana@example.com")
    assert_unavailable_page(page, "en")
    assert browser.get("/api/v1/session").status_code == 401  # not signed in


def test_redis_down_refuses_reauthentication_with_503_json(
    app, client, auth, make_user, without_redis
):
    make_user(email="ana@example.com")
    assert auth.login("ana@example.com").status_code == 302
    phone = same_device(client, without_redis())
    token = phone.get("/api/v1/session").get_json()["csrf_token"]
    answer = phone.post(
        "/api/v1/session/reauth",
        json={"password": "whatever it is"},
        headers={"X-CSRFToken": token},
    )
    assert_unavailable_json(answer)


def test_the_snapshot_cache_treats_redis_errors_as_misses():
    cache = PlaintextCache(CLOSED_REDIS_URL)
    assert cache.get("a-key") is None
    cache.put("a-key", b"gzip bytes")
    assert cache.get("a-key") == b"gzip bytes"  # process memory while Redis is down


def test_every_operation_documents_the_outage_answer():
    from webapp.api.openapi import openapi_document

    document = openapi_document()
    operations = [
        operation
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert len(operations) > 20
    for operation in operations:
        assert operation["responses"]["503"] == {"$ref": "#/components/responses/Unavailable"}
    unavailable = document["components"]["responses"]["Unavailable"]
    assert "`unavailable`" in unavailable["description"]
    assert "Retry-After" in unavailable["headers"]
