"""The office poster: which numbers it prints, and the owner's choice of internal contacts.

The poster prints the workspace's public emergency numbers and, beyond them, only the contacts
an owner chose (Workspace.poster_contact_ids). An owner's choice is an explicit publication:
every member who opens the poster sees the chosen contacts, restricted ones included, since the
sheet is meant to hang on the office wall. Nothing else that is not public ever appears on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import phonenumbers
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.directory.models import Contact
from webapp.errors import ServiceError
from webapp.readiness.service import after_hours
from webapp.workspaces.models import Membership, Workspace

# Services in the order the poster lists them (tag `service:<service>`), the most general first.
SERVICE_ORDER = (
    "general",
    "police",
    "fire",
    "ambulance",
    "medical",
    "civil_protection",
    "cybercrime",
    "child_abuse_report",
    "gender_violence",
)
# What one A4 sheet holds in large type; the app has every number, the wall the first ones.
MAX_PUBLIC = 12
MAX_CHOSEN = 8
MAX_PHONES = 2


def service_of(contact: Contact) -> str | None:
    """Return the service a contact is tagged with (`service:police` → `police`), or None."""
    for tag in contact.tags or []:
        if isinstance(tag, str) and tag.startswith("service:"):
            return tag.removeprefix("service:").strip().lower() or None
    return None


def _rank(contact: Contact) -> tuple[int, str]:
    service = service_of(contact)
    rank = SERVICE_ORDER.index(service) if service in SERVICE_ORDER else len(SERVICE_ORDER)
    return rank, contact.name.casefold()


def _has_phone(contact: Contact) -> bool:
    return any((phone or {}).get("number") for phone in contact.phones or [])


def public_numbers(session: Session, workspace_id: uuid.UUID) -> list[Contact]:
    """Return the workspace's public contacts with a phone, general first, then by service."""
    rows = session.scalars(
        select(Contact).where(
            Contact.workspace_id == workspace_id,
            Contact.visibility == "public",
            Contact.deleted.is_(False),
        )
    )
    return sorted((c for c in rows if _has_phone(c)), key=_rank)


def chosen_contacts(session: Session, workspace: Workspace) -> list[Contact]:
    """Return the live contacts an owner chose for the poster, in the owner's order."""
    ids = [_as_uuid(value) for value in workspace.poster_contact_ids or []]
    wanted = [cid for cid in ids if cid is not None]
    if not wanted:
        return []
    found = {
        c.id: c
        for c in session.scalars(
            select(Contact).where(
                Contact.workspace_id == workspace.id,
                Contact.id.in_(wanted),
                Contact.deleted.is_(False),
            )
        )
    }
    return [found[cid] for cid in wanted if cid in found]


def candidates(session: Session, workspace: Workspace, everyone: bool = False) -> list[Any]:
    """Return the contacts the owner's form offers, by area and name: live, not public, with a
    phone, and (unless `everyone`) available after hours or already chosen.

    Rows with `id`, `name`, `area`, `visibility` and `after_hours`; a directory of thousands
    offers its night shift, not a list of thousands.
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
            Contact.visibility != "public",
            Contact.deleted.is_(False),
        )
        .order_by(Contact.area, Contact.name, Contact.id)
    )
    contacts = [row for row in rows if _has_phone(row)]
    by_id = {row.id: row for row in contacts}
    chosen = {str(value) for value in workspace.poster_contact_ids or []}
    offered = []
    for row in contacts:
        late = after_hours(row, by_id)
        if everyone or late or str(row.id) in chosen:
            offered.append(SimpleNamespace(**row._asdict(), after_hours=late))
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
            Contact.visibility != "public",
            Contact.deleted.is_(False),
        )
    )
    return {c.id: c for c in rows if _has_phone(c)}


def choose(
    session: Session, membership: Membership, values: Iterable[str], actor_id: uuid.UUID
) -> list[Contact]:
    """Set the contacts printed on the poster (an owner's choice), audited; return them.

    :raises ServiceError: for a value that is not a contact id, a contact of another workspace
        or deleted, a public contact (already on the poster) or more than MAX_CHOSEN contacts.
    """
    ids: list[uuid.UUID] = []
    for value in values:
        cid = _as_uuid(value)
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
    workspace = membership.workspace
    workspace.poster_contact_ids = [str(cid) for cid in ids]
    audit.record(
        session,
        "poster.contacts_chosen",
        actor_id=actor_id,
        workspace_id=workspace.id,
        contacts=[str(cid) for cid in ids],
        count=len(ids),
    )
    return [allowed[cid] for cid in ids]


def display_number(number: str, country: str) -> str:
    """Return a stored number as people read it: national form at home, else international."""
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException:
        return number
    if not number.startswith("+"):
        return number  # a short number (911, 112) is dialled as it is
    home = phonenumbers.region_code_for_number(parsed) == country
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


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


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        return None
