"""The patchable document's chunks (webapp/snapshot/document.py), without a database: any
sequence of edits leaves the chunks, and their compressed text, as a fresh build makes them."""

from __future__ import annotations

import gzip
import random
import uuid
import zlib

import pytest

from webapp.snapshot import document


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(document, "CHUNK", 3)
    monkeypatch.setattr(document, "MAX_CHUNK", 5)


def text(record_id: uuid.UUID, version: int) -> bytes:
    return b'{"id":"%s","version":%d,"notes":"%s"}' % (
        str(record_id).encode(),
        version,
        (str(record_id) * 3).encode(),
    )


def resolve(_entity_type, wanted):
    return {(record_id, version): text(record_id, version) for record_id, version in wanted}


def record(record_id: uuid.UUID, version: int) -> document.Record:
    return (record_id, version, document.ends_chunk(record_id))


def rendered(collection: document.Collection) -> bytes:
    doc = document.Document(1, [collection])
    return doc.render(doc.head(1, {"v": 1}))


@pytest.mark.parametrize("seed", range(40))
def test_a_patched_collection_is_what_a_fresh_build_makes(seed):
    rnd = random.Random(seed)
    order: list[tuple[uuid.UUID, int]] = []
    collection = document.Collection("contact", "contacts", [])
    for _step in range(40):
        removed: set[uuid.UUID] = set()
        appended: list[tuple[uuid.UUID, int]] = []
        for _ in range(rnd.choice([1, 2, 5])):
            if rnd.random() < 0.4 or not order:
                appended.append((uuid.UUID(int=rnd.getrandbits(128), version=4), 1))
                continue
            record_id, version = rnd.choice(order)
            if record_id in removed:
                continue
            removed.add(record_id)
            if rnd.random() < 0.5:  # an edit (else a delete)
                appended.append((record_id, version + 1))
        touched = removed | {record_id for record_id, _version in appended}
        order = [item for item in order if item[0] not in touched] + appended
        collection.patch(touched, [record(*item) for item in appended])
        collection.pack(resolve)
        fresh = document.Collection("contact", "contacts", [record(*item) for item in order])
        fresh.pack(resolve)
        assert [[r[:2] for r in c.records] for c in collection.chunks] == [
            [r[:2] for r in c.records] for c in fresh.chunks
        ]
        assert rendered(collection) == rendered(fresh)
        assert all(collection.where[r[0]] is c for c in collection.chunks for r in c.records)
        assert len(collection) == len(order)
    expected = b'{"v":1,"contacts":[' + b",".join(text(*item) for item in order) + b"]}"
    assert gzip.decompress(rendered(collection)) == expected


def test_the_crc_of_joined_pieces_is_zlibs():
    rnd = random.Random(5)
    parts = [rnd.randbytes(rnd.randint(0, 5000)) for _ in range(20)]
    crc = 0
    for part in parts:
        crc = document.crc_combine(crc, zlib.crc32(part), document.crc_shift(len(part)))
    assert crc == zlib.crc32(b"".join(parts))
