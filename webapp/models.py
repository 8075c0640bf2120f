"""Import every model so that Base.metadata knows every table (for Alembic and tests)."""

from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.directory.models import Contact, Incident, IncidentEntry, Playbook
from webapp.porting.models import ImportPreview
from webapp.push.models import OutboxMessage, PushDelivery, PushSubscription
from webapp.sync.models import ProcessedMutation
from webapp.workspaces.models import Invitation, Membership, Workspace

__all__ = [
    "AuditEvent",
    "Contact",
    "Incident",
    "IncidentEntry",
    "ImportPreview",
    "Invitation",
    "Membership",
    "OutboxMessage",
    "Playbook",
    "ProcessedMutation",
    "PushDelivery",
    "PushSubscription",
    "User",
    "Workspace",
]
