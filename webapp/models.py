"""Import every model so that Base.metadata knows every table (for Alembic and tests)."""

from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.workspaces.models import Invitation, Membership, Workspace

__all__ = ["AuditEvent", "Invitation", "Membership", "User", "Workspace"]
