"""Secrets kept in the instance folder: created on first run, 0600, never in the repository."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create(path: Path, size: int = 32) -> bytes:
    """Return the random secret in `path`, creating it with mode 0600 if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = path.read_bytes()
        if len(data) != size:
            raise RuntimeError(
                f"{path} is damaged: expected {size} bytes, found {len(data)}"
            ) from None
        return data
    data = secrets.token_bytes(size)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return data


def instance_keys(instance_path: str) -> dict[str, bytes]:
    """Return the Flask secret key and the server master key of an instance folder."""
    folder = Path(instance_path)
    return {
        "secret_key": load_or_create(folder / "secret_key"),
        "master_key": load_or_create(folder / "master.key"),
    }
