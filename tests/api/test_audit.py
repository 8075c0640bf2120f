"""The audit log: a workspace's page shows that workspace's events; account events belong to
the account's own page; every action has a label in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import Auth
from webapp.audit import service
from webapp.db import session_scope

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")

# The account events other helpers add beside today's (docs/ARCHITECTURE.md: devices, sign-out, limits).
ACCOUNT_ACTIONS = [
    "auth.sign_in",
    "auth.sign_in_failed",
    "auth.sign_in_limited",
    "auth.reauth_failed",
    "auth.password_changed",
    "auth.password_change_failed",
    "auth.signed_out",
    "auth.signed_out_everywhere",
    "auth.device_ended",
    "auth.account_created",
    "invitation.signup_existing_email",
]


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def actions_used_in_webapp() -> set[str]:
    """Return every action string given to a `record…(…)` call anywhere in webapp/."""
    found: set[str] = set()
    for path in WEBAPP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or "record" not in _call_name(node):
                continue
            values = [*node.args, *(k.value for k in node.keywords if k.arg == "action")]
            for value in values:
                # `"a" if x else "b"` and plain literals both count.
                for leaf in ast.walk(value):
                    if isinstance(leaf, ast.Constant) and ACTION.match(str(leaf.value)):
                        found.add(leaf.value)
    return found


def action_like_strings(app: Flask, prefixes: set[str]) -> set[str]:
    """Return every `<prefix>.<name>` string in webapp/ (outside the label table) that is not
    an endpoint: catches actions given to another writer or through a variable."""
    found: set[str] = set()
    for path in WEBAPP.rglob("*.py"):
        if path == WEBAPP / "audit" / "labels.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and ACTION.match(str(node.value)):
                found.add(node.value)
    return {
        value
        for value in found
        if value.split(".")[0] in prefixes and value not in app.view_functions
    }


def test_the_scan_finds_the_actions_recorded_today():
    used = actions_used_in_webapp()
    for action in ("auth.sign_in", "sync.mutation", "snapshot.key_fetched", "member.removed"):
        assert action in used


def test_every_recorded_action_has_a_label_in_english_and_spanish(app: Flask):
    from webapp.audit.labels import LABELS, audit_label

    prefixes = {action.split(".")[0] for action in LABELS}
    wanted = actions_used_in_webapp() | action_like_strings(app, prefixes) | set(ACCOUNT_ACTIONS)
    assert sorted(wanted - set(LABELS)) == []
    for language in ("en", "es"):
        with app.test_request_context(headers={"Accept-Language": language}):
            labels = {action: audit_label(action) for action in LABELS}
        for action, label in labels.items():
            assert label and label != action, (language, action)
        if language == "en":
            english = labels
    spanish = labels
    untranslated = [a for a in LABELS if spanish[a] == english[a]]
    assert untranslated == []


def test_the_audit_service_imports_no_feature_models():
    tree = ast.parse((WEBAPP / "audit" / "service.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    features = {m for m in imported if m.startswith("webapp.")}
    assert features <= {"webapp.audit.models", "webapp.db", "webapp.errors"}, features


@pytest.fixture
def people(app: Flask, make_user, make_workspace):  # type: ignore[no-untyped-def]
    """An owner with a workspace, and Bea who has a history before she joins."""
    owner = make_user(email="owner@example.com", name="Olga Owner")
    bea = make_user(email="bea@example.com", name="Bea Member")
    workspace = make_workspace(name="Brand", owner=owner)
    return {"owner": owner, "bea": bea, "workspace": workspace}


def signed_in(app: Flask, email: str, password: str | None = None) -> Auth:
    auth = Auth(app.test_client())
    if password:
        auth.login(email, password)
    assert auth.login(email).status_code == 302
    return auth


def rows(html: str) -> list[str]:
    """Return the action code of each event row of an audit page."""
    return re.findall(r'<tr data-action="([a-z_.]+)"', html)


def test_workspace_audit_shows_no_account_events_of_members(app, people, add_member):
    bea = signed_in(app, "bea@example.com", password="wrong password")
    add_member(people["workspace"], people["bea"], "editor")
    owner = signed_in(app, "owner@example.com")
    page = owner.client.get(f"/workspaces/{people['workspace'].id}/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Member added" in html
    assert "Signed in" not in html and "Failed sign-in" not in html
    assert all(not action.startswith("auth.") for action in rows(html))
    assert bea.client.get("/account/activity").status_code == 200


def test_account_activity_keeps_a_members_sign_ins_after_they_leave(app, people, add_member):
    from webapp.workspaces import service as workspaces

    add_member(people["workspace"], people["bea"], "viewer")
    bea = signed_in(app, "bea@example.com", password="wrong password")
    with app.app_context(), session_scope(app) as session:
        workspaces.remove_member(
            session, people["workspace"].id, people["bea"].id, session.merge(people["owner"])
        )
    page = bea.client.get("/account/activity")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert rows(html)[:2] == ["auth.sign_in", "auth.sign_in_failed"]
    assert "Signed in" in html and "Failed sign-in" in html
    assert "127.0.0.1" in html
    # Workspace events are the workspace's: not on the account page.
    assert "member.removed" not in rows(html) and "member.added" not in rows(html)


def test_account_activity_shows_only_the_signed_in_users_events(app, people):
    signed_in(app, "owner@example.com", password="wrong password")
    bea = signed_in(app, "bea@example.com")
    html = bea.client.get("/account/activity").get_data(as_text=True)
    assert rows(html) == ["auth.sign_in", "auth.account_created"]
    assert "owner@example.com" not in html


def test_account_activity_needs_a_signed_in_user(client):
    response = client.get("/account/activity")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_account_activity_is_paged_and_never_cached(app, people):
    with app.app_context(), session_scope(app) as session:
        for _ in range(130):
            service.record(
                session, "auth.sign_in_failed", subject_id=people["bea"].id, email="bea@example.com"
            )
    bea = signed_in(app, "bea@example.com")
    first = bea.client.get("/account/activity")
    assert first.status_code == 200
    assert "no-store" in first.headers["Cache-Control"]
    html = first.get_data(as_text=True)
    assert len(rows(html)) == 100
    older = re.search(r'href="(/account/activity\?before=\d+)"', html)
    assert older, "no link to older events"
    second = bea.client.get(older.group(1)).get_data(as_text=True)
    assert len(rows(second)) == 32  # and the account's creation
    assert not re.search(r'href="/account/activity\?before=', second)
    assert bea.client.get("/account/activity?before=abc").status_code == 400


@pytest.mark.parametrize("language", ["en", "es"])
def test_audit_pages_show_labels_never_raw_codes(app, people, language):
    from webapp.audit.labels import LABELS

    owner = people["owner"]
    with app.app_context(), session_scope(app) as session:
        session.merge(owner).locale = language
        for action in LABELS:
            service.record(session, action, actor_id=owner.id, subject_id=owner.id)
            service.record(
                session,
                action,
                actor_id=owner.id,
                workspace_id=people["workspace"].id,
                type="contact",
                op="update",
                fields=["name"],
            )
    auth = signed_in(app, "owner@example.com")
    for path in (f"/workspaces/{people['workspace'].id}/audit", "/account/activity"):
        html = auth.client.get(path).get_data(as_text=True)
        assert f'lang="{language}"' in html
        shown = re.sub(r'data-action="[^"]*"', "", html)
        raw = [action for action in LABELS if action in shown]
        assert raw == [], (path, raw)


def test_the_account_page_leads_to_the_users_own_activity(client, auth, make_user):
    user = make_user(email="ana@example.com")
    auth.login(user.email)
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/activity"' in page
    assert client.get("/account/activity").status_code == 200
