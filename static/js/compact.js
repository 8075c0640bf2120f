// The snapshot's compact plaintext (format 2) read back into records (format 1): one column per
// field, each with the codec the document names. webapp/snapshot/compact.py writes it and says
// why (a new device's first sync: 744 KiB of gzip as records, 375 KiB as columns, for 5,000
// realistic contacts). Written by hand: it is our own format. Plain data in, plain data out.

import { COLLECTIONS } from "./snapshot.js";

export const COMPACT_FORMAT = 2;
const ID_LENGTH = 22;
// An id's 22 base64url characters read two at a time (12 bits, three hex digits) through
// tables: 50,000 ids through atob and a byte loop took most of the expansion.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const SIXTH = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SIXTH[ALPHABET.charCodeAt(i)] = i;
const HEX3 = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, "0"));

/** A compact document this code cannot read. */
export class CompactError extends Error {
  constructor(message) {
    super(message);
    this.name = "CompactError";
  }
}

/** Return the UUID text of an id's 22-character base64url (its 16 bytes). */
function idOf(text) {
  if (typeof text !== "string" || text.length !== ID_LENGTH) {
    throw new CompactError("an id is not 16 bytes");
  }
  let hex = "";
  for (let at = 0; at < ID_LENGTH; at += 2) {
    const high = SIXTH[text.charCodeAt(at)] ?? -1;
    const low = SIXTH[text.charCodeAt(at + 1)] ?? -1;
    if (high < 0 || low < 0) throw new CompactError("an id is not base64url");
    hex += HEX3[(high << 6) | low];
  }
  // 132 bits for 128: the last hex digit is padding, zero in a canonical encoding.
  if (hex[32] !== "0") throw new CompactError("an id is not 16 bytes");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Return a phone as the records hold it (`[label, number, whatsapp, display]` expanded). */
function unphone(item) {
  if (!Array.isArray(item)) return item;
  if (item.length !== 4) throw new CompactError("a phone is not [label, number, whatsapp, display]");
  const [label, number, whatsapp, code] = item;
  let display = code;
  if (Number.isInteger(code)) {
    // The lengths of the display's digit groups, taken from the end of the number; negative:
    // an international display, "+" and the whole number.
    const lengths = String(Math.abs(code)).split("").map(Number);
    const total = lengths.reduce((sum, length) => sum + length, 0);
    if (typeof number !== "string" || total > number.length) {
      throw new CompactError("a phone's display is longer than its number");
    }
    const digits = number.slice(number.length - total);
    const parts = [];
    let at = 0;
    for (const length of lengths) {
      parts.push(digits.slice(at, at + length));
      at += length;
    }
    display = (code < 0 ? "+" : "") + parts.join(" ");
  }
  return { label, number, whatsapp: Boolean(whatsapp), display };
}

function decode(codec, data, count, ids) {
  if (codec === "id") {
    if (typeof data !== "string" || data.length !== count * ID_LENGTH) {
      throw new CompactError("the ids do not match the rows");
    }
    const out = new Array(count);
    for (let row = 0; row < count; row++) {
      out[row] = idOf(data.slice(row * ID_LENGTH, (row + 1) * ID_LENGTH));
    }
    return out;
  }
  if (!Array.isArray(data) || data.length !== count) {
    throw new CompactError("a column does not match the rows");
  }
  if (codec === "json") return data;
  if (codec === "delta") {
    let last = 0;
    return data.map((value) => (last += value));
  }
  if (codec === "phones") {
    return data.map((value) => (value === null ? null : value.map(unphone)));
  }
  const [kind, collection] = codec.split(":");
  if ((kind === "ref" || kind === "refs") && Object.hasOwn(ids, collection)) {
    const target = ids[collection];
    const deref = (value) => (Number.isInteger(value) ? target[value] : idOf(value));
    if (kind === "ref") return data.map((value) => (value === null ? null : deref(value)));
    return data.map((value) => (value === null ? null : value.map(deref)));
  }
  throw new CompactError(`unknown codec ${codec}`);
}

/** Tell whether a plaintext is a compact document (format 2). */
export function isCompact(document) {
  return document?.v === COMPACT_FORMAT;
}

/**
 * Return the full snapshot's plaintext (format 1: records) that a compact document holds.
 * Throws CompactError when it is not one this code reads.
 */
export function expand(document) {
  if (!isCompact(document)) throw new CompactError("not a compact snapshot");
  const names = Object.values(COLLECTIONS);
  const tables = Object.fromEntries(
    names.map((name) => [name, document[name] ?? { rows: 0, columns: [] }]),
  );
  // Ids first: a reference may point into a collection that comes later.
  const ids = {};
  for (const name of names) {
    const { rows, columns } = tables[name];
    const column = columns.find((each) => each[0] === "id");
    if (!column) ids[name] = [];
    else ids[name] = column[1] === "id" ? decode("id", column[2], rows, ids) : [...column[2]];
  }
  const out = {};
  for (const [key, value] of Object.entries(document)) {
    if (!Object.hasOwn(tables, key) && key !== "base" && key !== "changes") out[key] = value;
  }
  out.v = 1;
  for (const name of names) {
    const { rows, columns } = tables[name];
    if (!Number.isSafeInteger(rows) || rows < 0) throw new CompactError("rows is not a count");
    const records = Array.from({ length: rows }, () => ({}));
    for (const [key, codec, data, absent = []] of columns) {
      const skip = new Set(absent);
      const values = decode(codec, data, rows, ids);
      for (let row = 0; row < rows; row++) {
        if (!skip.has(row)) records[row][key] = values[row];
      }
    }
    out[name] = records;
  }
  if (document.changes !== undefined) applyTail(out, document.changes);
  return out;
}

/**
 * Apply the sync changes that follow the columns (the server compresses the columns once per
 * checkpoint and only these per revision): a changed record leaves its place and, unless
 * deleted or hidden, comes last — revision order, as the server lists a fresh build.
 */
function applyTail(out, changes) {
  if (!Array.isArray(changes)) throw new CompactError("changes is not a list");
  const moved = Object.fromEntries(Object.values(COLLECTIONS).map((name) => [name, new Map()]));
  for (const change of changes) {
    const name = Object.hasOwn(COLLECTIONS, change?.type) ? COLLECTIONS[change.type] : null;
    if (!name) continue; // a type this code does not know, as in a delta
    const id = change.entity_id;
    moved[name].delete(id); // a later change of it comes later
    const record =
      change.deleted || !change.data
        ? null
        : { id, version: change.version, revision: change.revision, ...change.data };
    moved[name].set(id, record);
  }
  for (const [name, changed] of Object.entries(moved)) {
    if (!changed.size) continue;
    const kept = out[name].filter((record) => !changed.has(record.id));
    out[name] = [...kept, ...[...changed.values()].filter((record) => record !== null)];
  }
}
