"""Two devices of one user asking for the first snapshot key at once get the same key.

Found by bench/load_faults.py: both devices of a user signing in together each got a key, and
the one written first was replaced at once, so that device's envelopes never opened (the app
then wipes its copy and downloads it again; a mutation it sealed meanwhile cannot be opened by
the server).
"""

from __future__ import annotations

import pytest

from webapp.auth.models import User
from webapp.auth.service import ensure_key
from webapp.db import session_scope


def test_a_key_made_meanwhile_by_another_request_is_kept(app, backend, make_user):
    if backend == "sqlite":
        pytest.skip("SQLite's BEGIN IMMEDIATE serializes the two requests before they read")
    user = make_user()
    with app.app_context(), session_scope(app) as late:
        # The later request has loaded its user (current_user), without a key, before the
        # other one commits; its session keeps the object (expire_on_commit is off).
        current = late.get(User, user.id)
        assert current is not None and current.snapshot_kid is None
        with session_scope(app) as early:
            ensure_key(early, user.id)
            made = early.get(User, user.id).snapshot_kid  # type: ignore[union-attr]
        ensure_key(late, user.id)
        given = current.snapshot_kid
    with app.app_context(), session_scope(app) as session:
        stored = session.get(User, user.id).snapshot_kid  # type: ignore[union-attr]
    assert made is not None
    assert given == made
    assert stored == made
