// "Available now", the next opening and whom to call, from a contact's weekly hours in its own
// time zone. Wall times come from Intl.DateTimeFormat; no date library, no DOM.

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CLOCK = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
// A week and a day of ranges: one that starts yesterday may still be open today, and the next
// opening of a weekly schedule is at most seven days away.
const FIRST_DAY = -1;
const LAST_DAY = 8;

const formatters = new Map();

function formatter(timeZone) {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

// formatToParts costs tens of microseconds; a directory asks the same few instants of the
// same zones for thousands of contacts.
const wallTimes = new Map();
const WALL_TIMES_KEPT = 4096;

/** Return the wall time of an instant in a time zone, as milliseconds of a UTC "naive" date. */
export function wallTime(instant, timeZone) {
  const key = `${timeZone}|${instant}`;
  let wall = wallTimes.get(key);
  if (wall === undefined) {
    wall = computeWallTime(instant, timeZone);
    if (wallTimes.size >= WALL_TIMES_KEPT) wallTimes.clear();
    wallTimes.set(key, wall);
  }
  return wall;
}

function computeWallTime(instant, timeZone) {
  const parts = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant)) parts[type] = value;
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
}

function offsetAt(instant, timeZone) {
  const floored = Math.floor(instant / MINUTE) * MINUTE;
  return wallTime(floored, timeZone) - floored;
}

/**
 * Return the instant a wall time happens in a time zone.
 *
 * A wall time that happens twice (clocks turned back) is the first; one that never happens
 * (clocks turned forward) moves later by the jump, as a clock on the wall would read it.
 */
export function instantOf(wall, timeZone) {
  // Real zones change offset at most once within two days of any moment.
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => wallTime(t, timeZone) === wall);
  if (candidates.length) return Math.min(...candidates);
  return wall - before;
}

/** Return the minutes since midnight of a "HH:MM" clock ("24:00" is 1440), or null. */
export function clockMinutes(clock) {
  const match = CLOCK.exec(clock ?? "");
  if (!match) return null;
  return match[3] ? 24 * 60 : Number(match[1]) * 60 + Number(match[2]);
}

function isoWeekday(wallDay) {
  return ((new Date(wallDay).getUTCDay() + 6) % 7) + 1;
}

/** Return the open intervals [start, end) in wall time around `wallNow`, sorted by start. */
function intervals(hours, wallNow) {
  const today = Math.floor(wallNow / DAY) * DAY;
  const found = [];
  for (const range of hours) {
    const from = clockMinutes(range?.from);
    const to = clockMinutes(range?.to);
    if (from === null || to === null || from === 24 * 60 || !Array.isArray(range.days)) continue;
    for (let k = FIRST_DAY; k <= LAST_DAY; k++) {
      const day = today + k * DAY;
      if (!range.days.includes(isoWeekday(day))) continue;
      // 22:00–06:00 ends the next day; 00:00–00:00 is a whole day.
      const end = to > from ? day + to * MINUTE : day + DAY + to * MINUTE;
      found.push([day + from * MINUTE, end]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]);
}

/**
 * Return a contact's availability at `now`: `{status, until, next}`.
 *
 * `status` is "unknown" (no hours), "always", "open" (then `until`: when it closes, or null if
 * it never does within a week) or "closed" (then `next`: the next opening, or null).
 * `timeZone` is used when the contact's availability names none (the workspace's).
 */
export function availabilityAt(contact, now, { timeZone } = {}) {
  const availability = contact?.availability;
  if (!availability || typeof availability !== "object") return { status: "unknown" };
  if (availability.always === true) return { status: "always" };
  const hours = Array.isArray(availability.hours) ? availability.hours : [];
  const zone = availability.timezone || timeZone;
  if (!hours.length || !zone) return { status: "unknown" };
  let wallNow;
  try {
    wallNow = wallTime(now.getTime(), zone);
  } catch {
    return { status: "unknown" }; // a zone this browser does not know
  }
  const open = intervals(hours, wallNow);
  if (!open.length) return { status: "unknown" };
  let until = null;
  for (const [start, end] of open) {
    if (start <= wallNow && wallNow < end) until = Math.max(until ?? end, end);
  }
  if (until !== null) {
    // Ranges that touch or overlap (Monday 00:00–24:00 then Tuesday) are one opening.
    for (const [start, end] of open) if (start <= until && end > until) until = end;
    const horizon = Math.floor(wallNow / DAY) * DAY + LAST_DAY * DAY;
    const closes = until >= horizon ? null : new Date(instantOf(until, zone));
    return { status: "open", until: closes, next: null };
  }
  const next = open.find(([start]) => start > wallNow);
  return { status: "closed", until: null, next: next ? new Date(instantOf(next[0], zone)) : null };
}

/** Tell whether a contact can be called now by its hours ("always" or "open"). */
export function isAvailable(contact, now, options) {
  const { status } = availabilityAt(contact, now, options);
  return status === "always" || status === "open";
}

/**
 * Return whom to call for a contact now: `{contact, reason, availability}`.
 *
 * `reason` is "available", "unknown" (no hours: call them), "backup" (off hours and the backup
 * named by `backup_contact_id` is available) or "off-hours" (nobody available: the contact).
 * `contactsById` is a Map or an object of the directory's live contacts.
 */
export function whoToCall(contact, contactsById, now, options) {
  const own = availabilityAt(contact, now, options);
  if (own.status === "always" || own.status === "open") {
    return { contact, reason: "available", availability: own };
  }
  if (own.status === "unknown") return { contact, reason: "unknown", availability: own };
  const id = contact.backup_contact_id;
  const backup = !id || id === contact.id ? null : lookup(contactsById, id);
  if (backup && !backup.deleted) {
    const theirs = availabilityAt(backup, now, options);
    if (theirs.status === "always" || theirs.status === "open") {
      return { contact: backup, reason: "backup", availability: theirs };
    }
  }
  return { contact, reason: "off-hours", availability: own };
}

function lookup(contactsById, id) {
  if (!contactsById) return null;
  if (contactsById instanceof Map) return contactsById.get(id) ?? null;
  return Object.hasOwn(contactsById, id) ? contactsById[id] : null;
}
