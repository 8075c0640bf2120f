// Running a playbook during a crisis (issue 17): whom to call and in what order, who is next
// after "no answer", and the incident entries each action logs. The position in the list is
// read from the incident's own call entries, so every device that holds the log sees the same
// next contact, and a reload or a lock loses nothing. No DOM, no storage: node-tested.

import { availabilityAt } from "./availability.js";
import { buildPut } from "./edit.js";
import { playbookContacts } from "./snapshot.js";

/** How a call can go, in the order the runner offers them. */
export const OUTCOMES = Object.freeze(["answered", "no_answer", "voicemail", "wrong_number"]);
/** Outcomes after which the next contact is called. */
const MOVE_ON = new Set(["no_answer", "voicemail", "wrong_number"]);

function lookup(directory, id) {
  return id ? (directory?.contacts?.get(id) ?? null) : null;
}

function isLive(contact) {
  return Boolean(contact) && !contact.deleted;
}

/**
 * Return the playbook's contacts in its order, those this user may see: `[{contact, status,
 * available, backup}]`. `status` is availability.js's ("always", "open", "closed", "unknown"),
 * `available` whether they can be called now by their hours (unknown hours: yes), `backup` the
 * live contact named by `backup_contact_id` (or null).
 */
export function callOrder(directory, playbook, now, { timeZone } = {}) {
  const zone = timeZone ?? directory?.workspace?.timezone ?? undefined;
  return playbookContacts(directory, playbook)
    .filter(({ contact }) => isLive(contact))
    .map(({ contact }) => {
      const { status } = availabilityAt(contact, now, { timeZone: zone });
      const backupId = contact.backup_contact_id;
      const backup = backupId && backupId !== contact.id ? lookup(directory, backupId) : null;
      return {
        contact,
        status,
        available: status !== "closed",
        backup: isLive(backup) ? backup : null,
      };
    });
}

/**
 * Compare two of the protocol's dates by the instant they name. Their text cannot be compared:
 * the server writes `…:01Z` on a whole second and `…:01.500000Z` otherwise, a device `…:01.000Z`.
 * A missing or unreadable date comes first.
 */
export function compareInstants(a, b) {
  return (Date.parse(a ?? "") || 0) - (Date.parse(b ?? "") || 0);
}

/** Return an incident's entries in the order they happened (`at`, then as the server took them). */
export function entriesInOrder(entries) {
  return [...entries].sort((a, b) => {
    const at = compareInstants(a.at, b.at);
    if (at !== 0) return at;
    // Pending entries (no revision yet) come after those the server took.
    return (a.revision ?? Infinity) - (b.revision ?? Infinity);
  });
}

/**
 * Read where the runner stands from the incident's call entries (in order, from `since`, an
 * ISO time: "call again from the top" starts a new round). Returns:
 * `{index, current, reached, exhausted, offer, outcomes}`:
 * - `index`: the position of the contact to call now in `order`; `current` its item (or null);
 * - `reached`: the contact who answered (the list stops there), or null;
 * - `exhausted`: nobody answered and the list is over;
 * - `offer`: `{backup, of}` when the last contact not reached has a backup not called yet;
 * - `outcomes`: contact id → the outcome of their last call this round.
 */
