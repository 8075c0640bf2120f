"""The sync protocol: apply mutations with a field-level merge, then list changes by cursor.

Pure service: plain functions over a session; the route parses JSON and checks membership.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.auth.models import User
from webapp.db import begin_snapshot_read, utcnow
from webapp.directory.models import ENTITY_TYPES, Incident, IncidentEntry, Synced, is_restricted
from webapp.directory.service import Validated, list_changes, to_api, validate
from webapp.push import service as push
from webapp.sync.models import ProcessedMutation
from webapp.sync.schemas import Mutation, SealedMutation
from webapp.sync.sealed import Refused, open_all
from webapp.workspaces.models import Membership, Role, Workspace
from webapp.workspaces.service import current_workspace, sees_restricted

KEEP_PROCESSED = timedelta(days=30)
# A code, not a message: the app matches on it (as on `{"_": "sealed"}`); the other values of
# `errors` are messages in the user's language.
FORBIDDEN = {"_": "forbidden"}


@dataclass
class Context:
    """What applying one request's mutations needs to know and count."""

    session: Session
    workspace: Workspace
    user: User | None  # None: the server itself (a new workspace's defaults)
    revision: int
    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    # Incidents created open by this request: the other members are told at once.
    incidents_started: int = 0

    def next_revision(self) -> int:
        self.revision += 1
        return self.revision


