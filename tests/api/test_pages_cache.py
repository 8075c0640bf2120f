"""Signed-in pages are never kept by a browser or proxy cache; static files and public pages are."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.conftest import Auth, csrf_from
from webapp.wire import STATIC_ENDPOINTS


@pytest.fixture
def owner(app: Flask, make_user, make_workspace):  # type: ignore[no-untyped-def]
    """A signed-in owner, their workspace and an invitation token (the link shown once)."""
    user = make_user()
    workspace = make_workspace(owner=user)
    auth = Auth(app.test_client())
    assert auth.login(user.email).status_code == 302
    members = auth.client.get(f"/workspaces/{workspace.id}/members").get_data(as_text=True)
    shown = auth.client.post(
        f"/workspaces/{workspace.id}/invitations",
        data={"csrf_token": csrf_from(members), "role": "viewer", "note": ""},
    )
    assert shown.status_code == 201
    token = re.search(r"/invite/([A-Za-z0-9_-]+)", shown.get_data(as_text=True)).group(1)
    return {"auth": auth, "workspace": workspace, "token": token, "invitation_page": shown}


def html_pages(app: Flask, values: dict[str, str]) -> list[str]:
    """Return every GET page of the app (not the API, not static files), its parameters filled."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in STATIC_ENDPOINTS:
            continue
        if rule.rule.startswith("/api/"):
            continue
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"{rule.rule}: give the walk a value for {unknown}"
        paths.append(re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule.rule))
    return sorted(paths)


def test_every_signed_in_page_says_no_store(app, owner):
    client = owner["auth"].client
    values = {"workspace_id": str(owner["workspace"].id), "token": owner["token"]}
    seen = []
    for path in html_pages(app, values):
        response = client.get(path)
        if response.mimetype != "text/html" or response.status_code in (301, 302, 303):
            continue
        seen.append(path)
        if path == "/app":  # the shell: nothing of the user's (see the test below)
            assert response.headers["Cache-Control"] == "private, no-cache"
            continue
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    assert {"/app", "/account", f"/workspaces/{values['workspace_id']}/members"} <= set(seen)
    assert f"/workspaces/{values['workspace_id']}/audit" in seen
    assert f"/invite/{values['token']}" in seen
    # The page that shows the one-time invitation link.
    assert "no-store" in owner["invitation_page"].headers["Cache-Control"]


def test_the_app_shell_is_kept_only_privately_and_not_at_all_with_a_flash(app, owner):
    # The same page for everyone signed in: the browser keeps it (revalidated each time) so that
    # the worker's precache answers 304 instead of downloading it again.
    client = owner["auth"].client
    assert client.get("/app").headers["Cache-Control"] == "private, no-cache"
    # A page that shows a flash message is the user's own.
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Welcome! You joined Pizzería La Esquina.")]
    precache = client.get("/app", headers={"Sec-Fetch-Mode": "cors"})  # the worker's, not a visit
    assert "Pizzería" not in precache.get_data(as_text=True)
    assert precache.headers["Cache-Control"] == "private, no-cache"
    shown = client.get("/app", headers={"Sec-Fetch-Mode": "navigate"})
    assert "Pizzería" in shown.get_data(as_text=True)  # left for the page the user opens
    assert shown.headers["Cache-Control"] == "no-store"


def test_a_signed_in_users_error_page_is_not_cached_either(owner):
    response = owner["auth"].client.get("/workspaces/not-a-workspace/members")
    assert response.status_code == 404
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_static_files_keep_their_caching_when_signed_in(owner):
    response = owner["auth"].client.get("/static/css/app.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_public_sign_in_page_is_not_marked_no_store(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
