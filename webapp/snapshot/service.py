"""The encrypted offline snapshot: per-user keys, the shared plaintext, the per-user envelope.

The plaintext of a revision is built once per visibility class (with or without restricted
records) and cached; only the AES-256-GCM encryption is done per user.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.db import utcnow
from webapp.directory.models import ENTITY_TYPES
from webapp.directory.service import iso, list_changes, only_visible, raw_columns, raw_data
from webapp.encoding import b64url, b64url_decode
from webapp.jsonprovider import dumps_bytes
from webapp.workspaces.models import Workspace

log = logging.getLogger(__name__)

ENVELOPE_VERSION = 1
# Each type's records are listed under its table's name ("contacts", "incident_entries").
COLLECTIONS = {entity_type: model.__tablename__ for entity_type, model in ENTITY_TYPES.items()}  # type: ignore[attr-defined]


# --- the plaintext, shared by every member of a visibility class --------------------------


K = TypeVar("K")


class LRU(Generic[K]):
    """Bytes by key in process memory, the least recently used forgotten past `size` entries;
    safe to share between a process's threads."""

    def __init__(self, size: int):
        self._lock = threading.Lock()
        self._items: OrderedDict[K, bytes] = OrderedDict()
        self._size = size

    def get_many(self, keys: list[K]) -> dict[K, bytes]:
        """Return those of the keys it holds, each now the most recently used."""
        with self._lock:
            found = {key: self._items[key] for key in keys if key in self._items}
            for key in found:
                self._items.move_to_end(key)
            return found

    def put_many(self, items: dict[K, bytes]) -> None:
        """Keep the items as the most recently used, forgetting the oldest past the size."""
        with self._lock:
            for key, value in items.items():
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class PlaintextCache:
    """Built snapshots by (workspace, revision, class): in process memory, or Redis if set.

    Redis is only a cache: an error reading or writing it is a miss, and for the next
    `REDIS_PAUSE_SECONDS` the process memory serves instead (no request waits on a Redis that
    is down). Keys name one revision's content, so either copy is right.
    """

    REDIS_PAUSE_SECONDS = 10.0

    def __init__(self, redis_url: str = "", size: int = 64):
        self._memory: LRU[str] = LRU(size)
        self._redis = None
        self._redis_paused_until = 0.0
        if redis_url:
            import redis

            from webapp.config import REDIS_TIMEOUTS

            self._redis = redis.Redis.from_url(redis_url, **REDIS_TIMEOUTS)

    def _shared(self):  # type: ignore[no-untyped-def]
        if self._redis is None or time.monotonic() < self._redis_paused_until:
            return None
        return self._redis

    def _pause(self, error: Exception) -> None:
        log.warning("snapshot cache: Redis unavailable, using process memory: %r", error)
        self._redis_paused_until = time.monotonic() + self.REDIS_PAUSE_SECONDS

    def get(self, key: str) -> bytes | None:
        shared = self._shared()
        if shared is not None:
            try:
                return shared.get("enlace:snapshot:" + key)
            except RedisError as error:
                self._pause(error)
        return self._memory.get_many([key]).get(key)

    def put(self, key: str, value: bytes) -> None:
        shared = self._shared()
        if shared is not None:
            try:
                shared.set("enlace:snapshot:" + key, value, ex=3600)
                return
            except RedisError as error:
                self._pause(error)
        self._memory.put_many({key: value})


def cache() -> PlaintextCache:
    """Return the app's plaintext cache."""
    ext = current_app.extensions
    if "enlace_snapshot_cache" not in ext:
        ext["enlace_snapshot_cache"] = PlaintextCache(current_app.config["REDIS_URL"])
    return ext["enlace_snapshot_cache"]


class RecordCache(LRU[tuple[str, uuid.UUID, int, str]]):
    """JSON of each record version by (type, id, version, country), shared by every snapshot
    that holds it.

    A record's JSON depends only on its id and version (every change bumps the version) and on
    the workspace's country (its phones' `display`), so a snapshot after one change serializes
    one record and reuses the other thousands, and a change of country serializes them afresh.
    """

    def __init__(self, size: int = 200_000):
        super().__init__(size)


def record_cache() -> RecordCache:
    """Return the app's record cache (process memory)."""
    ext = current_app.extensions
    if "enlace_record_cache" not in ext:
        ext["enlace_record_cache"] = RecordCache()
    return ext["enlace_record_cache"]


def _records(session: Session, workspace: Workspace, entity_type: str, full: bool) -> list[bytes]:
    """Return the JSON of the type's live records that the class may see, by revision."""
    model = ENTITY_TYPES[entity_type]
    table = model.__table__  # type: ignore[attr-defined]
    query = select(table.c.id, table.c.version).where(
        table.c.workspace_id == workspace.id, table.c.deleted.is_(False)
    )
    query = only_visible(query, model, full)
    country = workspace.country
    keys = [
        (entity_type, row.id, row.version, country)
        for row in session.execute(query.order_by(table.c.revision))
    ]
    store = record_cache()
    found = store.get_many(keys)
    missing = [key[1] for key in keys if key not in found]
    columns = raw_columns(entity_type)
    if len(missing) > len(keys) // 2:
        # A cold cache (a fresh process): one scan beats hundreds of id look-ups.
        batches = [session.execute(select(*columns).where(query.whereclause))]
    else:
        batches = [
            session.execute(select(*columns).where(table.c.id.in_(missing[start : start + 500])))
            for start in range(0, len(missing), 500)
        ]
    for rows in batches:
        # Plain rows, not ORM objects: thousands of records, none of them changed here.
        built = {
            (entity_type, row.id, row.version, country): dumps_bytes(
                {
                    "id": str(row.id),
                    "version": row.version,
                    "revision": row.revision,
                    **raw_data(entity_type, row, country),
                }
            )
            for row in rows
            if (entity_type, row.id, row.version, country) not in found
        }
        store.put_many(built)
        found.update(built)
    return [found[key] for key in keys]


