"""POST /api/v1/sync under concurrent writers, through a real HTTP server, on every backend.

Eight signed-in sessions (eight members of one workspace) each send 50 edits (25 on SQLite),
one per request, to the same 10 contacts, with the base_version and base of what they last saw,
while the others do the same: some edits conflict. Every value written is unique, so an edit is
never a no-op: a mutation changed its contact exactly when it is `applied`, or `conflict` with
fewer conflicting fields than fields sent. Then:

- every answer is a 200 and every result applied or conflict (nothing rejected); a request sent
  twice gets the same results;
- revisions are gapless: the workspace's revision is the number of changes made (10 creates +
  every changing edit), and every change seen by anyone names one (contact, version) per revision;
- a pull from cursor 0 lists each contact once, by strictly increasing revision, ending at the
  workspace's revision;
- each contact's final version is 1 + the number of edits that changed it, those edits got the
  versions 2..final (each once), and each field holds the value of the last of them that wrote it;
- every session, syncing from its own cursor until idle, ends with a replica equal to the
  database: no change was skipped by a cursor.

A second test pulls while writers change a contact and a playbook in each request: a pull from
cursor c that answers cursor n must hold every change whose revision is in (c, n], whatever its
type (so the changes of all types must be read from one snapshot).
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from sqlalchemy import select

from tests.helpers import sign_in_http
from webapp.db import session_scope
from webapp.directory.models import Contact
from webapp.directory.service import api_record
from webapp.workspaces.models import Workspace

THREADS = 8
# Requests per session. SQLite serialises writers (BEGIN IMMEDIATE, a busy timeout), so its run
# is smaller to keep the default `make test` quick; it still has eight writers contending.
MUTATIONS = {"sqlite": 25, "postgresql": 50}
CONTACTS = 10
FIELDS = ("name", "notes", "city")  # few fields, so that concurrent edits meet
RESEND_RATE = 0.1  # how often a session sends the same request again (a retry)
TIMEOUT = 30


@dataclass
class Member:
    """One signed-in session and what it saw and sent."""

    name: str
    http: requests.Session
    url: str
    workspace: str
    cursor: int = 0
    replica: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # non-200 answers
    changes_seen: list[dict[str, Any]] = field(default_factory=list)
    resends: int = 0

    def post(self, mutations: list[dict[str, Any]], cursor: int) -> dict[str, Any] | None:
        body = {"workspace": self.workspace, "cursor": cursor, "mutations": mutations}
        answer = self.http.post(f"{self.url}/api/v1/sync", json=body, timeout=TIMEOUT)
        if answer.status_code != 200:
            self.failures.append(f"{self.name}: {answer.status_code} {answer.text[:500]}")
            return None
        return answer.json()

    def sync(self, mutations: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Send mutations from the cursor, apply the changes, page until `more` is false.

        Returns the first answer (with the mutations' results).
        """
        first = data = self.post(mutations, self.cursor)
        while data is not None:
            last = self.cursor
            for change in data["changes"]:
                assert change["revision"] > last, "revisions not strictly increasing"
                last = change["revision"]
                self.changes_seen.append(change)
                if change["deleted"]:
                    self.replica.pop(change["entity_id"], None)
                else:
                    self.replica[change["entity_id"]] = {
                        "version": change["version"],
                        "data": change["data"],
                    }
            self.cursor = data["cursor"]
            if not data["more"]:
                break
            data = self.post([], self.cursor)
        return first


