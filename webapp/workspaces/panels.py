"""The workspace page's panels: sections that features above this one (readiness, the poster)
add to it, so that this package never imports them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy.orm import Session

from webapp.workspaces.models import Membership

PANELS = "enlace_workspace_panels"
# Each renders itself for (session, membership), or returns None to show nothing.
Panel = Callable[[Session, Membership], Markup | None]


def add_panel(app: Flask, panel: Panel) -> None:
    """Add a section to the workspace page (call it once per app, e.g. from record_once)."""
    app.extensions.setdefault(PANELS, []).append(panel)


def render_panels(session: Session, membership: Membership) -> list[Markup]:
    """Return the sections the features render for this member, in the order they were added."""
    panels = [panel(session, membership) for panel in current_app.extensions.get(PANELS, [])]
    return [p for p in panels if p]
