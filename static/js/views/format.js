// What the views show about a contact's hours, and dates in the user's language. No DOM.

import { whoToCall } from "../availability.js";

/** Format an instant (Date or ISO text) as a date and time in a language, or "". */
export function dateTime(value, lang) {
  if (!value) return "";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** Name a country (ISO 3166 code) in a language, as the server's `country_name` does; "" if unknown. */
export function countryName(code, lang) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([lang], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Format an instant as a weekday and time (the next opening), in a language. */
export function weekdayTime(date, lang) {
  return new Intl.DateTimeFormat(lang, { weekday: "short", hour: "numeric", minute: "2-digit" })
    .format(date);
}

/**
 * Say whom to call now: `{tone, text, backup}` for a contact, or null when its hours are not
 * known. `backup` is the contact to call instead when this one is off hours.
 */
export function availabilityNote(contact, directory, now, t, lang) {
  const timeZone = directory.workspace?.timezone ?? undefined;
  const who = whoToCall(contact, directory.contacts, now, { timeZone });
  if (who.reason === "available") return { tone: "ok", text: t("available_now"), backup: null };
  if (who.reason === "backup") {
    return { tone: "warn", text: t("off_hours_call", { name: who.contact.name }), backup: who.contact };
  }
  if (who.reason === "off-hours") {
    const next = who.availability.next;
    const text = next ? t("off_hours_until", { when: weekdayTime(next, lang) }) : t("off_hours");
    return { tone: "warn", text, backup: null };
  }
  return null;
}

/** Return a contact's first phone that can be dialled, or null. */
export function firstPhone(contact) {
  return (contact?.phones ?? []).find((phone) => phone && typeof phone.number === "string") ?? null;
}

/**
 * Return a phone's number as people read it: the server's `display` (national form at home,
 * international abroad), else the stored E.164 number (a copy kept before `display` existed).
 * Links are built from `number`, never from this.
 */
export function shownNumber(phone) {
  if (!phone) return "";
  if (typeof phone.display === "string" && phone.display.trim()) return phone.display;
  return typeof phone.number === "string" ? phone.number : "";
}

/** Return a number of minutes as people say it: "45 min", "2 h", "1 h 30 min". */
export function duration(minutes) {
  if (!Number.isInteger(minutes) || minutes < 0) return "";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
