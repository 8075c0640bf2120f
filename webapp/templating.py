"""Template helpers: labels for roles and audit actions, dates in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates
from flask import Flask
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from webapp.workspaces.forms import ROLE_LABELS

AUDIT_LABELS = {
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "auth.reauth_failed": _l("Wrong password on confirmation"),
    "auth.password_changed": _l("Password changed"),
    "auth.signed_out_everywhere": _l("Signed out everywhere"),
    "auth.account_created": _l("Account created"),
    "workspace.created": _l("Workspace created"),
    "member.added": _l("Member added"),
    "member.role_changed": _l("Role changed"),
    "member.removed": _l("Member removed"),
    "invitation.created": _l("Invitation created"),
    "invitation.revoked": _l("Invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
}


def role_label(role: str | None) -> str:
    """Return a role's name in the reader's language."""
    return str(ROLE_LABELS.get(role or "", role or ""))


def audit_label(action: str) -> str:
    """Return an audit action's description in the reader's language."""
    return str(AUDIT_LABELS.get(action, action))


def datetime_local(value: datetime | None, timezone: str | None = None) -> str:
    """Format a datetime for the reader, in the workspace's time zone when given."""
    if value is None:
        return ""
    if timezone:
        return dates.format_datetime(
            value, "medium", tzinfo=ZoneInfo(timezone), locale=str(get_locale())
        )
    return format_datetime(value, "medium")


def init_app(app: Flask) -> None:
    """Register the helpers."""
    app.add_template_global(role_label)
    app.add_template_global(audit_label)
    app.add_template_filter(datetime_local)
