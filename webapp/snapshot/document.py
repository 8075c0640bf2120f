"""The full snapshot's plaintext as a checkpoint and its tail: one gzip member of two pieces.

The plaintext of a class (with or without restricted records) is gzip of the compact document
(format 2, snapshot/compact.py; docs/ARCHITECTURE.md, 4.5). Compacting and compressing every
record after every change would cost seconds at 50,000 contacts, and a columnar document cannot
be patched record by record. So it is made of two deflate pieces in one gzip member:

- the checkpoint's body, `{"v":2,"contacts":{…},…,"incident_entries":{…}`: the class's records
  at the checkpoint's revision C as columns, compressed once and ended by a sync flush so that
  another piece can follow;
- the tail of revision R, `,"workspace":{…},"base":C,"revision":R,"generated_at":…,
  "changes":[…]}`: the sync changes from C to R for the class (exactly what a delta from C
  lists), compressed with the body's last 32 KB as its dictionary (the bytes the decompressor
  has just written), so it costs what it would inside one stream.

Per revision only the tail is compressed. When the tail outgrows a share of the body, a new
checkpoint is made at R (snapshot/service.py). The gzip trailer's CRC-32 is combined from the
pieces' (`crc_combine`), so the body's raw bytes are never read again. Gzip members are not
simply concatenated because the browser's `DecompressionStream` rejects data after the first.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

LEVEL = 6
WINDOW = 32 * 1024  # deflate's window: the most of the body the tail can refer to
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS unknown


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


# --- the checkpoint ---------------------------------------------------------------------------


@dataclass(eq=False)
class Checkpoint:
    """A class's records at `revision`, compact and compressed once; each revision after it
    adds its tail."""

    revision: int
    body: Piece  # `{"v":2,…` without its closing brace, ended by a sync flush
    window: bytes  # the body's last `WINDOW` raw bytes: the tail's dictionary
    records: int
    _tail: tuple[int, Piece] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, revision: int, body: bytes, records: int) -> Checkpoint:
        """Compress a body (the compact document's JSON without its closing brace)."""
        return cls.written(revision, [body], records)

    @classmethod
    def written(cls, revision: int, parts: Iterable[bytes], records: int) -> Checkpoint:
        """Compress a body given in parts as they are written, never joined (a build writes
        it a column at a time)."""
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        out, size, crc, window = [], 0, 0, b""
        for part in parts:
            out.append(compressor.compress(part))
            size += len(part)
            crc = zlib.crc32(part, crc)
            window = part[-WINDOW:] if len(part) >= WINDOW else (window + part)[-WINDOW:]
        out.append(compressor.flush(zlib.Z_SYNC_FLUSH))
        return cls(revision, Piece(b"".join(out), size, crc, crc_shift(size)), window, records)

    def tail_of(self, revision: int) -> Piece | None:
        """Return the tail piece made for a revision, if it is the last one made."""
        held = self._tail
        return held[1] if held is not None and held[0] == revision else None

    def tail(self, revision: int, raw: bytes) -> Piece:
        """Compress a revision's tail and keep it (once per revision: its `generated_at` stays,
        so its size and its bytes agree)."""
        piece = deflate(raw, self.window, final=True)
        self._tail = (revision, piece)
        return piece

    def size(self, tail: Piece) -> int:
        """Return the size of the gzip plaintext without joining it."""
        return len(GZIP_HEADER) + len(self.body.data) + len(tail.data) + 8

    def render(self, tail: Piece) -> bytes:
        """Return the gzip plaintext: the body and the tail in one member."""
        parts, _size = gzip_member([self.body, tail])
        return b"".join(parts)

    @property
    def nbytes(self) -> int:
        return len(self.body.data) + len(self.window) + 4096
