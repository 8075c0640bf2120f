"""The full snapshot as a checkpoint and its tail reads as a fresh build does; the caches are
bounded in bytes (webapp/snapshot/document.py, service.py)."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import uuid
from datetime import UTC, datetime

import pytest

from tests.conftest import Auth, SyncClient, mutation
from webapp.db import begin_snapshot_read, session_scope
from webapp.directory.service import list_changes
from webapp.jsonprovider import dumps_bytes
from webapp.snapshot import compact, persist, service
from webapp.workspaces.models import Workspace

GENERATED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def fixed_time(monkeypatch):
    """One `generated_at` for every revision, so that two builds can be compared."""
    monkeypatch.setattr(service, "utcnow", lambda: GENERATED)


def records(plaintext):
    """Return the snapshot as the browser reads it: the compact document expanded."""
    document = json.loads(gzip.decompress(plaintext))
    assert document["v"] == 2
    return compact.expand(document)


def made(app, workspace_id, full, fresh=False):
    """Return the class's plaintext as this process makes it now (`fresh`: from nothing)."""
    if fresh:
        app.extensions.pop("enlace_snapshot_cache", None)
        with app.app_context():
            shutil.rmtree(persist.folder(), ignore_errors=True)
    with app.app_context(), session_scope(app) as session:
        begin_snapshot_read(session)
        workspace = session.get(Workspace, workspace_id)
        data = service.plaintext(session, workspace, full)
        size = service.plaintext_size(session, workspace, full)
        changes = list_changes(session, workspace, full, 0, 100_000)[0]
        expected = [c for c in json.loads(dumps_bytes(changes)) if not c["deleted"]]
    assert size == len(data)
    return data, expected


def as_listed(document_json, expected):
    """Return the snapshot's records, and sync's from cursor 0, as (type, record) by revision."""
    collections = {
        "contact": "contacts",
        "playbook": "playbooks",
        "incident": "incidents",
        "incident_entry": "incident_entries",
    }
    held = [
        (entity_type, record)
        for entity_type, name in collections.items()
        for record in document_json[name]
    ]
    listed = [
        (
            change["type"],
            {
                "id": change["entity_id"],
                "version": change["version"],
                "revision": change["revision"],
                **change["data"],
            },
        )
        for change in expected
    ]
    by_revision = sorted(held, key=lambda item: item[1]["revision"])
    return by_revision, listed


class Directory:
    """Random edits of a workspace's contacts, playbooks and incidents, with their versions."""

    def __init__(self, owner, rnd):
        self.owner, self.rnd = owner, rnd
        self.live: dict[uuid.UUID, tuple[str, int]] = {}  # id -> (type, version)
        self.count = 0

    def step(self):
        rnd, batch = self.rnd, []
        for _ in range(rnd.choice([1, 1, 1, 2, 5])):
            choice = rnd.random()
            self.count += 1
            ids = sorted(self.live, key=str)
            if choice < 0.4 or not ids:
                entity_type = rnd.choice(["contact", "contact", "playbook", "incident"])
                fields = {"contact": {"name": f"Contacto {self.count}"}}.get(
                    entity_type,
                    {"name": f"Guía {self.count}"}
                    if entity_type == "playbook"
                    else {"title": f"Incidente {self.count}"},
                )
                if entity_type != "incident":
                    fields["visibility"] = rnd.choice(["team", "team", "restricted", "public"])
                entity_id = uuid.UUID(int=rnd.getrandbits(128), version=4)
                batch.append(
                    (entity_id, entity_type, mutation(entity_id, fields, type=entity_type))
                )
                continue
            entity_id = rnd.choice(ids)
            entity_type, version = self.live[entity_id]
            if choice < 0.55:
                batch.append(
                    (
                        entity_id,
                        entity_type,
                        mutation(entity_id, op="delete", base_version=version, type=entity_type),
                    )
                )
            else:
                if entity_type == "incident":
                    fields = {"summary": f"Resumen {self.count}"}
                elif choice < 0.8:
                    fields = {"visibility": rnd.choice(["team", "restricted", "public"])}
                else:
                    fields = {"name": f"Cambiado {self.count}"}
                batch.append(
                    (
                        entity_id,
                        entity_type,
                        mutation(entity_id, fields, base_version=version, type=entity_type),
                    )
                )
        body = self.owner.sync(*(m for _id, _type, m in batch))
        for (entity_id, entity_type, sent), result in zip(batch, body["results"], strict=True):
            if result["status"] != "applied":
                continue
            if sent["op"] == "delete":
                self.live.pop(entity_id, None)
            else:
                self.live[entity_id] = (entity_type, result["version"])


