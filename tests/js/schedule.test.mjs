// A contact's whole week in one line, in Spanish and English.
import { test } from "node:test";
import assert from "node:assert/strict";

import { translator } from "../../static/js/i18n.js";
import { dayRuns, daysText, weekdayNames, weeklySchedule } from "../../static/js/schedule.js";

const es = { lang: "es", t: translator("es"), timeZone: "America/Mexico_City" };
const en = { lang: "en", t: translator("en"), timeZone: "America/Mexico_City" };
const WEEKDAYS = [1, 2, 3, 4, 5];

// The night shift of the issue: weekday nights until the office opens, and whole weekends.
const nights = {
  timezone: "America/Mexico_City",
  hours: [
    { days: WEEKDAYS, from: "18:00", to: "09:00" },
    { days: [6, 7], from: "00:00", to: "24:00" },
  ],
};

test("weekday nights and whole weekends read as one line in both languages", () => {
  assert.equal(weeklySchedule(nights, es), "lun–vie 18:00–09:00, fines de semana");
  assert.equal(weeklySchedule(nights, en), "Mon–Fri 18:00–09:00, weekends");
});

test("ranges with the same hours share their days, the same days share a line", () => {
  const split = {
    hours: [
      { days: [4, 5], from: "09:00", to: "14:00" },
      { days: [1, 2, 3], from: "09:00", to: "14:00" },
      { days: WEEKDAYS, from: "16:00", to: "19:00" },
      { days: [6], from: "10:00", to: "13:00" },
    ],
  };
  assert.equal(weeklySchedule(split, es), "lun–vie 09:00–14:00 y 16:00–19:00, sáb 10:00–13:00");
  assert.equal(weeklySchedule(split, en), "Mon–Fri 09:00–14:00 and 16:00–19:00, Sat 10:00–13:00");
});

test("every day, always, and a whole day said without hours", () => {
  const daily = { hours: [{ days: [1, 2, 3, 4, 5, 6, 7], from: "08:00", to: "20:00" }] };
  assert.equal(weeklySchedule(daily, es), "todos los días 08:00–20:00");
  assert.equal(weeklySchedule({ always: true }, en), "24 h, every day");
  const mondays = { hours: [{ days: [1], from: "00:00", to: "00:00" }] };
  assert.equal(weeklySchedule(mondays, en), "Mon");
});

test("hours in another time zone than the workspace's say whose they are", () => {
  const madrid = { timezone: "Europe/Madrid", hours: [{ days: WEEKDAYS, from: "09:00", to: "17:00" }] };
  assert.equal(weeklySchedule(madrid, es), "lun–vie 09:00–17:00 (hora de Madrid)");
  const ny = { timezone: "America/New_York", hours: [{ days: [1], from: "09:00", to: "17:00" }] };
  assert.equal(weeklySchedule(ny, en), "Mon 09:00–17:00 (New York time)");
});

test("no hours, or only broken ranges, is no line at all", () => {
  assert.equal(weeklySchedule(null, es), null);
  assert.equal(weeklySchedule({ hours: [] }, es), null);
  const broken = { hours: [{ days: [9], from: "09:00", to: "18:00" }, { days: [1], from: "25:00", to: "18:00" }] };
  assert.equal(weeklySchedule(broken, es), null);
  // A broken range beside a good one does not hide the good one.
  const mixed = { hours: [...broken.hours, { days: [2], from: "10:00", to: "11:00" }] };
  assert.equal(weeklySchedule(mixed, es), "mar 10:00–11:00");
});

test("days read as ranges, pairs and lists, across the end of the week too", () => {
  assert.deepEqual(weekdayNames("es"), ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]);
  assert.deepEqual(dayRuns([6, 7, 1]), [[6, 1]]);
  assert.deepEqual(dayRuns([1, 3, 4, 5]), [[1, 1], [3, 5]]);
  const t = translator("es");
  assert.equal(daysText([1, 3, 5], "es", t), "lun, mié, vie");
  assert.equal(daysText([1, 2], "es", t), "lun, mar");
  assert.equal(daysText([5, 6, 7, 1], "es", t), "vie–lun");
  assert.equal(daysText([7, 6], "en", translator("en")), "weekends");
});
