"""The snapshot's compact plaintext (format 2): the same document, one column per field.

The full snapshot is most of a new device's first sync. As records (format 1) its 5,000
realistic contacts are 766 KB of gzip, and gzip cannot do better on rows of JSON: each field's
values sit 1 KB apart, between the others. Here each collection is a list of columns, each with
a codec that the document names, so the decoder needs no schema of its own
(`static/js/compact.js` reads what this writes; docs/DECISIONS.md, session 8, has the figures):

- `id`: the records' ids as one string, the base64url of each id's 16 bytes, 22 characters
  each (a UUID's text is 36);
- `delta`: integers as the difference from the row before (revisions, in revision order);
- `ref:<collection>` / `refs:<collection>`: ids of other records (a backup, a playbook's
  contacts, an entry's incident) as the row of that record in its collection, or as the
  22-character base64url when the record is not in the document (hidden from this class);
- `phones`: each phone as `[label, number, whatsapp 0|1, display]`, the display as the lengths
  of its digit groups (`244` for "33 5069 3776") when its digits are the number's last ones,
  negative for an international display (`-2324` for "+34 612 34 56 78"), else as text; a
  phone of another shape is kept as it is;
- `json`: the values as they are.

A key some records lack is listed by row in the column's fourth item, so a decoded record has
exactly the keys it had.

A document may end with the sync changes since it was made (`"base"`, the revision of its
columns, and `"changes"`, as a delta lists them): the server compresses the columns once per
checkpoint and only this tail per revision (snapshot/document.py). Reading applies them: a
changed record leaves its place and, unless deleted or hidden, comes last, so the records stay
in revision order, as a fresh build lists them. `expand(compact(document)) == document` for every document
(tests/unit/test_compact.py), and the same fixture is read back in JavaScript
(tests/js/compact.test.mjs).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import orjson

from webapp.directory.models import ENTITY_TYPES
from webapp.encoding import b64url, b64url_decode
from webapp.jsonprovider import dumps_bytes

FORMAT = 2
# Collection name -> the collections its reference fields point into.
_REFERENCES: dict[str, dict[str, str]] = {
    model.__tablename__: {  # type: ignore[attr-defined]
        field: ENTITY_TYPES[ref.type].__tablename__  # type: ignore[attr-defined]
        for field, ref in model.REFERENCES.items()
    }
    for model in ENTITY_TYPES.values()
}
_COLLECTIONS = tuple(_REFERENCES)
_COLLECTION_OF = {t: model.__tablename__ for t, model in ENTITY_TYPES.items()}  # type: ignore[attr-defined]
_CANONICAL = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PHONE_KEYS = frozenset({"label", "number", "whatsapp", "display"})
_ID_LENGTH = 22


class FormatError(ValueError):
    """A compact document this code cannot read."""


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and _CANONICAL.match(value) is not None


def _id_text(value: str) -> str:
    return b64url(bytes.fromhex(value.replace("-", "")))  # a canonical id (`_is_id`)


def _id_of(text: str) -> str:
    try:
        data = b64url_decode(text)
    except (ValueError, TypeError) as error:
        raise FormatError("an id is not base64url") from error
    if len(data) != 16 or b64url(data) != text:  # canonical only, as the browser reads it
        raise FormatError("an id is not 16 bytes")
    return str(uuid.UUID(bytes=data))


# --- phones -------------------------------------------------------------------------------


def _groups(display: str, number: str) -> int | None:
    """Return a display's digit-group lengths as one integer (`244`), when its digits are the
    number's last digits and every group has 1-9 of them; negative (`-2424`) for an
    international display, "+" and every digit of the number; else None (kept as text)."""
    sign = 1
    if display.startswith("+"):
        display, sign = display[1:], -1
    groups = display.split(" ")
    if not all(group.isdigit() and group.isascii() and 0 < len(group) < 10 for group in groups):
        return None
    digits = "".join(groups)
    if len(groups) > 15 or not number.endswith(digits):
        return None
    if sign < 0 and number != "+" + digits:
        return None
    return sign * int("".join(str(len(group)) for group in groups))


def _phone(item: Any) -> Any:
    if not isinstance(item, dict) or set(item) != _PHONE_KEYS:
        return item
    label, number, whatsapp, display = (item[k] for k in ("label", "number", "whatsapp", "display"))
    if not (
        isinstance(label, str)
        and isinstance(number, str)
        and isinstance(whatsapp, bool)
        and isinstance(display, str)
    ):
        return item
    groups = _groups(display, number)
    return [label, number, int(whatsapp), display if groups is None else groups]


def _unphone(item: Any) -> Any:
    if not isinstance(item, list):
        return item
    if len(item) != 4:
        raise FormatError("a phone is not [label, number, whatsapp, display]")
    label, number, whatsapp, display = item
    if isinstance(display, int) and not isinstance(display, bool):
        lengths = [int(digit) for digit in str(abs(display))]
        if sum(lengths) > len(number):
            raise FormatError("a phone's display is longer than its number")
        digits = number[len(number) - sum(lengths) :]
        parts, at = [], 0
        for length in lengths:
            parts.append(digits[at : at + length])
            at += length
        display = ("+" if display < 0 else "") + " ".join(parts)
    return {"label": label, "number": number, "whatsapp": bool(whatsapp), "display": display}


# --- columns ------------------------------------------------------------------------------


def _codec(collection: str, key: str, values: list[Any]) -> str:
    present = [value for value in values if value is not None]
    if key == "id" and len(present) == len(values) and all(map(_is_id, values)):
        return "id"
    if key in ("revision", "version") and all(type(v) is int for v in values):
        return "delta" if key == "revision" else "json"
    target = _REFERENCES.get(collection, {}).get(key)
    if target:
        if all(_is_id(value) for value in present):
            return f"ref:{target}"
        if all(isinstance(v, list) and all(map(_is_id, v)) for v in present):
            return f"refs:{target}"
    if key == "phones" and all(isinstance(value, list) for value in present):
        return "phones"
    return "json"


def _encode(codec: str, values: list[Any], rows: dict[str, dict[str, int]]) -> Any:
    if codec == "id":
        return "".join(_id_text(value) for value in values)
    if codec == "delta":
        out, last = [], 0
        for value in values:
            out.append(value - last)
            last = value
        return out
    if codec.startswith(("ref:", "refs:")):
        where = rows[codec.split(":", 1)[1]]

        def ref(value: str) -> int | str:
            row = where.get(value)
            return row if row is not None else _id_text(value)

        if codec.startswith("ref:"):
            return [None if value is None else ref(value) for value in values]
        return [None if value is None else [ref(each) for each in value] for value in values]
    if codec == "phones":
        return [None if value is None else [_phone(item) for item in value] for value in values]
    return values


# A string longer than this is kept as it comes (a note, an address): one of its own.
_SHARED_TEXT = 64
# A list or an object whose JSON is longer than this is kept as it comes.
_SHARED_JSON = 512


class Shared:
    """Equal values kept once: what a build holds of 50,000 records until it writes them.

    Parsed from JSON, each record brings its own copy of every value: "finance", "Guadalajara",
    the same office hours and the same partner terms fifty thousand times. A value seen before
    is replaced by the first one (values are only read, never changed, until the document is
    written). A short string is its own key; a list or an object is keyed by its JSON, when
    short (docs/PERFORMANCE.md has what it saves). Written by hand: `sys.intern` covers strings
    only.
    """

    def __init__(self) -> None:
        self._seen: dict[str | bytes, Any] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._seen.setdefault(value, value) if len(value) <= _SHARED_TEXT else value
        if isinstance(value, (list, dict)) and value:
            # orjson's output keeps the allocation it grew into (4 KB): kept, it is copied.
            key = orjson.dumps(value)
            if len(key) > _SHARED_JSON:
                return value
            shared = self._seen.get(key)
            if shared is None:
                shared = self._seen[bytes(memoryview(key))] = value
            return shared
        return value


class Columns:
    """One collection's records gathered field by field (a build adds its rows as they come,
    without keeping the records). `shared`: equal values kept once, across the collections of
    one build."""

    def __init__(self, shared: Shared | None = None) -> None:
        self.values: dict[str, list[Any]] = {}
        self.absent: dict[str, list[int]] = {}
        self.count = 0
        self._shared = shared

    def add(self, record: dict[str, Any]) -> None:
        if self._shared is not None:
            record = {key: self._shared(value) for key, value in record.items()}
        for key in record:
            if key not in self.values:
                self.values[key] = [None] * self.count
                self.absent[key] = list(range(self.count))
        for key, values in self.values.items():
            if key in record:
                values.append(record[key])
            else:
                values.append(None)
                self.absent[key].append(self.count)
        self.count += 1


def _rows(tables: dict[str, Columns]) -> dict[str, dict[str, int]]:
    """Each collection's ids → their rows, for the reference codecs."""
    return {
        name: {value: index for index, value in enumerate(table.values.get("id", []))}
        for name, table in tables.items()
    }


