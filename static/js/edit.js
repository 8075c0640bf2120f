// From a form to one sync mutation, the optimistic view of pending edits, and the checks that
// need no server (docs/ARCHITECTURE.md, 4.3 and 5). Plain data in, plain data
// out: no DOM, no storage, no crypto beyond crypto.randomUUID() for new ids.

import { COLLECTIONS } from "./snapshot.js";
import { TEXT_ERRORS, textProblem } from "./text.js";

// --- canonical values ------------------------------------------------------------------------
// The server compares and stores values after pydantic's canonicalisation
// (webapp/directory/schemas.py): text in NFC; some fields stripped of white space; country upper
// case; e-mail domains lower case; UUIDs lower case; dates in UTC. The same is done here so that
// a value the user did not change is never sent. Phone numbers become E.164 only on the server
// (phonenumbers): here a number is compared as typed, or as the held number when it is that
// number's `display`.

// pydantic-core strips with Rust's `trim()`: the Unicode White_Space characters.
const RUST_SPACE =
  "\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
// `country` and e-mail addresses are stripped by Python's `str.strip()`, which adds \x1c-\x1f.
const PYTHON_SPACE = `${RUST_SPACE}\\x1c-\\x1f`;
const RUST_TRIM = new RegExp(`^[${RUST_SPACE}]+|[${RUST_SPACE}]+$`, "gu");
const PYTHON_TRIM = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, "gu");

/** Return text in Unicode NFC (anything else as it is). */
export function nfc(value) {
  return typeof value === "string" ? value.normalize("NFC") : value;
}

/** Return text in NFC without the white space pydantic strips around it. */
function stripped(value) {
  return typeof value === "string" ? nfc(value).replace(RUST_TRIM, "") : value;
}

/** Return null for an empty optional input: "no value", as the held record has it. */
function orNull(value) {
  return value === undefined || value === "" ? null : value;
}

/** Canonicalise an optional short text (stripped on the server). */
function shortText(value) {
  return orNull(stripped(value));
}

/** Canonicalise an optional long text: the server keeps its white space; blank is no value. */
function longText(value) {
  if (typeof value === "string" && value.replace(RUST_TRIM, "") === "") return null;
  return orNull(nfc(value));
}

/** Canonicalise a country code as the schema's validator does (stripped, upper case). */
function country(value) {
  return typeof value === "string"
    ? orNull(value.replace(PYTHON_TRIM, "").toUpperCase())
    : orNull(value);
}

/** Canonicalise a record id (the server writes UUIDs in lower case). */
function uuid(value) {
  return typeof value === "string" ? orNull(value.toLowerCase()) : orNull(value);
}

/** Canonicalise an e-mail address as email-validator does (stripped, domain in lower case). */
function emailAddress(value) {
  if (typeof value !== "string") return value;
  const text = nfc(value).replace(PYTHON_TRIM, "");
  const at = text.lastIndexOf("@");
  return at < 0 ? text : text.slice(0, at + 1) + text.slice(at + 1).toLowerCase();
}

/** Write a time as pydantic does: UTC, `2026-11-25T09:00:00Z`, microseconds when not zero. */
function dateTime(value) {
  if (typeof value !== "string") return orNull(value);
  const match = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.(\d+))?)?(?:Z|[+-]\d\d:\d\d)$/i.exec(
    value.trim(),
  );
  const time = match ? Date.parse(value.trim()) : NaN;
  // Sub-millisecond digits would be lost by Date: such a value is compared as it is.
  if (Number.isNaN(time) || /[1-9]/.test((match[1] ?? "").slice(3))) return orNull(value);
  const iso = new Date(time).toISOString();
  return iso.endsWith(".000Z") ? iso.replace(".000Z", "Z") : iso.replace("Z", "000Z");
}

/** Canonicalise each item of a list (anything else is left for the server to refuse). */
function list(value, item) {
  return Array.isArray(value) ? value.map(item) : value;
}

/** Tell whether a value is a JSON object. */
function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Nested values get the schema's defaults; keys the schema lacks are kept, so that the server
// (and checkFields) refuse them instead of a form's field being dropped without a word.

