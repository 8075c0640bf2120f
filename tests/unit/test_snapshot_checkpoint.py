"""The checkpoint and its tail (webapp/snapshot/document.py), without a database: one gzip
member that any gzip reader opens to the body followed by the tail, costing about what one
stream would."""

from __future__ import annotations

import gzip
import random
import zlib

from webapp.snapshot import document


def body_text(rnd: random.Random, count: int) -> bytes:
    notes = ",".join(
        f'"{rnd.choice(["Llamar", "Avisar", "Revisar"])} {rnd.random():.6f}"' for _ in range(count)
    )
    return b'{"v":2,"contacts":{"rows":%d,"columns":[["notes","json",[%s]]]}' % (
        count,
        notes.encode(),
    )


def test_a_checkpoint_and_a_tail_open_as_one_gzip_text():
    rnd = random.Random(3)
    body = body_text(rnd, 3000)
    checkpoint = document.Checkpoint.of(41, body, 3000)
    for revision in (41, 42, 57):
        tail = b',"revision":%d,"changes":[]}' % revision
        piece = checkpoint.tail(revision, tail)
        data = checkpoint.render(piece)
        assert gzip.decompress(data) == body + tail
        assert checkpoint.size(piece) == len(data)
        assert checkpoint.tail_of(revision) is piece
    assert checkpoint.tail_of(41) is None  # only the last revision's tail is kept


def test_the_tail_costs_what_it_would_inside_one_stream():
    rnd = random.Random(4)
    body = body_text(rnd, 3000)
    # A tail that repeats what the body says compresses against it (the body is its dictionary).
    tail = body[-2000:].replace(b'{"v":2', b',"changes"') + b"}"
    checkpoint = document.Checkpoint.of(1, body, 3000)
    joined = checkpoint.render(checkpoint.tail(2, tail))
    alone = gzip.compress(body + tail, document.LEVEL)
    assert len(joined) <= len(alone) * 1.01 + 40


def test_the_crc_of_joined_pieces_is_zlibs():
    rnd = random.Random(5)
    parts = [rnd.randbytes(rnd.randint(0, 5000)) for _ in range(20)]
    crc = 0
    for part in parts:
        crc = document.crc_combine(crc, zlib.crc32(part), document.crc_shift(len(part)))
    assert crc == zlib.crc32(b"".join(parts))


def test_a_checkpoint_written_in_parts_is_the_one_compressed_whole():
    # A build compresses the document as it is written, never joined (snapshot/service.py).
    rnd = random.Random(5)
    body = body_text(rnd, 4000)
    cuts = sorted(rnd.sample(range(1, len(body)), 40)) + [len(body) - 5]  # a last part < WINDOW
    parts = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    whole = document.Checkpoint.of(7, body, 4000)
    written = document.Checkpoint.written(7, iter(parts), 4000)
    assert written.window == whole.window
    assert (written.body.raw_size, written.body.crc) == (whole.body.raw_size, whole.body.crc)
    tail = b',"revision":8,"changes":[]}'
    assert gzip.decompress(written.render(written.tail(8, tail))) == body + tail
