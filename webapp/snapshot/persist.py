"""Patchable snapshot documents kept in the instance folder, so that a new process (a restart, a
new gunicorn worker) patches the last one saved instead of serializing every record again.

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
from webapp.snapshot import document

# Bump when a record's JSON in the snapshot changes in a way the fields below do not show.
FORMAT = 2
_KEY_LABEL = b"enlace-snapshot-document:v1"
_RECORD = struct.Struct("<16sQ?")  # id, version, ends a chunk


def _fingerprint() -> str:
    """What the saved JSON depends on besides the records: formats, fields, phone formatting."""
    fields = {name: list(model.FIELDS) for name, model in ENTITY_TYPES.items()}  # type: ignore[attr-defined]
    facts = [FORMAT, document.CHUNK, document.MAX_CHUNK, document.LEVEL, fields]
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


def dump(doc: document.Document) -> bytes:
    """Return the document's bytes: a JSON header, then each chunk's records and piece."""
    blobs: list[bytes] = []
    collections = []
    for collection in doc.collections:
        chunks = []
        for chunk in collection.chunks:
            assert chunk.piece is not None, "only a packed document is saved"
            piece = chunk.piece
            if chunk.saved is None:
                chunk.saved = b"".join(_RECORD.pack(r[0].bytes, r[1], r[2]) for r in chunk.records)
            blobs.append(chunk.saved)
            blobs.append(piece.data)
            chunks.append(
                [len(chunk.records), len(piece.data), piece.raw_size, piece.crc, piece.shift]
            )
        collections.append(
            {"type": collection.entity_type, "name": collection.name, "chunks": chunks}
        )
    header = json.dumps(
        {"fingerprint": FINGERPRINT, "revision": doc.revision, "collections": collections}
    ).encode()
    return struct.pack("<I", len(header)) + header + b"".join(blobs)


def load(data: bytes) -> document.Document | None:
    """Return the document saved in `data`, or None when it was saved by other code."""
    (size,) = struct.unpack_from("<I", data)
    header: dict[str, Any] = json.loads(data[4 : 4 + size])
    if header.get("fingerprint") != FINGERPRINT:
        return None
    offset = 4 + size
    collections = []
    for saved in header["collections"]:
        collection = document.Collection(saved["type"], saved["name"], [])
        before: document.Chunk | None = None
        for count, length, raw_size, crc, shift in saved["chunks"]:
            end = offset + count * _RECORD.size
            saved_records = data[offset:end]
            records = [
                (uuid.UUID(bytes=raw_id), version, ends)
                for raw_id, version, ends in _RECORD.iter_unpack(saved_records)
            ]
            offset = end
            piece = document.Piece(data[offset : offset + length], raw_size, crc, shift)
            offset += length
            chunk = document.Chunk(records, piece=piece, after=before.stamp if before else None)
            chunk.saved = saved_records
            collection.chunks.append(chunk)
            collection.where.update((record[0], chunk) for record in records)
            before = chunk
        collections.append(collection)
    return document.Document(header["revision"], collections)


def save(workspace_id: uuid.UUID, country: str, kind: str, doc: document.Document) -> None:
    """Write the document for processes to come (atomically; a failure only loses the copy)."""
    path = _path(workspace_id, country, kind)
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        nonce = os.urandom(12)
        sealed = nonce + _key().encrypt(nonce, dump(doc), _aad(path))
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(sealed)
        os.replace(temporary, path)
    except OSError as error:
        current_app.logger.warning("snapshot document not saved: %s", error)


def restore(workspace_id: uuid.UUID, country: str, kind: str) -> document.Document | None:
    """Return the document saved for the class, or None (none, another code's, or unreadable)."""
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
    """Remove the saved document (it is of a revision the database does not have)."""
    _path(workspace_id, country, kind).unlink(missing_ok=True)