def build_document(session: Session, workspace: Workspace, full: bool) -> bytes:
    """Return the JSON of everything a member of the class may see, at the revision."""
    head = {
        "v": ENVELOPE_VERSION,
        "workspace": {
            "id": str(workspace.id),
            "name": workspace.name,
            "country": workspace.country,
            "city": workspace.city,
            "timezone": workspace.timezone,
        },
        "revision": workspace.revision,
        "generated_at": iso(utcnow()),
    }
    parts = [dumps_bytes(head)[:-1]]
    for entity_type, collection in COLLECTIONS.items():
        records = _records(session, workspace, entity_type, full)
        parts.append(b',"' + collection.encode() + b'":[' + b",".join(records) + b"]")
    parts.append(b"}")
    return b"".join(parts)


def _class(full: bool) -> str:
    return "full" if full else "team"


def plaintext(session: Session, workspace: Workspace, full: bool) -> bytes:
    """Return gzip(JSON) of the snapshot for the class, built once per revision and country
    (the phones' `display` depend on it)."""
    key = f"{workspace.id}:{workspace.revision}:{workspace.country}:{_class(full)}"
    store = cache()
    data = store.get(key)
    if data is None:
        raw = build_document(session, workspace, full)
        data = gzip.compress(raw, compresslevel=6, mtime=0)
        store.put(key, data)
    return data


def delta_plaintext(
    session: Session, workspace: Workspace, full: bool, since: int, page_size: int
) -> bytes | None:
    """Return gzip(JSON `{"changes": [...]}`) from revision `since` to now, for the class.

    The changes are exactly what `POST /api/v1/sync` returns from cursor `since`, every page in
    revision order. None when the delta would not be smaller than half the full snapshot: the
    device is then better served by the full one (docs/ARCHITECTURE.md).
    """
    key = f"{workspace.id}:{since}:{workspace.revision}:{workspace.country}:{_class(full)}:delta"
    store = cache()
    data = store.get(key)
    if data is None:
        changes: list[dict[str, Any]] = []
        cursor, more = since, True
        while more:
            page, cursor, more = list_changes(session, workspace, full, cursor, page_size)
            changes.extend(page)
        data = gzip.compress(dumps_bytes({"changes": changes}), compresslevel=6, mtime=0)
        store.put(key, data)
    if len(data) * 2 >= len(plaintext(session, workspace, full)):
        return None
    return data


# --- the per-user envelope ------------------------------------------------------------------


def aad(user_id: uuid.UUID, workspace_id: uuid.UUID, revision: int) -> str:
    """Return the associated data that binds an envelope to user, workspace and revision."""
    return f"enlace-snapshot:v1:{user_id}:{workspace_id}:{revision}"


def delta_aad(user_id: uuid.UUID, workspace_id: uuid.UUID, base: int, revision: int) -> str:
    """Return the associated data of a delta: user, workspace, and the revisions it spans."""
    return f"enlace-delta:v1:{user_id}:{workspace_id}:{base}:{revision}"


def etag(kid: str, revision: int, full: bool, country: str, base: int | None = None) -> str:
    """Return the envelope's entity tag: it changes with the revision, the key, the class and
    the workspace's country (which the phones' `display` are written for)."""
    tag = f"{revision}-{kid}-{'f' if full else 't'}-{country}"
    return tag if base is None else f"{base}-{tag}"


def rendered_for(country: str, held: Iterable[str]) -> bool:
    """Tell whether a device whose last answers were tagged `held` holds a copy whose phones'
    `display` were written for `country`.

    A copy rendered for another country (the workspace's changed since), or before `display`
    existed (a tag without a country), needs the full snapshot: a delta would leave its
    unchanged records as they were.
    """
    return any(tag.endswith("-" + country) for tag in held)


def envelope(
    user: User,
    workspace: Workspace,
    data: bytes,
    kid: str,
    key: bytes,
    base: int | None = None,
) -> dict[str, Any]:
    """Encrypt the plaintext for one user: a full snapshot, or a delta from revision `base`."""
    iv = os.urandom(12)
    if base is None:
        associated = aad(user.id, workspace.id, workspace.revision)
    else:
        associated = delta_aad(user.id, workspace.id, base, workspace.revision)
    ciphertext = AESGCM(key).encrypt(iv, data, associated.encode())
    body: dict[str, Any] = {
        "v": ENVELOPE_VERSION,
        "alg": "A256GCM",
        "kid": kid,
        "revision": workspace.revision,
    }
    if base is not None:
        body["base"] = base
    body.update({"iv": b64url(iv), "aad": associated, "ciphertext": b64url(ciphertext)})
    return body


def open_envelope(body: dict[str, Any], key: bytes) -> dict[str, Any]:
    """Decrypt an envelope (what the browser does); used by tests and tools."""
    data = AESGCM(key).decrypt(
        b64url_decode(body["iv"]), b64url_decode(body["ciphertext"]), body["aad"].encode()
    )
    return json.loads(gzip.decompress(data))
