"""The push API: VAPID key, subscriptions, the user's choice, crisis alerts (not the sending)."""

from __future__ import annotations

import base64
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from tests.helpers import api_token, mutation
from webapp.audit.models import AuditEvent
from webapp.db import session_scope
from webapp.push.models import OutboxMessage, PushSubscription

ENDPOINT = "https://fcm.googleapis.com/fcm/send/"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_keys() -> dict[str, str]:
    """Keys as a browser's PushSubscription.toJSON() gives them."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"p256dh": b64(point), "auth": b64(uuid.uuid4().bytes)}


def subscribe(device, endpoint: str | None = None, keys=None, **extra):  # type: ignore[no-untyped-def]
    body = {"endpoint": endpoint or ENDPOINT + uuid.uuid4().hex, "keys": keys or browser_keys()}
    body.update(extra)
    return device.client.post(
        "/api/v1/push/subscriptions", json=body, headers={"X-CSRFToken": device.token()}
    )


def rows(app, model):  # type: ignore[no-untyped-def]
    with app.app_context(), session_scope(app) as session:
        found = list(session.scalars(select(model)))
        session.expunge_all()
    return found


def test_the_vapid_key_is_a_p256_point_and_needs_sign_in(app, device):
    owner = device()
    answer = owner.client.get("/api/v1/push/vapid-public-key")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    raw = base64.urlsafe_b64decode(answer.get_json()["key"] + "=")
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    assert len(raw) == 65
    assert app.test_client().get("/api/v1/push/vapid-public-key").status_code == 401


def test_subscribing_stores_one_row_per_endpoint_and_updates_keys(app, device):
    owner = device()
    endpoint = ENDPOINT + "abc"
    first = subscribe(owner, endpoint, expirationTime=None)
    assert first.status_code == 201
    keys = browser_keys()
    again = subscribe(owner, endpoint, keys)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    [row] = rows(app, PushSubscription)
    assert row.p256dh == keys["p256dh"] and row.user_id == owner.user.id


def test_an_endpoint_registered_by_another_user_moves_to_them(app, device):
    owner = device()
    other = device(owner.workspace_obj, "viewer")
    endpoint = ENDPOINT + "shared-phone"
    assert subscribe(owner, endpoint).status_code == 201
    assert subscribe(other, endpoint).status_code == 201
    [row] = rows(app, PushSubscription)
    assert row.user_id == other.user.id
    # The first user can no longer remove it.
    gone = owner.client.delete(
        "/api/v1/push/subscriptions",
        json={"endpoint": endpoint},
        headers={"X-CSRFToken": owner.token()},
    )
    assert gone.status_code == 204
    assert len(rows(app, PushSubscription)) == 1


def test_a_user_removes_their_own_subscription(app, device):
    owner = device()
    endpoint = ENDPOINT + "mine"
    subscribe(owner, endpoint)
    gone = owner.client.delete(
        "/api/v1/push/subscriptions",
        json={"endpoint": endpoint},
        headers={"X-CSRFToken": owner.token()},
    )
    assert gone.status_code == 204
    assert rows(app, PushSubscription) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evil.example/https://fcm.googleapis.com/",
        "javascript:alert(1)",
        "",
        ENDPOINT + "x" * 3000,
        42,
    ],
)
def test_an_endpoint_outside_the_allowed_push_services_gets_400(app, device, endpoint):
    owner = device()
    response = owner.client.post(
        "/api/v1/push/subscriptions",
        json={"endpoint": endpoint, "keys": browser_keys()},
        headers={"X-CSRFToken": owner.token()},
    )
    assert response.status_code == 400
    assert "endpoint" in response.get_json()["errors"]
    assert rows(app, PushSubscription) == []


def test_allowed_endpoints_come_from_the_settings(app, device):
    # A URL entry is the loopback escape hatch of the tests: that scheme, address and port only.
    app.config["PUSH_ALLOWED_ENDPOINTS"] = ["http://127.0.0.1:9/"]
    owner = device()
    assert subscribe(owner, "http://127.0.0.1:9/push/1").status_code == 201
    assert subscribe(owner, ENDPOINT + "now-refused").status_code == 400
    assert subscribe(owner, "http://127.0.0.1:10/push/1").status_code == 400
    assert subscribe(owner, "https://127.0.0.1:9/push/1").status_code == 400


NOT_A_PUSH_SERVICE = "not a push service this server sends to"


@pytest.mark.parametrize(
    "endpoint",
    [
        # The old prefix `https://wns2-` let any host beginning with wns2- through.
        "https://wns2-attacker.example/w/?token=1",
        "https://wns2-x.notify.windows.com.evil.example/w/",
        "https://a.wns2-x.notify.windows.com/w/",
        # The dispatcher connected to whatever port the endpoint named.
        "https://wns2-par02p.notify.windows.com:8443/w/?token=1",
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "https://fcm.googleapis.com:22/fcm/send/x",
        "https://fcm.googleapis.com:0443/fcm/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com./fcm/send/x",
        "https://user@fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com@evil.example/fcm/send/x",
        "https://fcm%2egoogleapis.com/fcm/send/x",
        "https://fcm.googleapis.com\\@evil.example/x",
        "https://xn--fcm-googleapis-com.example/x",
        "https://127.0.0.1/fcm/send/x",
        "https://[::1]/fcm/send/x",
        "https://fcm.googleapis.com/fcm/send/x#fragment",
    ],
)
def test_only_the_allowed_hosts_over_https_on_port_443_are_accepted(app, device, endpoint):
    owner = device()
    response = subscribe(owner, endpoint)
    assert response.status_code == 400, endpoint
    assert NOT_A_PUSH_SERVICE in response.get_json()["errors"]["endpoint"]
    assert rows(app, PushSubscription) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/caf\u00e9",
        "https://fcm.googleapis.com/fcm/send/x\u200b",
        "https://fcm.googleapis.com/fcm/send/x\u202ey",  # issue 18, finding 1
        "https://fcm.googleapis.com/fcm/send/x\x7f",
        "https://fcm.googleapis.com/fcm/send/a b",
        "https://fcm.googleapis.com/fcm/send/\x85",
        "https://\uff46cm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com\u3002/fcm/send/x",
    ],
)
def test_an_endpoint_with_spaces_controls_or_non_ascii_gets_a_clear_400(app, device, endpoint):
    owner = device()
    response = subscribe(owner, endpoint)
    assert response.status_code == 400
    assert (
        "only ASCII letters, digits and URL punctuation"
        in (response.get_json()["errors"]["endpoint"])
    )
    assert rows(app, PushSubscription) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
        "https://FCM.GoogleAPIs.com:443/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
        "https://web.push.apple.com/QGuQyavXutnMH",
    ],
)
def test_the_browsers_push_services_are_accepted(app, device, endpoint):
    owner = device()
    assert subscribe(owner, endpoint).status_code == 201
    assert [row.endpoint for row in rows(app, PushSubscription)] == [endpoint]


def test_a_user_keeps_at_most_20_subscriptions_and_the_oldest_goes(app, device):
    owner = device()
    other = device(owner.workspace_obj, "viewer")
    kept = ENDPOINT + "other-users-phone"
    subscribe(other, kept)
    made = [ENDPOINT + f"device-{n:02d}" for n in range(21)]
    for endpoint in made:
        assert subscribe(owner, endpoint).status_code == 201
    mine = sorted(
        row.endpoint for row in rows(app, PushSubscription) if row.user_id == owner.user.id
    )
    assert mine == made[1:]
    assert [r.endpoint for r in rows(app, PushSubscription) if r.user_id == other.user.id] == [kept]
    # Subscribing an endpoint again is no new subscription: nothing more goes.
    assert subscribe(owner, made[1]).status_code == 200
    assert len([r for r in rows(app, PushSubscription) if r.user_id == owner.user.id]) == 20
    # A device that changes hands is the new owner's newest, so it is kept.
    assert subscribe(other, made[1]).status_code == 201
    assert subscribe(owner, ENDPOINT + "device-21").status_code == 201
    theirs = sorted(r.endpoint for r in rows(app, PushSubscription) if r.user_id == other.user.id)
    assert theirs == sorted([kept, made[1]])


def _off_curve() -> str:
    return b64(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    ("keys", "field"),
    [
        ({"p256dh": _off_curve(), "auth": b64(b"a" * 16)}, "keys.p256dh"),
        ({"p256dh": b64(b"\x04" + b"\x00" * 30), "auth": b64(b"a" * 16)}, "keys.p256dh"),
        ({"p256dh": "not base64!", "auth": b64(b"a" * 16)}, "keys.p256dh"),
        ({"auth": b64(b"a" * 16)}, "keys.p256dh"),
        ({"p256dh": None, "auth": b64(b"a" * 16)}, "keys.p256dh"),
        ("nope", "keys"),
    ],
)
def test_bad_keys_get_400_naming_the_field(app, device, keys, field):
    owner = device()
    response = owner.client.post(
        "/api/v1/push/subscriptions",
        json={"endpoint": ENDPOINT + "k", "keys": keys},
        headers={"X-CSRFToken": owner.token()},
    )
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("auth", [b64(b"a" * 15), b64(b"a" * 17), "", "***"])
def test_an_auth_secret_that_is_not_16_bytes_gets_400(device, auth):
    owner = device()
    keys = browser_keys() | {"auth": auth}
    response = subscribe(owner, keys=keys)
    assert response.status_code == 400
    assert "keys.auth" in response.get_json()["errors"]


def test_subscriptions_need_sign_in_and_csrf(app, device):
    owner = device()
    body = {"endpoint": ENDPOINT + "x", "keys": browser_keys()}
    assert app.test_client().get("/api/v1/push/preferences").status_code == 401
    refused = owner.client.post("/api/v1/push/subscriptions", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"


def test_the_level_is_per_user_and_defaults_to_all(app, device):
    owner = device()
    assert owner.client.get("/api/v1/push/preferences").get_json() == {"level": "all"}
    for level in ("urgent", "none", "all"):
        answer = owner.client.put(
            "/api/v1/push/preferences",
            json={"level": level},
            headers={"X-CSRFToken": owner.token()},
        )
        assert answer.status_code == 200 and answer.get_json() == {"level": level}
        assert owner.client.get("/api/v1/push/preferences").get_json() == {"level": level}
    bad = owner.client.put(
        "/api/v1/push/preferences", json={"level": "loud"}, headers={"X-CSRFToken": owner.token()}
    )
    assert bad.status_code == 400 and "level" in bad.get_json()["errors"]
    other = device(owner.workspace_obj, "viewer")
    assert other.client.get("/api/v1/push/preferences").get_json() == {"level": "all"}


def alert(device, body, workspace=None):  # type: ignore[no-untyped-def]
    return device.client.post(
        f"/api/v1/workspaces/{workspace or device.workspace}/alerts",
        json=body,
        headers={"X-CSRFToken": device.token()},
    )


def test_an_applied_change_writes_one_outbox_row_in_its_transaction(app, device):
    owner = device()
    owner.sync(mutation(uuid.uuid4(), {"name": "Ana"}), mutation(uuid.uuid4(), {"name": "Beto"}))
    # A rejected mutation and a pull change nothing: no row.
    owner.sync(mutation(uuid.uuid4(), {"name": ""}))
    owner.sync()
    [row] = rows(app, OutboxMessage)
    assert (row.kind, row.revision, row.count, row.author_id) == (
        "directory-changed",
        2,
        2,
        owner.user.id,
    )


def test_owners_and_editors_send_alerts_viewers_are_refused(app, device):
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    viewer = device(owner.workspace_obj, "viewer")
    stranger = device()
    subscribe(viewer)
    subscribe(viewer)
    subscribe(owner)  # the sender's own device is not alerted
    playbook = uuid.uuid4()
    owner.sync(mutation(playbook, {"name": "Incendio", "steps": ["Salir"]}, type="playbook"))

    sent = alert(owner, {"playbook_id": str(playbook), "message": "Evacuad la planta 3"})
    assert sent.status_code == 202
    assert sent.get_json()["recipients"] == 2
    assert alert(editor, {"message": "Simulacro"}).status_code == 202
    refused = alert(viewer, {"message": "hola"})
    assert refused.status_code == 403
    assert alert(stranger, {"message": "hola"}, owner.workspace).status_code == 404
    assert alert(owner, {"message": "x"}, "not-a-uuid").status_code == 404

    events = [e for e in rows(app, AuditEvent) if e.action == "push.alert_sent"]
    assert len(events) == 2
    assert events[0].details["playbook"] == str(playbook)
    messages = [m for m in rows(app, OutboxMessage) if m.kind == "crisis-alert"]
    assert messages[0].payload == {
        "type": "crisis-alert",
        "workspace": owner.workspace,
        "alert": sent.get_json()["id"],
        "playbook": str(playbook),
        "message": "Evacuad la planta 3",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"playbook_id": None, "message": None}, "message"),
        ({"message": "x" * 141}, "message"),
        ({"message": 5}, "message"),
        ({"message": "Fuego\x00en cocina"}, "message"),
        ({"playbook_id": str(uuid.uuid4())}, "playbook_id"),
        ({"playbook_id": "nope"}, "playbook_id"),
        ({"playbook_id": 7}, "playbook_id"),
    ],
)
def test_an_alert_needs_a_playbook_of_the_workspace_or_a_short_message(device, body, field):
    owner = device()
    response = alert(owner, body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_a_deleted_restricted_or_foreign_playbook_is_refused(device):
    owner = device()
    other = device()
    deleted, restricted, foreign = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    owner.sync(
        mutation(deleted, {"name": "Viejo"}, type="playbook"),
        mutation(restricted, {"name": "Secreto", "visibility": "restricted"}, type="playbook"),
    )
    owner.sync(mutation(deleted, type="playbook", op="delete", base_version=1))
    other.sync(mutation(foreign, {"name": "Ajeno"}, type="playbook"))
    for playbook in (deleted, restricted, foreign):
        response = alert(owner, {"playbook_id": str(playbook)})
        assert response.status_code == 400, playbook
        assert "playbook_id" in response.get_json()["errors"]


def test_alerts_are_rate_limited_per_workspace_and_sender(app, device):
    app.config["PUSH_ALERT_RATE_LIMIT"] = "2 per 10 minutes"
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    assert alert(owner, {"message": "uno"}).status_code == 202
    assert alert(owner, {"message": "dos"}).status_code == 202
    limited = alert(owner, {"message": "tres"})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    # Another sender, or the same sender in another workspace, is not held back.
    assert alert(editor, {"message": "cuatro"}).status_code == 202
    own = device(user=owner.user)
    assert alert(own, {"message": "cinco"}).status_code == 202


def test_the_token_from_the_session_works_for_put_and_delete(device):
    owner = device()
    token = api_token(owner.client)
    assert (
        owner.client.put(
            "/api/v1/push/preferences", json={"level": "none"}, headers={"X-CSRFToken": token}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("endpoint", [ENDPOINT + "nul\x00", ENDPOINT + "x" * 3000, "\x05"])
def test_unsubscribing_a_malformed_endpoint_gets_400_and_removes_nothing(app, device, endpoint):
    # Found by schemathesis on PostgreSQL: a NUL in the endpoint of a DELETE gave a 500.
    owner = device()
    kept = ENDPOINT + "kept"
    subscribe(owner, kept)
    answer = owner.client.delete(
        "/api/v1/push/subscriptions",
        json={"endpoint": endpoint},
        headers={"X-CSRFToken": owner.token()},
    )
    assert answer.status_code == 400
    assert "endpoint" in answer.get_json()["errors"]
    assert [row.endpoint for row in rows(app, PushSubscription)] == [kept]


def test_every_spelling_of_the_workspace_id_shares_one_alert_limit(app, device):
    # Finding 7 of issue 13: each spelling had its own counter (50 alerts against 5 allowed).
    owner = device()
    wid = uuid.UUID(owner.workspace)
    spellings = [
        str(wid),
        str(wid).upper(),
        wid.hex,
        "{" + str(wid) + "}",
        wid.urn,
    ]
    for n, spelling in enumerate(spellings):
        assert alert(owner, {"message": f"aviso {n}"}, spelling).status_code == 202, spelling
    for spelling in spellings:
        assert alert(owner, {"message": "uno más"}, spelling).status_code == 429, spelling
    # The audit rows name the workspace by its id, whatever the URL's spelling.
    sent = [e for e in rows(app, AuditEvent) if e.action == "push.alert_sent"]
    assert len(sent) == 5 and {e.workspace_id for e in sent} == {wid}


HIDDEN = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "C1 next line": "\u0085",
    "C1 control": "\u009b",
    "C0 escape": "\u001b",
    "tab": "\t",
    "carriage return": "\r",
    "delete": "\u007f",
    "NUL": "\u0000",
}


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_alert_text_with_hidden_or_control_characters_gets_400_naming_it(app, device, char):
    # Finding 8 of issue 13: a lock-screen notification could read differently from what was
    # sent ("Evacuad" + U+202E + "…" shows the rest backwards).
    owner = device()
    subscribe(device(owner.workspace_obj, "viewer"))
    response = alert(owner, {"message": f"Evacuad{char} la planta 3"})
    assert response.status_code == 400
    error = response.get_json()["errors"]["message"]
    assert f"U+{ord(char):04X}" in error and "invisible or control character" in error
    assert [m for m in rows(app, OutboxMessage) if m.kind == "crisis-alert"] == []
    assert [e for e in rows(app, AuditEvent) if e.action == "push.alert_sent"] == []


def test_a_newline_emoji_and_accents_are_plain_text(app, device):
    owner = device()
    sent = alert(owner, {"message": "¡Evacuad!\nSalida norte 🚨 — ñandú"})
    assert sent.status_code == 202
    [message] = [m for m in rows(app, OutboxMessage) if m.kind == "crisis-alert"]
    assert message.payload["message"] == "¡Evacuad! Salida norte 🚨 — ñandú"


def test_the_hidden_character_refusal_speaks_spanish(device, make_user):
    owner = device(user=make_user(locale="es"))
    response = alert(owner, {"message": "Evacuad\u202e la planta"})
    assert response.status_code == 400
    assert "carácter invisible o de control (U+202E)" in response.get_json()["errors"]["message"]
