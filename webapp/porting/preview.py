"""What each row of an import would be: new, a duplicate of a contact or an earlier row, or an
error, with the fields as they would be stored. Pure: the directory's numbers and emails and
the workspace's country are given."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from webapp.directory.service import validate, with_display

NEW, DUPLICATE, ERROR = "new", "duplicate", "error"


@dataclass
class Known:
    """The numbers (E.164) and emails (case-folded) of the contacts the user can see."""

    numbers: dict[str, uuid.UUID] = field(default_factory=dict)
    emails: dict[str, uuid.UUID] = field(default_factory=dict)

    def add(self, contact_id: uuid.UUID, phones: Any, emails: Any) -> None:
        """Remember a contact's numbers and emails (the first contact named keeps them)."""
        for phone in phones or []:
            if isinstance(phone, dict) and phone.get("number"):
                self.numbers.setdefault(phone["number"], contact_id)
        for email in emails or []:
            if isinstance(email, dict) and email.get("address"):
                self.emails.setdefault(email["address"].casefold(), contact_id)


@dataclass
class Row:
    """One row as the preview shows it, and what apply would write (`values`)."""

    row: int
    status: str
    fields: dict[str, Any]
    errors: dict[str, str]
    duplicate_of: uuid.UUID | None = None
    duplicate_of_row: int | None = None
    # The validated record (JSON values, as sync stores them); None for an error row.
    values: dict[str, Any] | None = None

    def answer(self, country: str | None) -> dict[str, Any]:
        """Return the row as the API shows it (phones with their `display`)."""
        fields = self.fields
        if self.values is not None and fields.get("phones"):
            fields = {**fields, "phones": with_display(fields["phones"], country)}
        return {
            "row": self.row,
            "status": self.status,
            "fields": fields,
            "errors": self.errors,
            "duplicate_of": str(self.duplicate_of) if self.duplicate_of else None,
            "duplicate_of_row": self.duplicate_of_row,
        }


def _shown(values: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Return the stored values of the fields the row sets, and of any with a value."""
    return {
        name: value
        for name, value in values.items()
        if name in given or (value not in (None, [], "", False) and name != "kind")
    }


# Mexico's mobile numbers lost their "1" after +52 in 2019; phones still hold contacts saved
# before, which phonenumbers now reads as too long.
_MEXICAN_MOBILE = re.compile(r"^\s*(\+|00)\s*52[\s().-]*1[\s().-]*((?:\d[\s().-]*){10})$")


def _current_numbers(fields: dict[str, Any]) -> dict[str, Any]:
    """Return the fields with old Mexican mobile numbers (+52 1 …) in today's form."""
    phones = fields.get("phones")
    if not isinstance(phones, list):
        return fields
    changed = []
    for phone in phones:
        number = phone.get("number") if isinstance(phone, dict) else None
        match = _MEXICAN_MOBILE.match(number) if isinstance(number, str) else None
        changed.append({**phone, "number": "+52 " + match.group(2)} if match else phone)
    return {**fields, "phones": changed}


def evaluate(stored: list[dict[str, Any]], known: Known, country: str | None) -> list[Row]:
    """Decide each stored row's status against the known contacts and the rows before it.

    A row is a duplicate when one of its numbers or emails is a known contact's (the first
    found names it), else when it is an earlier valid row's (`duplicate_of_row`).
    """
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    rows: list[Row] = []
    for item in stored:
        given = item["fields"]
        validated, errors = validate("contact", _current_numbers(given), country)
        errors = {**item.get("errors", {}), **errors}
        if validated is None or errors:
            rows.append(Row(item["row"], ERROR, given, errors))
            continue
        values = validated.json
        numbers = [phone["number"] for phone in values["phones"]]
        emails = [email["address"].casefold() for email in values["emails"]]
        row = Row(item["row"], NEW, _shown(values, given), {}, values=values)
        row.duplicate_of = next(
            (
                found
                for found in (
                    *(known.numbers.get(n) for n in numbers),
                    *(known.emails.get(e) for e in emails),
                )
                if found is not None
            ),
            None,
        )
        if row.duplicate_of is None:
            row.duplicate_of_row = next(
                (
                    found
                    for found in (
                        *(seen_numbers.get(n) for n in numbers),
                        *(seen_emails.get(e) for e in emails),
                    )
                    if found is not None
                ),
                None,
            )
        if row.duplicate_of is not None or row.duplicate_of_row is not None:
            row.status = DUPLICATE
        for number in numbers:
            seen_numbers.setdefault(number, row.row)
        for email in emails:
            seen_emails.setdefault(email, row.row)
        rows.append(row)
    return rows


def counts(rows: list[Row]) -> dict[str, int]:
    """Return how many rows are new, duplicates and errors."""
    result = {NEW: 0, DUPLICATE: 0, ERROR: 0}
    for row in rows:
        result[row.status] += 1
    return result
