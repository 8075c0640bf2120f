// What the directory says about whom to call now.
import { test } from "node:test";
import assert from "node:assert/strict";

import { translator } from "../../static/js/i18n.js";
import { availabilityNote, countryName, firstPhone } from "../../static/js/views/format.js";

const t = translator("en");
const office = {
  timezone: "America/Mexico_City",
  hours: [{ days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }],
};
const backup = { id: "b", name: "Luis Peña", availability: { always: true } };
const ana = { id: "a", name: "Ana", availability: office, backup_contact_id: "b" };
const lone = { id: "c", name: "Carla", availability: office };
const directory = {
  workspace: { timezone: "America/Mexico_City" },
  contacts: new Map([ana, backup, lone].map((c) => [c.id, c])),
};
// Wednesday 2026-11-25: 12:00 and 23:00 in Mexico City (UTC-6).
const noon = new Date("2026-11-25T18:00:00Z");
const night = new Date("2026-11-26T05:00:00Z");

test("in office hours a contact is available now", () => {
  assert.deepEqual(availabilityNote(ana, directory, noon, t, "en"), {
    tone: "ok",
    text: "Available now",
    backup: null,
  });
});

test("off hours the note names the backup to call instead", () => {
  const note = availabilityNote(ana, directory, night, t, "en");
  assert.equal(note.text, "Off hours — call Luis Peña");
  assert.equal(note.backup, backup);
});

test("off hours without a backup the note says when the contact is back", () => {
  const note = availabilityNote(lone, directory, night, t, "en");
  assert.equal(note.tone, "warn");
  // Thursday 09:00 in Mexico City, shown in the device's own time zone.
  const opens = new Date("2026-11-26T15:00:00Z");
  const local = new Intl.DateTimeFormat("en", { weekday: "short", hour: "numeric", minute: "2-digit" });
  assert.equal(note.text, `Off hours — available ${local.format(opens)}`);
});

test("without hours there is nothing to say, and the first phone is the one called", () => {
  assert.equal(availabilityNote({ id: "x", name: "X" }, directory, noon, t, "en"), null);
  assert.deepEqual(firstPhone({ phones: [{ number: "911" }, { number: "+52" }] }), { number: "911" });
  assert.equal(firstPhone({}), null);
});

test("a number shows as the server wrote it for people, else as held", async () => {
  const { shownNumber } = await import("../../static/js/views/format.js");
  const { telHref } = await import("../../static/js/links.js");
  const phone = { label: "Oficina", number: "+523300000202", display: "33 0000 0202" };
  assert.equal(shownNumber(phone), "33 0000 0202");
  assert.equal(telHref(phone.number), "tel:+523300000202");
  // A copy kept before the server sent `display`, or a blank one: the E.164 number.
  assert.equal(shownNumber({ number: "+523300000202" }), "+523300000202");
  assert.equal(shownNumber({ number: "+523300000202", display: "  " }), "+523300000202");
  assert.equal(shownNumber({ number: "911", display: null }), "911");
  assert.equal(shownNumber(null), "");
});

test("minutes read as people say them", async () => {
  const { duration } = await import("../../static/js/views/format.js");
  assert.equal(duration(45), "45 min");
  assert.equal(duration(0), "0 min");
  assert.equal(duration(120), "2 h");
  assert.equal(duration(90), "1 h 30 min");
  assert.equal(duration(null), "");
  assert.equal(duration(-5), "");
});

test("a country is named in the reader's language, as the server names it", () => {
  assert.equal(countryName("MX", "es"), "México");
  assert.equal(countryName("MX", "en"), "Mexico");
  assert.equal(countryName("ES", "es"), "España");
  assert.equal(countryName("", "es"), "");
  assert.equal(countryName(undefined, "en"), "");
});