/** Canonicalise a phone; `display` is the server's and never sent. */
function phone(value) {
  if (!isObject(value)) return value;
  const { display: _display, ...rest } = value;
  const label = stripped(value.label ?? "");
  return { ...rest, label, number: stripped(value.number), whatsapp: value.whatsapp ?? false };
}

/** Canonicalise an e-mail. */
function email(value) {
  if (!isObject(value)) return value;
  return { ...value, label: stripped(value.label ?? ""), address: emailAddress(value.address) };
}

/** Canonicalise availability; one that says nothing is no value. */
function availability(value) {
  if (!isObject(value)) return orNull(value);
  const timezone = orNull(nfc(value.timezone));
  const canonical = { ...value, timezone, always: value.always ?? false, hours: value.hours ?? [] };
  const empty =
    Object.keys(canonical).length === 3 &&
    timezone === null &&
    canonical.always === false &&
    canonical.hours?.length === 0;
  return empty ? null : canonical;
}

/** Canonicalise partner details; empty ones are no value. */
function partner(value) {
  if (!isObject(value)) return orNull(value);
  const canonical = {
    ...value,
    response_minutes: orNull(value.response_minutes),
    preparation_minutes: orNull(value.preparation_minutes),
    procedure: longText(value.procedure),
  };
  const empty = Object.keys(canonical).length === 3 && Object.values(canonical).every((v) => v === null);
  return empty ? null : canonical;
}

const same = (value) => value;

/** Each editable field of each type, with the canonical form the server gives its value. */
export const FIELDS = Object.freeze({
  contact: Object.freeze({
    name: stripped,
    organization: shortText,
    role_title: shortText,
    kind: same,
    area: shortText,
    phones: (value) => list(value, phone),
    emails: (value) => list(value, email),
    address: longText,
    city: shortText,
    country,
    availability,
    backup_contact_id: uuid,
    when_to_contact: longText,
    partner,
    notes: longText,
    tags: (value) => list(value, stripped),
    visibility: same,
    last_verified_at: dateTime,
  }),
  playbook: Object.freeze({
    name: stripped,
    crisis_kind: shortText,
    severity: same,
    steps: (value) => list(value, stripped),
    contact_ids: (value) => list(value, uuid),
    guidance: longText,
    visibility: same,
  }),
  incident: Object.freeze({
    title: stripped,
    kind: shortText,
    severity: same,
    status: same,
    started_at: dateTime,
    closed_at: dateTime,
    summary: longText,
    playbook_id: uuid,
  }),
  // Entries are written once (append-only): their text is kept as typed, in NFC.
  incident_entry: Object.freeze({
    incident_id: uuid,
    at: dateTime,
    kind: same,
    text: nfc,
    contact_id: uuid,
    outcome: orNull,
    reference: shortText,
    step: orNull,
    author: shortText,
  }),
});

/** Return the editable fields of a type, or throw for a type without a form. */
function fieldsOf(type) {
  if (!Object.hasOwn(FIELDS, type)) throw new TypeError(`no editable fields for type ${type}`);
  return FIELDS[type];
}

/** Return the form's values of a type's fields in the server's canonical form (others dropped). */
export function canonicalFields(type, values) {
  const fields = fieldsOf(type);
  const canonical = {};
  for (const [name, value] of Object.entries(values ?? {})) {
    if (Object.hasOwn(fields, name)) canonical[name] = fields[name](value);
  }
  return canonical;
}

/** Tell whether two JSON values are equal (object keys in any order, arrays in order). */
export function sameValue(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameValue(item, b[i]))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]))
  );
}

/** Read a phone typed as the held number's `display` (national form) as that number. */
function phonesAsHeld(phones, heldPhones) {
  if (!Array.isArray(phones) || !Array.isArray(heldPhones)) return phones;
  return phones.map((item, index) => {
    const held = heldPhones[index];
    if (!isObject(item) || !isObject(held) || item.number === held.number) return item;
    const shown = stripped(held.display);
    return typeof shown === "string" && item.number === shown
      ? { ...item, number: held.number }
      : item;
  });
}

