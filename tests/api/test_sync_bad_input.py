"""Bad input to POST /api/v1/sync: each gets its clear error, and the data is unchanged."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import mutation
from webapp.db import session_scope
from webapp.directory.models import Contact
from webapp.workspaces.models import Workspace


def state(app):
    with app.app_context(), session_scope(app) as session:
        contacts = sorted(
            (str(c.id), c.workspace_id.hex, c.version, c.name, c.deleted, json.dumps(c.phones))
            for c in session.scalars(select(Contact))
        )
        revisions = sorted((w.id.hex, w.revision) for w in session.scalars(select(Workspace)))
    return contacts, revisions


@pytest.fixture
def world(device):
    owner = device()
    other = device()
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    owner.sync(mutation(mine, {"name": "Ana", "phones": [{"number": "+525512345678"}]}))
    other.sync(mutation(theirs, {"name": "Their secret"}))
    return {"owner": owner, "other": other, "mine": mine, "theirs": theirs}


def envelope(world, **overrides):
    body = {"workspace": world["owner"].workspace, "cursor": 0, "mutations": []}
    body.update(overrides)
    return body


def raw(world, data: bytes, content_type="application/json", headers=None):
    owner = world["owner"]
    return owner.client.post(
        "/api/v1/sync",
        data=data,
        content_type=content_type,
        headers={"X-CSRFToken": owner.token(), **(headers or {})},
    )


REQUEST_ERRORS = [
    ("malformed JSON", lambda w: raw(w, b'{"workspace": '), 400, None),
    ("a JSON array", lambda w: raw(w, b"[]"), 400, None),
    (
        "not JSON at all",
        lambda w: raw(w, b"workspace=1", "application/x-www-form-urlencoded"),
        400,
        None,
    ),
    (
        "cursor of the wrong type",
        lambda w: w["owner"].post(envelope(w, cursor="abc")),
        400,
        "cursor",
    ),
    (
        "a mutation id nested 1,000 levels deep",
        lambda w: raw(
            w,
            (
                f'{{"workspace": "{w["owner"].workspace}", "mutations": [{{"id": '
                + "[" * 1000
                + "]" * 1000
                + f', "type": "contact", "entity_id": "{uuid.uuid4()}", "op": "put"}}]}}'
            ).encode(),
        ),
        400,
        "mutations.0.id",
    ),
    ("negative cursor", lambda w: w["owner"].post(envelope(w, cursor=-1)), 400, "cursor"),
    ("cursor as a string", lambda w: w["owner"].post(envelope(w, cursor="5")), 400, "cursor"),
    ("cursor as a boolean", lambda w: w["owner"].post(envelope(w, cursor=True)), 400, "cursor"),
    ("cursor as a float", lambda w: w["owner"].post(envelope(w, cursor=1.0)), 400, "cursor"),
    (
        "base_version as a string",
        lambda w: w["owner"].post(
            envelope(w, mutations=[mutation(w["mine"], {"name": "X"}, base_version="1")])
        ),
        400,
        "mutations.0.base_version",
    ),
    (
        "base_version as a boolean",
        lambda w: w["owner"].post(
            envelope(w, mutations=[mutation(w["mine"], {"name": "X"}, base_version=True)])
        ),
        400,
        "mutations.0.base_version",
    ),
    (
        "mutations not a list",
        lambda w: w["owner"].post(envelope(w, mutations={"a": 1})),
        400,
        "mutations",
    ),
    ("unknown top-level field", lambda w: w["owner"].post(envelope(w, since=3)), 400, "since"),
    (
        "workspace not a uuid",
        lambda w: w["owner"].post(envelope(w, workspace="brand")),
        400,
        "workspace",
    ),
    (
        "mutation with an unknown op",
        lambda w: w["owner"].post(
            envelope(w, mutations=[dict(mutation(uuid.uuid4(), {"name": "X"}), op="upsert")])
        ),
        400,
        "mutations.0.op",
    ),
    (
        "mutation of an unknown type",
        lambda w: w["owner"].post(
            envelope(w, mutations=[mutation(uuid.uuid4(), {"name": "X"}, type="user")])
        ),
        400,
        "mutations.0.type",
    ),
    (
        "entity id not a uuid",
        lambda w: w["owner"].post(
            envelope(w, mutations=[dict(mutation(uuid.uuid4(), {"name": "X"}), entity_id="7")])
        ),
        400,
        "mutations.0.entity_id",
    ),
    (
        "mutation without an id",
        lambda w: w["owner"].post(
            envelope(
                w,
                mutations=[
                    {k: v for k, v in mutation(uuid.uuid4(), {"name": "X"}).items() if k != "id"}
                ],
            )
        ),
        400,
        "mutations.0.id",
    ),
    (
        "fields of the wrong type",
        lambda w: w["owner"].post(
            envelope(w, mutations=[dict(mutation(uuid.uuid4()), fields=["name"])])
        ),
        400,
        "mutations.0.fields",
    ),
    (
        "too many mutations",
        lambda w: w["owner"].post(
            envelope(w, mutations=[mutation(uuid.uuid4(), {"name": "X"}) for _ in range(201)])
        ),
        400,
        None,
    ),
    (
        "a body over 1 MiB",
        lambda w: w["owner"].post(
            envelope(
                w, mutations=[mutation(uuid.uuid4(), {"name": "X", "notes": "x" * (1024 * 1024)})]
            )
        ),
        413,
        None,
    ),
    (
        "a workspace the user is not in",
        lambda w: w["owner"].post(
            envelope(
                w,
                workspace=w["other"].workspace,
                mutations=[mutation(w["theirs"], {"name": "Mine now"}, base_version=1)],
            )
        ),
        404,
        None,
    ),
    (
        "a workspace that does not exist",
        lambda w: w["owner"].post(envelope(w, workspace=str(uuid.uuid4()))),
        404,
        None,
    ),
    (
        "no CSRF header",
        lambda w: w["owner"].client.post(
            "/api/v1/sync", json=envelope(w, mutations=[mutation(uuid.uuid4(), {"name": "X"})])
        ),
        400,
        None,
    ),
]


@pytest.mark.parametrize(
    ("label", "send", "status", "error_key"), REQUEST_ERRORS, ids=[r[0] for r in REQUEST_ERRORS]
)
def test_bad_requests_get_a_clear_error_and_change_nothing(
    app, world, label, send, status, error_key
):
    before = state(app)
    response = send(world)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert body["message"], body
    if error_key:
        assert error_key in body["errors"], body
    assert state(app) == before


MUTATION_ERRORS = [
    (
        "another workspace's entity id",
        lambda w: mutation(w["theirs"], {"name": "Mine now"}, base_version=1),
        "entity_id",
    ),
    (
        "another workspace's entity id, deleted",
        lambda w: mutation(w["theirs"], op="delete", base_version=1),
        "entity_id",
    ),
    ("a huge name", lambda w: mutation(uuid.uuid4(), {"name": "x" * 10_000}), "name"),
    (
        "a huge note",
        lambda w: mutation(w["mine"], {"notes": "x" * 100_000}, base_version=1),
        "notes",
    ),
    (
        "a bad phone",
        lambda w: mutation(w["mine"], {"phones": [{"number": "call me"}]}, base_version=1),
        "phones.0.number",
    ),
    (
        "a phone of the wrong type",
        lambda w: mutation(w["mine"], {"phones": [{"number": 5512345678}]}, base_version=1),
        "phones.0.number",
    ),
    (
        "eleven phones",
        lambda w: mutation(
            w["mine"], {"phones": [{"number": "+525512345678"}] * 11}, base_version=1
        ),
        "phones",
    ),
    (
        "eleven emails",
        lambda w: mutation(
            w["mine"], {"emails": [{"address": "a@example.com"}] * 11}, base_version=1
        ),
        "emails",
    ),
    ("an unknown field", lambda w: mutation(w["mine"], {"salary": 1}, base_version=1), "salary"),
    (
        "whatsapp as a string",
        lambda w: mutation(
            w["mine"], {"phones": [{"number": "+525512345678", "whatsapp": "yes"}]}, base_version=1
        ),
        "phones.0.whatsapp",
    ),
    (
        "whatsapp as a number",
        lambda w: mutation(
            w["mine"], {"phones": [{"number": "+525512345678", "whatsapp": 1}]}, base_version=1
        ),
        "phones.0.whatsapp",
    ),
    (
        "response minutes as a string",
        lambda w: mutation(w["mine"], {"partner": {"response_minutes": "15"}}, base_version=1),
        "partner.response_minutes",
    ),
    (
        "response minutes as a float",
        lambda w: mutation(w["mine"], {"partner": {"response_minutes": 15.0}}, base_version=1),
        "partner.response_minutes",
    ),
    (
        "always as a string",
        lambda w: mutation(w["mine"], {"availability": {"always": "true"}}, base_version=1),
        "availability.always",
    ),
    (
        "a weekday as a string",
        lambda w: mutation(
            w["mine"],
            {"availability": {"hours": [{"days": ["1"], "from": "09:00", "to": "18:00"}]}},
            base_version=1,
        ),
        "availability.hours.0.days.0",
    ),
    (
        "a date as a Unix time",
        lambda w: mutation(w["mine"], {"last_verified_at": 1700000000}, base_version=1),
        "last_verified_at",
    ),
    (
        "a name as a number",
        lambda w: mutation(w["mine"], {"name": 5}, base_version=1),
        "name",
    ),
    (
        "null for a required field",
        lambda w: mutation(w["mine"], {"name": None}, base_version=1),
        "name",
    ),
    (
        "a wrong enumeration",
        lambda w: mutation(w["mine"], {"kind": "enemy"}, base_version=1),
        "kind",
    ),
    (
        "an update of a record that does not exist",
        lambda w: mutation(uuid.uuid4(), {"name": "X"}, base_version=3),
        "base_version",
    ),
    (
        "a delete of a record that does not exist",
        lambda w: mutation(uuid.uuid4(), op="delete", base_version=1),
        "entity_id",
    ),
]


@pytest.mark.parametrize(
    ("label", "make", "error_key"), MUTATION_ERRORS, ids=[r[0] for r in MUTATION_ERRORS]
)
def test_bad_mutations_are_rejected_with_the_field_named_and_change_nothing(
    app, world, label, make, error_key
):
    before = state(app)
    body = world["owner"].sync(make(world))
    [result] = body["results"]
    assert result["status"] == "rejected"
    assert error_key in result["errors"], result["errors"]
    assert state(app) == before


def test_signed_out_sync_is_a_json_401_not_a_redirect(app, world):
    from tests.conftest import Auth

    client = app.test_client()
    token = Auth(client).token("/login")  # a valid CSRF token of a signed-out session
    response = client.post(
        "/api/v1/sync", json={"workspace": world["owner"].workspace}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    refused = client.post("/api/v1/sync", json={"workspace": world["owner"].workspace})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"


def test_sync_is_rate_limited_per_user(app, world):
    app.config["SYNC_RATE_LIMIT"] = "5 per minute"
    owner = world["owner"]
    statuses = [owner.post(envelope(world)).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = owner.post(envelope(world))
    assert response.is_json and int(response.headers["Retry-After"]) > 0
    # Another user is not affected.
    assert (
        world["other"].post({"workspace": world["other"].workspace, "cursor": 0}).status_code == 200
    )
