"""Sealed mutations in POST /api/v1/sync (docs/ARCHITECTURE.md, 4.3), on every backend.

A device's outbox keeps each mutation sealed with the user's snapshot key; the service worker,
which never holds the key, posts them as they are. The server opens each and applies it exactly
as a clear one; an item that does not open is rejected alone and changes nothing.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.api.test_openapi import SYNC, conforms
from tests.conftest import SyncClient, mutation
from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.auth.service import rotate_key, user_key
from webapp.db import session_scope
from webapp.directory.models import Contact
from webapp.encoding import b64url, b64url_decode
from webapp.sync.models import ProcessedMutation
from webapp.sync.schemas import Mutation, SealedMutation
from webapp.sync.sealed import open_one, outbox_aad
from webapp.workspaces.models import Workspace

ROOT = Path(__file__).resolve().parents[2]
JS_FIXTURE = ROOT / "tests" / "js" / "fixtures" / "outbox-js.json"
SEAL_WITH_JS = ROOT / "tests" / "js" / "seal-outbox.mjs"
SEALED = {"_": "sealed"}


# --- helpers ----------------------------------------------------------------------------------


def key_of(app, user) -> tuple[str, bytes]:
    """Return the user's (kid, key) as the device gets it from GET /api/v1/keys/snapshot."""
    with app.app_context(), session_scope(app) as session:
        return user_key(session.get(User, user.id))


def seal(
    mutation_: dict[str, Any],
    key: bytes,
    kid: str,
    user_id: Any,
    workspace_id: Any,
    *,
    aad: str | None = None,
    plaintext: bytes | None = None,
) -> dict[str, str]:
    """Seal a mutation as the outbox does (static/js/crypto.js sealOutbox), or seal other bytes."""
    aad = aad if aad is not None else outbox_aad(user_id, workspace_id, mutation_["id"])
    iv = os.urandom(12)
    data = plaintext if plaintext is not None else json.dumps(mutation_).encode()
    ciphertext = AESGCM(key).encrypt(iv, data, aad.encode())
    return {"kid": kid, "iv": b64url(iv), "aad": aad, "ciphertext": b64url(ciphertext)}


class Phone:
    """A signed-in device that seals its outbox with its user's key."""

    def __init__(self, app, client: SyncClient):
        self.app = app
        self.client = client
        self.user = client.user  # type: ignore[attr-defined]
        self.workspace = client.workspace
        self.kid, self.key = key_of(app, self.user)

    def seal(self, mutation_: dict[str, Any], **overrides: Any) -> dict[str, str]:
        return seal(mutation_, self.key, self.kid, self.user.id, self.workspace, **overrides)

    def post(self, sealed=(), mutations=(), workspace=None, cursor=0):  # type: ignore[no-untyped-def]
        body = {
            "workspace": workspace or self.workspace,
            "cursor": cursor,
            "mutations": list(mutations),
            "sealed": list(sealed),
        }
        return self.client.post(body)

    def send(self, *sealed: dict[str, str], mutations=(), cursor=0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        """Post sealed (and clear) mutations; check the answer against the OpenAPI document."""
        response = self.post(sealed, mutations, cursor=cursor)
        assert response.status_code == 200, response.get_data(as_text=True)
        return conforms("post", SYNC, response)


@pytest.fixture
def phone(app, device):
    """Return a function giving a Phone for (workspace, role), like the `device` fixture."""

    def make(workspace: Any = None, role: str = "owner", user: Any = None) -> Phone:
        return Phone(app, device(workspace, role, user))

    return make


def state(app) -> tuple[Any, ...]:
    """Everything a mutation could change: records, revisions, idempotency records, audit."""
    with app.app_context(), session_scope(app) as session:
        contacts = sorted(
            (c.id.hex, c.version, c.revision, c.name, c.notes, c.deleted)
            for c in session.scalars(select(Contact))
        )
        revisions = sorted((w.id.hex, w.revision) for w in session.scalars(select(Workspace)))
        processed = sorted(p.id.hex for p in session.scalars(select(ProcessedMutation)))
        audit = session.scalar(select(func.count()).select_from(AuditEvent))
    return contacts, revisions, processed, audit


def contact(app, entity_id) -> dict[str, Any] | None:
    with app.app_context(), session_scope(app) as session:
        row = session.get(Contact, uuid.UUID(str(entity_id)))
        if row is None:
            return None
        return {
            "version": row.version,
            "deleted": row.deleted,
            "name": row.name,
            "notes": row.notes,
        }


def create(owner: Phone, name: str = "Ana") -> uuid.UUID:
    entity_id = uuid.uuid4()
    result = owner.client.sync(mutation(entity_id, {"name": name}))["results"][0]
    assert result["status"] == "applied", result
    return entity_id


def flip(text: str, index: int = 0) -> str:
    """Flip one bit of a base64url value."""
    data = bytearray(b64url_decode(text))
    data[index] ^= 1
    return b64url(bytes(data))


# --- a sealed mutation is a clear one ----------------------------------------------------------


def test_a_sealed_mutation_applies_exactly_as_a_clear_one(app, phone):
    owner = phone()
    sealed_id, clear_id = uuid.uuid4(), uuid.uuid4()
    fields = {"name": "José Pérez", "phones": [{"label": "móvil", "number": "55 1234 5678"}]}
    sealed_answer = owner.send(owner.seal(mutation(sealed_id, fields)))
    clear_answer = owner.send(
        mutations=[mutation(clear_id, fields)], cursor=sealed_answer["cursor"]
    )

    [sealed_result], [clear_result] = sealed_answer["results"], clear_answer["results"]
    assert sealed_result["status"] == clear_result["status"] == "applied"
    assert {k: v for k, v in sealed_result.items() if k not in ("id", "entity_id")} == {
        k: v for k, v in clear_result.items() if k not in ("id", "entity_id")
    }
    assert sealed_result["entity_id"] == str(sealed_id)
    [sealed_change], [clear_change] = sealed_answer["changes"], clear_answer["changes"]
    assert sealed_change["data"] == clear_change["data"]
    assert sealed_change["data"]["phones"][0]["number"] == "+525512345678"
    with app.app_context(), session_scope(app) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sync.mutation")
        ).all()
        assert sorted(e.details["entity"] for e in events) == sorted(
            [str(sealed_id), str(clear_id)]
        )
        assert all(e.actor_id == owner.user.id for e in events)