def _column(
    name: str, key: str, values: list[Any], absent: list[int], rows: dict[str, dict[str, int]]
) -> list[Any]:
    codec = _codec(name, key, values) if not absent else "json"
    column = [key, codec, _encode(codec, values, rows)]
    if absent:
        column.append(absent)
    return column


def compact_columns(tables: dict[str, Columns], head: dict[str, Any]) -> dict[str, Any]:
    """Return the compact document of the collections gathered in `tables`, after `head`'s
    keys (the workspace, the revision…)."""
    empty = Columns()
    rows = _rows(tables)
    out: dict[str, Any] = dict(head)
    out["v"] = FORMAT
    for name in _COLLECTIONS:
        table = tables.get(name, empty)
        columns = [
            _column(name, key, values, table.absent[key], rows)
            for key, values in table.values.items()
        ]
        out[name] = {"rows": table.count, "columns": columns}
    return out


def column_pieces(tables: dict[str, Columns], head: dict[str, Any]) -> Iterator[bytes]:
    """Yield the JSON of `compact_columns(tables, head)` in pieces, a column at a time, without
    its closing brace. Each column's values are let go once written (`tables` is emptied), so
    that a build never holds its records and their JSON whole at once: 50,000 contacts are
    100 MB of values and 40 MB of JSON."""
    empty = Columns()
    rows = _rows(tables)
    yield dumps_bytes({**head, "v": FORMAT})[:-1]
    for name in _COLLECTIONS:
        table = tables.get(name, empty)
        yield b',%s:{"rows":%d,"columns":[' % (dumps_bytes(name), table.count)
        for index, key in enumerate(list(table.values)):
            values, absent = table.values.pop(key), table.absent.pop(key)
            if index:
                yield b","
            yield from _column_pieces(name, key, values, absent, rows)
        yield b"]}"


