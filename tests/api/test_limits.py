"""Limits on what a request may carry: body size however it is sent, numbers in paths and queries."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import Auth
from tests.helpers import serve
from webapp.db import session_scope

MIB = 1024 * 1024


@pytest.fixture
def live(app: Flask) -> Iterator[int]:
    """Serve the app over real HTTP on 127.0.0.1; yield its port."""
    with serve(app) as server:
        yield server.server_port


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def post_chunked(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    """POST `body` with Transfer-Encoding: chunked (no Content-Length); return status and JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=_chunks(body), headers=headers, encode_chunked=True)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, {"html": data.decode("utf-8", "replace")}


@pytest.fixture
def signed_in(app: Flask, make_user, make_workspace):  # type: ignore[no-untyped-def]
    """An owner signed in through the test client: their cookie, CSRF token and workspace."""
    user = make_user()
    workspace = make_workspace(owner=user)
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user.email).status_code == 302
    token = auth.api_token()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return {
        "headers": {
            "Content-Type": "application/json",
            "X-CSRFToken": token,
            "Cookie": f"{cookie.key}={cookie.value}",
        },
        "workspace": workspace,
        "client": client,
        "auth": auth,
    }


def _contact(notes: str = "") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "contact",
        "entity_id": str(uuid.uuid4()),
        "op": "put",
        "base_version": None,
        "fields": {"name": "Ana", "notes": notes},
        "base": {},
    }


def test_a_chunked_body_over_the_limit_gets_413_not_a_silently_cut_400(live, signed_in):
    body = json.dumps(
        {
            "workspace": str(signed_in["workspace"].id),
            "cursor": 0,
            "mutations": [_contact()],
            "pad": "x" * (MIB + 100 * 1024),
        }
    ).encode()
    status, data = post_chunked(live, "/api/v1/sync", body, signed_in["headers"])
    assert status == 413, data
    assert data["error"] == "too_large"


def test_a_chunked_body_one_byte_over_the_limit_gets_413(live, signed_in):
    head = json.dumps({"workspace": str(signed_in["workspace"].id), "cursor": 0, "pad": ""})
    body = (head[:-2] + "x" * (MIB + 1 - len(head)) + '"}').encode()
    assert len(body) == MIB + 1
    status, data = post_chunked(live, "/api/v1/sync", body, signed_in["headers"])
    assert status == 413, data


def test_a_large_chunked_body_under_the_limit_is_read_in_full(live, signed_in):
    mutations = [_contact(notes="n" * 4000) for _ in range(200)]
    body = json.dumps(
        {"workspace": str(signed_in["workspace"].id), "cursor": 0, "mutations": mutations}
    ).encode()
    assert 0.7 * MIB < len(body) < MIB
    status, data = post_chunked(live, "/api/v1/sync", body, signed_in["headers"])
    assert status == 200, data
    assert [r["status"] for r in data["results"]] == ["applied"] * 200


def test_a_small_chunked_sync_works(live, signed_in):
    body = json.dumps(
        {"workspace": str(signed_in["workspace"].id), "cursor": 0, "mutations": [_contact()]}
    ).encode()
    status, data = post_chunked(live, "/api/v1/sync", body, signed_in["headers"])
    assert status == 200, data
    assert data["results"][0]["status"] == "applied"


def test_a_chunked_form_over_the_limit_gets_413_on_a_page_too(live, signed_in):
    body = b"name=" + b"x" * (MIB + 10)
    headers = {**signed_in["headers"], "Content-Type": "application/x-www-form-urlencoded"}
    status, data = post_chunked(live, "/workspaces/new", body, headers)
    assert status == 413
    assert "too large" in data["html"]


# Numbers in addresses: out of every column's range, negative, not numbers at all.
BAD_NUMBERS = [
    "99999999999999999999999",
    "9223372036854775808",  # 2**63: past SQLite's and PostgreSQL's bigint
    "18446744073709551616",
    "2147483648",  # 2**31: past PostgreSQL's integer
    "-1",
    "0",
    "1.5",
    "1e3",
    "abc",
    "9" * 5000,  # past Python's int() digit limit
]


@pytest.fixture
def owner(app: Flask, make_user, make_workspace):  # type: ignore[no-untyped-def]
    """A signed-in owner of a workspace with one pending invitation."""
    from webapp.workspaces import service

    user = make_user()
    workspace = make_workspace(owner=user)
    with app.app_context(), session_scope(app) as session:
        invitation, _token = service.create_invitation(
            session, workspace.id, "viewer", session.merge(user), days=7
        )
        invitation_id = invitation.id
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user.email).status_code == 302
    return {"client": client, "auth": auth, "workspace": workspace, "invitation": invitation_id}


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_revoking_an_invitation_id_out_of_range_is_404_and_changes_nothing(owner, value):
    wid = owner["workspace"].id
    response = owner["auth"].post(f"/workspaces/{wid}/invitations/{value}/revoke")
    assert response.status_code == 404
    members = owner["client"].get(f"/workspaces/{wid}/members").get_data(as_text=True)
    assert f"/invitations/{owner['invitation']}/revoke" in members


def test_revoking_a_real_invitation_still_works(owner):
    wid = owner["workspace"].id
    response = owner["auth"].post(f"/workspaces/{wid}/invitations/{owner['invitation']}/revoke")
    assert response.status_code == 302
    response = owner["auth"].post(f"/workspaces/{wid}/invitations/{owner['invitation']}/revoke")
    assert response.status_code == 404
    response = owner["auth"].post(f"/workspaces/{wid}/invitations/2147483647/revoke")
    assert response.status_code == 404


# Audit event ids are bigint: 2**31 is a valid cursor there.
BAD_CURSORS = [v for v in BAD_NUMBERS if v != "2147483648"] + ["", " 5", "+5", "٣"]


@pytest.mark.parametrize("value", BAD_CURSORS)
def test_a_bad_audit_page_cursor_is_400_naming_the_parameter(owner, value):
    wid = owner["workspace"].id
    response = owner["client"].get(f"/workspaces/{wid}/audit", query_string={"before": value})
    assert response.status_code == 400
    assert "before" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["1", "2147483648", "9223372036854775807"])
def test_an_audit_page_cursor_in_range_is_accepted(owner, value):
    wid = owner["workspace"].id
    response = owner["client"].get(f"/workspaces/{wid}/audit", query_string={"before": value})
    assert response.status_code == 200


def test_every_integer_in_a_route_is_bounded(app: Flask):
    from werkzeug.routing.converters import NumberConverter

    unbounded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        for converter in (rule._converters or {}).values()
        if isinstance(converter, NumberConverter) and converter.max is None
    ]
    assert unbounded == []