def edit_many(
    member: Member, contacts: list[str], count: int, seed: int, start: threading.Barrier
) -> None:
    """Send `count` edits, one per request, based on what this session last saw."""
    rng = random.Random(seed)
    start.wait(timeout=TIMEOUT)
    for number in range(count):
        entity_id = rng.choice(contacts)
        seen = member.replica[entity_id]
        names = rng.sample(FIELDS, rng.randint(1, 2))
        fields = {name: f"{member.name} #{number} {name}" for name in names}  # unique values
        one = {
            "id": str(uuid.uuid4()),
            "type": "contact",
            "entity_id": entity_id,
            "op": "put",
            "base_version": seen["version"],
            "fields": fields,
            "base": {name: seen["data"][name] for name in names},
        }
        cursor = member.cursor
        data = member.sync([one])
        if data is None:
            continue
        [result] = data["results"]
        member.sent.append((one, result))
        if rng.random() < RESEND_RATE:  # the answer "was lost": the same request again
            member.resends += 1
            again = member.post([one], cursor)
            if again is not None:
                assert again["results"] == [result], f"a retry got {again['results']}"


def database_state(app: Any, workspace_id: Any) -> tuple[int, dict[str, dict[str, Any]]]:
    """The workspace's revision and its contacts, read from the database."""
    with app.app_context(), session_scope(app) as session:
        workspace = session.get(Workspace, workspace_id)
        revision = workspace.revision
        rows = session.scalars(select(Contact).where(Contact.workspace_id == workspace_id)).all()
        # As the API sends them: phones with their `display`.
        return revision, {
            str(row.id): {
                "version": row.version,
                "revision": row.revision,
                "data": api_record(row, workspace.country),
            }
            for row in rows
            if not row.deleted
        }


def editors_team(make_user, make_workspace, add_member, size):
    """Return a workspace and its `size` users: an owner, then editors."""
    owner = make_user()
    workspace = make_workspace(owner=owner)
    users = [owner]
    for _ in range(size - 1):
        users.append(make_user())
        add_member(workspace, users[-1], "editor")
    return workspace, users


