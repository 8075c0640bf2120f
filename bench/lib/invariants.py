"""The load-and-fault test's invariants, checked once every device has settled.

- every acknowledged mutation applied exactly once: the versions the server acknowledged for
  each record's changes are exactly 1..its version, each once (a change applied twice leaves a
  version nobody was told of; a lost one leaves a record older than what was acknowledged), the
  audit log holds one event per version, and each field holds the value of the last
  acknowledged change that applied it;
- versions and revisions gap-free: a workspace's revision is the number of changes it ever
  took (one `sync.mutation` audit event each, written in the change's transaction), no two
  records share a revision, and pulls listed revisions strictly increasing (checked on the fly);
- every device converged: its copy equals a fresh pull from cursor 0 of its class (owners and
  editors, viewers), and a fresh full snapshot equals that pull;
- no restricted record to a viewer: none ever arrived (checked on the fly) and a fresh viewer
  pull holds exactly the workspace's live records that are not restricted.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bench.lib.fleet import UNIQUE_FIELDS, Ack, Ledger

CHECKED_FIELDS = (*UNIQUE_FIELDS, "visibility")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    examples: list[str] = field(default_factory=list)


def ids(workspaces: Any) -> list[uuid.UUID]:
    return [uuid.UUID(str(w)) for w in workspaces]


def changed_version(ack: Ack) -> tuple[int, bool] | None:
    """The version an acknowledged mutation's change made, and whether it surely changed
    something; None if it surely changed nothing.

    A put always carries a field with a value of its own (`UNIQUE_FIELDS`): applied, the record
    changed. A put whose only applied field is its visibility may have set the level the
    record already had (a no-op keeps the version): its version is only a maybe.
    """
    mutation, result = ack.mutation, ack.result
    if result.get("status") not in ("applied", "conflict") or result.get("deleted"):
        return None
    if mutation["op"] == "delete":
        return (result["version"], True) if result["status"] == "applied" else None
    if mutation["base_version"] is None:
        return (1, True) if result["status"] == "applied" else None
    applied = applied_fields(ack)
    if applied & set(UNIQUE_FIELDS):
        return int(result["version"]), True
    if applied:
        return int(result["version"]), False
    return None


def applied_fields(ack: Ack) -> set[str]:
    conflicted = {c["field"] for c in ack.result.get("conflicts", [])}
    return {name for name in ack.mutation.get("fields", {}) if name not in conflicted}


def exactly_once(engine: Engine, ledger: Ledger, seeded: dict[str, set[str]]) -> list[Check]:
    """Compare what was acknowledged with the records and the audit log."""
    from webapp.audit.models import AuditEvent
    from webapp.directory.models import Contact

    claimed: dict[str, list[int]] = defaultdict(list)  # versions surely made by a change
    maybe: dict[str, set[int]] = defaultdict(set)  # versions of changes that may be no-ops
    last: dict[tuple[str, str], tuple[int, Any]] = {}
    deletes: set[str] = set()
    for entity_ids in seeded.values():
        for entity_id in entity_ids:
            claimed[entity_id].append(1)
    for ack in ledger.acks.values():
        made = changed_version(ack)
        if made is None:
            continue
        version, surely = made
        entity_id = ack.mutation["entity_id"]
        if surely:
            claimed[entity_id].append(version)
        else:
            maybe[entity_id].add(version)
            claimed.setdefault(entity_id, [])
        if ack.mutation["op"] == "delete":
            deletes.add(entity_id)
            continue
        for name in applied_fields(ack) & set(CHECKED_FIELDS):
            if last.get((entity_id, name), (0, None))[0] < version:
                last[(entity_id, name)] = (version, ack.mutation["fields"][name])

    with engine.connect() as connection:
        rows = {
            str(row.id): row
            for row in connection.execute(
                select(
                    Contact.id,
                    Contact.version,
                    Contact.deleted,
                    Contact.role_title,
                    Contact.notes,
                    Contact.visibility,
                ).where(Contact.workspace_id.in_(ids(seeded)))
            )
        }
        audit = Counter(
            details.get("entity")
            for (details,) in connection.execute(
                select(AuditEvent.details).where(
                    AuditEvent.action == "sync.mutation",
                    AuditEvent.workspace_id.in_(ids(seeded)),
                )
            )
        )

    versions, audits, values, missing, deleted = [], [], [], [], []
    for entity_id, claims in claimed.items():
        row = rows.get(entity_id)
        if row is None:
            missing.append(f"{entity_id}: acknowledged {sorted(claims)} but not in the database")
            continue
        counts = Counter(claims)
        twice = sorted(v for v, n in counts.items() if n > 1)
        unclaimed = sorted(set(range(1, row.version + 1)) - set(claims) - maybe[entity_id])
        beyond = sorted(v for v in {*claims, *maybe[entity_id]} if v > row.version)
        if twice or unclaimed or beyond:
            versions.append(
                f"{entity_id} at version {row.version}: acknowledged twice {twice}, "
                f"never acknowledged {unclaimed}, acknowledged beyond {beyond}"
            )
        if audit.get(entity_id, 0) != row.version:
            audits.append(f"{entity_id}: version {row.version}, {audit.get(entity_id, 0)} events")
        if (entity_id in deletes) != bool(row.deleted):
            deleted.append(
                f"{entity_id}: delete acknowledged {entity_id in deletes}, {row.deleted}"
            )
        if row.deleted:
            continue
        for name in CHECKED_FIELDS:
            if (entity_id, name) not in last:
                continue
            stored = getattr(row, name)
            stored = getattr(stored, "value", stored)
            want = last[(entity_id, name)][1]
            if stored != want:
                values.append(f"{entity_id}.{name}: {stored!r}, last acknowledged {want!r}")
    acks = sum(1 for ack in ledger.acks.values() if changed_version(ack) is not None)
    unsure = sum(len(v) for v in maybe.values())
    return [
        Check(
            "every acknowledged change applied exactly once",
            not versions and not missing,
            f"{acks:,} acknowledged changes ({unsure} of them maybe no-ops) on {len(claimed):,} records "
            f"(+{sum(len(s) for s in seeded.values()):,} seeded): versions 1..n each "
            f"acknowledged once on {len(claimed) - len(versions) - len(missing):,} records",
            missing[:5] + versions[:5],
        ),
        Check(
            "one audit event per version",
            not audits,
            f"{len(audits)} records whose audit events differ from their version",
            audits[:5],
        ),
        Check(
            "every acknowledged value stored",
            not values and not deleted,
            f"{len(last):,} fields checked against their last acknowledged value",
            values[:5] + deleted[:5],
        ),
    ]


def revisions(engine: Engine, workspaces: list[str]) -> Check:
    """A workspace's revision counts its changes; no two records share one."""
    from webapp.audit.models import AuditEvent
    from webapp.directory.models import ENTITY_TYPES
    from webapp.workspaces.models import Workspace

    problems = []
    totals = []
    with engine.connect() as connection:
        for workspace_id in workspaces:
            revision = connection.scalar(
                select(Workspace.revision).where(Workspace.id == uuid.UUID(workspace_id))
            )
            events = connection.scalar(
                select(func.count()).where(
                    AuditEvent.action == "sync.mutation",
                    AuditEvent.workspace_id == uuid.UUID(workspace_id),
                )
            )
            seen: list[int] = []
            for model in ENTITY_TYPES.values():
                table = model.__table__  # type: ignore[attr-defined]
                seen.extend(
                    connection.scalars(
                        select(table.c.revision).where(
                            table.c.workspace_id == uuid.UUID(workspace_id)
                        )
                    )
                )
            repeated = [r for r, n in Counter(seen).items() if n > 1]
            if events != revision:
                problems.append(f"{workspace_id}: revision {revision}, {events} changes audited")
            if repeated or (seen and max(seen) > revision):
                problems.append(f"{workspace_id}: revisions repeated {repeated[:5]} or beyond")
            totals.append(f"{revision:,}")
    return Check(
        "revisions gap-free",
        not problems,
        f"workspace revisions {' and '.join(totals)}, each equal to its changes",
        problems,
    )


