"""Snapshot checkpoints kept in the instance folder, so that a new process (a restart, a new
gunicorn worker) adds the tail to the last one saved instead of compacting every record again.

One file per (workspace, country, class) under `<instance>/snapshots/`, written whole to a
temporary file then renamed (readers never see half a file), AES-256-GCM under a key derived
from the server's master key, bound to its name by the AAD: the instance folder already holds
the SQLite database in clear, but a PostgreSQL deployment keeps no directory data on the app's
disk otherwise. A file of another format, another code's record layout (`FINGERPRINT`), or
one that does not open is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
import uuid
from pathlib import Path
from typing import Any

import phonenumbers
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from webapp.directory.models import ENTITY_TYPES
from webapp.snapshot import compact, document

# Bump when a record's JSON in the snapshot changes in a way the fields below do not show.
FORMAT = 3
_KEY_LABEL = b"enlace-snapshot-document:v1"


def _fingerprint() -> str:
    """What the saved JSON depends on besides the records: formats, fields, phone formatting."""
    fields = {name: list(model.FIELDS) for name, model in ENTITY_TYPES.items()}  # type: ignore[attr-defined]
    facts = [FORMAT, compact.FORMAT, document.LEVEL, document.WINDOW, fields]
    facts.append(phonenumbers.__version__)
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


FINGERPRINT = _fingerprint()


def folder() -> Path:
    return Path(current_app.instance_path) / "snapshots"


def _path(workspace_id: uuid.UUID, country: str, kind: str) -> Path:
    return folder() / f"{workspace_id}-{country or 'none'}-{kind}.doc"


def _key() -> AESGCM:
    master = current_app.config["MASTER_KEY"]
    return AESGCM(hmac.new(master, _KEY_LABEL, hashlib.sha256).digest())


def _aad(path: Path) -> bytes:
    return f"enlace-snapshot-document:v{FORMAT}:{path.name}".encode()


def dump(checkpoint: document.Checkpoint) -> bytes:
    """Return the checkpoint's bytes: a JSON header, the body piece, the tail's dictionary."""
    body = checkpoint.body
    header = json.dumps(
        {
            "fingerprint": FINGERPRINT,
            "revision": checkpoint.revision,
            "records": checkpoint.records,
            "body": [len(body.data), body.raw_size, body.crc, body.shift],
        }
    ).encode()
    return struct.pack("<I", len(header)) + header + body.data + checkpoint.window


def load(data: bytes) -> document.Checkpoint | None:
    """Return the checkpoint saved in `data`, or None when it was saved by other code."""
    (size,) = struct.unpack_from("<I", data)
    header: dict[str, Any] = json.loads(data[4 : 4 + size])
    if header.get("fingerprint") != FINGERPRINT:
        return None
    length, raw_size, crc, shift = header["body"]
    start = 4 + size
    body = document.Piece(data[start : start + length], raw_size, crc, shift)
    window = data[start + length :]
    if len(body.data) != length or len(window) != min(raw_size, document.WINDOW):
        raise ValueError("a checkpoint cut short")
    return document.Checkpoint(header["revision"], body, window, header["records"])


def save(workspace_id: uuid.UUID, country: str, kind: str, checkpoint: document.Checkpoint) -> None:
    """Write the checkpoint for processes to come (atomically; a failure only loses the copy)."""
    path = _path(workspace_id, country, kind)
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        nonce = os.urandom(12)
        sealed = nonce + _key().encrypt(nonce, dump(checkpoint), _aad(path))
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(sealed)
        os.replace(temporary, path)
    except OSError as error:
        current_app.logger.warning("snapshot checkpoint not saved: %s", error)


def restore(workspace_id: uuid.UUID, country: str, kind: str) -> document.Checkpoint | None:
    """Return the checkpoint saved for the class, or None (none, another code's, unreadable)."""
    path = _path(workspace_id, country, kind)
    try:
        sealed = path.read_bytes()
    except OSError:
        return None
    try:
        return load(_key().decrypt(sealed[:12], sealed[12:], _aad(path)))
    except (InvalidTag, ValueError, KeyError, TypeError, struct.error):
        return None


def forget(workspace_id: uuid.UUID, country: str, kind: str) -> None:
    """Remove the saved checkpoint (it is of a revision the database does not have)."""
    _path(workspace_id, country, kind).unlink(missing_ok=True)
