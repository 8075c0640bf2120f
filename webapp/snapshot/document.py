"""The full snapshot's plaintext as a patchable document: gzip of one JSON text, kept in chunks.

The plaintext of a class (with or without restricted records) is gzip(JSON) of the workspace's
live records by revision (docs/ARCHITECTURE.md, 4.5). Rebuilding it after every change
serialized and compressed every record again (1.3–1.8 s at 50,000 contacts). Here it is one
gzip member made of deflate pieces, each ended by a sync flush so that pieces concatenate:

- the head (`{"v", "workspace", "revision", "generated_at", "contacts":[`), per revision;
- each collection's records in revision order, cut into chunks of about `CHUNK` records. A
  record ends a chunk when its id says so (`ends_chunk`), so the cuts depend on the records
  alone, not on their positions: removing or adding a record changes its own chunk only. A run
  of records that no id ends is cut every `MAX_CHUNK` records from the run's start;
- the glue between collections (`],"playbooks":[`) and the end (`]}`, the final block).

A chunk is compressed with the raw tail of the chunk before it as the deflate dictionary (the
bytes that precede it in the text), so the size is what one stream would give; a chunk is
compressed again only when its records or the chunk before it changed. The gzip trailer's
CRC-32 is combined from the pieces' (`crc32_combine`), so no raw byte is read again.

After a change the document is patched: the records whose revision is past the document's
leave their chunks, the live ones the class may see are appended at the end (they are the
newest), the runs they touched are cut again. The result equals a fresh build byte for byte
(tests/api/test_snapshot_document.py), and its size is known without joining the pieces.
"""

from __future__ import annotations

import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from webapp.jsonprovider import dumps_bytes

LEVEL = 6
WINDOW = 32 * 1024  # deflate's window: the most of the previous chunk a chunk can refer to
CHUNK = 64  # records per chunk, on average
MAX_CHUNK = 512  # records per chunk at most (ids that never end a chunk)
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS unknown
_MIX = 0x9E3779B97F4A7C15
_stamps = count(1)

# A record of a collection: (id, version, ends a chunk).
Record = tuple[uuid.UUID, int, bool]
# The JSON of records by (id, version), fetching those not at hand.
Resolver = Callable[[str, list[tuple[uuid.UUID, int]]], dict[tuple[uuid.UUID, int], bytes]]


def ends_chunk(record_id: uuid.UUID) -> bool:
    """Tell whether a record ends its chunk: one id in `CHUNK`, mixed so that any bits count."""
    return ((record_id.int * _MIX) >> 64) % CHUNK == 0


# --- CRC-32 of concatenated pieces (zlib's crc32_combine, which Python does not expose) ----

_POLY = 0xEDB88320


def _multiply(a: int, b: int) -> int:
    """Return a * b modulo the CRC-32 polynomial (reflected bit order, as zlib's multmodp)."""
    product, mask = 0, 1 << 31
    while True:
        if a & mask:
            product ^= b
            if a & (mask - 1) == 0:
                return product
        mask >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> list[int]:
    table, power = [], 1 << 30  # x^1
    for _ in range(64):
        table.append(power)
        power = _multiply(power, power)
    return table


_X2N = _powers()  # x^(2^n) modulo the polynomial


def crc_shift(length: int) -> int:
    """Return x^(8 * length): what advances a CRC over `length` more bytes (zlib's x2nmodp)."""
    result, k, n = 1 << 31, 3, length
    while n:
        if n & 1:
            result = _multiply(_X2N[k & 63], result)
        n >>= 1
        k += 1
    return result


def crc_combine(crc1: int, crc2: int, shift2: int) -> int:
    """Return the CRC-32 of A + B from A's and B's, `shift2` being `crc_shift(len(B))`."""
    return _multiply(shift2, crc1) ^ crc2


# --- pieces ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A deflate piece ended by a sync flush (or the final block), with its raw text's CRC."""

    data: bytes
    raw_size: int
    crc: int
    shift: int

    @property
    def nbytes(self) -> int:
        return len(self.data) + 120


def deflate(raw: bytes, dictionary: bytes = b"", final: bool = False) -> Piece:
    """Compress `raw` as a piece that may follow `dictionary` (the bytes just before it)."""
    if dictionary:
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=dictionary[-WINDOW:])
    else:
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    data = compressor.compress(raw) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH
    )
    return Piece(data, len(raw), zlib.crc32(raw), crc_shift(len(raw)))


