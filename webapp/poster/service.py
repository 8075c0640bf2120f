"""The office poster: which numbers it prints, and the owner's choice of internal contacts.

The poster prints the workspace's public emergency numbers and, beyond them, only the contacts
an owner chose (Workspace.poster_contact_ids). An owner's choice is an explicit publication:
every member who opens the poster sees the chosen contacts, restricted ones included, since the
sheet is meant to hang on the office wall. Nothing else that is not public ever appears on it.

A choice names a contact as the owner saw it: each entry is `{"id", "version", "fingerprint"}`,
the fingerprint a hash of the contact's visibility and phones. A chosen contact whose
visibility or phones changed since (a team contact made restricted, a personal number added)
is left off the sheet until an owner confirms it again; the chooser shows it as changed. Other
edits (notes, a name) need no confirmation. An entry that is a bare id (written before
fingerprints) counts as not confirmed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.directory.models import Contact, Visibility
from webapp.directory.service import display_number, has_phone
from webapp.emergency_numbers import service_of, service_rank
from webapp.encoding import as_uuid
from webapp.errors import ServiceError
from webapp.readiness.service import after_hours
from webapp.workspaces.models import Membership, Workspace

# What one A4 sheet holds in large type; the app has every number, the wall the first ones.
MAX_PUBLIC = 12
MAX_CHOSEN = 8
MAX_PHONES = 2


def _rank(contact: Contact) -> tuple[int, str]:
    return service_rank(service_of(contact.tags)), contact.name.casefold()


def public_numbers(session: Session, workspace_id: uuid.UUID) -> list[Contact]:
    """Return the workspace's public contacts with a phone, general first, then by service."""
    rows = session.scalars(
        select(Contact).where(
            Contact.workspace_id == workspace_id,
            Contact.visibility == Visibility.PUBLIC.value,
            Contact.deleted.is_(False),
        )
    )
    return sorted((c for c in rows if has_phone(c)), key=_rank)


def fingerprint(contact_id: uuid.UUID, visibility: str, phones: Any) -> str:
    """Return what an owner's choice confirms of a contact: its visibility and phones."""
    data = {"id": str(contact_id), "visibility": visibility, "phones": phones or []}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint_of(contact: Any) -> str:
    """Return the fingerprint of a contact (or a row with id, visibility and phones)."""
    return fingerprint(contact.id, contact.visibility, contact.phones)


def choice(workspace: Workspace) -> list[tuple[uuid.UUID, str | None]]:
    """Return the owner's choice as (contact id, confirmed fingerprint or None), in order."""
    entries: dict[uuid.UUID, str | None] = {}
    for entry in workspace.poster_contact_ids or []:
        if isinstance(entry, Mapping):
            cid, confirmed = as_uuid(entry.get("id")), entry.get("fingerprint")
        else:
            cid, confirmed = as_uuid(entry), None  # a bare id: never confirmed
        if cid is not None and cid not in entries:
            entries[cid] = confirmed if isinstance(confirmed, str) else None
    return list(entries.items())


def chosen_state(session: Session, workspace: Workspace) -> list[tuple[Contact, bool]]:
    """Return the live contacts an owner chose, in the owner's order, each with whether its
    visibility and phones are still what an owner confirmed (only those are printed)."""
    entries = choice(workspace)
    if not entries:
        return []
    found = {
        c.id: c
        for c in session.scalars(
            select(Contact).where(
                Contact.workspace_id == workspace.id,
                Contact.id.in_([cid for cid, _ in entries]),
                Contact.deleted.is_(False),
            )
        )
    }
    return [
        (found[cid], confirmed == fingerprint_of(found[cid]))
        for cid, confirmed in entries
        if cid in found
    ]


def waiting(state: list[tuple[Contact, bool]]) -> int:
    """Return how many chosen contacts wait for an owner's confirmation in the chooser (those
    it still offers: not public, with a phone)."""
    return sum(
        1
        for c, confirmed in state
        if not confirmed and c.visibility != Visibility.PUBLIC and has_phone(c)
    )


def chosen_contacts(session: Session, workspace: Workspace) -> list[Contact]:
    """Return the chosen contacts the poster prints: those an owner confirmed as they are."""
    return [contact for contact, confirmed in chosen_state(session, workspace) if confirmed]


