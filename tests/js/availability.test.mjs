// "Available now", next opening and whom to call, in the contact's own time zone.
import { test } from "node:test";
import assert from "node:assert/strict";

import { availabilityAt, instantOf, isAvailable, whoToCall } from "../../static/js/availability.js";

const at = (iso) => new Date(iso);
const WEEKDAYS = [1, 2, 3, 4, 5];
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const contact = (timezone, hours, extra = {}) => ({
  id: extra.id ?? "c1",
  name: "Ana",
  availability: { timezone, always: false, hours },
  ...extra,
});
const office = contact("America/Mexico_City", [{ days: WEEKDAYS, from: "09:00", to: "18:00" }]);

test("a contact is open within office hours in its own time zone, with when it closes", () => {
  // Monday 23 November 2026, 10:00 in Mexico City (UTC-6).
  const result = availabilityAt(office, at("2026-11-23T16:00:00Z"));
  assert.equal(result.status, "open");
  assert.deepEqual(result.until, at("2026-11-24T00:00:00Z"));
  assert.ok(isAvailable(office, at("2026-11-23T16:00:00Z")));
});

test("before opening a contact is closed and opens at 09:00 local time", () => {
  const result = availabilityAt(office, at("2026-11-23T14:00:00Z")); // 08:00 local
  assert.equal(result.status, "closed");
  assert.deepEqual(result.next, at("2026-11-23T15:00:00Z"));
  assert.equal(isAvailable(office, at("2026-11-23T14:00:00Z")), false);
});

test("closing time is exclusive and Friday evening opens again on Monday", () => {
  const friday1800 = at("2026-11-28T00:00:00Z"); // Friday 27 Nov, 18:00 local
  const result = availabilityAt(office, friday1800);
  assert.equal(result.status, "closed");
  assert.deepEqual(result.next, at("2026-11-30T15:00:00Z")); // Monday 30 Nov, 09:00 local
});

test("the same instant is office hours in Madrid and night in Mexico City", () => {
  const madrid = contact("Europe/Madrid", [{ days: WEEKDAYS, from: "09:00", to: "18:00" }]);
  const now = at("2026-11-24T09:30:00Z"); // Tuesday: 10:30 in Madrid, 03:30 in Mexico City
  assert.equal(availabilityAt(madrid, now).status, "open");
  assert.deepEqual(availabilityAt(madrid, now).until, at("2026-11-24T17:00:00Z"));
  assert.equal(availabilityAt(office, now).status, "closed");
  assert.deepEqual(availabilityAt(office, now).next, at("2026-11-24T15:00:00Z"));
});

test("a night shift past midnight is open after midnight, on the day after its weekday", () => {
  const night = contact("America/Mexico_City", [{ days: [5], from: "22:00", to: "06:00" }]);
  const saturday0300 = at("2026-11-28T09:00:00Z");
  const open = availabilityAt(night, saturday0300);
  assert.equal(open.status, "open");
  assert.deepEqual(open.until, at("2026-11-28T12:00:00Z")); // Saturday 06:00 local
  const saturday0700 = availabilityAt(night, at("2026-11-28T13:00:00Z"));
  assert.equal(saturday0700.status, "closed");
  assert.deepEqual(saturday0700.next, at("2026-12-05T04:00:00Z")); // next Friday 22:00 local
  const friday2100 = availabilityAt(night, at("2026-11-28T03:00:00Z"));
  assert.equal(friday2100.status, "closed");
  assert.deepEqual(friday2100.next, at("2026-11-28T04:00:00Z"));
});

test("a range to 24:00 runs to midnight and joins the next day's range", () => {
  const late = contact("America/Mexico_City", [
    { days: [1], from: "18:00", to: "24:00" },
    { days: [2], from: "00:00", to: "08:00" },
  ]);
  const monday2300 = availabilityAt(late, at("2026-11-24T05:00:00Z"));
  assert.equal(monday2300.status, "open");
  assert.deepEqual(monday2300.until, at("2026-11-24T14:00:00Z")); // Tuesday 08:00, not midnight
});

test("whole days every day are open with no closing time in sight", () => {
  const allWeek = contact("Europe/Madrid", [{ days: EVERY_DAY, from: "00:00", to: "24:00" }]);
  const result = availabilityAt(allWeek, at("2026-11-25T12:00:00Z"));
  assert.equal(result.status, "open");
  assert.equal(result.until, null);
});

test("on the day clocks go forward, hours after the jump use the new offset", () => {
  // New York, Sunday 8 March 2026: 02:00 EST becomes 03:00 EDT.
  const daily = contact("America/New_York", [{ days: EVERY_DAY, from: "09:00", to: "17:00" }]);
  const saturdayNight = availabilityAt(daily, at("2026-03-08T03:00:00Z")); // Sat 22:00 EST
  assert.deepEqual(saturdayNight.next, at("2026-03-08T13:00:00Z")); // 09:00 EDT, not 14:00Z
  const open = availabilityAt(daily, at("2026-03-08T13:30:00Z"));
  assert.equal(open.status, "open");
  assert.deepEqual(open.until, at("2026-03-08T21:00:00Z"));
});

