// A contact's whole week in one line ("lun–vie 18:00–09:00, fines de semana"), from the weekly
// hours the snapshot carries (docs/ARCHITECTURE.md, 4.5). availability.js answers "now" and
// "next"; this says the rest of the week. No DOM: tested with `node --test`.

import { clockMinutes } from "./availability.js";

const WHOLE_DAY = 24 * 60;
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const WEEKEND = [6, 7];
const A_MONDAY = Date.UTC(2024, 0, 1);

const names = new Map();

/** Return the short weekday names of a language, Monday first ("lun" … "dom", "Mon" … "Sun"). */
export function weekdayNames(lang) {
  if (!names.has(lang)) {
    const format = new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" });
    names.set(
      lang,
      WEEKDAYS.map((day) => format.format(new Date(A_MONDAY + (day - 1) * 86_400_000))),
    );
  }
  return names.get(lang);
}

/**
 * Return the runs of consecutive ISO weekdays in a set, as [first, last] pairs, Monday first; a
 * run over the end of the week wraps (Saturday to Monday is one run, listed from Saturday).
 */
export function dayRuns(days) {
  const set = new Set(days);
  if (set.size === 7) return [[1, 7]];
  const before = (day) => (day === 1 ? 7 : day - 1);
  const after = (day) => (day === 7 ? 1 : day + 1);
  const runs = [];
  for (const start of WEEKDAYS) {
    if (!set.has(start) || set.has(before(start))) continue;
    let end = start;
    while (set.has(after(end))) end = after(end);
    runs.push([start, end]);
  }
  return runs;
}

/** Return a set of ISO weekdays as people say it: "lun–vie", "fines de semana", "lun, mié". */
export function daysText(days, lang, t) {
  const set = [...new Set(days)].sort();
  if (set.length === 7) return t("every_day");
  if (set.length === 2 && set[0] === WEEKEND[0] && set[1] === WEEKEND[1]) return t("weekends");
  const name = weekdayNames(lang);
  return dayRuns(set)
    .map(([first, last]) => {
      if (first === last) return name[first - 1];
      const length = ((last - first + 7) % 7) + 1;
      // Two days read better as a list than as a range ("sáb, dom").
      return length === 2
        ? `${name[first - 1]}, ${name[last - 1]}`
        : `${name[first - 1]}–${name[last - 1]}`;
    })
    .join(", ");
}

/** Return a range's hours as "09:00–18:00", or "" for the whole day (00:00–24:00). */
function hoursText(from, to) {
  const start = clockMinutes(from);
  const end = clockMinutes(to);
  if (start === 0 && (end === WHOLE_DAY || end === 0)) return "";
  return `${from}–${to}`;
}

function validRange(range) {
  return (
    range &&
    Array.isArray(range.days) &&
    range.days.some((day) => WEEKDAYS.includes(day)) &&
    clockMinutes(range.from) !== null &&
    clockMinutes(range.from) !== WHOLE_DAY &&
    clockMinutes(range.to) !== null
  );
}

/** Return the place a time zone names ("Europe/Madrid" → "Madrid"). */
function zonePlace(zone) {
  return zone.split("/").pop().replaceAll("_", " ");
}

/**
 * Return a contact's weekly hours in one line, or null when it has none: ranges with the same
 * hours share their days ("lun–vie 18:00–09:00"), the same days share a line ("lun–vie
 * 09:00–14:00 y 16:00–19:00"), a whole day is only its days ("fines de semana"). The hours
 * are the contact's wall times; when its time zone is not `timeZone` (the workspace's), the
 * line says whose they are.
 */
export function weeklySchedule(availability, { lang, t, timeZone } = {}) {
  if (!availability || typeof availability !== "object") return null;
  if (availability.always === true) return t("schedule_always");
  const ranges = (Array.isArray(availability.hours) ? availability.hours : []).filter(validRange);
  if (!ranges.length) return null;
  // The same hours on several ranges: one set of days.
  const byHours = new Map();
  for (const range of ranges) {
    const hours = hoursText(range.from, range.to);
    const days = byHours.get(hours) ?? new Set();
    for (const day of range.days) if (WEEKDAYS.includes(day)) days.add(day);
    byHours.set(hours, days);
  }
  // The same days with several hours: one line of days.
  const byDays = new Map();
  for (const [hours, days] of byHours) {
    const key = [...days].sort().join(",");
    const entry = byDays.get(key) ?? { days: [...days], hours: [] };
    entry.hours.push(hours);
    byDays.set(key, entry);
  }
  const firstDay = (entry) => dayRuns(entry.days)[0][0];
  const and = ` ${t("and")} `;
  const parts = [...byDays.values()]
    .sort((a, b) => firstDay(a) - firstDay(b))
    .map((entry) => {
      const days = daysText(entry.days, lang, t);
      // A whole day says it all: no hours beside it.
      if (entry.hours.includes("")) return days;
      return `${days} ${entry.hours.sort().join(and)}`;
    });
  const line = parts.join(", ");
  const zone = availability.timezone;
  if (zone && timeZone && zone !== timeZone) {
    return `${line} (${t("schedule_zone", { zone: zonePlace(zone) })})`;
  }
  return line;
}