def candidates(session: Session, workspace: Workspace, everyone: bool = False) -> list[Any]:
    """Return the contacts the owner's form offers, by area and name: live, not public, with a
    phone, and (unless `everyone`) available after hours or already chosen.

    Rows with `id`, `name`, `area`, `visibility`, `after_hours`, `fingerprint` (what saving
    confirms), `confirmed` (chosen and printed) and `changed` (chosen, but its visibility or
    phones changed since: not printed until confirmed); a directory of thousands offers its
    night shift, not a list of thousands.
    """
    rows = session.execute(
        select(
            Contact.id,
            Contact.name,
            Contact.area,
            Contact.visibility,
            Contact.phones,
            Contact.availability,
            Contact.backup_contact_id,
        )
        .where(
            Contact.workspace_id == workspace.id,
            Contact.visibility != Visibility.PUBLIC.value,
            Contact.deleted.is_(False),
        )
        .order_by(Contact.area, Contact.name, Contact.id)
    )
    contacts = [row for row in rows if has_phone(row)]
    by_id = {row.id: row for row in contacts}
    chosen = dict(choice(workspace))
    offered = []
    for row in contacts:
        late = after_hours(row, by_id)
        current = fingerprint_of(row)
        if everyone or late or row.id in chosen:
            offered.append(
                SimpleNamespace(
                    **row._asdict(),
                    after_hours=late,
                    fingerprint=current,
                    # Printed: chosen and unchanged since. Changed: chosen, waiting for a look.
                    confirmed=row.id in chosen and chosen[row.id] == current,
                    changed=row.id in chosen and chosen[row.id] != current,
                )
            )
    return offered


def _choosable(
    session: Session, workspace_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Contact]:
    """Return those of `ids` that the poster may show: live, not public, with a phone."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Contact).where(
            Contact.workspace_id == workspace_id,
            Contact.id.in_(ids),
            Contact.visibility != Visibility.PUBLIC.value,
            Contact.deleted.is_(False),
        )
    )
    return {c.id: c for c in rows if has_phone(c)}


def choose(
    session: Session,
    membership: Membership,
    values: Iterable[str],
    actor_id: uuid.UUID,
    seen: Mapping[str, str] | None = None,
) -> list[Contact]:
    """Set the contacts printed on the poster (an owner's choice), audited; return them.

    Each chosen contact is confirmed as it is now (its visibility and phones); `seen` maps a
    contact id to the fingerprint the owner's form showed, and a contact that changed since
    the form was shown is refused rather than confirmed unseen.

    :raises ServiceError: for a value that is not a contact id, a contact of another workspace
        or deleted, a public contact (already on the poster), more than MAX_CHOSEN contacts, or
        a contact that changed while the owner was choosing.
    """
    ids: list[uuid.UUID] = []
    for value in values:
        cid = as_uuid(value)
        if cid is None:
            raise ServiceError(
                str(_l("“%(value)s” is not a contact id.", value=str(value)[:60])),
                field="contact_ids",
            )
        if cid not in ids:
            ids.append(cid)
    if len(ids) > MAX_CHOSEN:
        raise ServiceError(
            str(
                _l(
                    "Choose at most %(count)s contacts: one A4 sheet holds no more.",
                    count=MAX_CHOSEN,
                )
            ),
            field="contact_ids",
        )
    allowed = _choosable(session, membership.workspace_id, ids)
    unknown = [cid for cid in ids if cid not in allowed]
    if unknown:
        raise ServiceError(
            str(
                _l(
                    "“%(value)s” is not a contact of this workspace that the poster can show "
                    "(it must exist, have a phone number and not be public already).",
                    value=str(unknown[0]),
                )
            ),
            field="contact_ids",
        )
    for cid in ids:
        shown = (seen or {}).get(str(cid))
        if shown is not None and shown != fingerprint_of(allowed[cid]):
            raise ServiceError(
                str(
                    _l(
                        "“%(name)s” changed while you were choosing (its visibility or phone "
                        "numbers): check it and save again.",
                        name=allowed[cid].name,
                    )
                ),
                field="contact_ids",
            )
    workspace = membership.workspace
    workspace.poster_contact_ids = [
        {
            "id": str(cid),
            "version": allowed[cid].version,
            "fingerprint": fingerprint_of(allowed[cid]),
        }
        for cid in ids
    ]
    audit.record(
        session,
        "poster.contacts_chosen",
        actor_id=actor_id,
        workspace_id=workspace.id,
        contacts=[str(cid) for cid in ids],
        versions=[allowed[cid].version for cid in ids],
        count=len(ids),
    )
    return [allowed[cid] for cid in ids]


def phones(contact: Contact, country: str) -> list[dict[str, Any]]:
    """Return the first phones of a contact as the poster prints them."""
    shown = []
    for phone in (contact.phones or [])[:MAX_PHONES]:
        number = str((phone or {}).get("number", ""))
        if number:
            shown.append(
                {
                    "label": (phone or {}).get("label") or "",
                    "number": display_number(number, country),
                }
            )
    return shown
