// A save becomes one mutation with only what changed, compared as the server compares it; the
// optimistic view; the checks made from the limits the server publishes.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  applyPending,
  buildDelete,
  buildPut,
  canonicalFields,
  checkFields,
  ERROR_CODES,
  limitsFromOpenApi,
} from "../../static/js/edit.js";
import { buildDirectory } from "../../static/js/snapshot.js";
import { FULL, fixture } from "./fixtures.mjs";

const OPENAPI = fixture("openapi.json");
const CANONICAL = fixture("canonical.json");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const directory = () => buildDirectory(FULL.plaintext);
const [SERVICE, ANA, LUIS] = FULL.plaintext.contacts.map((c) => c.id);
const PLAYBOOK = FULL.plaintext.playbooks[0];

/** A held record as the form shows it: a deep copy the test may change. */
function formOf(record) {
  const { id: _id, version: _version, revision: _revision, ...values } = structuredClone(record);
  return values;
}

function held(id) {
  return directory().contacts.get(id);
}

test("the server's canonical values come out of the form's values, phone numbers aside", () => {
  for (const { type, values, canonical } of CANONICAL) {
    const ours = canonicalFields(type, values);
    // E.164 needs phonenumbers: the server's to do.
    if (ours.phones)
      ours.phones = ours.phones.map((p) => ({ ...p, number: canonical.phones[0].number }));
    assert.deepEqual(ours, canonical, JSON.stringify(values));
  }
});

test("a save sends only the changed field, its held value as base and the held version", () => {
  const ana = held(ANA);
  const values = formOf(ana);
  values.notes = "Prefiere WhatsApp después de las 20:00";
  const mutation = buildPut("contact", ana, values);
  assert.match(mutation.id, UUID);
  assert.deepEqual(
    { ...mutation, id: null },
    {
      id: null,
      type: "contact",
      entity_id: ANA,
      op: "put",
      base_version: 3,
      fields: { notes: "Prefiere WhatsApp después de las 20:00" },
      base: { notes: null },
    },
  );
});

test("text typed otherwise but equal once canonical is no change, so nothing is sent", () => {
  const ana = held(ANA);
  const values = formOf(ana);
  values.name = "  Ana Rodri\u0301guez\u00a0"; // decomposed accent, spaces around
  values.organization = "Comida Ya ";
  values.city = ""; // held null: an empty input is no value
  values.notes = "   ";
  values.availability = {
    ...values.availability,
    hours: [{ days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }],
  };
  values.backup_contact_id = LUIS.toUpperCase();
  values.tags = [" reembolsos "];
  assert.equal(buildPut("contact", ana, values), null);
});

test("a phone shown in national form and left as it is, is not a change", () => {
  const ana = {
    ...held(ANA),
    phones: [{ label: "móvil", number: "+525512345678", display: "55 1234 5678", whatsapp: true }],
  };
  const values = formOf(ana);
  values.phones = [{ label: "móvil", number: "55 1234 5678", whatsapp: true }];
  assert.equal(buildPut("contact", ana, values), null);
});

test("a changed phone sends the whole list, and the base without the server's display", () => {
  const ana = {
    ...held(ANA),
    phones: [{ label: "móvil", number: "+525512345678", display: "55 1234 5678", whatsapp: true }],
  };
  const values = formOf(ana);
  values.phones = [
    { label: "móvil", number: "55 1234 5678", whatsapp: true },
    { label: "casa", number: "55 5555 0000" },
  ];
  const mutation = buildPut("contact", ana, values);
  assert.deepEqual(mutation.fields, {
    phones: [
      { label: "móvil", number: "+525512345678", whatsapp: true },
      { label: "casa", number: "55 5555 0000", whatsapp: false },
    ],
  });
  assert.deepEqual(mutation.base, {
    phones: [{ label: "móvil", number: "+525512345678", whatsapp: true }],
  });
});

test("nested fields go whole: one day more in availability, tags in another order", () => {
  const ana = held(ANA);
  const values = formOf(ana);
  values.availability.hours[0].days = [1, 2, 3, 4, 5, 6];
  values.tags = ["prensa", "reembolsos"];
  const mutation = buildPut("contact", ana, values);
  assert.deepEqual(Object.keys(mutation.fields).sort(), ["availability", "tags"]);
  assert.deepEqual(mutation.fields.availability, {
    timezone: "America/Mexico_City",
    always: false,
    hours: [{ days: [1, 2, 3, 4, 5, 6], from: "09:00", to: "18:00" }],
  });
  assert.deepEqual(mutation.base.availability, ana.availability);
  assert.deepEqual(mutation.base.tags, ["reembolsos"]);
});

test("clearing a field sends null with the held value as base", () => {
  const ana = held(ANA);
  const values = formOf(ana);
  values.organization = "  ";
  values.availability = { timezone: null, always: false, hours: [] };
  const mutation = buildPut("contact", ana, values);
  assert.deepEqual(mutation.fields, { organization: null, availability: null });
  assert.deepEqual(mutation.base, { organization: "Comida Ya", availability: ana.availability });
});