/** Return a held value as the server knows it: phones without their `display`. */
function heldValue(name, value) {
  if (name !== "phones" || !Array.isArray(value)) return value;
  return value.map((item) => {
    if (!isObject(item)) return item;
    const { display: _display, ...rest } = item;
    return rest;
  });
}

/** Return `{fields, base}`: the fields whose canonical value differs from the held record's. */
export function changedFields(type, held, values) {
  const canonical = canonicalFields(type, values);
  const fields = {};
  const base = {};
  for (const [name, value] of Object.entries(canonical)) {
    const before = heldValue(name, held[name]);
    const after = name === "phones" ? phonesAsHeld(value, held.phones) : value;
    if (sameValue(after, FIELDS[type][name](before))) continue;
    fields[name] = after;
    // A field the held record lacks goes without a base: the server then applies it only if
    // nothing changed since base_version.
    if (Object.hasOwn(held, name)) base[name] = before ?? null;
  }
  return { fields, base };
}

/** Return a new random UUID (mutation and record ids are made by the client). */
export function newId() {
  return globalThis.crypto.randomUUID();
}

/**
 * Build the one put mutation of a save: from the held record (null for a new one) and the
 * form's values; return null when nothing changed. `options`: `id` (the mutation's) and
 * `entityId` (a new record's), both new UUIDs by default.
 */
export function buildPut(type, held, values, { id = newId(), entityId } = {}) {
  if (!held) {
    const fields = canonicalFields(type, values);
    return { id, type, entity_id: entityId ?? newId(), op: "put", base_version: null, fields };
  }
  const { fields, base } = changedFields(type, held, values);
  if (Object.keys(fields).length === 0) return null;
  return {
    id,
    type,
    entity_id: held.id,
    op: "put",
    base_version: held.version ?? null,
    fields,
    base,
  };
}

/** Build the delete mutation of a held record. */
export function buildDelete(type, held, { id = newId() } = {}) {
  fieldsOf(type);
  return { id, type, entity_id: held.id, op: "delete", base_version: held.version ?? null };
}

// --- the optimistic view ---------------------------------------------------------------------

/** Apply one pending mutation to the copied collections (copying a collection on first use). */
function applyOne(collections, mutation) {
  const type = mutation?.type;
  if (!Object.hasOwn(COLLECTIONS, type) || typeof mutation.entity_id !== "string") return;
  const name = COLLECTIONS[type];
  const records = collections[name] ?? (collections[name] = new Map(collections.source[name]));
  const id = mutation.entity_id;
  if (mutation.op === "delete") {
    records.delete(id);
    return;
  }
  const held = records.get(id);
  // An edit of a record this copy does not hold (deleted meanwhile) has nothing to show: it
  // comes back as a conflict for the user to settle.
  if (!held && mutation.base_version !== null) return;
  const record = held ?? { id, version: null, revision: null };
  // Applied by the server already (outbox.js `overlay`): shown, but not as waiting to be sent.
  records.set(id, { ...record, ...mutation.fields, pending: mutation.applied !== true });
}

/**
 * Tell whether the copy holds what an applied mutation made: its record at `version` or later,
 * or, for a delete, no more. Without a version (an older answer), it is taken as held.
 */
export function copyHolds(directory, mutation, version) {
  if (!Number.isSafeInteger(version) || !Object.hasOwn(COLLECTIONS, mutation?.type)) return true;
  const record = directory?.[COLLECTIONS[mutation.type]]?.get(mutation.entity_id);
  if (mutation.op === "delete") return !record || (record.version ?? 0) >= version;
  return Boolean(record) && (record.version ?? 0) >= version;
}

/**
 * Return a copy of the directory (from buildDirectory) with the pending mutations applied on
 * top, in order, each record they touch marked `pending: true` (`false` for those marked
 * `applied`: outbox.js `overlay`); the input is not changed. The
 * copy shares what it did not change with the input: treat it as read-only, apply the server's
 * changes to the directory itself and call this again.
 */
