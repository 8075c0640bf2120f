"""The instance folder holds the database and the keys: only its owner may read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh process so that its umask is its own; prints the mode of everything in the
# instance folder while a connection holds a write open (so -wal and -shm exist).
SCRIPT = textwrap.dedent(
    """
    import json, os, sqlite3, stat, sys
    from pathlib import Path

    os.umask(int(sys.argv[1], 8))
    instance = Path(os.environ["ENLACE_INSTANCE_PATH"])
    if sys.argv[2] == "init":
        from webapp.cli import main
        try:
            main(["init"], standalone_mode=False)
        except SystemExit as exit:
            assert not exit.code, exit.code
    else:
        from webapp import create_app
        from webapp.db import get_engine
        from webapp.migrations import upgrade
        upgrade(get_engine(create_app()))
    connection = sqlite3.connect(instance / "enlace.db")
    connection.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    connection.execute("BEGIN")
    connection.execute("INSERT INTO probe VALUES (1)")
    modes = {".": oct(stat.S_IMODE(instance.stat().st_mode))}
    modes.update(
        {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in sorted(instance.iterdir())}
    )
    connection.rollback()
    connection.close()
    print(json.dumps(modes))
    """
)


def modes_after_start(instance: Path, umask: int, how: str) -> dict[str, str]:
    """Start Enlace (`enlace init` or create_app) on `instance` under `umask`; return modes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENLACE_")}
    env.update({"ENLACE_INSTANCE_PATH": str(instance), "PYTHONPATH": str(ROOT)})
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, oct(umask), how],
        env=env,
        cwd=instance.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("how", ["init", "create_app"])
@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_a_new_instance_folder_is_readable_by_its_owner_only(tmp_path, umask, how):
    modes = modes_after_start(tmp_path / "instance", umask, how)
    assert modes.pop(".") == "0o700"
    assert {"enlace.db", "enlace.db-wal", "enlace.db-shm", "secret_key", "master.key"} <= set(modes)
    assert modes == dict.fromkeys(modes, "0o600")


@pytest.mark.slow
def test_looser_permissions_of_an_existing_instance_are_tightened_on_start(tmp_path):
    instance = tmp_path / "instance"
    modes_after_start(instance, 0o022, "init")
    instance.chmod(0o755)
    for path in instance.iterdir():
        path.chmod(0o644)
    (instance / "enlace.db-wal").write_bytes(b"")
    (instance / "enlace.db-wal").chmod(0o666)
    (instance / "notes.txt").write_text("left here by someone")
    (instance / "notes.txt").chmod(0o644)
    modes = modes_after_start(instance, 0o000, "create_app")
    assert modes.pop(".") == "0o700"
    assert "notes.txt" in modes
    assert modes == dict.fromkeys(modes, "0o600")
