"""Property test of POST /api/v1/sync (docs/ARCHITECTURE.md, 4.3), on every backend.

Three devices of one workspace (an owner's phone and laptop, an editor's phone) keep a local
replica and an outbox. A generated schedule interleaves, at random, offline creates, edits and
deletes, syncs (outbox + cursor, paging until `more` is false), syncs whose answer is lost (the
outbox stays and is sent again later) and immediate re-sends of the last batch. Then every device
syncs until idle, and:

(a) every replica equals the server's state, read by a fresh pull from cursor 0 by a new device
    and directly from the database;
(b) every field a device wrote is in the server's state, or was overwritten by a mutation the
    server applied after it (or the entity was deleted after it), or was reported to that device
    as a conflict naming it (or as a put on a deleted entity);
(c) the revisions in the changes of a pull (across its pages) are strictly increasing, never
    repeat, stay above the cursor sent, and the last page's cursor is the workspace's revision;
(d) every answer is a 200 (never a 500): every input here is valid;
(e) every mutation's result is what the contract's rules give on the server's state at that
    point (an independent model of the server, fed in the order the server received them), a
    replayed mutation gets its first result again and changes nothing in the database.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import SyncClient, mutation
from webapp.db import session_scope
from webapp.directory.models import Contact
from webapp.directory.service import api_record, to_api
from webapp.workspaces.models import Workspace

DEVICES = ("owner-phone", "owner-laptop", "editor-phone")
PAGE_SIZE = 4  # small, so that pulls page


def phone(number: str, label: str = "", whatsapp: bool = False) -> dict[str, Any]:
    """A phone exactly as the server stores it (E.164, every key), so replicas compare exactly."""
    return {"label": label, "number": number, "whatsapp": whatsapp}


# Small pools: equal values on two devices (no-ops, same-value merges) and conflicts are common.
# Every value is valid and canonical (as the server would store it).
NAMES = ["Ana", "Anna", "Ann", "Luis Pérez", "Finanzas — reembolsos"]
POOLS: dict[str, list[Any]] = {
    "name": NAMES,
    "notes": [None, "", "after 18:00", "after 20:00", "línea 1\nlínea 2"],
    "tags": [[], ["finance"], ["legal"], ["finance", "legal"]],
    "phones": [
        [],
        [phone("+525512345678")],
        [phone("+34612345678", "móvil", True)],
        [phone("+525512345678"), phone("+442079460958", "London")],
    ],
    "organization": [None, "Acme", "Cruz Roja"],
}
# What the server holds for a field a create did not send.
DEFAULTS: dict[str, Any] = {"notes": None, "tags": [], "phones": [], "organization": None}

device_index = st.integers(0, len(DEVICES) - 1)
# Which known entity (modulo how many the device knows); often the first, which every device
# holds from the start, so that edits meet.
pick = st.one_of(st.just(0), st.integers(0, 40))
# Names and notes most often, so that two devices often edit the same field.
field_value = st.one_of(
    st.sampled_from([("name", value) for value in POOLS["name"]]),
    st.sampled_from([("notes", value) for value in POOLS["notes"]]),
    st.sampled_from([(name, value) for name, pool in POOLS.items() for value in pool]),
)
edit = st.tuples(
    st.just("edit"),
    device_index,
    pick,
    st.lists(field_value, min_size=1, max_size=2),  # one or two fields (the last value wins)
)
sync = st.tuples(st.just("sync"), device_index)
step = st.one_of(
    edit,
    edit,
    edit,
    sync,
    sync,
    st.tuples(
        st.just("create"),
        device_index,
        st.sampled_from(NAMES),
        st.sampled_from(POOLS["notes"]),
        st.sampled_from(POOLS["tags"]),
        st.sampled_from(POOLS["phones"]),
    ),
    st.tuples(st.just("delete"), device_index, st.integers(0, 40)),
    st.tuples(st.just("lost-answer"), device_index),
    st.tuples(st.just("resend"), device_index),
)
schedules = st.lists(step, min_size=10, max_size=30)


def unordered(result: dict[str, Any]) -> dict[str, Any]:
    """A result with its conflicts by field (the contract does not order them)."""
    conflicts = sorted(result.get("conflicts", []), key=lambda c: c["field"])
    return {**result, "conflicts": conflicts} if conflicts else result


def without_display(name: str, value: Any) -> Any:
    """A base as the server compares it: a phone's `display` is the server's, read-only and
    dropped from what a device sends (devices send back the phones they pulled)."""
    if name != "phones" or not isinstance(value, list):
        return value
    return [
        {k: v for k, v in phone.items() if k != "display"} if isinstance(phone, dict) else phone
        for phone in value
    ]


@dataclass
class Device:
    """A device: what it pulled {entity_id: {version, data}}, its replica (what it pulled with
    the outbox laid over it, as the app shows it), outbox, cursor and last batch."""

    name: str
    client: SyncClient
    pulled: dict[str, dict[str, Any]] = field(default_factory=dict)
    replica: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    last_batch: dict[str, Any] | None = None


@dataclass
class Sent:
    """One mutation as the server first processed it: who sent it, and its first result."""

    seq: int
    device: str
    mutation: dict[str, Any]
    result: dict[str, Any]


class World:
    """The devices, the server's first result of every mutation and a model of the server."""

    def __init__(self, app: Any, workspace: Any, devices: list[Device]):
        self.app = app
        self.workspace = workspace
        self.devices = devices
        self.sent: dict[str, Sent] = {}  # mutation id -> first processing, in server order
        # The model: entity_id -> {"version", "deleted", "data": {field: value}} (POOLS fields).
        self.model: dict[str, dict[str, Any]] = {}

    # -- talking to the server -------------------------------------------------------------

    def post(self, device: Device, body: dict[str, Any]) -> dict[str, Any]:
        """Send one request; check (d) and the revisions of its changes (c)."""
        response = device.client.post(body)
        assert response.status_code == 200, (  # (d)
            f"{device.name}: {response.status_code} {response.get_data(as_text=True)[:2000]}"
        )
        data = response.get_json()
        assert len(data["results"]) == len(body["mutations"])
        last = body["cursor"]
        for change in data["changes"]:
            assert change["revision"] > last, (  # (c)
                f"revisions not strictly increasing above cursor {body['cursor']}: "
                f"{[c['revision'] for c in data['changes']]}"
            )
            last = change["revision"]
        if data["changes"]:
            assert data["cursor"] == last, "the cursor is not the last change's revision"
        else:
            assert data["cursor"] >= body["cursor"], "the cursor went back"
        if not data["more"]:
            assert data["cursor"] == self.db_revision(), "the last page's cursor is not current"
        return data

    def sync(self, device: Device, lose_answer: bool = False) -> bool:
        """Send the outbox from the device's cursor, then page; return whether anything moved."""
        body = {"workspace": device.client.workspace, "cursor": device.cursor}
        body["mutations"] = [copy.deepcopy(m) for m in device.outbox]
        data = self.send_batch(device, body)
        if lose_answer:
            return True  # the connection dropped: outbox and cursor stay as they were
        moved = bool(device.outbox or data["changes"])
        device.outbox = []
        seen_revisions: set[int] = set()
        while True:
            for change in data["changes"]:
                assert change["revision"] not in seen_revisions, "a revision repeats in a pull"
                seen_revisions.add(change["revision"])
                if change["deleted"]:
                    device.pulled.pop(change["entity_id"], None)
                else:
                    device.pulled[change["entity_id"]] = {
                        "version": change["version"],
                        "data": change["data"],
                    }
            device.cursor = data["cursor"]
            if not data["more"]:
                # The answer settled the whole outbox: the app drops its overlay once the copy
                # holds each result's version (`edit.js` `copyHolds`), and a conflict is
                # settled as the server's. Its optimistic values were the device's own
                # rendering (e.g. a phone without the server's `display`, after an edit to the
                # value the server already had, which changes nothing and sends no change).
                device.replica = copy.deepcopy(device.pulled)
                return moved
            body = {"workspace": device.client.workspace, "cursor": device.cursor, "mutations": []}
            event("pull of more than one page")
            data = self.post(device, body)
            moved = moved or bool(data["changes"])

    def send_batch(self, device: Device, body: dict[str, Any]) -> dict[str, Any]:
        """Send a batch and record (and check) the result of each of its mutations."""
        replays_only = all(m["id"] in self.sent for m in body["mutations"])
        before = self.db_fingerprint() if replays_only else None
        data = self.post(device, body)
        for sent_mutation, result in zip(body["mutations"], data["results"], strict=True):
            first = self.sent.get(sent_mutation["id"])
            if first is not None:  # (e) a replay gets its first result again
                assert result == first.result, (
                    f"replayed mutation got another result:\nfirst {first.result}\nnow   {result}"
                )
                event("replayed mutation")
                continue
            known = self.model.get(sent_mutation["entity_id"])
            stale = known is not None and sent_mutation["base_version"] != known["version"]
            expected = self.expect(sent_mutation)
            assert unordered(result) == unordered(expected), (  # (e)
                f"{device.name} sent {sent_mutation}\n"
                f"model state {self.model.get(sent_mutation['entity_id'])}\n"
                f"expected {expected}\ngot      {result}"
            )
            event(
                f"{sent_mutation['op']}{' on a changed entity' * stale}: {result['status']}"
                + " (deleted)" * bool(result.get("deleted"))
            )
            self.sent[sent_mutation["id"]] = Sent(
                len(self.sent), device.name, sent_mutation, result
            )
        if before is not None:  # (e) replays change nothing
            assert self.db_fingerprint() == before, "a replayed batch changed the database"
        if body["mutations"]:
            device.last_batch = copy.deepcopy(body)
        return data

    def resend(self, device: Device) -> None:
        """Re-send the last batch as it was (its answer was received: nothing is applied)."""
        if device.last_batch is not None:
            self.send_batch(device, copy.deepcopy(device.last_batch))

    # -- the database ----------------------------------------------------------------------

    def db_revision(self) -> int:
        with self.app.app_context(), session_scope(self.app) as session:
            return session.get(Workspace, self.workspace.id).revision

    def db_contacts(self) -> dict[str, dict[str, Any]]:
        """Every contact row of the workspace, tombstones included."""
        with self.app.app_context(), session_scope(self.app) as session:
            rows = session.scalars(
                select(Contact).where(Contact.workspace_id == self.workspace.id)
            ).all()
            return {
                str(row.id): {
                    "version": row.version,
                    "revision": row.revision,
                    "deleted": row.deleted,
                    "data": api_record(row, self.workspace.country),  # as the API sends it
                    "stored": to_api(row),
                }
                for row in rows
            }

    def db_fingerprint(self) -> tuple[int, dict[str, dict[str, Any]]]:
        return self.db_revision(), self.db_contacts()

    # -- the model of the server (the contract's rules) ------------------------------------

    def expect(self, sent: dict[str, Any]) -> dict[str, Any]:
        """Return the result the contract gives for a mutation, and apply it to the model."""
        entity_id = sent["entity_id"]
        entity = self.model.get(entity_id)
        result: dict[str, Any] = {"id": sent["id"], "entity_id": entity_id}
        if sent["op"] == "delete":
            assert entity is not None, "the test deletes only entities the server knows"
            if not entity["deleted"]:
                if sent["base_version"] != entity["version"]:
                    return {**result, "status": "conflict", "version": entity["version"]}
                entity["deleted"] = True
                entity["version"] += 1
            return {**result, "status": "applied", "version": entity["version"]}
        if entity is None:
            assert sent["base_version"] is None
            data = {**DEFAULTS, **copy.deepcopy(sent["fields"])}
            self.model[entity_id] = {"version": 1, "deleted": False, "data": data}
            return {**result, "status": "applied", "version": 1}
        if entity["deleted"]:
            return {**result, "status": "conflict", "version": entity["version"], "deleted": True}
        applied, conflicts = [], []
        for name, client in sent["fields"].items():
            server = entity["data"][name]
            if server == client:
                continue  # already at the client value: a no-op
            if name in sent["base"] and without_display(name, sent["base"][name]) == server:
                applied.append(name)
            else:
                conflicts.append({"field": name, "server": server, "client": client})
        for name in applied:
            entity["data"][name] = copy.deepcopy(sent["fields"][name])
        if applied:
            entity["version"] += 1
        result["status"] = "conflict" if conflicts else "applied"
        result["version"] = entity["version"]
        if conflicts:
            result["conflicts"] = conflicts
        return result


