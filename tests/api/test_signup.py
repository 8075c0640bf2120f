"""The open sign-up page (/signup): an account without a server shell, then "create your
workspace" with the browser's country and language chosen; closed by ENLACE_SIGNUP=invite."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, Auth, csrf_from
from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.config import from_env
from webapp.db import session_scope

GOOD = {
    "name": "Ana Ruiz",
    "email": "ana@example.com",
    "password": "tacos al pastor 24",
    "locale": "es",
}


def sign_up(client: Any, **fields: str) -> Any:
    """Open /signup and post its form as a person would."""
    page = client.get("/signup").get_data(as_text=True)
    return client.post("/signup", data={"csrf_token": csrf_from(page), **GOOD, **fields})


def users(app: Any) -> dict[str, User]:
    with app.app_context(), session_scope(app) as session:
        found = {u.email: u for u in session.scalars(select(User))}
        for user in found.values():
            session.expunge(user)
    return found


def events(app: Any, action: str) -> list[AuditEvent]:
    with app.app_context(), session_scope(app) as session:
        found = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        for event in found:
            session.expunge(event)
    return found


def selected(html: str, name: str) -> str | None:
    """Return the value of the selected option of the select named `name`, if any."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select_html, f"no select {name}"
    option = re.search(r'<option selected value="([^"]*)"', select_html.group(1))
    return option.group(1) if option else None


def test_signing_up_signs_in_and_leads_to_creating_a_workspace(app, client):
    answer = sign_up(client, email="Ana@Example.com")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/workspaces/new")
    session = client.get("/api/v1/session").get_json()
    assert session["user"]["email"] == "ana@example.com"
    assert session["user"]["locale"] == "es"
    assert session["workspaces"] == []
    user = users(app)["ana@example.com"]
    assert user.name == "Ana Ruiz"
    assert user.password_hash.startswith("$argon2id$")
    # Audited as an invitation's sign-up is: the account, then its first sign-in.
    assert [e.subject_id for e in events(app, "auth.account_created")] == [user.id]
    assert [e.subject_id for e in events(app, "auth.sign_in")] == [user.id]
    # The chosen language speaks at once, and the workspace form follows.
    page = client.get("/workspaces/new").get_data(as_text=True)
    assert "Nuevo espacio de trabajo" in page
    assert "Te damos la bienvenida, Ana Ruiz. Ahora crea tu espacio de trabajo." in page
    created = client.post(
        "/workspaces/new",
        data={"csrf_token": csrf_from(page), "name": "Tacos GDL", "country": "MX"}
        | {"city": "Guadalajara", "timezone": "", "language": ""},
    )
    assert created.status_code == 302
    names = [w["name"] for w in client.get("/api/v1/session").get_json()["workspaces"]]
    assert names == ["Tacos GDL"]


def test_the_sign_in_page_links_to_sign_up_while_it_is_open(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/signup"' in page
    assert "Ask an owner of your workspace for an invitation link." not in page


def test_closed_sign_up_keeps_the_invitation_only_way_in(app, make_app):
    closed = make_app("closed", SIGNUP="invite")
    client = closed.test_client()
    page = client.get("/signup")
    assert page.status_code == 404
    assert "Ask an owner of your workspace for an invitation link." in page.get_data(as_text=True)
    login = client.get("/login").get_data(as_text=True)
    assert "/signup" not in login
    assert "Ask an owner of your workspace for an invitation link." in login
    token = csrf_from(login)
    posted = client.post("/signup", data={"csrf_token": token, **GOOD})
    assert posted.status_code == 404
    assert users(closed) == {}
    assert client.get("/api/v1/session").status_code == 401


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your name."),
        ({"name": "   "}, "name", "Enter your name."),
        ({"email": "ana"}, "email", "Enter a valid email address."),
        ({"email": "ana@localhost"}, "email", "Enter a valid email address."),
        ({"password": ""}, "password", "Enter a password."),
        ({"password": "nueve car"}, "password", "Use 10 to 256 characters."),
        ({"password": "x" * 257}, "password", "Use 10 to 256 characters."),
        ({"locale": "fr"}, "locale", "Not a valid choice."),
    ],
)
def test_bad_input_says_what_to_fix_and_creates_nothing(app, client, fields, field, message):
    answer = sign_up(client, **fields)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">\s*<p class="error">{re.escape(message)}', page), page
    assert users(app) == {}
    assert events(app, "auth.account_created") == []
    assert client.get("/api/v1/session").status_code == 401