def test_concurrent_edits_keep_revisions_gapless_and_lose_nothing(
    app, backend, live_url, make_user, make_workspace, add_member
):
    # The per-user sync limit (240 a minute by default) guards against runaway clients; this
    # test sends ~60 requests per user in a few seconds and must measure the sync path only.
    app.config["SYNC_RATE_LIMIT"] = "100000 per minute"
    workspace, users = editors_team(make_user, make_workspace, add_member, THREADS)

    members: list[Member] = []
    try:
        for index, user in enumerate(users):
            members.append(
                Member(
                    f"s{index}",
                    sign_in_http(live_url, user.email, timeout=TIMEOUT),
                    live_url,
                    str(workspace.id),
                )
            )
        contacts = [str(uuid.uuid4()) for _ in range(CONTACTS)]
        created = members[0].sync(
            [
                {
                    "id": str(uuid.uuid4()),
                    "type": "contact",
                    "entity_id": entity_id,
                    "op": "put",
                    "base_version": None,
                    "fields": {"name": f"Contact {index}"},
                    "base": {},
                }
                for index, entity_id in enumerate(contacts)
            ]
        )
        assert created is not None, members[0].failures
        assert [r["status"] for r in created["results"]] == ["applied"] * CONTACTS
        for member in members[1:]:
            member.sync([])
            assert set(member.replica) == set(contacts), member.failures

        start = threading.Barrier(THREADS)
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            futures = [
                pool.submit(edit_many, member, contacts, MUTATIONS[backend], seed, start)
                for seed, member in enumerate(members)
            ]
            for future in futures:
                future.result()

        # No 500, nor any other non-200; nothing rejected.
        assert [f for m in members for f in m.failures] == []
        results = [(one, result) for m in members for one, result in m.sent]
        assert len(results) == THREADS * MUTATIONS[backend]
        statuses = Counter(result["status"] for _, result in results)
        assert set(statuses) <= {"applied", "conflict"}, statuses
        assert statuses["conflict"] > 0, "no edits met: the test exercised no conflict"

        # Each session syncs until idle: its replica must be the database's state.
        revision, rows = database_state(app, workspace.id)
        server = {e: {"version": r["version"], "data": r["data"]} for e, r in rows.items()}
        for member in members:
            member.sync([])
            assert member.failures == []
            stale = {
                e: (local["version"], server[e]["version"])
                for e, local in member.replica.items()
                if local != server.get(e)
            }
            assert stale == {}, (
                f"{member.name} synced until idle (cursor {member.cursor}, workspace revision "
                f"{revision}) but holds old versions of contacts (its version, the server's): "
                f"{stale}"
            )

        # A pull from 0: each contact once, by strictly increasing revision, up to the last.
        reader = Member("reader", members[0].http, live_url, str(workspace.id))
        reader.sync([])
        assert reader.failures == []
        pulled = [c["revision"] for c in reader.changes_seen]
        assert pulled == sorted(set(pulled)), pulled
        assert pulled[-1] == revision == reader.cursor
        assert sorted(c["entity_id"] for c in reader.changes_seen) == sorted(contacts)
        assert reader.replica == server

        # Gapless revisions: one per change, as many as changes made.
        changing: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
        for one, result in results:
            conflicted = {c["field"] for c in result.get("conflicts", [])}
            if len(conflicted) < len(one["fields"]):
                changing[one["entity_id"]].append((one, result))
        assert revision == CONTACTS + sum(len(edits) for edits in changing.values())
        by_revision: dict[int, set[tuple[str, int]]] = defaultdict(set)
        by_version: dict[tuple[str, int], set[int]] = defaultdict(set)
        for change in (c for m in [*members, reader] for c in m.changes_seen):
            by_revision[change["revision"]].add((change["entity_id"], change["version"]))
            by_version[(change["entity_id"], change["version"])].add(change["revision"])
        assert {r: s for r, s in by_revision.items() if len(s) > 1} == {}, "a revision reused"
        assert {v: s for v, s in by_version.items() if len(s) > 1} == {}, "a version re-numbered"
        assert max(by_revision) == revision

        # Every changing edit's version is visible, once, and its values are the final ones
        # unless a later version wrote the same field.
        for entity_id in contacts:
            edits = sorted(changing[entity_id], key=lambda pair: pair[1]["version"])
            versions = [result["version"] for _, result in edits]
            assert versions == list(range(2, 2 + len(edits))), (entity_id, versions)
            assert rows[entity_id]["version"] == 1 + len(edits)
            expected = {"name": f"Contact {contacts.index(entity_id)}", "notes": None, "city": None}
            for one, result in edits:
                conflicted = {c["field"] for c in result.get("conflicts", [])}
                expected.update({k: v for k, v in one["fields"].items() if k not in conflicted})
            assert {k: rows[entity_id]["data"][k] for k in FIELDS} == expected, entity_id
    finally:
        for member in members:
            member.http.close()


WRITERS = 4
READERS = 4
WRITES = {"sqlite": 20, "postgresql": 40}  # requests per writer, as MUTATIONS above


def put(
    entity_id: str,
    fields: dict[str, Any],
    entity_type: str,
    base_version: Any = None,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": entity_type,
        "entity_id": entity_id,
        "op": "put",
        "base_version": base_version,
        "fields": fields,
        "base": base or {},
    }


def write_pairs(
    member: Member,
    pairs: list[tuple[str, str]],
    count: int,
    start: threading.Barrier,
    done: threading.Event,
) -> None:
    """Edit a contact and a playbook in one request (two changes, two consecutive revisions).

    Each writer owns its entities, so every edit applies.
    """
    start.wait(timeout=TIMEOUT)
    try:
        for number in range(count):
            contact, playbook = pairs[number % len(pairs)]
            mutations = []
            for entity_id, entity_type, name in (
                (contact, "contact", "notes"),
                (playbook, "playbook", "guidance"),
            ):
                seen = member.replica[entity_id]
                mutations.append(
                    put(
                        entity_id,
                        {name: f"{member.name} #{number}"},
                        entity_type,
                        seen["version"],
                        {name: seen["data"][name]},
                    )
                )
            data = member.sync(mutations)
            if data is not None:
                assert [r["status"] for r in data["results"]] == ["applied"] * 2, data["results"]
    finally:
        done.set()


