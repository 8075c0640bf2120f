"""The readiness checklist: what a workspace still lacks before a crisis, as one member sees it.

Plain functions over a session and a membership. A viewer's checklist is computed from what a
viewer may see: restricted contacts and playbooks are neither counted nor named, so the answer
never reveals that they exist. It counts only what a viewer can judge: an item that turns on a
contact the viewer knows of but cannot see (a backup, a playbook's contact) is left out of the
viewer's count, and a check with nothing else to judge is left out of the viewer's list. A
viewer cannot edit, so a viewer's fixes say whom to ask; an owner's or editor's say what to do.

Every word of a title or a fix is the user's language: areas, kinds and services by their
names (webapp/directory/vocabulary.py, webapp/emergency_numbers), never their codes.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.directory import vocabulary
from webapp.directory.models import Contact, Playbook, Visibility
from webapp.directory.service import has_phone, normalize_phone, only_visible
from webapp.emergency_numbers import SERVICE_LABELS, service_tag
from webapp.encoding import as_uuid
from webapp.workspaces.models import Membership, Workspace
from webapp.workspaces.service import sees_restricted

# The internal areas the course material names, each needing a contact and an after-hours one
# (their names, and the words typed for them, are the directory's vocabulary).
AREAS = ("finance", "customer_service", "quality", "leadership", "marketing", "operations")
# Kinds of contact that are emergency numbers or authorities (national or for the city).
SERVICES = ("emergency", "authority")
# The services a cybercrime check accepts (their tag, or a tag naming them in either language).
CYBER_SERVICES = ("cybercrime", "child_abuse_report")
CYBER_TAGS = frozenset(service_tag(service) for service in CYBER_SERVICES)
NEEDED_NUMBERS = 2
STALE_AFTER = timedelta(days=180)
# Hours that reach this late or start this early cover the evening (after-hours).
EVENING = "21:00"
EARLY = "07:00"
WEEKEND = {6, 7}
# How many items a fix names before "and N more".
NAMED = 3

# Weight of each check in the score (a check not listed weighs 1). Verified emergency numbers
# and valid numbers weigh more: a wrong or unchecked number costs most at 2 a.m.
WEIGHTS = {"national_numbers": 2, "city_numbers": 2, "numbers_valid": 2}

# Where the app shows things (static/js/app.js routeOf). A viewer's fix links to where the item
# is seen; an editor's opens the app's form for the gap, pre-filled (`for_editors`).
DIRECTORY_URL = "/app#directory"
QUICK_DIAL_URL = "/app#quick-dial"
PLAYBOOKS_URL = "/app#playbooks"


def contact_url(contact_id: uuid.UUID | str) -> str:
    """Return the app's address of one contact."""
    return f"/app#contact/{contact_id}"


def playbook_url(playbook_id: uuid.UUID | str) -> str:
    """Return the app's address of one playbook."""
    return f"/app#playbook/{playbook_id}"


def new_contact_url(**prefill: str) -> str:
    """Return the app's form for a new contact, pre-filled (forms.js prefillFromQuery)."""
    return f"/app#new/contact?{urlencode(prefill)}"


# The form that closes each gap when nothing of it exists yet (editors and owners only).
NEW_CONTACT_FOR = {
    "legal": {"kind": "legal"},
    "medical": {"kind": "medical"},
    "cybercrime": {"kind": "authority"},
    "national_numbers": {"kind": "emergency", "visibility": Visibility.PUBLIC.value},
    "city_numbers": {"kind": "emergency", "visibility": Visibility.PUBLIC.value},
}


def for_editors(check: Check) -> Check:
    """Return the check with its fix opening the app's form for the gap, pre-filled.

    An area without anyone opens a new internal contact of that area; an area whose people do
    not answer after hours, a new one of that area with after-hours availability. A wrong
    number opens that contact's form; a playbook without contacts, the playbook's form.
    """
    if check.fix is None:
        return check
    url = check.fix.url
    if check.id.startswith("area:"):
        area = check.id.removeprefix("area:")
        hours = {} if url == DIRECTORY_URL else {"hours": "after_hours"}
        url = new_contact_url(kind="internal", area=area, **hours)
    elif check.id in NEW_CONTACT_FOR and url == DIRECTORY_URL:
        url = new_contact_url(**NEW_CONTACT_FOR[check.id])
    elif check.id == "numbers_valid":
        url = url.replace("/app#contact/", "/app#edit/contact/")
    elif check.id == "playbooks":
        url = (
            "/app#new/playbook"
            if url == PLAYBOOKS_URL
            else url.replace("#playbook/", "#edit/playbook/")
        )
    return replace(check, fix=replace(check.fix, url=url))