export function applyPending(directory, mutations) {
  const collections = { source: directory };
  for (const mutation of mutations) applyOne(collections, mutation);
  const { source: _source, ...changed } = collections;
  return { ...directory, ...changed };
}

// --- checks that need no server --------------------------------------------------------------

/** Error codes of checkFields, for the view to translate (each may carry `min` or `max`). */
export const ERROR_CODES = Object.freeze([
  "required",
  "too_short",
  "too_long",
  "too_few",
  "too_many",
  "too_small",
  "too_large",
  "not_allowed",
  "format",
  "type",
  "unknown",
  "one_line",
  "hidden_character",
  "leading_mark",
]);

const KEYWORDS = [
  "type",
  "maxLength",
  "minLength",
  "maxItems",
  "minItems",
  "maximum",
  "minimum",
  "pattern",
  "enum",
  // `line` or `paragraphs`: typed text, checked by text.js as the server checks it.
  "x-text",
];
const MAX_DEPTH = 8;

/** Follow a local `$ref` of the document (a schema without one is returned as it is). */
function dereference(doc, schema) {
  const ref = schema?.$ref;
  if (typeof ref !== "string") return schema ?? {};
  if (!ref.startsWith("#/")) throw new TypeError(`only local references are followed: ${ref}`);
  let target = doc;
  for (const part of ref.slice(2).split("/")) {
    target = target?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  if (!target) throw new TypeError(`unresolved reference ${ref}`);
  return target;
}

/** Return a schema as a plain limits node: `$ref` followed, `anyOf [X, null]` a nullable X. */
function limitsNode(doc, schema, depth) {
  if (depth > MAX_DEPTH) return {};
  let source = dereference(doc, schema);
  let nullable = false;
  if (Array.isArray(source.anyOf)) {
    const options = source.anyOf.filter((option) => option?.type !== "null");
    nullable = options.length < source.anyOf.length;
    source = options.length === 1 ? { ...source, ...dereference(doc, options[0]) } : {};
  }
  const node = {};
  for (const keyword of KEYWORDS) {
    if (source[keyword] !== undefined) node[keyword] = source[keyword];
  }
  if (nullable || source.type === "null") node.nullable = true;
  if (source.properties) {
    node.type = "object";
    node.required = Array.isArray(source.required) ? [...source.required] : [];
    node.closed = source.additionalProperties === false;
    node.properties = {};
    for (const [name, property] of Object.entries(source.properties)) {
      node.properties[name] = limitsNode(doc, property, depth + 1);
    }
  }
  if (source.items) node.items = limitsNode(doc, source.items, depth + 1);
  return node;
}

/** Return the name of each sync type's record schema (`contact` → `ContactData`). */
function entitySchemaNames(doc) {
  const schemas = doc?.components?.schemas ?? {};
  const mapping = schemas.SyncRequest?.properties?.mutations?.items?.discriminator?.mapping;
  if (!mapping) throw new TypeError("the OpenAPI document has no sync mutation types");
  const names = {};
  for (const [type, ref] of Object.entries(mapping)) {
    // `…/ContactMutation` carries a `contact`; its whole record is `ContactData`.
    names[type] = ref
      .split("/")
      .pop()
      .replace(/Mutation$/, "Data");
  }
  return names;
}

/**
 * Read the field limits the server publishes in its OpenAPI document (/api/v1/limits.json, the
 * part of /api/v1/openapi.json with the record schemas; either reads the same):
 * `{contact: node, playbook: node, …}`, plain JSON to cache for offline use. A node has the
 * JSON Schema keywords that need no server (type, required, lengths, counts, ranges, pattern,
 * enum), `nullable`, `closed`, and `properties` or `items`.
 */
export function limitsFromOpenApi(doc) {
  const limits = {};
  for (const [type, name] of Object.entries(entitySchemaNames(doc))) {
    const schema = doc.components.schemas[name];
    if (schema) limits[type] = limitsNode(doc, { $ref: `#/components/schemas/${name}` }, 0);
  }
  return limits;
}

/** Count characters as Python's len() does: code points, not UTF-16 units. */
const length = (text) => [...text].length;

// The checks of each JSON Schema type; `fail(code, limits)` records an error at the path.
const CHECKS = {
  string(node, value, fail) {
    if (typeof value !== "string") return fail("type");
    const size = length(value);
    if (node.minLength !== undefined && size < node.minLength)
      return fail(size === 0 ? "required" : "too_short", { min: node.minLength });
    if (node.maxLength !== undefined && size > node.maxLength)
      return fail("too_long", { max: node.maxLength });
    if (node.pattern !== undefined && !matches(node.pattern, value)) return fail("format");
    const problem = node["x-text"] ? textProblem(value, node["x-text"]) : null;
    if (problem) return fail(TEXT_ERRORS[problem.reason], { char: problem.code });
  },
  integer(node, value, fail) {
    if (!Number.isInteger(value)) return fail("type");
    return CHECKS.range(node, value, fail);
  },
  number(node, value, fail) {
    if (typeof value !== "number" || !Number.isFinite(value)) return fail("type");
    return CHECKS.range(node, value, fail);
  },
  range(node, value, fail) {
    if (node.minimum !== undefined && value < node.minimum)
      return fail("too_small", { min: node.minimum });
    if (node.maximum !== undefined && value > node.maximum)
      return fail("too_large", { max: node.maximum });
  },
  boolean(_node, value, fail) {
    if (typeof value !== "boolean") return fail("type");
  },
};

/** Tell whether a value matches a published pattern (one JavaScript cannot read passes). */
function matches(pattern, value) {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true; // left to the server
  }
}