# A column's values are written this many at a time: the notes of 50,000 contacts are 10 MB
# of JSON, which orjson would write into one buffer grown to twice that.
_WRITTEN_AT_ONCE = 1000


def _column_pieces(
    name: str, key: str, values: list[Any], absent: list[int], rows: dict[str, dict[str, int]]
) -> Iterator[bytes]:
    """Yield the JSON of one column (`_column`), its values a slice at a time."""
    codec, encoded, *rest = _column(name, key, values, absent, rows)[1:]
    if not isinstance(encoded, list):
        yield dumps_bytes([key, codec, encoded, *rest])
        return
    yield b"[%s,%s,[" % (dumps_bytes(key), dumps_bytes(codec))
    for start in range(0, len(encoded), _WRITTEN_AT_ONCE):
        written = dumps_bytes(encoded[start : start + _WRITTEN_AT_ONCE])
        yield (b"," if start else b"") + memoryview(written)[1:-1].tobytes()
    yield b"]%s]" % b"".join(b"," + dumps_bytes(item) for item in rest)


def compact(document: dict[str, Any]) -> dict[str, Any]:
    """Return the compact form (format 2) of a full snapshot's plaintext (format 1)."""
    tables = {}
    for name in _COLLECTIONS:
        tables[name] = table = Columns()
        for record in document.get(name, []):
            table.add(record)
    head = {key: value for key, value in document.items() if key not in tables}
    return compact_columns(tables, head)


