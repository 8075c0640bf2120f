"""The encrypted offline snapshot: per-user keys, the shared plaintext, the per-user envelope.

The plaintext of a revision is made once per visibility class (with or without restricted
records) and cached; only the AES-256-GCM encryption is done per user. It is patched from the
previous revision's (`document.py`), not rebuilt, and each record's JSON is kept once
(`RecordCache`); both caches are bounded in bytes (ENLACE_RECORD_CACHE_MB,
ENLACE_SNAPSHOT_CACHE_MB).
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
from typing import Any, Generic, NamedTuple, TypeVar

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
from webapp.snapshot import document
from webapp.workspaces.models import Workspace

log = logging.getLogger(__name__)

ENVELOPE_VERSION = 1
# The binary envelope: its media type (asked for with Accept) and first bytes.
BINARY_TYPE = "application/vnd.enlace.envelope"
BINARY_MAGIC = b"ENV1"
# Each type's records are listed under its table's name ("contacts", "incident_entries").
COLLECTIONS = {entity_type: model.__tablename__ for entity_type, model in ENTITY_TYPES.items()}  # type: ignore[attr-defined]


# --- the plaintext, shared by every member of a visibility class --------------------------


K = TypeVar("K")


def _sizeof(value: Any) -> int:
    return len(value) if isinstance(value, bytes) else int(value.nbytes)


class LRU(Generic[K]):
    """Values by key in process memory, at most `max_bytes` of them (`len` of bytes, `nbytes`
    of anything else, plus `overhead` per entry): the least recently used are forgotten first,
    and a value larger than the whole cap is not kept. Safe to share between a process's
    threads; `stats()` tells how full it is."""

    def __init__(self, max_bytes: int, overhead: int = 0):
        self._lock = threading.Lock()
        self._items: OrderedDict[K, Any] = OrderedDict()
        self._sizes: dict[K, int] = {}
        self._bytes = 0
        self._overhead = overhead
        self.max_bytes = max_bytes
        self._evictions = 0

    def get_many(self, keys: Iterable[K]) -> dict[K, Any]:
        """Return those of the keys it holds, each now the most recently used."""
        with self._lock:
            found = {key: self._items[key] for key in keys if key in self._items}
            for key in found:
                self._items.move_to_end(key)
            return found

    def get(self, key: K) -> Any:
        return self.get_many([key]).get(key)

    def put_many(self, items: dict[K, Any]) -> None:
        """Keep the items as the most recently used, forgetting the oldest past the cap."""
        with self._lock:
            for key, value in items.items():
                self._forget(key)
                size = _sizeof(value) + self._overhead
                if size > self.max_bytes:
                    continue
                self._items[key] = value
                self._sizes[key] = size
                self._bytes += size
            while self._bytes > self.max_bytes:
                oldest = next(iter(self._items))
                self._forget(oldest)
                self._evictions += 1

    def put(self, key: K, value: Any) -> None:
        self.put_many({key: value})

    def discard(self, key: K) -> None:
        with self._lock:
            self._forget(key)

    def _forget(self, key: K) -> None:
        if key in self._items:
            del self._items[key]
            self._bytes -= self._sizes.pop(key)

    def stats(self) -> dict[str, int]:
        """Return its entries, the bytes they count for, its cap and how many were forgotten."""
        with self._lock:
            return {
                "entries": len(self._items),
                "bytes": self._bytes,
                "max_bytes": self.max_bytes,
                "evictions": self._evictions,
            }


MB = 1024 * 1024


class PlaintextCache:
    """Built snapshots by (workspace, revision, class): in process memory (at most `max_bytes`
    with the patchable documents, `documents`), or Redis if set (the documents stay here).

    Redis is only a cache: an error reading or writing it is a miss, and for the next
    `REDIS_PAUSE_SECONDS` the process memory serves instead (no request waits on a Redis that
    is down). Keys name one revision's content, so either copy is right.
    """

    REDIS_PAUSE_SECONDS = 10.0

    def __init__(self, redis_url: str = "", max_bytes: int = 64 * MB):
        self.memory: LRU[Any] = LRU(max_bytes, overhead=200)
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
        return self.memory.get(key)  # type: ignore[no-any-return]

    def put(self, key: str, value: bytes) -> None:
        shared = self._shared()
        if shared is not None:
            try:
                shared.set("enlace:snapshot:" + key, value, ex=3600)
                return
            except RedisError as error:
                self._pause(error)
        self.memory.put(key, value)


def cache() -> PlaintextCache:
    """Return the app's plaintext cache (ENLACE_SNAPSHOT_CACHE_MB)."""
    ext = current_app.extensions
    if "enlace_snapshot_cache" not in ext:
        ext["enlace_snapshot_cache"] = PlaintextCache(
            current_app.config["REDIS_URL"], current_app.config["SNAPSHOT_CACHE_MB"] * MB
        )
    return ext["enlace_snapshot_cache"]  # type: ignore[no-any-return]