/** Check a list's count, then each item at `path.index`. */
function checkArray(node, value, path, errors) {
  if (!Array.isArray(value)) {
    errors[path] = { code: "type" };
    return;
  }
  if (node.minItems !== undefined && value.length < node.minItems) {
    errors[path] = { code: value.length === 0 ? "required" : "too_few", min: node.minItems };
  } else if (node.maxItems !== undefined && value.length > node.maxItems) {
    errors[path] = { code: "too_many", max: node.maxItems };
  }
  if (!node.items) return;
  value.forEach((item, index) => checkValue(node.items, item, `${path}.${index}`, errors));
}

/** Check an object's required and known keys, then each value at `path.key`. */
function checkObject(node, value, path, errors, partial) {
  if (!isObject(value)) {
    errors[path] = { code: "type" };
    return;
  }
  const at = (name) => (path ? `${path}.${name}` : name);
  for (const name of partial ? [] : node.required) {
    if (value[name] === undefined) errors[at(name)] = { code: "required" };
  }
  for (const [name, item] of Object.entries(value)) {
    const property = node.properties[name];
    if (property) checkValue(property, item, at(name), errors);
    else if (node.closed) errors[at(name)] = { code: "unknown" };
  }
}

/** Check one value against its limits node, recording the first error at its path. */
function checkValue(node, value, path, errors) {
  if (value === null || value === undefined) {
    if (value === null && !node.nullable) errors[path] = { code: "required" };
    return;
  }
  if (node.enum && !node.enum.some((option) => sameValue(option, value))) {
    errors[path] = { code: "not_allowed" };
    return;
  }
  if (node.type === "object" && node.properties) {
    checkObject(node, value, path, errors, false);
  } else if (node.type === "array") {
    checkArray(node, value, path, errors);
  } else if (CHECKS[node.type]) {
    CHECKS[node.type](node, value, (code, limits = {}) => {
      errors[path] = { code, ...limits };
    });
  }
}

/**
 * Check a form's values against the published limits, as the server will after its
 * canonicalisation; return errors by path (`name`, `phones.3.number`) as `{code, min?, max?}`
 * (codes in ERROR_CODES), empty when all pass. `partial`: the values are only some fields (an
 * edit), so missing required fields are not errors. Formats (e-mail, phone, UUID, time zone)
 * and references are the server's to check.
 */
export function checkFields(type, fields, limits, { partial = false } = {}) {
  const node = limits?.[type];
  if (!node?.properties) throw new TypeError(`no published limits for type ${type}`);
  const errors = {};
  checkObject({ ...node, closed: false }, canonicalFields(type, fields), "", errors, partial);
  return errors;
}
