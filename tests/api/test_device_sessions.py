"""Device sessions: each sign-in is a row on the server, and ending it makes its cookie worthless."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import PASSWORD, Auth, change_password, csrf_from
from webapp.db import session_scope, utcnow

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
LAPTOP_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)


def devices(app):
    from webapp.auth.models import DeviceSession

    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(DeviceSession).order_by(DeviceSession.created_at)).all()
        session.expunge_all()
        return rows


def signed_in(app, email: str, user_agent: str = PHONE_UA, address: str = "127.0.0.1"):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    client.environ_base["REMOTE_ADDR"] = address
    assert Auth(client).login(email).status_code == 302
    return client


def copy_of(app, client):
    """Another client holding the same session cookie (a stolen or backed-up cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def assert_cookie_worthless(thief) -> None:
    assert thief.get("/api/v1/session").status_code == 401
    assert thief.get("/api/v1/keys/snapshot").status_code == 401


def test_copied_cookie_is_worthless_after_signing_out(app, make_user):
    make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com")
    thief = copy_of(app, phone)
    assert thief.get("/api/v1/session").status_code == 200
    assert thief.get("/api/v1/keys/snapshot").status_code == 200
    assert phone.post("/logout", data={"csrf_token": Auth(phone).api_token()}).status_code == 302
    assert_cookie_worthless(thief)
    assert devices(app) == []


def test_each_sign_in_is_a_device_session_with_only_a_hash_of_its_token(app, make_user):
    user = make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com", PHONE_UA, "192.0.2.10")
    signed_in(app, "ana@example.com", LAPTOP_UA, "192.0.2.20")
    rows = devices(app)
    assert [(r.user_id, r.browser, r.platform, r.ip) for r in rows] == [
        (user.id, "Chrome", "Android", "192.0.2.10"),
        (user.id, "Safari", "macOS", "192.0.2.20"),
    ]
    cookie = phone.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    for row in rows:
        assert len(row.token_hash) == 64
        assert row.token_hash not in cookie  # the cookie holds the token, never its hash
        assert row.created_at <= row.last_seen_at <= utcnow()


def test_sign_out_everywhere_ends_every_device_session(app, make_user):
    make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com")
    laptop = signed_in(app, "ana@example.com", LAPTOP_UA)
    thieves = [copy_of(app, phone), copy_of(app, laptop)]
    Auth(laptop).post("/account/sign-out-everywhere")
    for thief in thieves:
        assert_cookie_worthless(thief)
    assert devices(app) == []


def test_password_change_ends_the_other_device_sessions_only(app, make_user):
    make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com")
    laptop = signed_in(app, "ana@example.com", LAPTOP_UA)
    thief = copy_of(app, phone)
    assert change_password(laptop, PASSWORD, "a brand new passphrase").status_code == 302
    assert_cookie_worthless(thief)
    assert laptop.get("/api/v1/session").status_code == 200
    assert [r.browser for r in devices(app)] == ["Safari"]


def test_account_page_lists_devices_and_ends_one(app, make_user):
    make_user(email="ana@example.com")
    other = make_user(email="other@example.com")
    phone = signed_in(app, "ana@example.com", PHONE_UA, "192.0.2.10")
    laptop = signed_in(app, "ana@example.com", LAPTOP_UA, "192.0.2.20")
    signed_in(app, "other@example.com")
    thief = copy_of(app, phone)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Chrome on Android" in page and "Safari on macOS" in page
    assert "192.0.2.10" in page
    assert page.count("This device") == 1
    phone_row = next(r for r in devices(app) if r.browser == "Chrome" and r.ip == "192.0.2.10")
    end = f"/account/devices/{phone_row.id}/end"
    assert end in page
    # A GET or a post without CSRF ends nothing.
    assert laptop.get(end).status_code == 405
    assert laptop.post(end).status_code == 400
    assert thief.get("/api/v1/session").status_code == 200
    response = laptop.post(end, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert_cookie_worthless(thief)
    assert laptop.get("/api/v1/session").status_code == 200
    assert "Chrome on Android" not in laptop.get("/account").get_data(as_text=True)
    # Another user's device cannot be ended (nor is its existence revealed).
    other_row = next(r for r in devices(app) if r.user_id == other.id)
    assert (
        laptop.post(
            f"/account/devices/{other_row.id}/end", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 404
    )
    assert (
        laptop.post(
            "/account/devices/99999999999999999999999/end", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 404
    )
    assert len(devices(app)) == 2


def test_device_session_lasts_thirty_days_from_its_last_use(app, make_user):
    from webapp.auth.models import DeviceSession

    make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com")
    with app.app_context(), session_scope(app) as session:
        row = session.scalars(select(DeviceSession)).one()
        row.created_at = utcnow() - timedelta(days=60)
        row.last_seen_at = utcnow() - timedelta(days=29, hours=23)
    assert phone.get("/api/v1/session").status_code == 200  # used: 30 more days
    with app.app_context(), session_scope(app) as session:
        row = session.scalars(select(DeviceSession)).one()
        assert utcnow() - row.last_seen_at < timedelta(minutes=1)
        row.last_seen_at = utcnow() - timedelta(days=30, minutes=1)
    assert phone.get("/api/v1/session").status_code == 401


def test_last_seen_is_not_written_on_every_request(app, make_user):
    from webapp.auth.models import DeviceSession

    make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com")
    a_minute_ago = utcnow() - timedelta(minutes=1)
    with app.app_context(), session_scope(app) as session:
        session.scalars(select(DeviceSession)).one().last_seen_at = a_minute_ago
    assert phone.get("/api/v1/session").status_code == 200
    assert devices(app)[0].last_seen_at == a_minute_ago
    with app.app_context(), session_scope(app) as session:
        session.scalars(select(DeviceSession)).one().last_seen_at = utcnow() - timedelta(hours=1)
    assert phone.get("/api/v1/session").status_code == 200
    assert utcnow() - devices(app)[0].last_seen_at < timedelta(minutes=1)


def test_a_forged_or_unknown_token_in_the_session_signs_nobody_in(app, make_user):
    make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com")
    token_hash = devices(app)[0].token_hash
    forger = app.test_client()
    with forger.session_transaction() as session:
        session["_user_id"] = token_hash  # the stored hash is not a token
    assert forger.get("/api/v1/session").status_code == 401
    assert phone.get("/api/v1/session").status_code == 200


def test_session_cookie_is_a_host_cookie_over_https(make_app, make_user):
    from webapp.config import from_env

    name = "__Host-enlace"
    settings = from_env({"ENLACE_PUBLIC_URL": "https://enlace.example"})
    assert settings["SESSION_COOKIE_NAME"] == name
    app = make_app(
        "secure",
        PUBLIC_URL=settings["PUBLIC_URL"],
        SESSION_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"],
        SESSION_COOKIE_NAME=settings["SESSION_COOKIE_NAME"],
    )
    make_user(email="ana@example.com")
    response = Auth(app.test_client()).login("ana@example.com")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}="))
    assert "Secure" in cookie and "Path=/" in cookie
    assert not re.search(r"(?i)domain=", cookie)
    assert from_env({})["SESSION_COOKIE_NAME"] == "enlace_session"  # plain http on a laptop


def test_sign_out_of_a_device_and_device_ending_are_audited(app, make_user):
    from webapp.audit.models import AuditEvent

    make_user(email="ana@example.com")
    phone = signed_in(app, "ana@example.com")
    laptop = signed_in(app, "ana@example.com", LAPTOP_UA)
    page = laptop.get("/account").get_data(as_text=True)
    phone_id = next(r.id for r in devices(app) if r.browser == "Chrome")
    laptop.post(f"/account/devices/{phone_id}/end", data={"csrf_token": csrf_from(page)})
    Auth(laptop).post("/account/sign-out-everywhere")
    with app.app_context(), session_scope(app) as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["auth.device_ended", "auth.signed_out_everywhere"]
    assert phone.get("/api/v1/session").status_code == 401