def test_a_mutation_sealed_by_the_browser_code_opens_with_the_server_code():
    """tests/js/fixtures/outbox-js.json is made by static/js/crypto.js sealOutbox under node."""
    content = json.loads(JS_FIXTURE.read_text("utf-8"))
    opened = open_one(
        SealedMutation.model_validate(content["envelope"]),
        uuid.UUID(content["user_id"]),
        uuid.UUID(content["workspace_id"]),
        (content["kid"], b64url_decode(content["key"])),
    )
    assert opened == Mutation.model_validate(content["plaintext"])
    assert opened.fields["notes"] == "Prefiere WhatsApp después de las 20:00"
    # The same item posted by another user, or to another workspace, does not open.
    for user_id, workspace_id in [
        (uuid.uuid4(), uuid.UUID(content["workspace_id"])),
        (uuid.UUID(content["user_id"]), uuid.uuid4()),
    ]:
        refused = open_one(
            SealedMutation.model_validate(content["envelope"]),
            user_id,
            workspace_id,
            (content["kid"], b64url_decode(content["key"])),
        )
        assert not isinstance(refused, Mutation)
        assert refused.result["errors"]["_"] == "sealed"


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the browser's sealing code")
def test_mutations_sealed_by_the_browser_code_apply_through_the_api(app, phone):
    owner = phone()
    entity_id = uuid.uuid4()
    created = mutation(entity_id, {"name": "Ñandú Díaz", "notes": "línea 1\nlínea 2 🚒"})
    edited = mutation(entity_id, {"name": "Ñandú"}, base_version=1, base={"name": "Ñandú Díaz"})
    request = {
        "key": b64url(owner.key),
        "kid": owner.kid,
        "userId": str(owner.user.id),
        "workspaceId": owner.workspace,
        "mutations": [created, edited],
    }
    sealed = json.loads(
        subprocess.run(
            ["node", str(SEAL_WITH_JS)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    )
    body = owner.send(*sealed)
    assert [r["status"] for r in body["results"]] == ["applied", "applied"], body["results"]
    assert [r["id"] for r in body["results"]] == [created["id"], edited["id"]]
    assert contact(app, entity_id) == {
        "version": 2,
        "deleted": False,
        "name": "Ñandú",
        "notes": "línea 1\nlínea 2 🚒",
    }


# --- what does not open is rejected alone and changes nothing ----------------------------------


OTHER_ID = "66666666-6666-4666-8666-666666666666"
# (label, how to spoil the item s sealing mutation m of phone p, the result's id ("m": m's id),
#  the part of the item its errors name besides "_": "sealed")
REJECTIONS: list[tuple[str, Any, str | None, str]] = [
    ("another kid", lambda p, m, s: s | {"kid": "0123456789abcdef"}, "m", "kid"),
    (
        "aad of another user",
        lambda p, m, s: p.seal(m, aad=outbox_aad(uuid.uuid4(), p.workspace, m["id"])),
        "m",
        "aad",
    ),
    (
        "aad of another workspace",
        lambda p, m, s: p.seal(m, aad=outbox_aad(p.user.id, uuid.uuid4(), m["id"])),
        "m",
        "aad",
    ),
    (
        "aad of another version",
        lambda p, m, s: p.seal(m, aad=f"enlace-outbox:v2:{p.user.id}:{p.workspace}:{m['id']}"),
        None,
        "aad",
    ),
    (
        "aad of a snapshot",
        lambda p, m, s: p.seal(m, aad=f"enlace-snapshot:v1:{p.user.id}:{p.workspace}:5"),
        None,
        "aad",
    ),
    (
        "aad with a fourth part",
        lambda p, m, s: p.seal(m, aad=outbox_aad(p.user.id, p.workspace, m["id"]) + ":x"),
        None,
        "aad",
    ),
    (
        "aad with an id that is not a uuid",
        lambda p, m, s: p.seal(dict(m, id="55"), aad=outbox_aad(p.user.id, p.workspace, "55")),
        None,
        "aad",
    ),
    (
        "aad in upper case",
        lambda p, m, s: p.seal(m, aad=outbox_aad(p.user.id, p.workspace, m["id"]).upper()),
        None,
        "aad",
    ),
    ("empty aad", lambda p, m, s: s | {"aad": ""}, None, "aad"),
    (
        "tampered ciphertext",
        lambda p, m, s: s | {"ciphertext": flip(s["ciphertext"], 5)},
        "m",
        "ciphertext",
    ),
    (
        "tampered tag",
        lambda p, m, s: s | {"ciphertext": flip(s["ciphertext"], -1)},
        "m",
        "ciphertext",
    ),
    ("tampered iv", lambda p, m, s: s | {"iv": flip(s["iv"])}, "m", "ciphertext"),
    (
        "aad naming another mutation of this user and workspace",
        lambda p, m, s: s | {"aad": outbox_aad(p.user.id, p.workspace, OTHER_ID)},
        OTHER_ID,
        "ciphertext",
    ),
    ("iv not base64url", lambda p, m, s: s | {"iv": s["iv"][:-1] + "+"}, "m", "iv"),
    ("iv with padding", lambda p, m, s: s | {"iv": s["iv"] + "=="}, "m", "iv"),
    ("iv of 11 bytes", lambda p, m, s: s | {"iv": b64url(os.urandom(11))}, "m", "iv"),
    ("empty iv", lambda p, m, s: s | {"iv": ""}, "m", "iv"),
    (
        "ciphertext not base64url",
        lambda p, m, s: s | {"ciphertext": s["ciphertext"][:20] + "!" + s["ciphertext"][21:]},
        "m",
        "ciphertext",
    ),
    (
        "ciphertext of an impossible length",
        lambda p, m, s: s | {"ciphertext": s["ciphertext"][: 4 * 20 + 1]},
        "m",
        "ciphertext",
    ),
    (
        "ciphertext with a newline",
        lambda p, m, s: s | {"ciphertext": s["ciphertext"] + "\n"},
        "m",
        "ciphertext",
    ),
    (
        "ciphertext shorter than a tag",
        lambda p, m, s: s | {"ciphertext": b64url(os.urandom(15))},
        "m",
        "ciphertext",
    ),
    ("not JSON", lambda p, m, s: p.seal(m, plaintext=b"name=Ana"), "m", "ciphertext"),
    (
        "not UTF-8",
        lambda p, m, s: p.seal(m, plaintext=json.dumps(m).encode()[:-2] + b'\xff"}'),
        "m",
        "ciphertext",
    ),
    (
        "gzip of the JSON",
        lambda p, m, s: p.seal(m, plaintext=gzip.compress(json.dumps(m).encode())),
        "m",
        "ciphertext",
    ),
    ("a JSON array", lambda p, m, s: p.seal(m, plaintext=b"[]"), "m", "ciphertext"),
    ("JSON null", lambda p, m, s: p.seal(m, plaintext=b"null"), "m", "ciphertext"),
    (
        "a JSON string",
        lambda p, m, s: p.seal(m, plaintext=json.dumps(m["id"]).encode()),
        "m",
        "ciphertext",
    ),
    (
        "JSON nested past the parser's depth",
        lambda p, m, s: p.seal(m, plaintext=b"[" * 2000 + b"]" * 2000),
        "m",
        "ciphertext",
    ),
    (
        "a mutation carrying another id",
        lambda p, m, s: p.seal(
            dict(m, id=OTHER_ID), aad=outbox_aad(p.user.id, p.workspace, m["id"])
        ),
        "m",
        "id",
    ),
    (
        "a mutation without its id",
        lambda p, m, s: p.seal(
            {k: v for k, v in m.items() if k != "id"},
            aad=outbox_aad(p.user.id, p.workspace, m["id"]),
        ),
        "m",
        "id",
    ),
    (
        "a mutation whose id is in upper case",
        lambda p, m, s: p.seal(
            dict(m, id=m["id"].upper()), aad=outbox_aad(p.user.id, p.workspace, m["id"])
        ),
        "m",
        "id",
    ),
]


@pytest.mark.parametrize(
    ("label", "spoil", "result_id", "reason"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_a_sealed_item_that_does_not_open_is_rejected_alone_and_changes_nothing(
    app, phone, label, spoil, result_id, reason
):
    owner = phone()
    existing = create(owner)
    good = mutation(existing, {"notes": "first"}, base_version=1)
    good_after = mutation(uuid.uuid4(), {"name": "Luis"})
    spoilt = mutation(existing, {"name": "Changed"}, base_version=1)
    before = state(app)

    bad_item = spoil(owner, spoilt, owner.seal(spoilt))
    body = owner.send(owner.seal(good), bad_item, owner.seal(good_after))

    first, refused, last = body["results"]
    assert first["status"] == last["status"] == "applied"
    expected_id = spoilt["id"] if result_id == "m" else result_id
    assert refused["id"] == expected_id
    assert refused["status"] == "rejected"
    assert set(refused) == {"id", "status", "errors"}
    assert refused["errors"]["_"] == "sealed"
    # One more key names the part at fault, with a message.
    [(part, message)] = [(k, v) for k, v in refused["errors"].items() if k != "_"]
    assert part == reason and message
    # Nothing of the bad item applied: the others did, and its id is still free.
    assert contact(app, existing)["name"] == "Ana" and contact(app, existing)["notes"] == "first"
    with app.app_context(), session_scope(app) as session:
        assert session.get(ProcessedMutation, uuid.UUID(spoilt["id"])) is None
    assert state(app) != before  # the two good ones did apply
    # The same mutation, sealed properly, then applies: the rejection left nothing behind.
    again = owner.send(owner.seal(dict(spoilt, base_version=2)))
    assert again["results"][0]["status"] == "applied", again["results"]
    assert contact(app, existing)["name"] == "Changed"


@pytest.mark.parametrize(
    ("label", "spoil", "result_id", "reason"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_a_batch_of_only_bad_sealed_items_changes_nothing(
    app, phone, label, spoil, result_id, reason
):
    owner = phone()
    existing = create(owner)
    spoilt = mutation(existing, {"name": "Changed"}, base_version=1)
    before = state(app)
    body = owner.send(spoil(owner, spoilt, owner.seal(spoilt)))
    assert body["results"][0]["status"] == "rejected"
    assert body["results"][0]["errors"]["_"] == "sealed"
    assert state(app) == before


def test_an_opened_mutation_that_breaks_the_protocol_is_rejected_by_field_alone(app, phone):
    owner = phone()
    existing = create(owner)
    before = state(app)
    upsert = dict(mutation(uuid.uuid4(), {"name": "X"}), op="upsert")
    stringly = mutation(existing, {"name": "X"}, base_version="1")
    user = mutation(uuid.uuid4(), {"name": "X"}, type="user")
    good = mutation(uuid.uuid4(), {"name": "Luis"})
    body = owner.send(owner.seal(upsert), owner.seal(stringly), owner.seal(user), owner.seal(good))
    bad_op, bad_version, bad_type, applied = body["results"]
    # It opened, so it is not a sealing error: the fields at fault are named, as a clear
    # mutation's 400 would name them (one sealed item cannot fail the others).
    assert bad_op == {
        "id": upsert["id"],
        "status": "rejected",
        "errors": {"op": bad_op["errors"]["op"]},
    }
    assert set(bad_version["errors"]) == {"base_version"}
    assert set(bad_type["errors"]) == {"type"}
    assert applied["status"] == "applied"
    assert contact(app, existing)["name"] == "Ana"
    assert state(app)[0] != before[0]


def test_a_deeply_nested_value_in_a_sealed_mutation_is_rejected_alone(app, phone):
    owner = phone()
    existing = create(owner)
    nested = "[" * 1000 + '"x"' + "]" * 1000
    deep = (
        f'{{"id": "{OTHER_ID}", "type": "contact", "entity_id": "{existing}", "op": "put", '
        f'"base_version": 1, "fields": {{"tags": {nested}}}, "base": {{}}}}'
    )
    bad = owner.seal({"id": OTHER_ID}, plaintext=deep.encode())
    good = mutation(existing, {"notes": "ok"}, base_version=1)
    body = owner.send(bad, owner.seal(good))
    assert body["results"][0]["status"] == "rejected" and body["results"][0]["errors"]
    assert body["results"][1]["status"] == "applied"
    assert contact(app, existing)["notes"] == "ok"


# --- whose key, whose workspace ----------------------------------------------------------------


def test_another_members_sealed_items_do_not_open_for_this_user(app, phone):
    owner = phone()
    editor = phone(owner.client.workspace_obj, "editor")
    existing = create(owner)
    theirs = mutation(existing, {"name": "Editor's"}, base_version=1)
    valid_for_editor = editor.seal(theirs)
    assert editor.send(valid_for_editor)["results"][0]["status"] == "applied"  # it is valid
    before = state(app)
    fresh = mutation(existing, {"name": "Replayed"}, base_version=2)
    as_editor = editor.seal(fresh)
    renamed = dict(as_editor, aad=outbox_aad(owner.user.id, owner.workspace, fresh["id"]))
    # The owner posts the editor's item: as it is, with the aad renamed to the owner, and with
    # the owner's kid too. None opens: the aad names the editor, or the key is not the owner's.
    body = owner.send(as_editor, renamed, dict(renamed, kid=owner.kid), valid_for_editor)
    assert [r["status"] for r in body["results"]] == ["rejected"] * 4
    assert [set(r["errors"]) for r in body["results"]] == [
        {"_", "aad"},
        {"_", "kid"},
        {"_", "ciphertext"},
        {"_", "aad"},
    ]
    assert all(r["id"] in (fresh["id"], theirs["id"]) for r in body["results"])
    assert state(app) == before


def test_an_item_sealed_for_another_workspace_of_the_same_user_does_not_open_here(
    app, phone, make_workspace
):
    owner = phone()
    second = make_workspace(name="Second brand", owner=owner.user)
    existing = create(owner)
    before = state(app)
    for_second = seal(
        mutation(existing, {"name": "Elsewhere"}, base_version=1),
        owner.key,
        owner.kid,
        owner.user.id,
        second.id,
    )
    [result] = owner.send(for_second)["results"]
    assert set(result["errors"]) == {"_", "aad"}
    assert state(app) == before
    # Posted to the workspace it names, it opens there, and is rejected for what it holds:
    # the record is not of that workspace.
    response = owner.post([for_second], workspace=str(second.id))
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected" and "entity_id" in result["errors"]
    assert contact(app, existing)["name"] == "Ana"


def test_after_a_key_rotation_items_sealed_under_the_old_key_are_rejected_by_kid(app, phone):
    owner = phone()
    existing = create(owner)
    old = owner.seal(mutation(existing, {"name": "Old key"}, base_version=1))
    with app.app_context(), session_scope(app) as session:
        rotate_key(session.get(User, owner.user.id))
    before = state(app)
    [result] = owner.send(old)["results"]
    assert set(result["errors"]) == {"_", "kid"}
    assert state(app) == before


def test_a_user_without_a_key_gets_every_sealed_item_rejected_and_no_key_made(app, device):
    client = device()
    with app.app_context(), session_scope(app) as session:
        assert session.get(User, client.user.id).snapshot_kid is None
    key = os.urandom(32)
    item = seal(mutation(uuid.uuid4(), {"name": "X"}), key, "k", client.user.id, client.workspace)
    response = client.post({"workspace": client.workspace, "sealed": [item]})
    [result] = conforms("post", SYNC, response)["results"]
    assert set(result["errors"]) == {"_", "kid"}
    with app.app_context(), session_scope(app) as session:
        assert session.get(User, client.user.id).snapshot_kid is None


def test_a_viewers_sealed_write_is_refused_like_a_clear_one(app, phone):
    owner = phone()
    viewer = phone(owner.client.workspace_obj, "viewer")
    existing = create(owner)
    before = state(app)
    sealed = mutation(existing, {"name": "Viewer's"}, base_version=1)
    clear = mutation(uuid.uuid4(), {"name": "Viewer's new"})
    body = viewer.send(viewer.seal(sealed), mutations=[clear])
    assert body["results"] == [
        {
            "id": clear["id"],
            "status": "rejected",
            "entity_id": clear["entity_id"],
            "errors": {"_": "forbidden"},
        },
        {
            "id": sealed["id"],
            "status": "rejected",
            "entity_id": sealed["entity_id"],
            "errors": {"_": "forbidden"},
        },
    ]
    contacts, revisions, _processed, _audit = state(app)
    assert (contacts, revisions) == before[:2]


# --- order and idempotency ---------------------------------------------------------------------


def test_clear_mutations_apply_before_sealed_ones(app, phone):
    owner = phone()
    entity_id = uuid.uuid4()
    create_sealed = mutation(entity_id, {"name": "Ana"})
    edit_clear = mutation(entity_id, {"name": "Anna"}, base_version=1, base={"name": "Ana"})
    body = owner.send(owner.seal(create_sealed), mutations=[edit_clear])
    clear_result, sealed_result = body["results"]
    # The clear edit came first, before the sealed create made the record.
    assert clear_result["id"] == edit_clear["id"] and clear_result["status"] == "rejected"
    assert sealed_result["id"] == create_sealed["id"] and sealed_result["status"] == "applied"
    assert contact(app, entity_id)["name"] == "Ana"


def test_sealed_items_apply_in_the_order_sent(app, phone):
    owner = phone()
    entity_id = uuid.uuid4()
    steps = [
        mutation(entity_id, {"name": "Ana"}),
        mutation(entity_id, {"name": "Anna"}, base_version=1, base={"name": "Ana"}),
        mutation(entity_id, {"notes": "after 18:00"}, base_version=2),
        mutation(entity_id, op="delete", base_version=3),
    ]
    body = owner.send(*(owner.seal(m) for m in steps))
    assert [(r["id"], r["status"], r.get("version")) for r in body["results"]] == [
        (steps[0]["id"], "applied", 1),
        (steps[1]["id"], "applied", 2),
        (steps[2]["id"], "applied", 3),
        (steps[3]["id"], "applied", 4),
    ]
    assert contact(app, entity_id) == {
        "version": 4,
        "deleted": True,
        "name": "Anna",
        "notes": "after 18:00",
    }


@pytest.mark.parametrize("first", ["clear", "sealed"])
def test_a_sealed_and_a_clear_copy_of_one_mutation_apply_once_across_requests(app, phone, first):
    owner = phone()
    existing = create(owner)
    edit = mutation(existing, {"notes": "once"}, base_version=1)
    # The second copy differs: only the first one sent can ever apply.
    other = dict(edit, fields={"notes": "twice"})

    def send(kind: str, m: dict[str, Any]) -> dict[str, Any]:
        if kind == "clear":
            return owner.send(mutations=[m])["results"][0]
        return owner.send(owner.seal(m))["results"][0]

    first_result = send(first, edit)
    assert first_result["status"] == "applied" and first_result["version"] == 2
    after_first = state(app)
    second_result = send("sealed" if first == "clear" else "clear", other)
    assert second_result == first_result
    assert state(app) == after_first
    assert contact(app, existing)["notes"] == "once"


@pytest.mark.parametrize("copies", ["clear and sealed", "sealed twice"])
def test_two_copies_of_one_mutation_in_one_request_apply_once(app, phone, copies):
    owner = phone()
    entity_id = uuid.uuid4()
    one = mutation(entity_id, {"name": "Ana"})
    if copies == "clear and sealed":  # the clear one goes first
        body = owner.send(owner.seal(dict(one)), mutations=[one])
    else:
        body = owner.send(owner.seal(one), owner.seal(dict(one)))
    assert body["results"][0] == body["results"][1]
    assert body["results"][0]["status"] == "applied"
    assert contact(app, entity_id)["name"] == "Ana"
    assert len(body["changes"]) == 1


@pytest.mark.parametrize("copies", ["clear and sealed", "sealed twice"])
def test_two_different_mutations_under_one_id_in_one_request_reject_the_second(app, phone, copies):
    # Issue 18, finding 5: the second was answered with the first's result.
    owner = phone()
    entity_id = uuid.uuid4()
    one = mutation(entity_id, {"name": "Ana"})
    other = dict(one, fields={"name": "Other"})
    if copies == "clear and sealed":  # the clear one goes first
        body = owner.send(owner.seal(other), mutations=[one])
    else:
        body = owner.send(owner.seal(one), owner.seal(other))
    first, second = body["results"]
    assert first["status"] == "applied"
    assert second["status"] == "rejected" and list(second["errors"]) == ["id"]
    assert second["id"] == one["id"]
    assert contact(app, entity_id)["name"] == "Ana"
    assert len(body["changes"]) == 1


def test_a_retried_sealed_batch_returns_its_first_results_and_changes_nothing(app, phone):
    owner = phone()
    existing = create(owner)
    new = uuid.uuid4()
    outbox = [
        mutation(new, {"name": "Luis"}),
        mutation(existing, {"name": "Anna"}, base_version=1),
        mutation(existing, {"notes": "x"}, base_version=1, base={"notes": "y"}),
        mutation(new, op="delete", base_version=1),
    ]
    batch = [owner.seal(m) for m in outbox]
    first = owner.send(*batch)
    assert [r["status"] for r in first["results"]] == ["applied", "applied", "conflict", "applied"]
    after = state(app)
    # Cut off mid-way: the service worker sends the same sealed items again, and again.
    for _ in range(2):
        again = owner.send(*batch, cursor=first["cursor"])
        assert again["results"] == first["results"]
        assert again["changes"] == [] and again["cursor"] == first["cursor"]
        assert state(app) == after
    # Sealed anew (another iv), or sent in clear, they still return their first results.
    assert owner.send(*(owner.seal(m) for m in outbox))["results"] == first["results"]
    assert owner.send(mutations=outbox)["results"] == first["results"]
    assert state(app) == after


# --- deletes and deleted records ---------------------------------------------------------------


def test_a_sealed_delete_and_a_sealed_put_on_a_deleted_record_behave_like_clear_ones(app, phone):
    owner = phone()
    results = {}
    for kind in ("clear", "sealed"):
        entity_id = create(owner, name=f"Ana {kind}")
        delete = mutation(entity_id, op="delete", base_version=1)
        late = mutation(entity_id, {"name": "Late edit"}, base_version=1)
        again = mutation(entity_id, op="delete", base_version=1)
        stale = create(owner, name=f"Luis {kind}")
        owner.client.sync(mutation(stale, {"notes": "changed"}, base_version=1))
        stale_delete = mutation(stale, op="delete", base_version=1)
        batch = [delete, late, again, stale_delete]
        if kind == "clear":
            body = owner.send(mutations=batch)
        else:
            body = owner.send(*(owner.seal(m) for m in batch))
        results[kind] = [
            {k: v for k, v in r.items() if k not in ("id", "entity_id")} for r in body["results"]
        ]
        assert contact(app, entity_id)["deleted"] is True
        assert contact(app, entity_id)["name"] == f"Ana {kind}"
        assert contact(app, stale)["deleted"] is False
        tombstone = next(c for c in body["changes"] if c["entity_id"] == str(entity_id))
        assert tombstone["deleted"] is True and tombstone["data"] is None
    assert (
        results["sealed"]
        == results["clear"]
        == [
            {"status": "applied", "version": 2},
            {"status": "conflict", "version": 2, "deleted": True},
            {"status": "applied", "version": 2},
            {"status": "conflict", "version": 2},
        ]
    )


# --- the envelope: limits and strict types ----------------------------------------------------


def _items(owner: Phone, count: int) -> list[dict[str, str]]:
    return [owner.seal(mutation(uuid.uuid4(), {"name": f"N{i}"})) for i in range(count)]


def test_sealed_items_count_toward_the_200_mutation_limit(app, phone):
    owner = phone()
    before = state(app)
    clear = [mutation(uuid.uuid4(), {"name": f"C{i}"}) for i in range(100)]
    for sealed, mutations in [(_items(owner, 201), []), (_items(owner, 101), clear)]:
        response = owner.post(sealed, mutations)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert "200" in conforms("post", SYNC, response)["message"]
        assert state(app) == before
    body = owner.send(*_items(owner, 100), mutations=clear)
    assert [r["status"] for r in body["results"]] == ["applied"] * 200


def test_a_sealed_body_over_1_mib_gets_413_and_changes_nothing(app, phone):
    owner = phone()
    before = state(app)
    big = owner.seal(mutation(uuid.uuid4(), {"name": "X", "notes": "x" * (1024 * 1024)}))
    response = owner.post([big])
    assert response.status_code == 413
    conforms("post", SYNC, response)
    assert state(app) == before


ENVELOPE_ERRORS = [
    ("sealed not a list", lambda s: {"a": 1}, "sealed"),
    ("an item not an object", lambda s: ["kid"], "sealed.0"),
    ("kid as a number", lambda s: [s | {"kid": 5}], "sealed.0.kid"),
    ("iv as bytes in a list", lambda s: [s | {"iv": [1, 2, 3]}], "sealed.0.iv"),
    ("aad as null", lambda s: [s | {"aad": None}], "sealed.0.aad"),
    ("ciphertext as an object", lambda s: [s | {"ciphertext": {}}], "sealed.0.ciphertext"),
    (
        "no ciphertext",
        lambda s: [{k: v for k, v in s.items() if k != "ciphertext"}],
        "sealed.0.ciphertext",
    ),
    ("an unknown key", lambda s: [s | {"alg": "A256GCM"}], "sealed.0.alg"),
]


@pytest.mark.parametrize(
    ("label", "make", "path"), ENVELOPE_ERRORS, ids=[e[0] for e in ENVELOPE_ERRORS]
)
def test_a_sealed_envelope_of_the_wrong_type_is_a_400_naming_it(app, phone, label, make, path):
    owner = phone()
    good = owner.seal(mutation(uuid.uuid4(), {"name": "X"}))
    before = state(app)
    body = {"workspace": owner.workspace, "cursor": 0, "sealed": make(good)}
    response = owner.client.post(body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert path in conforms("post", SYNC, response)["errors"]
    assert state(app) == before


def test_the_service_worker_may_send_sealed_items_without_a_cursor(app, phone):
    owner = phone()
    item = owner.seal(mutation(uuid.uuid4(), {"name": "From the worker"}))
    response = owner.client.post({"workspace": owner.workspace, "sealed": [item]})
    assert conforms("post", SYNC, response)["results"][0]["status"] == "applied"


# --- nothing sealed makes a 500 ----------------------------------------------------------------

text = st.text(max_size=40)
b64ish = st.one_of(text, st.binary(max_size=64).map(b64url))


@st.composite
def sealed_items(draw: Any, owner: Phone) -> dict[str, Any]:
    """Anything a sealed item could be: random parts, or random bytes sealed properly."""
    kind = draw(st.sampled_from(["random", "sealed bytes", "sealed json"]))
    mutation_id = str(draw(st.uuids()))
    aad = draw(
        st.one_of(
            st.just(outbox_aad(owner.user.id, owner.workspace, mutation_id)),
            text,
            st.builds(lambda a, b, c: f"enlace-outbox:v1:{a}:{b}:{c}", text, text, text),
        )
    )
    if kind == "random":
        return {
            "kid": draw(st.one_of(st.just(owner.kid), text)),
            "iv": draw(b64ish),
            "aad": aad,
            "ciphertext": draw(b64ish),
        }
    if kind == "sealed bytes":
        plaintext = draw(st.binary(max_size=200))
    else:
        value = draw(
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
                lambda inner: (
                    st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4)
                ),
                max_leaves=20,
            )
        )
        if isinstance(value, dict) and draw(st.booleans()):
            value |= {"id": mutation_id}
        plaintext = json.dumps(value).encode()
    return seal(
        {"id": mutation_id},
        owner.key,
        owner.kid,
        owner.user.id,
        owner.workspace,
        aad=aad,
        plaintext=plaintext,
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_sealed_item_makes_the_request_fail(app, phone, data):
    app.config["SYNC_RATE_LIMIT"] = "100000 per minute"
    owner = phone()
    items = data.draw(st.lists(sealed_items(owner), min_size=1, max_size=4))
    good = mutation(uuid.uuid4(), {"name": "Still applies"})
    response = owner.post([*items, owner.seal(good)])
    body = conforms("post", SYNC, response)
    assert response.status_code == 200, body
    assert len(body["results"]) == len(items) + 1
    assert body["results"][-1]["status"] == "applied"
    assert all(r["status"] == "rejected" for r in body["results"][:-1])