def _decode(codec: str, data: Any, count: int, ids: dict[str, list[str]]) -> list[Any]:
    if codec == "id":
        if not isinstance(data, str) or len(data) != count * _ID_LENGTH:
            raise FormatError("the ids do not match the rows")
        return [_id_of(data[i : i + _ID_LENGTH]) for i in range(0, len(data), _ID_LENGTH)]
    if not isinstance(data, list) or len(data) != count:
        raise FormatError("a column does not match the rows")
    if codec == "delta":
        out, last = [], 0
        for value in data:
            last += value
            out.append(last)
        return out
    if codec.startswith(("ref:", "refs:")):
        target = ids.get(codec.split(":", 1)[1])
        if target is None:
            raise FormatError(f"unknown codec {codec!r}")

        def deref(value: int | str) -> str:
            return target[value] if isinstance(value, int) else _id_of(value)

        if codec.startswith("ref:"):
            return [None if value is None else deref(value) for value in data]
        return [None if value is None else [deref(each) for each in value] for value in data]
    if codec == "phones":
        return [None if value is None else [_unphone(item) for item in value] for value in data]
    if codec == "json":
        return data
    raise FormatError(f"unknown codec {codec!r}")


def is_compact(document: Any) -> bool:
    """Tell whether a plaintext is a compact document (format 2)."""
    return isinstance(document, dict) and document.get("v") == FORMAT


def expand(document: dict[str, Any]) -> dict[str, Any]:
    """Return the full snapshot's plaintext (format 1) that a compact document holds.

    :raises FormatError: when it is not a compact document this code reads.
    """
    if document.get("v") != FORMAT:
        raise FormatError("not a compact snapshot")
    tables = {name: document.get(name, {"rows": 0, "columns": []}) for name in _COLLECTIONS}
    # Ids first: a reference may point into a collection that comes later.
    ids: dict[str, list[str]] = {}
    for name, table in tables.items():
        column = next((c for c in table["columns"] if c[0] == "id"), None)
        if column is None:
            ids[name] = []
        elif column[1] == "id":
            ids[name] = _decode("id", column[2], table["rows"], ids)
        else:
            ids[name] = list(column[2])
    out: dict[str, Any] = {
        k: v for k, v in document.items() if k not in tables and k not in ("base", "changes")
    }
    out["v"] = 1
    for name, table in tables.items():
        count = table["rows"]
        records: list[dict[str, Any]] = [{} for _ in range(count)]
        for column in table["columns"]:
            key, codec, data = column[0], column[1], column[2]
            absent = set(column[3]) if len(column) > 3 else set()
            for index, value in enumerate(_decode(codec, data, count, ids)):
                if index not in absent:
                    records[index][key] = value
        out[name] = records
    if "changes" in document:
        _apply(out, document["changes"])
    return out


def _apply(out: dict[str, Any], changes: Any) -> None:
    """Apply the sync changes after the columns' revision to the records, in order."""
    if not isinstance(changes, list):
        raise FormatError("changes is not a list")
    moved: dict[str, dict[str, dict[str, Any] | None]] = {name: {} for name in _COLLECTIONS}
    for change in changes:
        name = _COLLECTION_OF.get(change.get("type")) if isinstance(change, dict) else None
        if name is None:
            continue  # a type this code does not know, as a delta's
        entity_id = change["entity_id"]
        moved[name].pop(entity_id, None)  # a later change of it comes later
        record = None
        if not change.get("deleted") and change.get("data") is not None:
            record = {
                "id": entity_id,
                "version": change["version"],
                "revision": change["revision"],
                **change["data"],
            }
        moved[name][entity_id] = record
    for name in _COLLECTIONS:
        if not moved[name]:
            continue
        kept = [r for r in out[name] if r["id"] not in moved[name]]
        out[name] = kept + [record for record in moved[name].values() if record is not None]
