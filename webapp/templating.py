"""Template helpers: labels for roles and audit actions, dates in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates
from flask import Flask
from flask_babel import format_datetime, get_locale
from markupsafe import Markup, escape

from webapp.audit.labels import audit_label
from webapp.workspaces.forms import ROLE_LABELS


def role_label(role: str | None) -> str:
    """Return a role's name in the reader's language."""
    return str(ROLE_LABELS.get(role or "", role or ""))


def datetime_local(value: datetime | None, timezone: str | None = None) -> str:
    """Format a datetime for the reader, in the workspace's time zone when given."""
    if value is None:
        return ""
    if timezone:
        return dates.format_datetime(
            value, "medium", tzinfo=ZoneInfo(timezone), locale=str(get_locale())
        )
    return format_datetime(value, "medium")


def local_time(value: datetime | None) -> Markup:
    """Return a `<time>` of an instant, shown in the reader's time zone by local-times.js.

    The server knows no user's time zone; the browser does. Without the script (or before it
    runs) the text is the server's formatting in UTC, and says so.
    """
    if value is None:
        return Markup("")
    text = f"{datetime_local(value)} UTC"
    return Markup('<time datetime="{}" data-local-time>{}</time>').format(
        value.isoformat(), escape(text)
    )


def init_app(app: Flask) -> None:
    """Register the helpers."""
    app.add_template_global(role_label)
    app.add_template_global(audit_label)
    app.add_template_global(local_time)
    app.add_template_filter(datetime_local)