def gzip_member(pieces: Iterable[Piece]) -> tuple[list[bytes], int]:
    """Return the parts of one gzip member made of the pieces (the last one final), and its size."""
    parts, crc, size = [GZIP_HEADER], 0, 0
    for piece in pieces:
        parts.append(piece.data)
        crc = crc_combine(crc, piece.crc, piece.shift)
        size += piece.raw_size
    parts.append(crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little"))
    return parts, sum(len(part) for part in parts)


# --- chunks and collections -----------------------------------------------------------------


@dataclass(eq=False)
class Chunk:
    """Consecutive records of a collection and their compressed text, once packed."""

    records: list[Record]
    stamp: int = field(default_factory=lambda: next(_stamps))  # new for every new content
    piece: Piece | None = None
    after: int | None = None  # the stamp of the chunk before it when packed (None: first)

    @property
    def closed(self) -> bool:
        """Tell whether its last record ends a chunk by its id (not a cut at `MAX_CHUNK`)."""
        return self.records[-1][2]


def split(records: list[Record]) -> list[list[Record]]:
    """Cut records into chunks: after each record that ends one, and every `MAX_CHUNK` records
    of a run that none ends."""
    chunks: list[list[Record]] = []
    current: list[Record] = []
    for record in records:
        current.append(record)
        if record[2] or len(current) == MAX_CHUNK:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


class Collection:
    """One type's records in revision order, as chunks."""

    def __init__(self, entity_type: str, name: str, records: list[Record]):
        self.entity_type = entity_type
        self.name = name
        self.chunks = [Chunk(part) for part in split(records)]
        self.where: dict[uuid.UUID, Chunk] = {
            record[0]: chunk for chunk in self.chunks for record in chunk.records
        }

    def __len__(self) -> int:
        return len(self.where)

    def patch(self, removed: Iterable[uuid.UUID], appended: list[Record]) -> None:
        """Take out the records `removed` (changed since), then append `appended` at the end."""
        dirty: set[int] = set()
        for record_id in removed:
            chunk = self.where.pop(record_id, None)
            if chunk is not None:
                chunk.records = [r for r in chunk.records if r[0] != record_id]
                chunk.stamp, chunk.piece = next(_stamps), None  # new content: pack again
                dirty.add(id(chunk))
        if not dirty and not appended:
            return
        position = {id(chunk): index for index, chunk in enumerate(self.chunks)}
        starts = sorted(position[key] for key in dirty)
        if appended:
            starts.append(len(self.chunks))
        # Each touched chunk is cut again with its whole run: from just after the last chunk
        # closed by an id before it, to the first chunk closed by an id from it on.
        regions: list[tuple[int, int]] = []
        for start in starts:
            first = start
            while first > 0 and not self._closed(first - 1):
                first -= 1
            last = start
            while last < len(self.chunks) and not self._closed(last):
                last += 1
            last = min(last, len(self.chunks) - 1)  # the end, for records appended
            if regions and first <= regions[-1][1] + 1:
                regions[-1] = (regions[-1][0], max(regions[-1][1], last))
            else:
                regions.append((first, last))
        for first, last in reversed(regions):
            old = self.chunks[first : last + 1]
            records = [record for chunk in old for record in chunk.records]
            if last == len(self.chunks) - 1:
                records += appended
                appended = []
            kept = {tuple(r[:2] for r in chunk.records): chunk for chunk in old if chunk.records}
            new = []
            for part in split(records):
                chunk = kept.get(tuple(r[:2] for r in part))
                new.append(chunk if chunk is not None else Chunk(part))
            self.chunks[first : last + 1] = new
            for chunk in new:
                for record in chunk.records:
                    self.where[record[0]] = chunk

    def _closed(self, index: int) -> bool:
        chunk = self.chunks[index]
        return bool(chunk.records) and chunk.closed

    def pack(self, resolve: Resolver) -> None:
        """Compress the chunks whose records, or whose chunk before, changed since packed."""
        stale = [
            index
            for index, chunk in enumerate(self.chunks)
            if chunk.piece is None
            or chunk.after != (self.chunks[index - 1].stamp if index else None)
        ]
        if not stale:
            return
        wanted = {index for i in stale for index in (i - 1, i) if index >= 0}
        keys = [record[:2] for index in sorted(wanted) for record in self.chunks[index].records]
        found = resolve(self.entity_type, keys)
        for index in stale:
            chunk = self.chunks[index]
            before = self.chunks[index - 1] if index else None
            raw = b",".join(found[record[:2]] for record in chunk.records)
            if before is None:
                chunk.piece, chunk.after = deflate(raw), None
            else:
                tail = _tail(before, found)
                chunk.piece, chunk.after = deflate(b"," + raw, tail), before.stamp

    def pieces(self) -> Iterator[Piece]:
        for chunk in self.chunks:
            assert chunk.piece is not None
            yield chunk.piece

    @property
    def nbytes(self) -> int:
        pieces = sum(chunk.piece.nbytes for chunk in self.chunks if chunk.piece is not None)
        return pieces + 160 * len(self.where)


def _tail(chunk: Chunk, found: dict[tuple[uuid.UUID, int], bytes]) -> bytes:
    """Return the last `WINDOW` bytes of a chunk's text (what the next chunk may refer to)."""
    parts, size = [], 0
    for record in reversed(chunk.records):
        parts.append(found[record[:2]])
        size += len(parts[-1]) + 1
        if size >= WINDOW:
            break
    return b",".join(reversed(parts))[-WINDOW:]


class Document:
    """A class's full snapshot at `revision`, patchable to a later one."""

    def __init__(self, revision: int, collections: list[Collection]):
        self.revision = revision
        self.collections = collections
        self.lock = threading.Lock()
        self._head: tuple[int, bytes, Piece] | None = None
        self._glue: list[Piece] = [
            deflate(b"]," + dumps_bytes(c.name) + b":[") for c in collections[1:]
        ]
        self._end = deflate(b"]}", final=True)

    def head(self, revision: int, head: dict[str, Any]) -> Piece:
        """Return the head piece of the revision (made once: its `generated_at` stays)."""
        if self._head is None or self._head[0] != revision:
            raw = dumps_bytes(head)[:-1] + b"," + dumps_bytes(self.collections[0].name) + b":["
            self._head = (revision, raw, deflate(raw))
        return self._head[2]

    def pieces(self, head: Piece) -> list[Piece]:
        pieces = [head]
        for index, collection in enumerate(self.collections):
            if index:
                pieces.append(self._glue[index - 1])
            pieces.extend(collection.pieces())
        pieces.append(self._end)
        return pieces

    def size(self, head: Piece) -> int:
        """Return the size of the gzip plaintext without joining it."""
        return len(GZIP_HEADER) + sum(len(p.data) for p in self.pieces(head)) + 8

    def render(self, head: Piece) -> bytes:
        """Return gzip(JSON) of the document."""
        parts, _size = gzip_member(self.pieces(head))
        return b"".join(parts)

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.collections) + 4096