def read_until(
    member: Member,
    writers_done: list[threading.Event],
    start: threading.Barrier,
    pulls: list[tuple[int, dict[str, Any]]],
) -> None:
    """Pull from the cursor again and again while the writers write; keep every answer."""
    start.wait(timeout=TIMEOUT)
    while True:
        finished = all(event.is_set() for event in writers_done)
        cursor = member.cursor
        data = member.post([], cursor)
        if data is None:
            return
        pulls.append((cursor, data))
        for change in data["changes"]:
            member.replica[change["entity_id"]] = {
                "version": change["version"],
                "data": change["data"],
            }
        member.cursor = data["cursor"]
        if finished and not data["more"]:
            return


@pytest.mark.slow
def test_a_pull_during_writes_to_two_entity_types_skips_no_change(
    app, backend, live_url, make_user, make_workspace, add_member
):
    # See above: the per-user sync limit is not what this test measures.
    app.config["SYNC_RATE_LIMIT"] = "100000 per minute"
    workspace, users = editors_team(make_user, make_workspace, add_member, WRITERS + READERS)
    members: list[Member] = []
    try:
        for index, user in enumerate(users):
            members.append(
                Member(
                    f"s{index}",
                    sign_in_http(live_url, user.email, timeout=TIMEOUT),
                    live_url,
                    str(workspace.id),
                )
            )
        writers, readers = members[:WRITERS], members[WRITERS:]
        pairs = [(str(uuid.uuid4()), str(uuid.uuid4())) for _ in range(2 * WRITERS)]
        created = writers[0].sync(
            [put(c, {"name": f"Contact {i}"}, "contact") for i, (c, _) in enumerate(pairs)]
            + [put(p, {"name": f"Playbook {i}"}, "playbook") for i, (_, p) in enumerate(pairs)]
        )
        assert created is not None and all(r["status"] == "applied" for r in created["results"])
        for member in members[1:]:
            member.sync([])
        start = threading.Barrier(WRITERS + READERS)
        done = [threading.Event() for _ in writers]
        pulls: list[list[tuple[int, dict[str, Any]]]] = [[] for _ in readers]
        with ThreadPoolExecutor(max_workers=WRITERS + READERS) as pool:
            futures = [
                pool.submit(write_pairs, writer, pairs[i::WRITERS], WRITES[backend], start, done[i])
                for i, writer in enumerate(writers)
            ] + [
                pool.submit(read_until, reader, done, start, pulls[i])
                for i, reader in enumerate(readers)
            ]
            for future in futures:
                future.result()
        assert [f for m in members for f in m.failures] == []

        # Every change made, as (entity, version) -> revision: each writer's answer lists its
        # own change (it alone edits its entities).
        made: dict[tuple[str, int], int] = {}
        kind: dict[str, str] = {}
        for change in (c for m in writers for c in m.changes_seen):
            made[(change["entity_id"], change["version"])] = change["revision"]
            kind[change["entity_id"]] = change["type"]
        assert len(made) >= WRITERS * WRITES[backend] * 2

        # A pull from cursor c answering cursor n must hold every change with c < revision <= n
        # (that entity at that version or a later one).
        skipped = []
        for reader, answers in zip(readers, pulls, strict=True):
            for cursor, data in answers:
                got = {c["entity_id"]: c["version"] for c in data["changes"]}
                for (entity_id, version), revision in made.items():
                    if cursor < revision <= data["cursor"] and got.get(entity_id, 0) < version:
                        skipped.append(
                            f"{reader.name}: pull from cursor {cursor} answered cursor "
                            f"{data['cursor']} with revisions "
                            f"{[(c['revision'], c['type']) for c in data['changes']]} but "
                            f"not {kind[entity_id]} {entity_id[:8]} v{version} (revision "
                            f"{revision})"
                        )
        total = sum(len(answers) for answers in pulls)
        assert skipped == [], f"{len(skipped)} changes skipped in {total} pulls:\n" + "\n".join(
            skipped[:10]
        )
    finally:
        for member in members:
            member.http.close()