test("'checked today' sends the time in the server's form; the same instant is no change", () => {
  const ana = { ...held(ANA), last_verified_at: "2026-11-25T09:00:00Z" };
  const values = formOf(ana);
  values.last_verified_at = "2026-11-25T03:00:00.000-06:00";
  assert.equal(buildPut("contact", ana, values), null);
  values.last_verified_at = new Date(Date.UTC(2026, 11, 3, 17, 5, 9, 120)).toISOString();
  const mutation = buildPut("contact", ana, values);
  assert.deepEqual(mutation.fields, { last_verified_at: "2026-12-03T17:05:09.120000Z" });
  assert.deepEqual(mutation.base, { last_verified_at: "2026-11-25T09:00:00Z" });
});

test("a playbook's reordered steps and contacts are sent whole", () => {
  const values = formOf(PLAYBOOK);
  values.steps = ["Avisar a Dirección", "Llamar al 911"];
  values.contact_ids = [ANA, SERVICE];
  const mutation = buildPut("playbook", PLAYBOOK, values);
  assert.deepEqual(mutation.fields, { steps: values.steps, contact_ids: values.contact_ids });
  assert.deepEqual(mutation.base, { steps: PLAYBOOK.steps, contact_ids: PLAYBOOK.contact_ids });
  assert.equal(mutation.base_version, 1);
});

test("a new record has a new id, base_version null and no base", () => {
  const mutation = buildPut("contact", null, {
    name: " Marta ",
    phones: [{ number: "55 0000 1111" }],
    notes: "",
  });
  assert.match(mutation.id, UUID);
  assert.match(mutation.entity_id, UUID);
  assert.notEqual(mutation.id, mutation.entity_id);
  assert.equal(mutation.base_version, null);
  assert.equal("base" in mutation, false);
  assert.deepEqual(mutation.fields, {
    name: "Marta",
    phones: [{ label: "", number: "55 0000 1111", whatsapp: false }],
    notes: null,
  });
  const chosen = buildPut("contact", null, { name: "Marta" }, { entityId: "e-1", id: "m-1" });
  assert.equal(chosen.entity_id, "e-1");
  assert.equal(chosen.id, "m-1");
});

test("fields the form does not own are not sent", () => {
  const ana = held(ANA);
  const values = { ...formOf(ana), pending: true, display_name: "x" };
  assert.equal(buildPut("contact", ana, values), null);
});

test("a delete names the record and the version the user saw", () => {
  const mutation = buildDelete("contact", held(ANA));
  assert.match(mutation.id, UUID);
  assert.deepEqual(
    { ...mutation, id: null },
    { id: null, type: "contact", entity_id: ANA, op: "delete", base_version: 3 },
  );
});

test("pending edits show on a copy of the directory, marked, in order; the input is unchanged", () => {
  const dir = directory();
  const before = structuredClone(dir);
  const ana = dir.contacts.get(ANA);
  const first = buildPut("contact", ana, { ...formOf(ana), notes: "uno" });
  const second = buildPut("contact", ana, { ...formOf(ana), notes: "dos" });
  const created = buildPut("contact", null, { name: "Marta" }, { entityId: "new-1" });
  const removed = buildDelete("contact", dir.contacts.get(LUIS));
  const playbook = buildPut("playbook", PLAYBOOK, { ...formOf(PLAYBOOK), name: "Amenaza" });
  const view = applyPending(dir, [first, second, created, removed, playbook]);

  assert.deepEqual(dir, before, "the directory given is not changed");
  assert.equal(view.contacts.get(ANA).notes, "dos");
  assert.equal(view.contacts.get(ANA).pending, true);
  assert.equal(view.contacts.get(ANA).version, 3, "a further edit is based on the held version");
  assert.deepEqual(view.contacts.get("new-1"), {
    id: "new-1",
    version: null,
    revision: null,
    name: "Marta",
    pending: true,
  });
  assert.equal(view.contacts.has(LUIS), false);
  assert.equal(view.contacts.get(SERVICE).pending, undefined);
  assert.equal(view.playbooks.get(PLAYBOOK.id).name, "Amenaza");
  assert.equal(view.revision, dir.revision);
});

test("an edit of a record deleted meanwhile shows nothing; with nothing pending the view is the same", () => {
  const dir = directory();
  const gone = buildPut("contact", { ...held(LUIS), id: "deleted-id" }, { name: "x" });
  const view = applyPending(dir, [gone]);
  assert.equal(view.contacts.has("deleted-id"), false);
  assert.equal(applyPending(dir, []).contacts, dir.contacts);
});

// --- limits ------------------------------------------------------------------------------