RecordKey = tuple[str, uuid.UUID, int, str]


class RecordCache(LRU[RecordKey]):
    """JSON of each record version by (type, id, version, country), shared by every snapshot
    that holds it, at most `max_bytes` (ENLACE_RECORD_CACHE_MB).

    A record's JSON depends only on its id and version (every change bumps the version) and on
    the workspace's country (its phones' `display`), so a snapshot after one change serializes
    one record and reuses the other thousands, and a change of country serializes them afresh.
    Each entry counts its JSON and about 250 bytes of key and bookkeeping.
    """

    def __init__(self, max_bytes: int = 96 * MB):
        super().__init__(max_bytes, overhead=250)


def record_cache() -> RecordCache:
    """Return the app's record cache (process memory)."""
    ext = current_app.extensions
    if "enlace_record_cache" not in ext:
        ext["enlace_record_cache"] = RecordCache(current_app.config["RECORD_CACHE_MB"] * MB)
    return ext["enlace_record_cache"]  # type: ignore[no-any-return]


def cache_stats() -> dict[str, dict[str, int]]:
    """Return how full this process's snapshot caches are (entries, bytes, cap, evictions)."""
    return {"records": record_cache().stats(), "snapshots": cache().memory.stats()}


def record_json(entity_type: str, row: Any, country: str | None) -> bytes:
    """Return a record's JSON as the snapshot lists it, in a bytes object of its exact size
    (orjson's own output keeps the allocation it grew into: 4-8 KB for 0.9 KB of JSON)."""
    data = dumps_bytes(
        {
            "id": str(row.id),
            "version": row.version,
            "revision": row.revision,
            **raw_data(entity_type, row, country),
        }
    )
    return memoryview(data).tobytes()


class Outdated(Exception):
    """The process's document is newer than the revision this transaction reads."""


def _table(entity_type: str) -> Any:
    return ENTITY_TYPES[entity_type].__table__  # type: ignore[attr-defined]


def _resolver(session: Session, workspace: Workspace) -> document.Resolver:
    """Return how a document finds its records' JSON: the record cache, else the database."""
    country = workspace.country
    store = record_cache()

    def resolve(entity_type: str, wanted: list[tuple[uuid.UUID, int]]) -> dict[Any, bytes]:
        keys = [(entity_type, record_id, version, country) for record_id, version in wanted]
        found = {(key[1], key[2]): value for key, value in store.get_many(keys).items()}
        missing = [record_id for record_id, version in wanted if (record_id, version) not in found]
        table = _table(entity_type)
        columns = raw_columns(entity_type)
        for start in range(0, len(missing), 500):
            built: dict[RecordKey, bytes] = {}
            query = select(*columns).where(
                table.c.workspace_id == workspace.id, table.c.id.in_(missing[start : start + 500])
            )
            for row in session.execute(query):
                built[(entity_type, row.id, row.version, country)] = record_json(
                    entity_type, row, country
                )
            store.put_many(built)
            found.update({(key[1], key[2]): value for key, value in built.items()})
        if len(found) < len(set(wanted)):
            raise Outdated("a record changed after the document's revision")
        return found

    return resolve


