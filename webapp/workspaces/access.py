"""The membership step of every route, and the workspace this device works in."""

from __future__ import annotations

import uuid

from flask import session as cookie_session
from flask_login import current_user

from webapp.db import get_session
from webapp.workspaces import service
from webapp.workspaces.models import Membership, Role

CURRENT = "workspace_id"


def member_of(workspace_id: uuid.UUID, role: Role) -> Membership:
    """Return the signed-in user's membership of the workspace when it has at least this role.

    Take the id from a `<uuid:workspace_id>` route (a malformed one is 404 before the view).

    :raises NotFound: for a non-member (the workspace's existence is not revealed);
    :raises Forbidden: for a member with a lower role.
    """
    return service.require_role(get_session(), workspace_id, current_user, role)


def set_current(workspace_id: uuid.UUID) -> None:
    """Remember the workspace this device works in."""
    cookie_session[CURRENT] = str(workspace_id)


def forget_current() -> None:
    """Forget the workspace this device works in (its user left it)."""
    cookie_session.pop(CURRENT, None)