export function runnerState(order, entries, { since = null } = {}) {
  const calls = entriesInOrder(entries).filter(
    (entry) =>
      entry.kind === "call" && entry.contact_id && (!since || Date.parse(entry.at) >= Date.parse(since)),
  );
  const position = new Map(order.map((item, i) => [item.contact.id, i]));
  // A backup stands in for the contact whose backup it is.
  const backupOf = new Map();
  order.forEach((item, i) => {
    if (item.backup && !position.has(item.backup.id)) backupOf.set(item.backup.id, i);
  });
  const outcomes = new Map();
  let index = 0;
  let reached = null;
  let missed = null; // the last contact in the list not reached, whose backup may be offered
  for (const call of calls) {
    outcomes.set(call.contact_id, call.outcome ?? null);
    const at = position.get(call.contact_id) ?? backupOf.get(call.contact_id);
    if (at === undefined) continue; // someone else called from the runner's note: no move
    if (call.outcome === "answered") {
      reached = order[at].contact.id === call.contact_id ? order[at].contact : order[at].backup;
      index = at;
      break;
    }
    if (MOVE_ON.has(call.outcome)) {
      index = Math.max(index, at + 1);
      missed = order[at];
    }
  }
  const offer =
    !reached && missed?.backup && !outcomes.has(missed.backup.id)
      ? { backup: missed.backup, of: missed.contact }
      : null;
  const exhausted = !reached && index >= order.length && order.length > 0;
  return {
    index: Math.min(index, order.length),
    current: reached || exhausted ? null : (order[index] ?? null),
    reached,
    exhausted,
    offer,
    outcomes,
  };
}

/** Return the playbook steps already done (their indexes), from the incident's action entries. */
export function stepsDone(entries) {
  return new Set(
    entries
      .filter((entry) => entry.kind === "action" && Number.isInteger(entry.step))
      .map((entry) => entry.step),
  );
}

// --- the mutations each action queues ----------------------------------------------------------

function iso(now) {
  return new Date(now).toISOString();
}

/** Start an incident from a playbook (or blank, with a title): the incident's create mutation. */
export function startIncident({ playbook = null, title = null, now, id } = {}) {
  const fields = {
    title: title ?? playbook?.name ?? "",
    kind: playbook?.crisis_kind ?? null,
    severity: playbook?.severity ?? "medium",
    status: "open",
    started_at: iso(now),
    playbook_id: playbook?.id ?? null,
  };
  return buildPut("incident", null, fields, id ? { entityId: id } : {});
}

function entry(incident, now, author, fields) {
  return buildPut("incident_entry", null, {
    incident_id: incident.id,
    at: iso(now),
    author: author ?? null,
    ...fields,
  });
}

/** Log a call and how it went (the contact's name is kept as the entry's text). */
export function callEntry(incident, { contact, outcome, now, author }) {
  if (!OUTCOMES.includes(outcome)) throw new TypeError(`unknown outcome ${outcome}`);
  return entry(incident, now, author, {
    kind: "call",
    text: contact.name,
    contact_id: contact.id,
    outcome,
  });
}

/** Log a playbook step done (its text is kept, should the playbook change later). */
export function stepEntry(incident, { step, text, now, author }) {
  return entry(incident, now, author, { kind: "action", text, step });
}

/** Log a note; blank text is nothing to log (null). */
export function noteEntry(incident, { text, now, author }) {
  if (!String(text ?? "").trim()) return null;
  return entry(incident, now, author, { kind: "note", text });
}

/**
 * Log a report to an authority: the agency (a contact of the directory, or null), its case or
 * folio number, when it was made (`at`, default now) and an optional note.
 */
export function reportEntry(incident, { agency = null, reference = "", note = "", at = null, now, author }) {
  const text = [agency?.name, String(note ?? "").trim()].filter(Boolean).join(" — ");
  return entry(incident, at ?? now, author, {
    kind: "report",
    text: text || String(reference ?? "").trim() || "—",
    contact_id: agency?.id ?? null,
    reference: String(reference ?? "").trim() || null,
  });
}

/** Close an incident with a summary: the update mutation (null if already closed). */
export function closeIncident(incident, { summary, now }) {
  if (incident.status === "closed") return null;
  return buildPut("incident", incident, {
    status: "closed",
    closed_at: iso(now),
    summary: String(summary ?? "").trim() || null,
  });
}

/** Return the directory's authorities, for the report's agency: emergency and authority kinds. */
export function authorities(directory, lang = "es") {
  const collator = new Intl.Collator(lang, { sensitivity: "base" });
  return [...(directory?.contacts?.values() ?? [])]
    .filter((contact) => ["emergency", "authority"].includes(contact.kind))
    .sort((a, b) => collator.compare(a.name ?? "", b.name ?? ""));
}