@pytest.mark.parametrize(
    ("seed", "share"),
    [(1, 0), (2, 0), (3, service.TAIL_SHARE), (4, 2)],
    ids=["tails only", "tails only", "the server's share", "a new checkpoint often"],
)
def test_a_checkpoint_and_its_tail_read_as_a_fresh_build(
    app, device, fixed_time, monkeypatch, seed, share
):
    # share 0: the first checkpoint stays and every change goes to its tail.
    monkeypatch.setattr(service, "TAIL_SHARE", share)
    owner = device()
    directory = Directory(owner, random.Random(seed))
    workspace_id = owner.workspace_obj.id
    for step in range(30):
        directory.step()
        for full in (True, False):
            patched, expected = made(app, workspace_id, full)
            if step % 5 == 4 or step == 29:
                rebuilt, _expected = made(app, workspace_id, full, fresh=True)
                assert records(patched) == records(rebuilt), f"step {step}, full={full}"
            snapshot = records(patched)
            held, listed = as_listed(snapshot, expected)
            # Revision order, as a fresh build lists them: a changed record comes last.
            assert [r["revision"] for r in snapshot["contacts"]] == sorted(
                r["revision"] for r in snapshot["contacts"]
            )
            assert held == listed, f"step {step}, full={full}"
            if not full:
                restricted = [r for _t, r in held if r.get("visibility") == "restricted"]
                assert restricted == [], f"step {step}: a viewer's snapshot holds {restricted}"


def test_a_viewer_never_gets_a_record_that_became_restricted_after_the_patch(app, device):
    owner = device()
    viewer = device(owner.workspace_obj, role="viewer")
    ids = [uuid.uuid4() for _ in range(40)]
    owner.sync(*(mutation(i, {"name": f"Persona {n}"}) for n, i in enumerate(ids)))
    url = f"/api/v1/workspaces/{viewer.workspace}/snapshot"
    assert viewer.client.get(url).status_code == 200  # the viewers' document is built
    owner.sync(mutation(ids[7], {"visibility": "restricted"}, base_version=1))
    from tests.api.test_snapshot import open_snapshot

    _response, snapshot = open_snapshot(viewer.client, viewer.workspace)
    names = {c["name"] for c in snapshot["contacts"]}
    assert "Persona 7" not in names and len(names) == 39
    _response, snapshot = open_snapshot(owner.client, owner.workspace)
    assert "Persona 7" in {c["name"] for c in snapshot["contacts"]}


def test_a_cache_keeps_to_its_cap_in_bytes():
    cache = service.LRU(max_bytes=10_000, overhead=250)
    for n in range(100):
        cache.put(("contact", uuid.uuid4(), 1, "MX"), b"x" * 900)
    stats = cache.stats()
    assert stats["bytes"] <= 10_000
    assert stats["entries"] == 10_000 // (900 + 250)
    assert stats["evictions"] == 100 - stats["entries"]
    cache.put(("contact", uuid.uuid4(), 1, "MX"), b"x" * 20_000)  # larger than the cap
    assert cache.stats()["entries"] == stats["entries"]


