// Incidents in the app: the list (open first), the timeline in order with who and when, and the
// report for the authorities with local times in the workspace's time zone.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  incidentList,
  openIncident,
  reportFileName,
  reportJson,
  reportModel,
  timeline,
} from "../../static/js/incidents.js";
import { translator } from "../../static/js/i18n.js";

function directoryOf({ incidents = [], entries = [], contacts = [], playbooks = [] }) {
  const map = (list) => new Map(list.map((item) => [item.id, item]));
  return {
    workspace: { id: "w", name: "Comida Ya", city: "Ciudad de México", country: "MX", timezone: "America/Mexico_City" },
    contacts: map(contacts),
    playbooks: map(playbooks),
    incidents: map(incidents),
    incident_entries: map(entries),
  };
}

const old = { id: "old", title: "Caída del sitio", status: "closed", started_at: "2026-10-01T10:00:00Z" };
const storm = {
  id: "storm",
  title: "Ola de reembolsos",
  status: "open",
  severity: "high",
  started_at: "2026-12-03T21:00:00Z",
  playbook_id: "p",
};
const watch = { id: "watch", title: "Amenaza", status: "monitoring", started_at: "2026-11-30T08:00:00Z" };
const police = { id: "pol", name: "Policía cibernética", kind: "authority" };
const entries = [
  { id: "e3", incident_id: "storm", kind: "note", text: "Folio de la policía: FGJ/123", at: "2026-12-03T21:20:00Z", author: "Marta", revision: 9 },
  { id: "e1", incident_id: "storm", kind: "call", text: "Ana", contact_id: "a", outcome: "no_answer", at: "2026-12-03T21:05:00Z", author: "Marta", revision: 7 },
  { id: "e2", incident_id: "storm", kind: "call", text: "Beto", contact_id: "b", outcome: "answered", at: "2026-12-03T21:05:00Z", author: "Luis", revision: 8 },
  { id: "e4", incident_id: "storm", kind: "report", text: "Policía cibernética", contact_id: "pol", reference: "FGJ/CDMX/123", at: "2026-12-03T21:30:00Z", author: "Marta", pending: true },
  { id: "x1", incident_id: "old", kind: "note", text: "Restablecido", at: "2026-10-01T12:00:00Z" },
];
const directory = directoryOf({
  incidents: [old, storm, watch],
  entries,
  contacts: [police],
  playbooks: [{ id: "p", name: "Ola de reembolsos o fallas de pago" }],
});

test("the list shows open incidents first, newest first, with their entry counts", () => {
  const list = incidentList(directory);
  assert.deepEqual(
    list.map((item) => [item.incident.id, item.open, item.entries]),
    [
      ["storm", true, 4],
      ["watch", true, 0],
      ["old", false, 1],
    ],
  );
  assert.equal(list[0].last.id, "e4");
  assert.equal(openIncident(directory).id, "storm");
  assert.equal(openIncident(directoryOf({ incidents: [old] })), null);
});

test("the timeline is in the order things happened, ties in the order the server took them", () => {
  assert.deepEqual(
    timeline(directory, "storm").map((entry) => entry.id),
    ["e1", "e2", "e3", "e4"],
  );
});

test("entries and incidents are ordered by instant, whatever the length of their date's text", () => {
  // The server writes a whole second without a fraction; a device writes milliseconds.
  const whole = { id: "w", incident_id: "i", kind: "call", at: "2026-12-03T21:05:01Z", revision: 3 };
  const later = { id: "l", incident_id: "i", kind: "call", at: "2026-12-03T21:05:01.500000Z", revision: 2 };
  const mine = { id: "m", incident_id: "i", kind: "note", at: "2026-12-03T21:05:01.900Z", pending: true };
  const first = { id: "i", title: "A", status: "open", started_at: "2026-12-03T21:05:00.250000Z" };
  const second = { id: "j", title: "B", status: "open", started_at: "2026-12-03T21:05:01Z" };
  const mixed = directoryOf({ incidents: [first, second], entries: [mine, later, whole] });
  assert.deepEqual(timeline(mixed, "i").map((entry) => entry.id), ["w", "l", "m"]);
  assert.deepEqual(incidentList(mixed).map((item) => item.incident.id), ["j", "i"]);
});

test("the report names the workspace, the incident and every entry with local time and author", () => {
  const t = translator("es");
  const report = reportModel(directory, "storm", { lang: "es", t, now: new Date("2026-12-03T22:00:00Z") });
  assert.equal(report.workspace.name, "Comida Ya");
  assert.equal(report.workspace.timezone, "America/Mexico_City");
  assert.equal(report.incident.playbook, "Ola de reembolsos o fallas de pago");
  // 21:05 UTC is 15:05 in Mexico City.
  assert.deepEqual(
    report.timeline.map((line) => [line.time, line.kind, line.author]),
    [
      ["15:05", "call", "Marta"],
      ["15:05", "call", "Luis"],
      ["15:20", "note", "Marta"],
      ["15:30", "report", "Marta"],
    ],
  );
  assert.deepEqual(
    report.calls.map((line) => [line.contact, line.outcomeLabel]),
    [
      ["Ana", t("outcome_no_answer")],
      ["Beto", t("outcome_answered")],
    ],
  );
  assert.deepEqual(
    report.reports.map((line) => [line.contact, line.reference]),
    [["Policía cibernética", "FGJ/CDMX/123"]],
  );
  assert.deepEqual(report.authors, ["Marta", "Luis"]);
  assert.equal(report.incident.statusLabel, t("incident_status_open"));
  assert.equal(reportModel(directory, "nope", { lang: "es", t }), null);
});

test("the JSON download holds UTC and local times, the zone, and a safe file name", () => {
  const report = reportModel(directory, "storm", { lang: "en", t: translator("en"), now: new Date("2026-12-03T22:00:00Z") });
  const json = reportJson(report);
  assert.equal(json.format, "enlace-incident-report/1");
  assert.equal(json.workspace.timezone, "America/Mexico_City");
  assert.equal(json.timeline[0].at, "2026-12-03T21:05:00Z");
  assert.match(json.timeline[0].local_time, /15:05$/);
  assert.equal(json.timeline[3].reference, "FGJ/CDMX/123");
  assert.equal(reportFileName(report), "incident-2026-12-03-ola-de-reembolsos.json");
});
