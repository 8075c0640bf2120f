"""Sign-in, sessions, rate limits, password changes, the session API and security headers."""

from __future__ import annotations

import time

import pytest

from tests.conftest import PASSWORD, Auth, change_password, csrf_from, submit_form
from webapp.auth.session import AUTH_AT


def test_sign_in_redirects_to_the_app_and_shows_the_workspace(
    client, auth, make_user, make_workspace
):
    user = make_user(email="ana@example.com")
    make_workspace(name="Pizzería La Esquina", owner=user)
    response = auth.login("ANA@example.com ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/app"
    # The app shows what the session API says (the /app page itself is a static shell).
    body = client.get("/api/v1/session").get_json()
    assert [w["name"] for w in body["workspaces"]] == ["Pizzería La Esquina"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, make_user):
    make_user(email="ana@example.com")
    wrong = auth.login("ana@example.com", "not the password")
    unknown = auth.login("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    message = "The email or password is incorrect."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/api/v1/session").status_code == 401


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    make_user(email="ana@example.com")
    response = client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert client.get("/api/v1/session").status_code == 401


def test_next_parameter_stays_on_this_site(client, auth, make_user):
    make_user(email="ana@example.com")
    token = auth.token("/login")
    response = client.post(
        "/login?next=https://evil.example/phish",
        data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/app"
    client.post("/logout", data={"csrf_token": auth.api_token()})
    token = auth.token("/login")
    response = client.post(
        "/login?next=/account",
        data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/account"


def test_eleventh_failed_sign_in_for_one_account_gets_429(app, make_user):
    make_user(email="ana@example.com")
    statuses = []
    for i in range(11):
        # Each attempt from another address: the per-account limit must still hold.
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
        statuses.append(Auth(client).login("ana@example.com", "wrong password").status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # Even the right password is refused until the minute is over, with a clear message.
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    blocked = Auth(client).login("ana@example.com")
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)
    assert 0 < int(blocked.headers["Retry-After"]) <= 61  # the window, rounded up


def test_eleventh_failed_sign_in_from_one_address_gets_429(client, auth, make_user):
    make_user(email="ana@example.com")
    statuses = [auth.login(f"user{i}@example.com", "wrong password").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # The 429 does not tell whether an email exists: same answer for a real account.
    assert auth.login("ana@example.com", "wrong password").status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(client, auth, make_user):
    make_user(email="ana@example.com")
    for _ in range(12):
        assert auth.login("ana@example.com").status_code == 302
        client.post("/logout", data={"csrf_token": auth.api_token()})


def test_session_cookie_is_httponly_lax_and_lasts_30_days(client, auth, make_user):
    make_user(email="ana@example.com")
    response = auth.login("ana@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on a laptop
    expires = client.get_cookie("enlace_session").expires
    assert 29 * 86400 < expires.timestamp() - time.time() <= 30 * 86400


def test_session_cookie_is_secure_behind_https(make_app, make_user):
    from webapp.config import from_env

    secure = from_env({"ENLACE_PUBLIC_URL": "https://enlace.example"})
    app = make_app(
        "secure",
        PUBLIC_URL=secure["PUBLIC_URL"],
        SESSION_COOKIE_SECURE=secure["SESSION_COOKIE_SECURE"],
    )
    client = app.test_client()
    make_user(email="ana@example.com")
    response = Auth(client).login("ana@example.com")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_logout_needs_a_post_with_csrf(client, auth, make_user):
    make_user(email="ana@example.com")
    auth.login("ana@example.com")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/api/v1/session").status_code == 200
    response = client.post("/logout", data={"csrf_token": auth.api_token()})
    assert response.status_code == 302
    assert client.get("/api/v1/session").status_code == 401


def test_session_api_describes_the_user_and_workspaces(
    client, auth, make_user, make_workspace, add_member
):
    user = make_user(email="ana@example.com", name="Ana")
    own = make_workspace(name="Brand A", owner=user)
    other = make_workspace(name="Brand B")
    add_member(other, user, "viewer")
    make_workspace(name="Not mine")
    auth.login("ana@example.com")
    body = client.get("/api/v1/session").get_json()
    assert body["user"]["email"] == "ana@example.com"
    assert body["user"]["name"] == "Ana"
    assert body["csrf_token"]
    assert {(w["id"], w["name"], w["role"]) for w in body["workspaces"]} == {
        (str(own.id), "Brand A", "owner"),
        (str(other.id), "Brand B", "viewer"),
    }


def test_api_answers_json_401_when_signed_out_never_a_redirect(client):
    response = client.get("/api/v1/session")
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"] == "unauthorized"


def test_api_errors_are_json_and_pages_get_html(client):
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.is_json
    page = client.get("/nothing-here")
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "Not found" in page.get_data(as_text=True)


def test_error_pages_speak_the_users_language(client):
    page = client.get("/nothing-here", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert page.status_code == 404
    assert '<html lang="es">' in page.get_data(as_text=True)
    assert "Not found" not in page.get_data(as_text=True)


def test_password_change_signs_out_other_devices_but_not_this_one(app, make_user):
    make_user(email="ana@example.com")
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login("ana@example.com")
    laptop_auth = Auth(laptop)
    laptop_auth.login("ana@example.com")
    response = change_password(laptop, PASSWORD, "a brand new passphrase")
    assert response.status_code == 302
    assert laptop.get("/api/v1/session").status_code == 200
    assert phone.get("/api/v1/session").status_code == 401
    fresh = app.test_client()
    assert Auth(fresh).login("ana@example.com").status_code == 200  # old password
    assert Auth(fresh).login("ana@example.com", "a brand new passphrase").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(client, auth, make_user):
    make_user(email="ana@example.com")
    auth.login("ana@example.com")
    response = change_password(client, "not it at all", "a brand new passphrase")
    assert response.status_code == 200
    assert "The current password is incorrect." in response.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": auth.api_token()})
    assert auth.login("ana@example.com").status_code == 302


def test_account_page_saves_name_and_language(client, auth, make_user):
    make_user(email="ana@example.com", name="Ana")
    auth.login("ana@example.com")
    response = submit_form(
        client,
        "/account",
        {"profile-name": "Ana María", "profile-locale": "es", "profile-submit": "1"},
    )
    assert response.status_code == 302
    body = client.get("/api/v1/session").get_json()
    assert body["user"]["name"] == "Ana María"
    assert body["user"]["locale"] == "es"
    assert '<html lang="es"' in client.get("/app").get_data(as_text=True)


def test_sign_out_everywhere_ends_every_session(app, make_user):
    make_user(email="ana@example.com")
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login("ana@example.com")
    laptop_auth = Auth(laptop)
    laptop_auth.login("ana@example.com")
    laptop_auth.post("/account/sign-out-everywhere")
    assert phone.get("/api/v1/session").status_code == 401
    assert laptop.get("/api/v1/session").status_code == 401


def test_security_headers_on_pages_and_api(client):
    # Documents carry the policies; every answer says nosniff (tests/api/test_wire.py checks
    # that JSON and module scripts go without the document policies).
    for path in ("/login", "/app", "/sw.js"):
        response = client.get(path)
        response.close()
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
    for path in ("/api/v1/session", "/static/css/app.css"):
        response = client.get(path)
        response.close()
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script(client, auth, make_user, make_workspace):
    user = make_user(email="ana@example.com")
    make_workspace(owner=user)
    pages = [client.get("/login").get_data(as_text=True)]
    auth.login("ana@example.com")
    pages += [client.get(p).get_data(as_text=True) for p in ("/app", "/account", "/workspaces/new")]
    for page in pages:
        assert "<script>" not in page and " onclick=" not in page


def test_sensitive_pages_ask_for_the_password_again_after_ten_minutes(
    client, auth, make_user, make_workspace
):
    user = make_user(email="ana@example.com")
    workspace = make_workspace(owner=user)
    auth.login("ana@example.com")
    members = f"/workspaces/{workspace.id}/members"
    assert client.get(members).status_code == 200
    with client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 11 * 60
    response = client.get(members)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauth?next=")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    wrong = client.post(
        response.headers["Location"], data={"csrf_token": csrf_from(page), "password": "nope"}
    )
    assert "That password is incorrect." in wrong.get_data(as_text=True)
    right = client.post(
        response.headers["Location"], data={"csrf_token": csrf_from(page), "password": PASSWORD}
    )
    assert right.headers["Location"] == members
    assert client.get(members).status_code == 200


def test_failed_and_successful_sign_ins_are_audited(client, auth, make_user):
    make_user(email="ana@example.com")
    auth.login("ana@example.com", "wrong password")
    auth.login("ana@example.com")
    # Account events are on the account's own page (docs/ARCHITECTURE.md, 4.1).
    page = client.get("/account/activity").get_data(as_text=True)
    assert "Failed sign-in" in page
    assert "Signed in" in page


def test_unexpected_errors_get_a_friendly_page_or_json_never_a_traceback(make_app):
    app = make_app("boom")

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.get_data(as_text=True)
    assert "secret internals" not in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.get_json()["error"] == "internal_error"


def test_nul_characters_in_forms_get_400_not_500(client, auth, make_user):
    make_user(email="ana@example.com")
    token = auth.token("/login")
    response = client.post(
        "/login", data={"email": "ana\x00@example.com", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    auth.login("ana@example.com")
    page = client.get("/workspaces/new").get_data(as_text=True)
    response = client.post(
        "/workspaces/new",
        data={"csrf_token": csrf_from(page), "name": "Bad\x00", "country": "MX", "city": "X"},
    )
    assert response.status_code == 400
    assert client.get("/invite/abc%00def").status_code == 400


# Forms of an address that leave the site; a browser follows each of them elsewhere.
OFF_SITE = [
    "//evil.com",
    "//evil.com/path",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "http://localhost//evil.com",
    "https://localhost//evil.com/x?y=1",
    "http://localhost/\\evil.com",
    "https:evil.com",
    "https:/evil.com",
    "http://evil.com/",
    "javascript:alert(1)",
    "/\t/evil.com",
    "/\n/evil.com",
    "\t//evil.com",
    " //evil.com",
    "%2F%2Fevil.com",
    "/%2F%2Fevil.com@",
    "@evil.com",
    "evil.com",
]


def off_site(location: str) -> bool:
    """Tell whether a browser would leave the site following this Location."""
    from urllib.parse import urljoin, urlsplit

    cleaned = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/")
    return urlsplit(urljoin("http://localhost/app", cleaned)).netloc != "localhost"


@pytest.mark.parametrize("target", OFF_SITE)
def test_signed_in_next_redirect_never_leaves_the_site(client, auth, make_user, target):
    make_user(email="ana@example.com")
    auth.login("ana@example.com")
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 302
    assert not off_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_redirect_after_signing_in_never_leaves_the_site(client, auth, make_user, target):
    make_user(email="ana@example.com")
    token = auth.token("/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert not off_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("referrer", OFF_SITE)
def test_language_switch_never_sends_back_off_the_site(client, auth, referrer):
    token = auth.token("/login")
    response = client.post(
        "/language/en", data={"csrf_token": token}, environ_overrides={"HTTP_REFERER": referrer}
    )
    assert response.status_code == 302
    assert not off_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", ["/account", "/workspaces/new?x=1", "/app"])
def test_next_redirect_keeps_paths_of_this_site(client, auth, make_user, target):
    make_user(email="ana@example.com")
    token = auth.token("/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == target
    back = client.post(
        "/language/es",
        data={"csrf_token": auth.api_token()},
        headers={"Referer": f"http://localhost{target}"},
    )
    assert back.headers["Location"] == target


def test_accounts_created_by_the_command_line_are_audited(app, runner):
    from sqlalchemy import select

    from webapp.audit.models import AuditEvent
    from webapp.cli import main
    from webapp.db import session_scope

    result = runner.invoke(
        main,
        ["users", "create", "cli@example.com", "--name", "Cli", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context(), session_scope(app) as session:
        events = session.scalars(select(AuditEvent)).all()
    assert [e.action for e in events] == ["auth.account_created"]
    assert str(events[0].subject_id) == result.output.strip().splitlines()[-1]


def test_pages_loaded_in_parallel_right_after_sign_in_share_one_csrf_secret(app, make_user):
    # The app shell fetches /api/v1/session while the person opens another page: whichever
    # answer's cookie is written last, the form of the other page must still be accepted.
    make_user(email="ana@example.com")
    browser = app.test_client()
    assert Auth(browser).login("ana@example.com").status_code == 302
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    signed_in_cookie = browser.get_cookie(cookie_name).value
    page_tab, app_shell = app.test_client(), app.test_client()
    for tab in (page_tab, app_shell):
        tab.set_cookie(cookie_name, signed_in_cookie)
    form_token = csrf_from(page_tab.get("/account").get_data(as_text=True))
    assert app_shell.get("/api/v1/session").status_code == 200
    page_tab.set_cookie(cookie_name, app_shell.get_cookie(cookie_name).value)  # written last
    response = page_tab.post(
        "/account",
        data={
            "csrf_token": form_token,
            "profile-name": "Ana",
            "profile-locale": "en",
            "profile-submit": "1",
        },
    )
    assert response.status_code == 302