def begin_write(session: Session, workspace_id: uuid.UUID) -> Workspace:
    """Start the writing transaction and take the workspace's writer lock.

    One writer per workspace at a time is what makes revisions gapless and commit in order:
    a row lock on PostgreSQL, `BEGIN IMMEDIATE` (the database's write lock) on SQLite.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
    return current_workspace(session, workspace_id, lock=True)


def sync(
    session: Session,
    membership: Membership,
    cursor: int,
    mutations: Sequence[Mutation | SealedMutation],
    page_size: int,
) -> dict[str, Any]:
    """Apply a device's mutations, then list what changed after its cursor (the sync answer).

    Sealed mutations are opened with the user's key and then apply exactly as clear ones, in
    the order given (`SyncRequest.items`: the clear ones first).
    """
    items = open_all(membership.user, membership.workspace_id, mutations)
    if items:
        results, workspace = _apply_all(session, membership, items)
        # Still under the writer lock: nobody else can commit to this workspace, so the changes
        # read here are exactly those up to our own last revision.
        changes, next_cursor, more = list_changes(
            session, workspace, sees_restricted(membership.role), cursor, page_size
        )
        session.commit()
        return {"results": results, "changes": changes, "cursor": next_cursor, "more": more}
    # Loaded by this request's membership query: no change can be newer than this revision, so
    # a device that is up to date gets its answer without reading the four tables.
    if cursor >= membership.workspace.revision:
        return {
            "results": [],
            "changes": [],
            "cursor": membership.workspace.revision,
            "more": False,
        }
    begin_snapshot_read(session)
    workspace = current_workspace(session, membership.workspace_id)
    changes, next_cursor, more = list_changes(
        session, workspace, sees_restricted(membership.role), cursor, page_size
    )
    session.commit()
    return {"results": [], "changes": changes, "cursor": next_cursor, "more": more}


def apply_mutations(
    session: Session, membership: Membership, mutations: list[Mutation]
) -> list[dict[str, Any]]:
    """Apply mutations in order, each on its own, and commit; return one result per mutation."""
    if not mutations:
        return []
    results, _workspace = _apply_all(session, membership, mutations)
    session.commit()
    return results


def _apply_all(
    session: Session, membership: Membership, items: Sequence[Mutation | Refused]
) -> tuple[list[dict[str, Any]], Workspace]:
    """Take the writer lock and apply the mutations, without committing.

    Every applied change, its revision, its idempotency record and its audit event then commit
    together. A sealed item that did not open (`Refused`) keeps its result and leaves no
    idempotency record: its mutation id, sealed properly, may still apply.
    """
    workspace = begin_write(session, membership.workspace_id)
    return apply_locked(session, membership, workspace, items), workspace


def apply_locked(
    session: Session,
    membership: Membership,
    workspace: Workspace,
    items: Sequence[Mutation | Refused],
) -> list[dict[str, Any]]:
    """Apply mutations as `_apply_all` does, in a transaction that already holds the writer lock
    (`begin_write`), without committing: for a caller that reads under the lock first and then
    commits its own rows with the changes (an import: all its rows or none).
    """
    mutations = [item for item in items if isinstance(item, Mutation)]
    user = membership.user
    ctx = Context(session=session, workspace=workspace, user=user, revision=workspace.revision)
    seen = {
        row.id: row
        for row in session.scalars(
            select(ProcessedMutation).where(ProcessedMutation.id.in_([m.id for m in mutations]))
        )
    }
    results: list[dict[str, Any]] = []
    for mutation in items:
        if isinstance(mutation, Refused):
            results.append(mutation.result)
            continue
        previous = seen.get(mutation.id)
        if previous is not None:
            if previous.workspace_id == workspace.id and previous.user_id == user.id:
                results.append(previous.result)
            else:
                results.append(
                    _result(
                        mutation, "rejected", errors={"id": _("This mutation id was already used.")}
                    )
                )
            continue
        if membership.role == Role.VIEWER.value:
            result = _result(mutation, "rejected", errors=FORBIDDEN)
        else:
            with session.begin_nested():
                result = _apply(ctx, mutation)
        row = ProcessedMutation(
            id=mutation.id, workspace_id=workspace.id, user_id=user.id, result=result
        )
        session.add(row)
        seen[mutation.id] = row
        results.append(result)
    if ctx.revision > workspace.revision:
        # Members' devices learn of it through the outbox, written in this same transaction.
        push.enqueue_change(
            session, workspace.id, ctx.revision, ctx.revision - workspace.revision, user.id
        )
        if ctx.incidents_started:
            push.enqueue_incident_started(session, workspace.id, ctx.revision, user.id)
    workspace.revision = ctx.revision
    purge_processed_if_due(session)
    for row in ctx.audit_rows:
        audit.record(session, "sync.mutation", actor_id=user.id, workspace_id=workspace.id, **row)
    session.flush()
    return results


def _result(mutation: Mutation, status: str, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": str(mutation.id),
        "status": status,
        "entity_id": str(mutation.entity_id),
    }
    result.update({k: v for k, v in extra.items() if v not in (None, [], {})})
    return result


def _no_record() -> str:
    return _("No record with this id in this workspace.")


def _append_only() -> str:
    return _("Incident entries cannot be changed or deleted: add a new entry instead.")


def _no_reference(entity_type: str) -> str:
    """Return the message of a reference that names no record of this workspace."""
    if entity_type == "contact":
        return _("This contact is not in the workspace: choose another.")
    if entity_type == "playbook":
        return _("This playbook is not in the workspace: choose another.")
    if entity_type == "incident":
        return _("This incident is not in the workspace, or it was deleted.")
    return _no_record()


def _touch(ctx: Context, entity: Synced) -> None:
    entity.revision = ctx.next_revision()
    entity.updated_at = utcnow()
    entity.updated_by = ctx.user.id if ctx.user is not None else None


def _apply(ctx: Context, mutation: Mutation) -> dict[str, Any]:
    model = ENTITY_TYPES[mutation.type]
    entity = ctx.session.get(model, mutation.entity_id)
    if entity is not None and entity.workspace_id != ctx.workspace.id:
        return _result(mutation, "rejected", errors={"entity_id": _no_record()})
    if mutation.op == "delete":
        return _delete(ctx, mutation, entity)
    if entity is None:
        return _create(ctx, mutation, model)
    if entity.deleted:
        return _result(mutation, "conflict", version=entity.version, deleted=True)
    return _update(ctx, mutation, entity)


def _delete(ctx: Context, mutation: Mutation, entity: Synced | None) -> dict[str, Any]:
    if entity is None:
        return _result(mutation, "rejected", errors={"entity_id": _no_record()})
    if entity.deleted:
        return _result(mutation, "applied", version=entity.version)
    if isinstance(entity, IncidentEntry):
        return _result(mutation, "rejected", errors={"_": _append_only()})
    if mutation.base_version != entity.version:
        return _result(mutation, "conflict", version=entity.version)
    entity.deleted = True
    entity.version += 1
    _touch(ctx, entity)
    ctx.audit_rows.append(
        {"type": mutation.type, "entity": str(entity.id), "op": "delete", "fields": []}
    )
    return _result(mutation, "applied", version=entity.version)


def _create(ctx: Context, mutation: Mutation, model: type[Synced]) -> dict[str, Any]:
    if mutation.base_version is not None:
        return _result(
            mutation,
            "rejected",
            errors={"base_version": _("No record with this id: create it with base_version null.")},
        )
    fields = dict(mutation.fields)
    if model is IncidentEntry:
        fields.setdefault("at", utcnow())
        # Who logged it is the server's to say: the report for the authorities shows it.
        fields["author"] = ctx.user.name if ctx.user is not None else None
    validated, errors = validate(mutation.type, fields, ctx.workspace.country)
    if validated is None:
        return _result(mutation, "rejected", errors=errors)
    errors = _check_references(ctx, model, validated, model.REFERENCES)
    if errors:
        return _result(mutation, "rejected", errors=errors)
    entity = model(id=mutation.entity_id, workspace_id=ctx.workspace.id, version=1, deleted=False)
    for name in model.FIELDS:
        setattr(entity, name, validated.column_value(name))
    # Created restricted, it is a record viewers never saw: restricted_since stays None.
    _touch(ctx, entity)
    ctx.session.add(entity)
    if isinstance(entity, Incident) and entity.status == "open":
        ctx.incidents_started += 1
    ctx.audit_rows.append(
        {
            "type": mutation.type,
            "entity": str(entity.id),
            "op": "create",
            "fields": sorted(mutation.fields),
        }
    )
    return _result(mutation, "applied", version=1)


def _check_references(
    ctx: Context, model: type[Synced], validated: Validated, names: Any
) -> dict[str, str]:
    """Return errors for the reference fields among `names` that name no record of this workspace.

    An id of another workspace's record and an id no record has get the same answer, so that
    nobody can probe which ids exist elsewhere. The record must exist already: a device's
    outbox is in order, so a record it refers to was created by an earlier mutation.
    """
    errors: dict[str, str] = {}
    for name, ref in model.REFERENCES.items():
        value = validated.python[name] if name in names else None
        if value is None or value == []:
            continue
        paths = (
            {f"{name}.{index}": ident for index, ident in enumerate(value)}
            if isinstance(value, list)
            else {name: value}
        )
        target = ENTITY_TYPES[ref.type]
        table = target.__table__  # type: ignore[attr-defined]
        query = select(table.c.id).where(
            table.c.id.in_(set(paths.values())), table.c.workspace_id == ctx.workspace.id
        )
        if ref.live:
            query = query.where(table.c.deleted.is_(False))
        found = set(ctx.session.scalars(query))
        errors.update(
            {path: _no_reference(ref.type) for path, ident in paths.items() if ident not in found}
        )
    return errors


def _update(ctx: Context, mutation: Mutation, entity: Synced) -> dict[str, Any]:
    current = to_api(entity)
    unknown = {name: _("Unknown field.") for name in mutation.fields if name not in entity.FIELDS}
    if unknown:
        return _result(mutation, "rejected", errors=unknown)
    validated, errors = validate(
        mutation.type, {**current, **mutation.fields}, ctx.workspace.country
    )
    if validated is None:
        return _result(mutation, "rejected", errors=errors)
    base, errors = _canonical(ctx, mutation.type, current, mutation.base)
    if errors:
        return _result(
            mutation, "rejected", errors={f"base.{path}": text for path, text in errors.items()}
        )
    errors = _check_references(ctx, type(entity), validated, mutation.fields)
    if errors:
        return _result(mutation, "rejected", errors=errors)
    # Compared as the server would store them (NFC, E.164), whatever an older version stored.
    server_values, _errors = _canonical(ctx, mutation.type, current, current)
    if not server_values:
        server_values = current
    unchanged_since_base = mutation.base_version == entity.version
    applied: list[str] = []
    conflicts: list[dict[str, Any]] = []
    for name in mutation.fields:
        server, client = server_values[name], validated.json[name]
        if server == client:
            continue
        if unchanged_since_base or (name in base and base[name] == server):
            applied.append(name)
        else:
            conflicts.append({"field": name, "server": server, "client": client})
    if applied and isinstance(entity, IncidentEntry):
        return _result(mutation, "rejected", errors={"_": _append_only()})
    if applied:
        was_restricted = is_restricted(entity)
        for name in applied:
            setattr(entity, name, validated.column_value(name))
        entity.version += 1
        _touch(ctx, entity)
        if "visibility" in applied:
            _track_restriction(entity, was_restricted)
        ctx.audit_rows.append(
            {
                "type": mutation.type,
                "entity": str(entity.id),
                "op": "update",
                "fields": sorted(applied),
            }
        )
    status = "conflict" if conflicts else "applied"
    return _result(mutation, status, version=entity.version, conflicts=conflicts)


def _track_restriction(entity: Synced, was_restricted: bool) -> None:
    """Keep the revision at which the record became restricted (docs/ARCHITECTURE.md, restricted_since).

    Viewers who synced before that revision may hold it and get one tombstone; a record that
    is no longer restricted reaches them with its data again.
    """
    if not is_restricted(entity):
        entity.restricted_since = None  # type: ignore[attr-defined]
    elif not was_restricted:
        entity.restricted_since = entity.revision  # type: ignore[attr-defined]


def _canonical(
    ctx: Context, entity_type: str, current: dict[str, Any], values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return some of a record's field values as the server would store them, or errors."""
    values = {name: value for name, value in values.items() if name in current}
    if not values:
        return {}, {}
    validated, errors = validate(entity_type, {**current, **values}, ctx.workspace.country)
    if validated is None:
        return {}, errors
    return {name: validated.json[name] for name in values}, {}