def run_step(world: World, step: tuple[Any, ...]) -> None:
    """Play one step of a schedule."""
    kind, index = step[0], step[1]
    device = world.devices[index]
    if kind == "create":
        _, _, name, notes, tags, phones = step
        entity_id = str(uuid.uuid4())
        fields = {"name": name, "notes": notes, "tags": tags, "phones": phones}
        device.outbox.append(mutation(entity_id, copy.deepcopy(fields)))
        device.replica[entity_id] = {"version": None, "data": copy.deepcopy(fields)}
    elif kind == "edit":
        _, _, choice, changes = step
        if not device.replica:
            return
        entity_id = list(device.replica)[choice % len(device.replica)]
        local = device.replica[entity_id]
        fields = {name: copy.deepcopy(value) for name, value in changes}  # the last value wins
        base = {name: copy.deepcopy(local["data"].get(name, DEFAULTS.get(name))) for name in fields}
        device.outbox.append(mutation(entity_id, fields, base_version=local["version"], base=base))
        local["data"].update(copy.deepcopy(fields))  # optimistic
    elif kind == "delete":
        # Only entities the server has sent this device (a create still in the outbox has no
        # version to name yet).
        known = [e for e, local in device.replica.items() if local["version"] is not None]
        if not known:
            return
        entity_id = known[step[2] % len(known)]
        version = device.replica.pop(entity_id)["version"]
        device.outbox.append(mutation(entity_id, op="delete", base_version=version))
    elif kind == "sync":
        world.sync(device)
    elif kind == "lost-answer":
        world.sync(device, lose_answer=True)
    elif kind == "resend":
        world.resend(device)
    else:  # pragma: no cover
        raise AssertionError(kind)


