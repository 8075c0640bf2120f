// Incidents as the app shows them (issue 17): the list (open first), one incident's timeline in
// order with who logged what and when, and the report for the authorities (the print view and
// its JSON download), all from the decrypted copy in memory. Times are the device's clock,
// stored in UTC and shown in the workspace's time zone. No DOM: node-tested.

import { compareInstants, entriesInOrder } from "./runner.js";

const OPEN = new Set(["open", "monitoring"]);

/** Tell whether an incident is still open (open or monitoring). */
export function isOpen(incident) {
  return OPEN.has(incident?.status ?? "open");
}

/** Return an incident's entries, in the order they happened. */
export function timeline(directory, incidentId) {
  const entries = [...(directory?.incident_entries?.values() ?? [])].filter(
    (entry) => entry.incident_id === incidentId,
  );
  return entriesInOrder(entries);
}

/**
 * Return the incidents, open first, each group newest first: `[{incident, open, entries,
 * last}]` with the count of entries and the last one logged.
 */
export function incidentList(directory) {
  const byIncident = new Map();
  for (const entry of directory?.incident_entries?.values() ?? []) {
    const list = byIncident.get(entry.incident_id) ?? [];
    list.push(entry);
    byIncident.set(entry.incident_id, list);
  }
  return [...(directory?.incidents?.values() ?? [])]
    .map((incident) => {
      const entries = entriesInOrder(byIncident.get(incident.id) ?? []);
      return { incident, open: isOpen(incident), entries: entries.length, last: entries.at(-1) ?? null };
    })
    .sort(
      (a, b) =>
        Number(b.open) - Number(a.open) || compareInstants(b.incident.started_at, a.incident.started_at),
    );
}

/** Return the open incident the app should land in (the newest started), or null. */
export function openIncident(directory) {
  return incidentList(directory).find((item) => item.open)?.incident ?? null;
}

/** Format an instant in a time zone and language: `{date, time, dateTime}` ("" when unknown). */
export function localTime(value, { lang = "es", timeZone } = {}) {
  const date = value instanceof Date ? value : new Date(value ?? NaN);
  if (Number.isNaN(date.getTime())) return { date: "", time: "", dateTime: "" };
  const zone = timeZone || undefined;
  const format = (options) => {
    try {
      return new Intl.DateTimeFormat(lang, { ...options, timeZone: zone }).format(date);
    } catch {
      return new Intl.DateTimeFormat(lang, options).format(date); // a zone this browser lacks
    }
  };
  return {
    date: format({ dateStyle: "medium" }),
    time: format({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
    dateTime: format({ dateStyle: "medium", timeStyle: "short", hourCycle: "h23" }),
  };
}

/**
 * Return one entry as a line of the timeline: `{id, at, date, time, kind, text, contact,
 * outcome, reference, step, author, pending}` (`contact` the directory's contact's name when it
 * still holds it, else the name kept in the entry).
 */
export function entryLine(directory, entry, { lang, timeZone }) {
  const when = localTime(entry.at, { lang, timeZone });
  const contact = entry.contact_id ? (directory?.contacts?.get(entry.contact_id) ?? null) : null;
  return {
    id: entry.id,
    at: entry.at,
    date: when.date,
    time: when.time,
    kind: entry.kind ?? "note",
    text: entry.text ?? "",
    contact: contact?.name ?? (entry.kind === "call" ? entry.text : null),
    outcome: entry.outcome ?? null,
    reference: entry.reference ?? null,
    step: Number.isInteger(entry.step) ? entry.step : null,
    author: entry.author ?? null,
    pending: Boolean(entry.pending),
  };
}

/**
 * Return the report for the authorities: everything the print view and the JSON download show.
 * `t` translates labels (outcomes, kinds, statuses); `now` is when the report is made.
 */
export function reportModel(directory, incidentId, { lang = "es", t, now = new Date() }) {
  const incident = directory?.incidents?.get(incidentId) ?? null;
  if (!incident) return null;
  const workspace = directory.workspace ?? {};
  const timeZone = workspace.timezone || undefined;
  const options = { lang, timeZone };
  const lines = timeline(directory, incidentId).map((entry) => entryLine(directory, entry, options));
  const playbook = incident.playbook_id ? (directory.playbooks?.get(incident.playbook_id) ?? null) : null;
  const label = (key, fallback) => (t ? t(key) : fallback);
  const withLabels = lines.map((line) => ({
    ...line,
    kindLabel: label(`entry_kind_${line.kind}`, line.kind),
    outcomeLabel: line.outcome ? label(`outcome_${line.outcome}`, line.outcome) : null,
  }));
  return {
    workspace: {
      name: workspace.name ?? "",
      city: workspace.city ?? null,
      country: workspace.country ?? null,
      timezone: timeZone ?? "UTC",
    },
    incident: {
      id: incident.id,
      title: incident.title,
      kind: incident.kind ?? null,
      severity: incident.severity ?? "medium",
      status: incident.status ?? "open",
      statusLabel: label(`incident_status_${incident.status ?? "open"}`, incident.status),
      severityLabel: label(`severity_${incident.severity ?? "medium"}`, incident.severity),
      playbook: playbook?.name ?? null,
      startedAt: incident.started_at ?? null,
      started: localTime(incident.started_at, options).dateTime,
      closedAt: incident.closed_at ?? null,
      closed: localTime(incident.closed_at, options).dateTime,
      summary: incident.summary ?? null,
    },
    timeline: withLabels,
    calls: withLabels.filter((line) => line.kind === "call"),
    reports: withLabels.filter((line) => line.kind === "report"),
    authors: [...new Set(withLabels.map((line) => line.author).filter(Boolean))],
    generated: localTime(now, options).dateTime,
    generatedAt: new Date(now).toISOString(),
  };
}

/** Return the report as the JSON download holds it (UTC times and local ones, the zone named). */
export function reportJson(model) {
  const { workspace, incident, timeline: lines, generatedAt } = model;
  return {
    format: "enlace-incident-report/1",
    generated_at: generatedAt,
    workspace,
    incident: {
      id: incident.id,
      title: incident.title,
      kind: incident.kind,
      severity: incident.severity,
      status: incident.status,
      playbook: incident.playbook,
      started_at: incident.startedAt,
      closed_at: incident.closedAt,
      summary: incident.summary,
    },
    timeline: lines.map((line) => ({
      at: line.at,
      local_time: `${line.date} ${line.time}`,
      kind: line.kind,
      text: line.text,
      contact: line.contact,
      outcome: line.outcome,
      reference: line.reference,
      step: line.step,
      author: line.author,
    })),
  };
}

/** Return the download's file name: `incident-<date>-<title>.json`, safe on every system. */
export function reportFileName(model) {
  const day = String(model.incident.startedAt ?? model.generatedAt).slice(0, 10);
  const slug = model.incident.title
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `incident-${day}${slug ? `-${slug}` : ""}.json`;
}