def test_an_apps_snapshot_cache_counts_what_it_holds(app, device):
    owner = device()
    owner.sync(*(mutation(uuid.uuid4(), {"name": f"Persona {n}"}) for n in range(20)))
    assert owner.client.get(f"/api/v1/workspaces/{owner.workspace}/snapshot").status_code == 200
    with app.app_context():
        stats = service.cache_stats()
        cap = app.config["SNAPSHOT_CACHE_MB"] * 1024 * 1024
    assert stats["snapshots"]["max_bytes"] == cap
    assert 0 < stats["snapshots"]["bytes"] <= stats["snapshots"]["max_bytes"]


def test_a_snapshot_patched_at_each_change_is_the_one_built_from_nothing(
    make_app, make_user, make_workspace, fixed_time
):
    app = make_app("patched")
    user = make_user()
    workspace_id = make_workspace(owner=user).id
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    owner = SyncClient(client, workspace_id)
    directory = Directory(owner, random.Random(7))
    for _ in range(12):
        directory.step()
        patched, _expected = made(app, workspace_id, True)
    rebuilt, _expected = made(app, workspace_id, True, fresh=True)
    assert records(patched) == records(rebuilt)


def test_a_new_process_adds_the_tail_to_the_checkpoint_an_earlier_one_saved(
    make_app, make_user, make_workspace, fixed_time, monkeypatch
):
    monkeypatch.setattr(service, "TAIL_SHARE", 0)  # the saved checkpoint stays the checkpoint
    first = make_app("shared")
    user = make_user()
    workspace_id = make_workspace(owner=user).id
    client = first.test_client()
    assert Auth(client).login(user.email).status_code == 302
    directory = Directory(SyncClient(client, workspace_id), random.Random(11))
    for _ in range(5):
        directory.step()
    made(first, workspace_id, True)  # built, and saved
    for _ in range(5):
        directory.step()
    later = make_app("shared")  # the same instance folder: a restart
    builds = []
    monkeypatch.setattr(service, "_build", lambda *a: builds.append(a) or pytest.fail("rebuilt"))
    patched, _expected = made(later, workspace_id, True)
    assert builds == []
    monkeypatch.undo()
    monkeypatch.setattr(service, "utcnow", lambda: GENERATED)
    rebuilt, _expected = made(later, workspace_id, True, fresh=True)
    assert records(patched) == records(rebuilt)
    assert len(patched) > len(rebuilt)  # the tail: the later one was a new checkpoint


def test_a_saved_checkpoint_of_a_later_revision_than_the_database_is_rebuilt(
    app, device, fixed_time
):
    owner = device()
    owner.sync(*(mutation(uuid.uuid4(), {"name": f"Persona {n}"}) for n in range(5)))
    made(app, owner.workspace_obj.id, True)
    with app.app_context():
        [saved] = persist.folder().iterdir()
        sealed = saved.read_bytes()
        checkpoint = persist.load(persist._key().decrypt(*_split(sealed), persist._aad(saved)))
        checkpoint.revision += 100  # as if the database were restored from an older backup
        persist.save(owner.workspace_obj.id, "MX", "full", checkpoint)
    app.extensions.pop("enlace_snapshot_cache", None)
    from tests.api.test_snapshot import open_snapshot

    _response, snapshot = open_snapshot(owner.client, owner.workspace)
    assert sorted(c["name"] for c in snapshot["contacts"]) == [f"Persona {n}" for n in range(5)]


def _split(sealed):
    return sealed[:12], sealed[12:]


def test_the_cache_cap_is_read_in_megabytes_and_checked_at_start():
    from webapp.config import from_env

    assert from_env({"ENLACE_SNAPSHOT_CACHE_MB": "8"})["SNAPSHOT_CACHE_MB"] == 8
    for bad in ("0", "lots", "70000"):
        with pytest.raises(ValueError, match="ENLACE_SNAPSHOT_CACHE_MB"):
            from_env({"ENLACE_SNAPSHOT_CACHE_MB": bad})