test("an opening inside the skipped hour happens when the clock shows it after the jump", () => {
  const early = contact("America/New_York", [{ days: [7], from: "02:30", to: "05:00" }]);
  const result = availabilityAt(early, at("2026-03-08T05:00:00Z")); // Sunday 00:00 EST
  assert.equal(result.status, "closed");
  assert.deepEqual(result.next, at("2026-03-08T07:30:00Z")); // 03:30 EDT
  assert.equal(
    instantOf(Date.UTC(2026, 2, 8, 2, 30), "America/New_York"),
    Date.parse("2026-03-08T07:30:00Z"),
  );
});

test("a night shift through the spring-forward night closes at 06:00 of the new offset", () => {
  const night = contact("America/New_York", [{ days: [6], from: "22:00", to: "06:00" }]);
  const before = availabilityAt(night, at("2026-03-08T09:59:00Z")); // 05:59 EDT
  assert.equal(before.status, "open");
  assert.deepEqual(before.until, at("2026-03-08T10:00:00Z"));
  assert.equal(availabilityAt(night, at("2026-03-08T10:00:00Z")).status, "closed");
});

test("on the day clocks go back, a repeated wall time opens at its first occurrence", () => {
  // New York, Sunday 1 November 2026: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
  const early = contact("America/New_York", [{ days: [7], from: "01:30", to: "03:00" }]);
  const result = availabilityAt(early, at("2026-11-01T04:00:00Z")); // 00:00 EDT
  assert.deepEqual(result.next, at("2026-11-01T05:30:00Z")); // 01:30 EDT
  const madrid = contact("Europe/Madrid", [{ days: [7], from: "09:00", to: "17:00" }]);
  // Madrid, Sunday 25 October 2026: back to CET (UTC+1) at 03:00.
  assert.deepEqual(
    availabilityAt(madrid, at("2026-10-25T00:00:00Z")).next,
    at("2026-10-25T08:00:00Z"),
  );
});

test("the workspace's time zone applies when the contact names none", () => {
  const noZone = contact(null, [{ days: WEEKDAYS, from: "09:00", to: "18:00" }]);
  const now = at("2026-11-23T16:00:00Z");
  assert.equal(availabilityAt(noZone, now).status, "unknown");
  assert.equal(availabilityAt(noZone, now, { timeZone: "America/Mexico_City" }).status, "open");
  assert.equal(availabilityAt(noZone, now, { timeZone: "Asia/Tokyo" }).status, "closed"); // 01:00
});

test("no hours, no availability or an unknown zone is unknown; always is always", () => {
  const now = at("2026-11-23T16:00:00Z");
  assert.equal(availabilityAt({ name: "x" }, now).status, "unknown");
  assert.equal(availabilityAt({ availability: null }, now).status, "unknown");
  assert.equal(availabilityAt(contact("Europe/Madrid", []), now).status, "unknown");
  assert.equal(
    availabilityAt(contact("Mars/Olympus", [{ days: [1], from: "09:00", to: "10:00" }]), now)
      .status,
    "unknown",
  );
  const always = { availability: { timezone: null, always: true, hours: [] } };
  assert.equal(availabilityAt(always, now).status, "always");
  assert.ok(isAvailable(always, now));
});

test("malformed ranges are ignored, not trusted", () => {
  const bad = contact("Europe/Madrid", [
    { days: [1], from: "25:00", to: "26:00" },
    { days: "1", from: "09:00", to: "18:00" },
    { days: [1], from: "24:00", to: "08:00" },
  ]);
  assert.equal(availabilityAt(bad, at("2026-11-23T10:00:00Z")).status, "unknown");
});

test("whom to call: the contact when available, else an available backup", () => {
  const backup = { id: "b1", name: "Luis", availability: { always: true } };
  const ana = { ...office, backup_contact_id: "b1" };
  const people = new Map([
    ["c1", ana],
    ["b1", backup],
  ]);
  const day = at("2026-11-23T16:00:00Z");
  const night = at("2026-11-24T06:00:00Z");
  assert.equal(whoToCall(ana, people, day).contact, ana);
  assert.equal(whoToCall(ana, people, day).reason, "available");
  const offHours = whoToCall(ana, people, night);
  assert.equal(offHours.contact, backup);
  assert.equal(offHours.reason, "backup");
  assert.equal(whoToCall(ana, { c1: ana, b1: backup }, night).contact, backup);
});

test("whom to call: nobody available leaves the contact, with its next opening", () => {
  const backup = { ...office, id: "b1", name: "Luis" };
  const ana = { ...office, backup_contact_id: "b1" };
  const result = whoToCall(ana, new Map([["b1", backup]]), at("2026-11-24T06:00:00Z"));
  assert.equal(result.contact, ana);
  assert.equal(result.reason, "off-hours");
  assert.deepEqual(result.availability.next, at("2026-11-24T15:00:00Z"));
});

test("whom to call: a missing, deleted or self backup is never chosen; unknown hours call the contact", () => {
  const night = at("2026-11-24T06:00:00Z");
  const always = { availability: { always: true } };
  for (const people of [new Map(), new Map([["b1", { ...always, id: "b1", deleted: true }]])]) {
    assert.equal(
      whoToCall({ ...office, backup_contact_id: "b1" }, people, night).reason,
      "off-hours",
    );
  }
  const self = { ...office, backup_contact_id: "c1" };
  assert.equal(whoToCall(self, new Map([["c1", self]]), night).reason, "off-hours");
  const unknown = { id: "u", name: "Sin horario", backup_contact_id: "b1" };
  const result = whoToCall(unknown, new Map([["b1", { ...always, id: "b1" }]]), night);
  assert.equal(result.contact, unknown);
  assert.equal(result.reason, "unknown");
});