@dataclass(frozen=True)
class Fix:
    """What to do about a gap, and where in the app to do it."""

    text: str
    url: str


@dataclass(frozen=True)
class Check:
    id: str
    ok: bool
    title: str
    weight: int
    fix: Fix | None = None


@dataclass(frozen=True)
class Readiness:
    score: int
    checks: list[Check]

    @property
    def gaps(self) -> list[Check]:
        """Return the checks that failed, heaviest first."""
        return sorted((c for c in self.checks if not c.ok), key=lambda c: -c.weight)


@lru_cache(maxsize=4096)
def fold(text: str | None) -> str:
    """Return text without accents and case, for comparing city names typed by people."""
    decomposed = unicodedata.normalize("NFD", (text or "").strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# Only the columns the checks read, as plain rows: a directory holds thousands of contacts, and
# building ORM objects for them cost more than the checks themselves.
CONTACT_COLUMNS = (
    Contact.id,
    Contact.name,
    Contact.kind,
    Contact.area,
    Contact.phones,
    Contact.city,
    Contact.country,
    Contact.availability,
    Contact.backup_contact_id,
    Contact.tags,
    Contact.visibility,
    Contact.last_verified_at,
    Contact.created_at,
)
PLAYBOOK_COLUMNS = (Playbook.id, Playbook.name, Playbook.contact_ids)


def visible_contacts(session: Session, membership: Membership) -> list[Any]:
    """Return the workspace's live contacts that this member may see (rows of CONTACT_COLUMNS)."""
    query = select(*CONTACT_COLUMNS).where(
        Contact.workspace_id == membership.workspace_id, Contact.deleted.is_(False)
    )
    query = only_visible(query, Contact, sees_restricted(membership.role))
    return list(session.execute(query.order_by(Contact.name, Contact.id)))


def visible_playbooks(session: Session, membership: Membership) -> list[Any]:
    """Return the workspace's live playbooks that this member may see (rows of PLAYBOOK_COLUMNS)."""
    query = select(*PLAYBOOK_COLUMNS).where(
        Playbook.workspace_id == membership.workspace_id, Playbook.deleted.is_(False)
    )
    query = only_visible(query, Playbook, sees_restricted(membership.role))
    return list(session.execute(query.order_by(Playbook.name, Playbook.id)))


@lru_cache(maxsize=4096)
def area_code(area: str | None) -> str:
    """Return the area code a contact's area names (`Finanzas` → `finance`), folded."""
    folded = fold(area).replace("-", " ").replace("_", " ")
    folded = " ".join(folded.split())
    return vocabulary.AREA_WORDS.get(folded, folded.replace(" ", "_"))


def _tags(contact: Contact) -> set[str]:
    return {fold(tag) for tag in contact.tags or [] if isinstance(tag, str)}


def covers_after_hours(availability: dict[str, Any] | None) -> bool:
    """Tell whether availability covers after hours: always, evenings or weekends.

    Evenings: a range that ends at 21:00 or later (or runs past midnight) or starts before
    07:00. Weekends: a range on Saturday or Sunday.
    """
    if not isinstance(availability, dict):
        return False
    if availability.get("always") is True:
        return True
    for hours in availability.get("hours") or []:
        if not isinstance(hours, dict):
            continue
        start, end = str(hours.get("from", "")), str(hours.get("to", ""))
        days = set(hours.get("days") or [])
        if days & WEEKEND or end >= EVENING or start < EARLY or (end and end <= start):
            return True
    return False


def after_hours(contact: Contact, by_id: dict[uuid.UUID, Contact]) -> bool:
    """Tell whether someone answers for this contact after hours: itself or its backup.

    The backup counts only when this member can see it and it covers after hours itself.
    """
    if covers_after_hours(contact.availability):
        return True
    backup = by_id.get(contact.backup_contact_id) if contact.backup_contact_id else None
    return (
        backup is not None
        and backup.id != contact.id
        and has_phone(backup)
        and covers_after_hours(backup.availability)
    )


def backup_out_of_view(contact: Contact, by_id: dict[uuid.UUID, Contact]) -> bool:
    """Tell whether a contact names a backup this member does not see (restricted, or gone)."""
    return bool(contact.backup_contact_id) and contact.backup_contact_id not in by_id


def is_national(contact: Contact) -> bool:
    """Tell whether a contact is a national emergency number or authority."""
    if vocabulary.NATIONAL_TAG in _tags(contact):
        return True
    return contact.kind in SERVICES and not (contact.city or "").strip()


def is_city(contact: Contact, workspace: Workspace) -> bool:
    """Tell whether a contact is an emergency number or authority of the workspace's city."""
    if vocabulary.CITY_TAG in _tags(contact):
        return True
    city = fold(contact.city)
    return contact.kind in SERVICES and bool(city) and city == fold(workspace.city)


def is_cybercrime(contact: Contact) -> bool:
    """Tell whether a contact is a cybercrime authority or a hotline for illegal material.

    Its service tag (`service:cybercrime`), a tag that names the service in either language
    (“Ciberdelitos”, “cybercrime”), or an authority whose area or a tag starts with “cyber”.
    """
    tags = _tags(contact)
    if tags & CYBER_TAGS or tags & cyber_words():
        return True
    if contact.kind != "authority":
        return False
    return area_code(contact.area).startswith("cyber") or any(t.startswith("cyber") for t in tags)


@lru_cache(maxsize=1)
def cyber_words() -> frozenset[str]:
    """Return the cybercrime services' names in every language, folded: tags people type."""
    return frozenset(
        fold(name) for service in CYBER_SERVICES for name in SERVICE_LABELS[service].values()
    )


def invalid_numbers(contact: Contact, workspace: Workspace) -> list[str]:
    """Return the contact's phone numbers that are not valid (full, or short for its country)."""
    region = contact.country or workspace.country
    wrong = []
    for phone in contact.phones or []:
        number = str((phone or {}).get("number", ""))
        if not number or not _valid(number, region):
            wrong.append(number)
    return wrong


@lru_cache(maxsize=65536)
def _valid(number: str, region: str | None) -> bool:
    # Half the checklist's time was parsing numbers; the answer for a number never changes
    # within a process (it depends on phonenumbers' metadata only).
    return normalize_phone(number, region)[1] is None


def is_stale(contact: Contact, now: datetime) -> bool:
    """Tell whether a contact went unverified for more than 180 days.

    Counted from its last verification, or from its creation when it was never verified.
    """
    since = contact.last_verified_at or contact.created_at
    return since is not None and now - since > STALE_AFTER


def _lang() -> str:
    return str(get_locale() or "es")[:2]


def _kind(code: str) -> str:
    """Return a kind's name in the current language (`legal` → “Legal”, `medical` → “Médico”)."""
    return vocabulary.name_of(vocabulary.KINDS, code, _lang())


def _names(items: Iterable[Any]) -> str:
    items = list(items)
    shown = ", ".join(f"“{item.name}”" for item in items[:NAMED])
    if len(items) > NAMED:
        shown += " " + _("and %(count)s more", count=len(items) - NAMED)
    return shown


def _check(check_id: str, ok: bool, title: str, fix: Fix | None) -> Check:
    return Check(check_id, ok, title, WEIGHTS.get(check_id, 1), None if ok else fix)


def _area_check(
    area: str, contacts: list[Contact], by_id: dict[uuid.UUID, Contact], editor: bool
) -> Check | None:
    name = vocabulary.name_of(vocabulary.AREAS, area, _lang())
    title = _("%(area)s: a contact and an after-hours contact", area=name)
    people = [c for c in contacts if area_code(c.area) == area and has_phone(c)]
    if not people:
        text = (
            _(
                "Add a contact of the area “%(area)s” with a phone number, and say when they can "
                "be reached.",
                area=name,
            )
            if editor
            else _(
                "You can see no contact of the area “%(area)s” with a phone number. Ask an owner "
                "or an editor of the workspace to add one.",
                area=name,
            )
        )
        return _check(f"area:{area}", False, title, Fix(text, DIRECTORY_URL))
    if any(after_hours(c, by_id) for c in people):
        return _check(f"area:{area}", True, title, None)
    if not editor and any(backup_out_of_view(c, by_id) for c in people):
        return None  # it turns on a backup out of the viewer's view: not theirs to judge
    first = people[0]
    text = (
        _(
            "Nobody in %(area)s answers after hours. Mark when %(name)s can be reached in the "
            "evening or at weekends (or “always”), or give them a backup contact who can.",
            area=name.lower(),
            name=f"“{first.name}”",
        )
        if editor
        else _(
            "Nobody in %(area)s that you can see answers after hours. Ask an owner or an editor "
            "to mark when %(name)s can be reached, or to give them a backup contact who can.",
            area=name.lower(),
            name=f"“{first.name}”",
        )
    )
    return _check(f"area:{area}", False, title, Fix(text, contact_url(first.id)))


def _kind_check(check_id: str, contacts: list[Contact], title: str, missing: str) -> Check:
    found = any(
        (c.kind == check_id or area_code(c.area) == check_id) and has_phone(c) for c in contacts
    )
    return _check(check_id, found, title, Fix(missing, DIRECTORY_URL))


def _numbers_check(
    check_id: str,
    numbers: list[Contact],
    title: str,
    missing: Callable[[int], str],
    editor: bool,
) -> Check:
    verified = [c for c in numbers if c.last_verified_at is not None]
    if len(verified) >= NEEDED_NUMBERS:
        return _check(check_id, True, title, None)
    unverified = [c for c in numbers if c.last_verified_at is None]
    if len(numbers) >= NEEDED_NUMBERS:
        text = (
            _(
                "Call or look up %(names)s on an official page, then mark them verified (set "
                "“last verified”). %(count)s of 2 checked so far.",
                names=_names(unverified),
                count=len(verified),
            )
            if editor
            else _(
                "Not checked yet: %(names)s (%(count)s of 2 checked). Ask an owner or an "
                "editor to check them on an official page and mark them verified.",
                names=_names(unverified),
                count=len(verified),
            )
        )
        url = contact_url(unverified[0].id) if len(unverified) == 1 else QUICK_DIAL_URL
        return _check(check_id, False, title, Fix(text, url))
    return _check(check_id, False, title, Fix(missing(len(verified)), DIRECTORY_URL))


def readiness(session: Session, membership: Membership, now: datetime | None = None) -> Readiness:
    """Return the workspace's readiness checklist as this member may see it.

    Texts are in the current locale (run it under flask_babel.force_locale for another).
    """
    now = now or datetime.now(UTC)
    workspace = membership.workspace
    editor = sees_restricted(membership.role)  # owners and editors: they see and edit it all
    contacts = visible_contacts(session, membership)
    playbooks = visible_playbooks(session, membership)
    by_id = {c.id: c for c in contacts}
    reachable = [c for c in contacts if has_phone(c)]
    emergency, authority = _kind("emergency"), _kind("authority")

    checks: list[Check | None] = [_area_check(area, contacts, by_id, editor) for area in AREAS]
    checks.append(
        _kind_check(
            "legal",
            contacts,
            _("A legal contact"),
            _(
                "Add your legal contact (kind “%(kind)s”), agreed with the legal department.",
                kind=_kind("legal"),
            )
            if editor
            else _("You can see no legal contact. Ask an owner or an editor to add one."),
        )
    )
    checks.append(
        _kind_check(
            "medical",
            contacts,
            _("A medical contact"),
            _(
                "Add a medical emergency contact (kind “%(kind)s”), agreed with the legal "
                "department.",
                kind=_kind("medical"),
            )
            if editor
            else _(
                "You can see no medical emergency contact. Ask an owner or an editor to add one."
            ),
        )
    )
    national = [c for c in reachable if is_national(c)]
    checks.append(
        _numbers_check(
            "national_numbers",
            national,
            _("Two national emergency numbers checked by the team"),
            lambda count: (
                _(
                    "%(count)s of 2 national emergency numbers are checked. Add the country's "
                    "emergency numbers (kind “%(emergency)s” or “%(authority)s”, without a city) "
                    "and check them.",
                    count=count,
                    emergency=emergency,
                    authority=authority,
                )
                if editor
                else _(
                    "%(count)s of 2 national emergency numbers that you can see are checked. Ask an "
                    "owner or an editor to add the country's emergency numbers and check them.",
                    count=count,
                )
            ),
            editor,
        )
    )
    city = [c for c in reachable if is_city(c, workspace) and not is_national(c)]
    checks.append(
        _numbers_check(
            "city_numbers",
            city,
            _("Two emergency numbers of %(city)s checked by the team", city=workspace.city),
            lambda count: (
                _(
                    "%(count)s of 2 local emergency numbers are checked. Add emergency services or "
                    "authorities of %(city)s (kind “%(emergency)s” or “%(authority)s”, city "
                    "“%(city)s”) and check them.",
                    count=count,
                    city=workspace.city,
                    emergency=emergency,
                    authority=authority,
                )
                if editor
                else _(
                    "%(count)s of 2 emergency numbers of %(city)s that you can see are checked. Ask "
                    "an owner or an editor to add them and check them.",
                    count=count,
                    city=workspace.city,
                )
            ),
            editor,
        )
    )
    checks.append(
        _check(
            "cybercrime",
            any(is_cybercrime(c) for c in reachable),
            _("A cybercrime authority or hotline"),
            Fix(
                _(
                    "Add the cyber police or the national hotline for reporting illegal "
                    "material (kind “%(kind)s”, with the tag “%(tag)s”).",
                    kind=authority,
                    tag=vocabulary.name_of(SERVICE_LABELS, "cybercrime", _lang()),
                )
                if editor
                else _(
                    "You can see no cybercrime authority or hotline. Ask an owner or an editor "
                    "to add one."
                ),
                DIRECTORY_URL,
            ),
        )
    )
    checks.append(_playbooks_check(playbooks, by_id, editor))
    wrong = [c for c in contacts if invalid_numbers(c, workspace)]
    checks.append(
        _check(
            "numbers_valid",
            not wrong,
            _("Every phone number is valid"),
            Fix(
                _(
                    "Correct the phone numbers of %(names)s: write them with the country code, "
                    "or as a short number of the country.",
                    names=_names(wrong),
                )
                if editor
                else _(
                    "The phone numbers of %(names)s are not valid. Ask an owner or an editor to "
                    "correct them.",
                    names=_names(wrong),
                ),
                contact_url(wrong[0].id) if wrong else DIRECTORY_URL,
            ),
        )
    )
    stale = [c for c in contacts if is_stale(c, now)]
    checks.append(
        _check(
            "fresh",
            not stale,
            _("Nothing unverified for more than 180 days"),
            Fix(
                _(
                    "Check %(names)s with the people or services themselves, then mark them "
                    "verified (set “last verified”).",
                    names=_names(stale),
                )
                if editor
                else _(
                    "Unverified for more than 180 days: %(names)s. Ask an owner or an editor "
                    "to check them.",
                    names=_names(stale),
                ),
                contact_url(stale[0].id) if stale else DIRECTORY_URL,
            ),
        )
    )
    counted = [c for c in checks if c is not None]
    if editor:  # the fixes open forms
        counted = [for_editors(c) for c in counted]
    total = sum(c.weight for c in counted)
    passed = sum(c.weight for c in counted if c.ok)
    return Readiness(score=round(100 * passed / total), checks=counted)


def _playbooks_check(
    playbooks: list[Playbook], by_id: dict[uuid.UUID, Contact], editor: bool
) -> Check | None:
    """Every playbook names someone to call.

    For a viewer, a playbook whose contacts are all out of their view (restricted from them,
    or gone) is left out: they cannot judge it. With nothing else to judge, so is the check.
    """
    title = _("Every playbook has contacts")
    if not playbooks:
        text = (
            _("Add a playbook for each kind of crisis, with whom to call.")
            if editor
            else _("You can see no playbook. Ask an owner or an editor to add them.")
        )
        return _check("playbooks", False, title, Fix(text, PLAYBOOKS_URL))

    def live(playbook: Playbook) -> bool:
        return any(as_uuid(cid) in by_id for cid in playbook.contact_ids or [])

    judged = playbooks if editor else [p for p in playbooks if live(p) or not p.contact_ids]
    if not judged:
        return None
    empty = [p for p in judged if not live(p)]
    text = (
        _("Add whom to call to %(names)s.", names=_names(empty))
        if editor
        else _(
            "Nobody to call in %(names)s. Ask an owner or an editor to add whom to call.",
            names=_names(empty),
        )
    )
    return _check(
        "playbooks",
        not empty,
        title,
        Fix(text, playbook_url(empty[0].id) if empty else PLAYBOOKS_URL),
    )