def test_the_page_speaks_the_browsers_language_and_states_the_password_rule(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    page = client.get("/signup").get_data(as_text=True)
    assert "Crea tu cuenta" in page
    assert selected(page, "locale") == "es"
    # The rule is visible before typing and read with the field.
    assert re.search(r'<input[^>]*aria-describedby="password-hint"[^>]*name="password"', page)
    assert re.search(r'id="password-hint">Al menos 10 caracteres', page)
    answer = sign_up(client, password="corta", locale="es")
    assert "Usa de 10 a 256 caracteres." in answer.get_data(as_text=True)


def test_a_taken_email_says_so_counts_as_a_failure_and_is_audited(app, client, make_user):
    ana = make_user(email="ana@example.com")
    answer = sign_up(client, email="ANA@example.com")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "An account with this email already exists." in page
    assert "Sign in with it instead" in page
    assert set(users(app)) == {"ana@example.com"}
    assert client.get("/api/v1/session").status_code == 401
    # The owner of the account sees that someone tried (on their own activity page).
    [event] = events(app, "auth.signup_existing_email")
    assert (event.subject_id, event.actor_id) == (ana.id, None)
    assert Auth(client).login("ana@example.com").status_code == 302
    activity = client.get("/account/activity").get_data(as_text=True)
    assert "Someone tried to sign up with this account&#39;s email" in activity


def test_probing_emails_costs_as_much_as_guessing_passwords(app, make_user):
    for i in range(11):
        make_user(email=f"staff{i}@example.com")
    prober = app.test_client()
    prober.environ_base["REMOTE_ADDR"] = "10.7.0.1"
    statuses = [sign_up(prober, email=f"staff{i}@example.com").status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]
    refused = sign_up(prober, email="staff10@example.com")
    assert refused.headers["Retry-After"].isdigit()
    assert "already exists" not in refused.get_data(as_text=True)
    # One counter with sign-in: the same address cannot go on guessing passwords either.
    assert Auth(prober).login("staff0@example.com").status_code == 429
    # A sign-in's failures count here too.
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.7.0.2"
    for i in range(10):
        assert Auth(guesser).login(f"nobody{i}@example.com", "wrong").status_code == 200
    assert sign_up(guesser, email="new@example.com").status_code == 429
    assert "new@example.com" not in users(app)


def test_accounts_made_from_one_address_are_limited(app, make_app):
    limited = make_app("limited", SIGNUP_RATE_LIMIT="2 per hour")
    # Typos do not use up the allowance: only accounts made (and taken emails) do.
    typo = limited.test_client()
    for i in range(3):
        assert sign_up(typo, email=f"p{i}@example.com", password="short").status_code == 200
    statuses = [sign_up(limited.test_client(), email=f"p{i}@example.com") for i in range(3)]
    assert [answer.status_code for answer in statuses] == [302, 302, 429]
    assert statuses[2].headers["Retry-After"].isdigit()
    assert set(users(limited)) == {"p0@example.com", "p1@example.com"}
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.8.0.1"
    assert sign_up(other, email="p2@example.com").status_code == 302


def test_a_post_without_its_csrf_token_is_refused(app, client):
    client.get("/signup")
    answer = client.post("/signup", data=GOOD)
    assert answer.status_code == 400
    assert "This form has expired" in answer.get_data(as_text=True)
    forged = client.post("/signup", data={**GOOD, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert users(app) == {}


def test_a_signed_in_user_is_sent_to_the_app(client, make_user):
    make_user(email="ana@example.com")
    Auth(client).login("ana@example.com", PASSWORD)
    answer = client.get("/signup")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/app")


@pytest.mark.parametrize(
    ("accept", "country", "language"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "MX", "es"),
        ("en-GB,en;q=0.9", "GB", "en"),
        ("es", None, "es"),  # a language alone names no country: the user picks it
        ("es-419,es;q=0.9", None, "es"),  # Latin America is no country
        ("fr-FR,en;q=0.5", "FR", "en"),
        ("de", None, None),
        ("*", None, None),
    ],
)
def test_the_new_workspace_form_starts_from_the_browsers_locale(
    client, make_user, accept, country, language
):
    make_user(email="ana@example.com")
    Auth(client).login("ana@example.com")
    page = client.get("/workspaces/new", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert selected(page, "country") == (country or "")
    assert selected(page, "language") == (language or "")


def test_signup_settings_are_checked_at_start():
    assert from_env({})["SIGNUP"] == "open"
    assert from_env({"ENLACE_SIGNUP": "invite"})["SIGNUP"] == "invite"
    assert from_env({"ENLACE_SIGNUP": " Open "})["SIGNUP"] == "open"
    with pytest.raises(ValueError, match="ENLACE_SIGNUP must be open or invite"):
        from_env({"ENLACE_SIGNUP": "closed"})
    assert from_env({})["SIGNUP_RATE_LIMIT"] == "10 per hour"
    with pytest.raises(ValueError, match="ENLACE_SIGNUP_RATE_LIMIT"):
        from_env({"ENLACE_SIGNUP_RATE_LIMIT": "lots"})


def test_nul_characters_get_400_and_create_nothing(app, client):
    assert sign_up(client, name="Ana\x00").status_code == 400
    assert sign_up(client, password="tacos\x00al pastor").status_code == 400
    assert users(app) == {}
