"""The encrypted offline snapshot: per-user keys, the shared plaintext, the per-user envelope.

The plaintext of a revision is made once per visibility class (with or without restricted
records) and cached; only the AES-256-GCM encryption is done per user. It is the compact
document (`compact.py`): a checkpoint compressed once and the revision's tail of changes
(`document.py`); a checkpoint is made from one scan of the records, kept nowhere else. The cache
is bounded in bytes (ENLACE_SNAPSHOT_CACHE_MB).
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
from collections.abc import Iterable, Iterator
from typing import Any, Generic, NamedTuple, TypeVar

import orjson
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
from webapp.snapshot import compact, document, persist
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
    with the checkpoints, `document.Checkpoint`), or Redis if set (the checkpoints stay here).

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

    def size(self, key: str) -> int | None:
        """Return the length of the value kept under `key`, without fetching it; None if none."""
        shared = self._shared()
        if shared is not None:
            try:
                return int(shared.strlen("enlace:snapshot:" + key)) or None
            except RedisError as error:
                self._pause(error)
        value = self.memory.get(key)
        return None if value is None else len(value)

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


def cache_stats() -> dict[str, dict[str, int]]:
    """Return how full this process's snapshot cache is (entries, bytes, cap, evictions)."""
    return {"snapshots": cache().memory.stats()}


def record_json(entity_type: str, row: Any, country: str | None) -> bytes:
    """Return a record's JSON as the snapshot lists it (read once by the build, not kept)."""
    return dumps_bytes(
        {
            "id": str(row.id),
            "version": row.version,
            "revision": row.revision,
            **raw_data(entity_type, row, country),
        }
    )


class Outdated(Exception):
    """The process's checkpoint is newer than the revision this transaction reads."""


def _table(entity_type: str) -> Any:
    return ENTITY_TYPES[entity_type].__table__  # type: ignore[attr-defined]


def _records(session: Session, workspace: Workspace, full: bool) -> Iterator[tuple[str, bytes]]:
    """Yield (collection, record JSON) of every live record the class sees, in revision order
    per collection: one scan of each table, each record yielded as it is read (plain rows, not
    ORM objects; yield_per: a server-side cursor on PostgreSQL).

    Nothing is kept between builds: a checkpoint is made once per sixteenth of its size in
    changes (`TAIL_SHARE`), and the record cache that made every build cheap held 60 MB at
    50,000 contacts for that (docs/DECISIONS.md, session 11).
    """
    country = workspace.country
    for entity_type, name in COLLECTIONS.items():
        model, table = ENTITY_TYPES[entity_type], _table(entity_type)
        live = (table.c.workspace_id == workspace.id) & table.c.deleted.is_(False)
        scan = only_visible(select(*raw_columns(entity_type)).where(live), model, full)
        scan = scan.order_by(table.c.revision, table.c.id).execution_options(yield_per=1000)
        for part in session.execute(scan).partitions():
            for row in part:
                if row.revision > workspace.revision:  # a read that is not one snapshot
                    raise Outdated("a record changed after the checkpoint's revision")
                yield name, record_json(entity_type, row, country)


def _build(session: Session, workspace: Workspace, full: bool) -> document.Checkpoint:
    """Make the class's checkpoint at the workspace's revision: every record it sees, compact,
    compressed as it is written (docs/PERFORMANCE.md: a build's memory at 50,000 contacts)."""
    shared = compact.Shared()
    tables = {name: compact.Columns(shared) for name in COLLECTIONS.values()}
    for name, data in _records(session, workspace, full):
        tables[name].add(orjson.loads(data))
    count = sum(table.count for table in tables.values())
    return document.Checkpoint.written(workspace.revision, compact.column_pieces(tables, {}), count)


def _tail(session: Session, workspace: Workspace, full: bool, since: int, page_size: int) -> bytes:
    """Return the tail of the revision after a checkpoint at `since`: the workspace, the
    revisions and the changes since, as a delta from `since` lists them; it closes the JSON."""
    changes = _changes(session, workspace, full, since, page_size)
    head = _head(workspace)
    tail = {
        "workspace": head["workspace"],
        "base": since,
        "revision": head["revision"],
        "generated_at": head["generated_at"],
        "changes": changes,
    }
    return b"," + dumps_bytes(tail)[1:]