def _build(session: Session, workspace: Workspace, full: bool) -> document.Document:
    """Build the class's document at the workspace's revision from scratch."""
    collections = []
    found: dict[Any, bytes] = {}
    country = workspace.country
    store = record_cache()
    for entity_type, name in COLLECTIONS.items():
        model, table = ENTITY_TYPES[entity_type], _table(entity_type)
        live = (table.c.workspace_id == workspace.id) & table.c.deleted.is_(False)
        query = only_visible(select(table.c.id, table.c.version).where(live), model, full)
        rows = session.execute(query.order_by(table.c.revision)).all()
        records = [(row.id, row.version, document.ends_chunk(row.id)) for row in rows]
        keys = [(entity_type, row.id, row.version, country) for row in rows]
        cached = store.get_many(keys)
        if len(keys) - len(cached) > len(keys) // 2:
            # A cold cache (a fresh process): one scan beats hundreds of id look-ups. Plain
            # rows, not ORM objects: thousands of records, none of them changed here.
            scan = only_visible(select(*raw_columns(entity_type)).where(live), model, full)
            for rows_part in session.execute(scan).partitions(1000):
                built = {}
                for row in rows_part:
                    key = (entity_type, row.id, row.version, country)
                    value = cached.get(key)
                    if value is None:
                        value = built[key] = record_json(entity_type, row, country)
                    found[(entity_type, row.id, row.version)] = value
                store.put_many(built)
        else:
            found.update({(key[0], key[1], key[2]): value for key, value in cached.items()})
        collections.append(document.Collection(entity_type, name, records))
    built_document = document.Document(workspace.revision, collections)
    resolve = _resolver(session, workspace)

    def from_scan(entity_type: str, wanted: list[tuple[uuid.UUID, int]]) -> dict[Any, bytes]:
        hits = {key: found.get((entity_type, *key)) for key in wanted}
        missing = [key for key, value in hits.items() if value is None]
        if missing:
            hits.update(resolve(entity_type, missing))
        return hits  # type: ignore[return-value]

    for collection in collections:
        collection.pack(from_scan)
    return built_document