test("the limits are read from the server's OpenAPI document, not copied", () => {
  const limits = limitsFromOpenApi(OPENAPI);
  assert.deepEqual(Object.keys(limits).sort(), [
    "contact",
    "incident",
    "incident_entry",
    "playbook",
  ]);
  const contact = limits.contact;
  assert.deepEqual(contact.required, ["name"]);
  assert.equal(contact.properties.name.maxLength, 200);
  assert.equal(contact.properties.notes.maxLength, 4000);
  assert.equal(contact.properties.notes.nullable, true);
  assert.equal(contact.properties.phones.maxItems, 10);
  assert.equal(contact.properties.emails.maxItems, 10);
  assert.equal(contact.properties.phones.items.properties.number.maxLength, 40);
  assert.deepEqual(contact.properties.phones.items.required, ["number"]);
  assert.equal(contact.properties.availability.properties.hours.items.properties.days.maxItems, 7);
  assert.equal(limits.playbook.properties.steps.maxItems, 50);
  assert.equal(limits.playbook.properties.steps.items.maxLength, 500);
  assert.deepEqual(JSON.parse(JSON.stringify(limits)), limits, "plain JSON, to cache offline");
});

test("a document without the sync types is refused", () => {
  assert.throws(() => limitsFromOpenApi({ components: { schemas: {} } }), TypeError);
});

test("checks by path: required name, lengths, counts, ranges, choices, patterns", () => {
  const limits = limitsFromOpenApi(OPENAPI);
  const phones = Array.from({ length: 11 }, (_, i) => ({ number: `55 0000 00${i}` }));
  phones[3] = { label: "x".repeat(61), number: " " };
  const errors = checkFields(
    "contact",
    {
      name: "   ",
      organization: "é".repeat(201),
      notes: "n".repeat(4000),
      phones,
      kind: "friend",
      country: "Mexico",
      tags: ["ok", " "],
      partner: { response_minutes: 10081 },
      availability: { hours: [{ days: [], from: "9:00", to: "18:00" }] },
    },
    limits,
  );
  assert.deepEqual(errors, {
    name: { code: "required", min: 1 },
    organization: { code: "too_long", max: 200 },
    phones: { code: "too_many", max: 10 },
    "phones.3.label": { code: "too_long", max: 60 },
    "phones.3.number": { code: "required", min: 1 },
    kind: { code: "not_allowed" },
    country: { code: "format" },
    "tags.1": { code: "required", min: 1 },
    "partner.response_minutes": { code: "too_large", max: 10080 },
    "availability.hours.0.days": { code: "required", min: 1 },
    "availability.hours.0.from": { code: "format" },
  });
  for (const { code } of Object.values(errors)) assert.ok(ERROR_CODES.includes(code), code);
});

test("lengths count characters as the server does (code points, after NFC)", () => {
  const limits = limitsFromOpenApi(OPENAPI);
  // 200 emoji are 400 UTF-16 units but 200 characters; 200 decomposed é are 200 once composed.
  assert.deepEqual(checkFields("contact", { name: "🚒".repeat(200) }, limits), {});
  assert.deepEqual(checkFields("contact", { name: "e\u0301".repeat(200) }, limits), {});
});

test("a key the server does not know is refused before sending, never dropped", () => {
  const limits = limitsFromOpenApi(OPENAPI);
  const values = { name: "Ana", partner: { response_minutes: 30, handover_minutes: 60 } };
  assert.deepEqual(checkFields("contact", values, limits), {
    "partner.handover_minutes": { code: "unknown" },
  });
  assert.deepEqual(buildPut("contact", null, values).fields.partner, {
    ...values.partner,
    preparation_minutes: null,
    procedure: null,
  });
});

test("a new record needs its name; an edit of some fields does not", () => {
  const limits = limitsFromOpenApi(OPENAPI);
  assert.deepEqual(checkFields("contact", { notes: "x" }, limits), { name: { code: "required" } });
  assert.deepEqual(checkFields("contact", { notes: "x" }, limits, { partial: true }), {});
  assert.deepEqual(checkFields("playbook", formOf(PLAYBOOK), limits), {});
  assert.deepEqual(checkFields("contact", formOf(held(ANA)), limits), {});
  assert.deepEqual(
    checkFields("contact", { name: "A", partner: { response_minutes: "5" } }, limits),
    {
      "partner.response_minutes": { code: "type" },
    },
  );
});

test("typed text follows the server's rule: hidden characters, one line, leading marks", () => {
  const limits = limitsFromOpenApi(OPENAPI);
  const errors = checkFields(
    "contact",
    {
      name: "Police \u202e119 call",
      organization: "Cruz\nRoja",
      role_title: "\u0301",
      tags: ["ok", "x\u2066y"],
      notes: "Primero:\n\t1. Guardia\r\n\t2. Jefa",
    },
    limits,
  );
  assert.deepEqual(errors, {
    name: { code: "hidden_character", char: "U+202E" },
    organization: { code: "one_line", char: "U+000A" },
    role_title: { code: "leading_mark", char: "U+0301" },
    "tags.1": { code: "hidden_character", char: "U+2066" },
  });
  const steps = checkFields("playbook", { name: "Fuego", steps: ["Salir\x1b ya"] }, limits);
  assert.deepEqual(steps, { "steps.0": { code: "hidden_character", char: "U+001B" } });
  const entry = { incident_id: crypto.randomUUID(), at: "2026-12-03T10:00:00Z", text: "a\x7f" };
  assert.deepEqual(checkFields("incident_entry", entry, limits), {
    text: { code: "hidden_character", char: "U+007F" },
  });
});
