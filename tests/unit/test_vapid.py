"""The VAPID key in the instance folder and the VAPID subject setting."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from webapp.config import from_env, vapid_subject
from webapp.keys import VAPID_FILE, vapid_key, vapid_public_key
from webapp.push.service import topic


def test_the_vapid_key_is_made_once_0600_and_kept(tmp_path):
    first = vapid_key(str(tmp_path))
    path = tmp_path / VAPID_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert vapid_public_key(vapid_key(str(tmp_path))) == vapid_public_key(first)
    assert len(vapid_public_key(first)) == 87  # 65 bytes, base64url without padding


def test_a_damaged_vapid_key_stops_the_start(tmp_path):
    (tmp_path / VAPID_FILE).write_bytes(b"not a key")
    with pytest.raises(ValueError):
        vapid_key(str(tmp_path))


def test_init_creates_the_vapid_key_of_an_existing_instance(app, runner):
    from webapp.cli import main

    (Path(app.instance_path) / VAPID_FILE).unlink()  # an instance from before push
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "VAPID public key" in result.output
    assert stat.S_IMODE((Path(app.instance_path) / VAPID_FILE).stat().st_mode) == 0o600


@pytest.mark.parametrize("subject", ["mailto:ops@example.com", "https://example.com/contact"])
def test_a_mailto_or_https_subject_is_taken(subject):
    assert vapid_subject(subject) == subject
    assert from_env({"ENLACE_VAPID_SUBJECT": subject})["VAPID_SUBJECT"] == subject


@pytest.mark.parametrize("subject", ["ops@example.com", "http://example.com", "mailto:", ""])
def test_another_subject_is_refused(subject):
    with pytest.raises(ValueError, match="ENLACE_VAPID_SUBJECT"):
        from_env({"ENLACE_VAPID_SUBJECT": subject})


def test_the_topic_is_32_url_safe_characters_per_workspace():
    import re
    import uuid

    one, other = uuid.uuid4(), uuid.uuid4()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", topic(one))
    assert topic(one) == topic(one) != topic(other)