def _changes(
    session: Session, workspace: Workspace, full: bool, since: int, page_size: int
) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    cursor, more = since, True
    while more:
        page, cursor, more = list_changes(session, workspace, full, cursor, page_size)
        changes.extend(page)
    return changes


def _head(workspace: Workspace) -> dict[str, Any]:
    return {
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


# A new checkpoint is made when the tail's JSON passes this share of the body's: the tail is
# compressed and sent with every full snapshot, the body is compressed once per checkpoint.
TAIL_SHARE = 16
PAGE_SIZE = 1000


def _current(
    session: Session, workspace: Workspace, full: bool
) -> tuple[document.Checkpoint, document.Piece]:
    """Return the class's checkpoint (this process's, the one saved, or a new one) and the
    tail of the workspace's revision.

    :raises Outdated: when the checkpoint held is newer than this read's revision.
    """
    kind = _class(full)
    key = ("checkpoint", workspace.id, workspace.country, kind)
    store = cache().memory
    checkpoint: document.Checkpoint | None = store.get(key)
    if checkpoint is None:
        checkpoint = persist.restore(workspace.id, workspace.country, kind)
        if checkpoint is not None:
            store.put(key, checkpoint)
    if checkpoint is not None and checkpoint.revision > workspace.revision:
        raise Outdated(
            f"the checkpoint is at {checkpoint.revision}, the read at {workspace.revision}"
        )
    if checkpoint is not None:
        held = checkpoint.tail_of(workspace.revision)
        if held is not None:
            return checkpoint, held
        raw = _tail(session, workspace, full, checkpoint.revision, PAGE_SIZE)
        if len(raw) * TAIL_SHARE <= checkpoint.body.raw_size:
            return checkpoint, checkpoint.tail(workspace.revision, raw)
    checkpoint = _build(session, workspace, full)
    store.put(key, checkpoint)
    persist.save(workspace.id, workspace.country, kind, checkpoint)
    raw = _tail(session, workspace, full, checkpoint.revision, PAGE_SIZE)
    return checkpoint, checkpoint.tail(workspace.revision, raw)


def forget_document(workspace: Workspace, full: bool) -> None:
    """Forget the class's checkpoint, in memory and on disk (of a revision the database does
    not have: a restored database)."""
    kind = _class(full)
    cache().memory.discard(("checkpoint", workspace.id, workspace.country, kind))
    persist.forget(workspace.id, workspace.country, kind)


def build_document(session: Session, workspace: Workspace, full: bool) -> bytes:
    """Return gzip of the compact document of everything a member of the class may see."""
    checkpoint, tail = _current(session, workspace, full)
    return checkpoint.render(tail)


def _class(full: bool) -> str:
    return "full" if full else "team"


def _plaintext_key(workspace: Workspace, full: bool) -> str:
    return f"{workspace.id}:{workspace.revision}:{workspace.country}:{_class(full)}"


def plaintext(session: Session, workspace: Workspace, full: bool) -> bytes:
    """Return gzip of the snapshot for the class (format 2), made once per revision and
    country (the phones' `display` depend on it): the checkpoint and the revision's tail."""
    key = _plaintext_key(workspace, full)
    store = cache()
    data = store.get(key)
    if data is None:
        data = build_document(session, workspace, full)
        store.put(key, data)
    return data


def document_of(session: Session, workspace: Workspace, full: bool) -> dict[str, Any]:
    """Return the snapshot for the class as records (format 1): what an export lists."""
    return compact.expand(orjson.loads(gzip.decompress(plaintext(session, workspace, full))))


def plaintext_size(session: Session, workspace: Workspace, full: bool) -> int:
    """Return the size of `plaintext` without joining it."""
    size = cache().size(_plaintext_key(workspace, full))
    if size is not None:
        return size
    checkpoint, tail = _current(session, workspace, full)
    return checkpoint.size(tail)


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
        changes = _changes(session, workspace, full, since, page_size)
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


def open_envelope(body: dict[str, Any], key: bytes, records: bool = True) -> dict[str, Any]:
    """Decrypt an envelope as the browser does (a compact snapshot read back as records, unless
    `records` is false); used by tests and tools."""
    data = AESGCM(key).decrypt(
        b64url_decode(body["iv"]), b64url_decode(body["ciphertext"]), body["aad"].encode()
    )
    plaintext = json.loads(gzip.decompress(data))
    if records and compact.is_compact(plaintext):
        return compact.expand(plaintext)
    return plaintext