def _patch(session: Session, workspace: Workspace, full: bool, doc: document.Document) -> bool:
    """Bring the document from its revision to the workspace's; False when rebuilding is
    cheaper (more records changed than half of those it holds)."""
    changes = []
    total = 0
    for collection in doc.collections:
        model, table = ENTITY_TYPES[collection.entity_type], _table(collection.entity_type)
        since = (table.c.workspace_id == workspace.id) & (table.c.revision > doc.revision)
        changed = list(session.scalars(select(table.c.id).where(since)))
        appended: list[document.Record] = []
        if changed:
            query = only_visible(
                select(table.c.id, table.c.version).where(since & table.c.deleted.is_(False)),
                model,
                full,
            )
            appended = [
                (row.id, row.version, document.ends_chunk(row.id))
                for row in session.execute(query.order_by(table.c.revision))
            ]
        total += len(changed)
        changes.append((collection, changed, appended))
    if total > max(64, sum(len(c) for c in doc.collections) // 2):
        return False
    for collection, changed, appended in changes:
        collection.patch(changed, appended)
    doc.revision = workspace.revision
    resolve = _resolver(session, workspace)
    for collection in doc.collections:
        collection.pack(resolve)
    return True


def _head(workspace: Workspace) -> dict[str, Any]:
    return {
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


def _document(
    session: Session, workspace: Workspace, full: bool
) -> tuple[document.Document, document.Piece]:
    """Return the class's document at the workspace's revision, patched from the one this
    process holds when it can, and the revision's head piece; the caller holds `doc.lock`."""
    key = ("document", workspace.id, workspace.country, _class(full))
    store = cache().memory
    doc: document.Document | None = store.get(key)
    if doc is not None:
        doc.lock.acquire()
        try:
            if doc.revision > workspace.revision:
                raise Outdated(
                    f"the document is at {doc.revision}, the read at {workspace.revision}"
                )
            if doc.revision == workspace.revision or _patch(session, workspace, full, doc):
                store.put(key, doc)  # its size changed
                return doc, doc.head(workspace.revision, _head(workspace))
        except BaseException:
            doc.lock.release()
            raise
        doc.lock.release()
        store.discard(key)
    doc = _build(session, workspace, full)
    doc.lock.acquire()
    store.put(key, doc)
    return doc, doc.head(workspace.revision, _head(workspace))


def build_document(session: Session, workspace: Workspace, full: bool) -> bytes:
    """Return gzip(JSON) of everything a member of the class may see, at the revision."""
    doc, head = _document(session, workspace, full)
    try:
        return doc.render(head)
    finally:
        doc.lock.release()


def _class(full: bool) -> str:
    return "full" if full else "team"


def _plaintext_key(workspace: Workspace, full: bool) -> str:
    return f"{workspace.id}:{workspace.revision}:{workspace.country}:{_class(full)}"


def plaintext(session: Session, workspace: Workspace, full: bool) -> bytes:
    """Return gzip(JSON) of the snapshot for the class, made once per revision and country
    (the phones' `display` depend on it), patched from the previous revision's."""
    key = _plaintext_key(workspace, full)
    store = cache()
    data = store.get(key)
    if data is None:
        data = build_document(session, workspace, full)
        store.put(key, data)
    return data


def plaintext_size(session: Session, workspace: Workspace, full: bool) -> int:
    """Return the size of `plaintext` without making it (its document patched, not joined)."""
    data = cache().get(_plaintext_key(workspace, full))
    if data is not None:
        return len(data)
    doc, head = _document(session, workspace, full)
    try:
        return doc.size(head)
    finally:
        doc.lock.release()


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
    if len(data) * 2 >= plaintext_size(session, workspace, full):
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


class Sealed(NamedTuple):
    """An envelope before it is written out: its public fields (`aad` included), the nonce and
    the ciphertext (with its tag) as bytes."""

    fields: dict[str, Any]
    iv: bytes
    ciphertext: bytes


def seal(
    user: User,
    workspace: Workspace,
    data: bytes,
    kid: str,
    key: bytes,
    base: int | None = None,
) -> Sealed:
    """Encrypt the plaintext for one user: a full snapshot, or a delta from revision `base`."""
    iv = os.urandom(12)
    if base is None:
        associated = aad(user.id, workspace.id, workspace.revision)
    else:
        associated = delta_aad(user.id, workspace.id, base, workspace.revision)
    ciphertext = AESGCM(key).encrypt(iv, data, associated.encode())
    fields: dict[str, Any] = {
        "v": ENVELOPE_VERSION,
        "alg": "A256GCM",
        "kid": kid,
        "revision": workspace.revision,
    }
    if base is not None:
        fields["base"] = base
    fields["aad"] = associated
    return Sealed(fields, iv, ciphertext)


def as_json(sealed: Sealed) -> dict[str, Any]:
    """Return the JSON envelope: the public fields, `iv` and `ciphertext` in base64url."""
    body = {key: value for key, value in sealed.fields.items() if key != "aad"}
    body.update({"iv": b64url(sealed.iv), "aad": sealed.fields["aad"]})
    body["ciphertext"] = b64url(sealed.ciphertext)
    return body


def as_binary(sealed: Sealed) -> bytes:
    """Return the binary envelope (`BINARY_TYPE`): the ciphertext as raw bytes, a third smaller
    than in base64 (docs/ARCHITECTURE.md, 4.5).

    `BINARY_MAGIC`, the length of the header as 4 bytes big-endian, the header (JSON of the
    public fields, `aad` included), the 12-byte nonce, then the ciphertext with its tag.
    """
    header = dumps_bytes(sealed.fields)
    return b"".join(
        [BINARY_MAGIC, len(header).to_bytes(4, "big"), header, sealed.iv, sealed.ciphertext]
    )


def envelope(
    user: User,
    workspace: Workspace,
    data: bytes,
    kid: str,
    key: bytes,
    base: int | None = None,
) -> dict[str, Any]:
    """Encrypt the plaintext for one user as a JSON envelope (see `seal`)."""
    return as_json(seal(user, workspace, data, kid, key, base=base))


def read_binary(body: bytes) -> dict[str, Any]:
    """Return a binary envelope as the JSON one (what the browser does); tests and tools."""
    if body[:4] != BINARY_MAGIC:
        raise ValueError("not a binary envelope")
    length = int.from_bytes(body[4:8], "big")
    fields = json.loads(body[8 : 8 + length])
    rest = body[8 + length :]
    return as_json(Sealed(fields, rest[:12], rest[12:]))


def open_envelope(body: dict[str, Any], key: bytes) -> dict[str, Any]:
    """Decrypt an envelope (what the browser does); used by tests and tools."""
    data = AESGCM(key).decrypt(
        b64url_decode(body["iv"]), b64url_decode(body["ciphertext"]), body["aad"].encode()
    )
    return json.loads(gzip.decompress(data))
