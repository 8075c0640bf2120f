"""The load-and-fault test's checks (bench/lib/invariants.py) can fail: each notices the fault
it is there for, on both databases. The load test itself runs outside `make test`
(`make bench`, or `.venv/bin/python bench/load_faults.py`)."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from bench.lib import invariants
from bench.lib.fleet import Ack, Ledger
from tests.helpers import mutation
from webapp.db import get_engine


def test_a_change_nobody_was_told_of_or_told_twice_breaks_exactly_once(app, device):
    owner = device()
    workspace = owner.workspace
    ledger = Ledger()
    entity = uuid.uuid4()

    def send(body, keep=True):  # type: ignore[no-untyped-def]
        result = owner.sync(body)["results"][0]
        if keep:
            ledger.ack(workspace, "phone", body, result)
        return result

    send(mutation(entity, {"name": "Ana", "role_title": "guardia 1"}))
    send(mutation(entity, {"role_title": "guardia 2"}, base_version=1, base={"role_title": "x"}))
    engine = get_engine(app)
    checks = invariants.exactly_once(engine, ledger, {workspace: set()})
    assert [c.ok for c in checks] == [True, True, True], checks
    assert invariants.revisions(engine, [workspace]).ok

    # Applied, but its answer never reached a device that then acknowledged it: version 3
    # belongs to nobody, and the value stored is not the last one acknowledged.
    send(
        mutation(entity, {"role_title": "guardia 3"}, base_version=2, base={"role_title": "x"}),
        keep=False,
    )
    once, _audit, values = invariants.exactly_once(engine, ledger, {workspace: set()})
    assert not once.ok and "never acknowledged [3]" in once.examples[0]
    assert not values.ok and "guardia 3" in values.examples[0]

    # Two acknowledgements of one version: a change applied twice, or a lost update.
    first = next(iter(ledger.acks.values()))
    twin = {**first.mutation, "id": str(uuid.uuid4())}
    ledger.acks[twin["id"]] = Ack(workspace, "laptop", twin, {**first.result, "id": twin["id"]})
    once, _audit, _values = invariants.exactly_once(engine, ledger, {workspace: set()})
    assert "acknowledged twice [1]" in once.examples[0]


def test_a_revision_without_its_change_breaks_the_gap_free_check(app, device):
    owner = device()
    owner.sync(mutation(uuid.uuid4(), {"name": "Ana"}))
    engine = get_engine(app)
    assert invariants.revisions(engine, [owner.workspace]).ok
    with engine.begin() as connection:
        connection.execute(text("UPDATE workspaces SET revision = revision + 1"))
    check = invariants.revisions(engine, [owner.workspace])
    assert not check.ok and "revision 2, 1 changes audited" in check.examples[0]


def test_a_replay_answered_differently_is_a_violation() -> None:
    ledger = Ledger()
    body = mutation(uuid.uuid4(), {"name": "Ana"})
    applied = {"id": body["id"], "status": "applied", "entity_id": body["entity_id"], "version": 1}
    ledger.ack("w", "phone", body, applied)
    ledger.ack("w", "phone", body, applied)
    assert ledger.violations == {} and ledger.replays == 1
    ledger.ack("w", "phone", body, {**applied, "version": 2})
    assert list(ledger.violations) == ["replay answered differently"]