def compare(held: dict[str, Any], fresh: dict[str, Any]) -> str | None:
    """Say how a copy differs from a fresh pull, or None when they are equal."""
    if held == fresh:
        return None
    missing = [k for k in fresh if k not in held]
    extra = [k for k in held if k not in fresh]
    differ = [k for k in fresh if k in held and held[k] != fresh[k]]
    text = f"{len(missing)} missing, {len(extra)} extra, {len(differ)} different"
    if differ:
        k = differ[0]
        text += f" (e.g. {k}: held v{held[k]['version']}, fresh v{fresh[k]['version']})"
    return text


def visible_ids(engine: Engine, workspace_id: str, full: bool) -> set[str]:
    """The ids of a workspace's live records a member of the class may see, from the database."""
    from webapp.directory.models import ENTITY_TYPES

    # Written out rather than through directory.service.only_visible: an independent reading.
    ids: set[str] = set()
    with engine.connect() as connection:
        for model in ENTITY_TYPES.values():
            table = model.__table__  # type: ignore[attr-defined]
            query = select(table.c.id).where(
                table.c.workspace_id == uuid.UUID(workspace_id), table.c.deleted.is_(False)
            )
            if not full and "visibility" in table.c:
                query = query.where(table.c.visibility != "restricted")
            ids.update(str(i) for i in connection.scalars(query))
    return ids