def pull_everything(world: World, device: Device) -> dict[str, dict[str, Any]]:
    """A fresh device's pull from cursor 0: the server's live entities."""
    assert device.cursor == 0 and not device.replica
    world.sync(device)
    return device.replica


def check_writes(world: World, final: dict[str, dict[str, Any]]) -> None:
    """(b): each field a device wrote is in the final state, overwritten later, or reported."""
    log = sorted(world.sent.values(), key=lambda s: s.seq)
    writes: list[tuple[int, str, str, Any]] = []  # (seq, entity, field, value) the server took
    deletes: dict[str, int] = {}  # entity -> seq of the applied delete
    for sent in log:
        m, r = sent.mutation, sent.result
        assert r["status"] != "rejected", f"valid input rejected: {m} -> {r}"
        if m["op"] == "delete":
            if r["status"] == "applied":
                deletes.setdefault(m["entity_id"], sent.seq)
            continue
        if r.get("deleted"):
            continue  # a put on a deleted entity: reported to the device as a whole
        named = {c["field"] for c in r.get("conflicts", [])}
        writes += [
            (sent.seq, m["entity_id"], f, v) for f, v in m["fields"].items() if f not in named
        ]
    for seq, entity_id, name, value in writes:
        if entity_id in deletes and deletes[entity_id] > seq:
            continue
        if any(e == entity_id and f == name and s > seq for s, e, f, _ in writes):
            continue
        sent = log[seq]
        assert entity_id in final, f"{sent.device}'s write {sent.mutation} was lost: no entity"
        assert final[entity_id]["stored"][name] == value, (
            f"{sent.device}'s write of {name!r} in {sent.mutation} (result {sent.result}) was "
            f"lost: the server has {final[entity_id]['stored'][name]!r} and no later mutation "
            f"wrote it"
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schedule=schedules)
def test_devices_converge_and_no_edit_is_lost_silently(app, device, schedule):
    # The database is shared by the examples of this test: a new workspace per example.
    app.config["SYNC_PAGE_SIZE"] = PAGE_SIZE
    phone_client = device()  # a new owner and workspace
    laptop_client = device(phone_client.workspace_obj, user=phone_client.user)
    editor_client = device(phone_client.workspace_obj, role="editor")
    devices = [
        Device(name, client)
        for name, client in zip(DEVICES, [phone_client, laptop_client, editor_client], strict=True)
    ]
    world = World(app, phone_client.workspace_obj, devices)
    # A few contacts every device already holds, so that edits meet from the first step.
    for name in NAMES[:3]:
        run_step(world, ("create", 0, name, None, [], []))
    for d in devices:
        world.sync(d)

    for one in schedule:
        run_step(world, one)

    # The final round: every device syncs until a whole round moves nothing.
    for _ in range(4):
        if not any([world.sync(d) for d in devices]):
            break
    else:
        raise AssertionError("the devices did not settle in 4 rounds")

    # (a) The server's state, by a new device's pull from 0 and from the database.
    newcomer = Device("newcomer", device(phone_client.workspace_obj, role="editor"))
    pulled = pull_everything(world, newcomer)
    rows = world.db_contacts()
    from_db = {
        e: {"version": row["version"], "data": row["data"]}
        for e, row in rows.items()
        if not row["deleted"]
    }
    assert pulled == from_db
    for d in devices:
        assert not d.outbox
        assert d.replica == from_db, f"{d.name}'s replica differs from the server's state"
    # The model agrees with the database: versions, tombstones and every field written.
    assert set(rows) == set(world.model)
    for entity_id, entity in world.model.items():
        row = rows[entity_id]
        assert (row["version"], row["deleted"]) == (entity["version"], entity["deleted"])
        assert {name: row["stored"][name] for name in entity["data"]} == entity["data"]
    # Every applied change took its own revision: as many revisions as versions made.
    # (a create takes version 1, each change one more version).
    assert world.db_revision() == sum(e["version"] for e in world.model.values())
    check_writes(world, {e: row for e, row in rows.items() if not row["deleted"]})
