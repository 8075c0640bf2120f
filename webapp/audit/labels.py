"""What each audit action means, in the reader's language: the one table of labels.

Every action given to `record()` anywhere needs a line here (tests/api/test_audit.py fails for
an action without one), so no page shows a raw code.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    # Account events: the account's own page (/account/activity).
    "auth.account_created": _l("Account created"),
    "auth.signup_existing_email": _l("Someone tried to sign up with this account's email"),
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "auth.sign_in_limited": _l("Sign-in refused after too many failures"),
    "auth.reauth_failed": _l("Wrong password on confirmation"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_change_failed": _l("Wrong current password when changing it"),
    "auth.signed_out": _l("Signed out"),
    "auth.signed_out_everywhere": _l("Signed out everywhere"),
    "auth.device_ended": _l("Device signed out"),
    "snapshot.key_fetched": _l("Offline key downloaded"),
    # Workspace events: the workspace's page.
    "workspace.created": _l("Workspace created"),
    "workspace.unlock_policy_changed": _l("Unlock rule changed"),
    "member.added": _l("Member added"),
    "member.role_changed": _l("Role changed"),
    "member.removed": _l("Member removed"),
    "invitation.created": _l("Invitation created"),
    "invitation.revoked": _l("Invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.signup_existing_email": _l("Sign-up through an invitation with a taken email"),
    "sync.mutation": _l("Directory changed"),
    "snapshot.fetched": _l("Offline copy downloaded"),
    "poster.viewed": _l("Office poster opened"),
    "poster.contacts_chosen": _l("Contacts on the office poster chosen"),
    "push.alert_sent": _l("Crisis alert sent"),
    "porting.exported": _l("Directory exported to a file"),
    "import.previewed": _l("Contacts file read for import"),
    "import.applied": _l("Contacts imported"),
}

# The kinds of synced records, for the details of a `sync.mutation` event.
RECORD_TYPES = {
    "contact": _l("contact"),
    "playbook": _l("playbook"),
    "incident": _l("incident"),
    "incident_entry": _l("incident entry"),
}

OPERATIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
}


def audit_label(action: str) -> str:
    """Return an audit action's description in the reader's language."""
    label = LABELS.get(action)
    return str(label) if label is not None else action