_last_purge = {"at": 0.0}
PURGE_EVERY_SECONDS = 3600


def purge_processed_if_due(session: Session) -> None:
    """Purge old mutation ids at most once an hour per process, inside a writing transaction."""
    now = time.monotonic()
    if now - _last_purge["at"] >= PURGE_EVERY_SECONDS or _last_purge["at"] == 0.0:
        _last_purge["at"] = now
        purge_processed(session)


def purge_processed(session: Session) -> int:
    """Forget mutation ids older than 30 days; return how many."""
    result = session.execute(
        delete(ProcessedMutation).where(ProcessedMutation.created_at < utcnow() - KEEP_PROCESSED)
    )
    return result.rowcount or 0


def apply_as_system(
    session: Session, workspace: Workspace, mutations: list[Mutation]
) -> list[dict[str, Any]]:
    """Apply the server's own mutations (a new workspace's defaults), without committing.

    They run in the caller's transaction, so that creating a workspace and seeding it commit
    or fail together, and have no author: `updated_by` and the audit events' actor are None.
    No idempotency record is kept (no device will retry them). Any mutation that does not
    apply raises, which rolls the caller's transaction back.
    """
    ctx = Context(session=session, workspace=workspace, user=None, revision=workspace.revision)
    results = []
    for mutation in mutations:
        with session.begin_nested():
            result = _apply(ctx, mutation)
        if result["status"] != "applied":
            raise ValueError(f"a default record did not apply: {result}")
        results.append(result)
    workspace.revision = ctx.revision
    for row in ctx.audit_rows:
        audit.record(session, "sync.mutation", workspace_id=workspace.id, system=True, **row)
    session.flush()
    return results
