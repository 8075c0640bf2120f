"""The demo workspace and user that `make run` starts with."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app

from webapp.auth import service as auth_service
from webapp.db import session_scope
from webapp.workspaces import service as workspaces

DEMO_EMAIL = "demo@enlace.example"
DEMO_NAME = "Demo Community Manager"
DEMO_WORKSPACE = "Demo — Enlace"


def demo_password(instance_path: str) -> str:
    """Return the demo password kept in the instance folder (0600), creating a random one."""
    path = Path(instance_path) / "demo-credentials"
    if path.exists():
        return path.read_text().strip()
    password = "-".join(secrets.token_hex(3) for _ in range(3))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def ensure_demo() -> dict[str, str]:
    """Create the demo user and its workspace when missing; return the sign-in."""
    password = demo_password(current_app.instance_path)
    with session_scope() as session:
        user = auth_service.find_user(session, DEMO_EMAIL)
        if user is None:
            user = auth_service.create_user(session, DEMO_EMAIL, DEMO_NAME, password)
        elif not auth_service.verify_password(user, password):
            # The credentials file was lost: give the demo account the password printed now.
            user.password_hash = auth_service.hash_password(password)
        if not workspaces.memberships_of(session, user):
            workspaces.create_workspace(
                session, DEMO_WORKSPACE, user, "MX", "Ciudad de México", "America/Mexico_City"
            )
    return {"email": DEMO_EMAIL, "password": password}
