// The playbook runner: the order of calls, who is next after "no answer", the backup offered,
// what happens when the last contact does not answer, and the entries each action logs.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  authorities,
  callEntry,
  callOrder,
  closeIncident,
  noteEntry,
  reportEntry,
  runnerState,
  startIncident,
  stepEntry,
  stepsDone,
} from "../../static/js/runner.js";

const MONDAY_NOON = new Date("2026-11-23T18:00:00Z"); // 12:00 in Mexico City
const MONDAY_NIGHT = new Date("2026-11-24T05:00:00Z"); // 23:00 in Mexico City
const office = {
  timezone: "America/Mexico_City",
  always: false,
  hours: [{ days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }],
};

function directoryOf(contacts, playbooks = []) {
  return {
    workspace: { id: "w", name: "Comida Ya", timezone: "America/Mexico_City" },
    contacts: new Map(contacts.map((c) => [c.id, c])),
    playbooks: new Map(playbooks.map((p) => [p.id, p])),
    incidents: new Map(),
    incident_entries: new Map(),
  };
}

const ana = { id: "a", name: "Ana (Finanzas)", kind: "internal", availability: office, backup_contact_id: "b" };
const beto = { id: "b", name: "Beto (guardia)", kind: "internal", availability: { always: true } };
const carla = { id: "c", name: "Carla (banco)", kind: "partner" };
const hidden = "z"; // a contact this user cannot see
const playbook = {
  id: "p",
  name: "Ola de reembolsos",
  crisis_kind: "payments",
  severity: "high",
  steps: ["Llamar a Finanzas", "Publicar respuesta"],
  contact_ids: ["a", hidden, "c"],
};
const directory = directoryOf([ana, beto, carla], [playbook]);
const incident = { id: "i", title: "Ola de reembolsos", status: "open", version: 1 };

let clock = 0;
function call(contact, outcome) {
  clock += 1;
  return { kind: "call", contact_id: contact.id, outcome, at: `2026-11-23T18:0${clock}:00Z` };
}

test("the order is the playbook's, without contacts the user cannot see, each with its hours and backup", () => {
  const order = callOrder(directory, playbook, MONDAY_NIGHT);
  assert.deepEqual(
    order.map((item) => [item.contact.id, item.status, item.available, item.backup?.id ?? null]),
    [
      ["a", "closed", false, "b"],
      ["c", "unknown", true, null],
    ],
  );
  assert.equal(callOrder(directory, playbook, MONDAY_NOON)[0].available, true);
});

test("nobody called yet: the first contact is the one to call", () => {
  const state = runnerState(callOrder(directory, playbook, MONDAY_NOON), []);
  assert.equal(state.current.contact.id, "a");
  assert.equal(state.reached, null);
  assert.equal(state.exhausted, false);
});

test("no answer moves to the next contact and offers the missed contact's backup", () => {
  const order = callOrder(directory, playbook, MONDAY_NOON);
  const state = runnerState(order, [call(ana, "no_answer")]);
  assert.equal(state.current.contact.id, "c");
  assert.deepEqual(state.offer, { backup: beto, of: ana });
  assert.equal(state.outcomes.get("a"), "no_answer");
});

test("voicemail and a wrong number move on too; the backup is offered once", () => {
  const order = callOrder(directory, playbook, MONDAY_NOON);
  for (const outcome of ["voicemail", "wrong_number"]) {
    assert.equal(runnerState(order, [call(ana, outcome)]).current.contact.id, "c");
  }
  const afterBackup = runnerState(order, [call(ana, "no_answer"), call(beto, "no_answer")]);
  assert.equal(afterBackup.offer, null);
  assert.equal(afterBackup.current.contact.id, "c");
});

test("an answer stops the list at whoever answered, the backup included", () => {
  const order = callOrder(directory, playbook, MONDAY_NOON);
  const answered = runnerState(order, [call(ana, "no_answer"), call(beto, "answered")]);
  assert.equal(answered.reached.id, "b");
  assert.equal(answered.current, null);
  assert.equal(runnerState(order, [call(ana, "answered")]).reached.id, "a");
});

test("when the last contact does not answer the list is exhausted, and a new round starts over", () => {
  const order = callOrder(directory, playbook, MONDAY_NOON);
  const calls = [call(ana, "no_answer"), call(beto, "no_answer"), call(carla, "no_answer")];
  const state = runnerState(order, calls);
  assert.equal(state.exhausted, true);
  assert.equal(state.current, null);
  assert.equal(state.reached, null);
  const again = runnerState(order, calls, { since: "2026-11-23T19:00:00Z" });
  assert.equal(again.current.contact.id, "a");
  assert.equal(again.exhausted, false);
});

test("calls are read in the order they happened, whatever order the copy holds them in", () => {
  const order = callOrder(directory, playbook, MONDAY_NOON);
  const first = { kind: "call", contact_id: "a", outcome: "no_answer", at: "2026-11-23T18:00:00Z" };
  const second = { kind: "call", contact_id: "c", outcome: "answered", at: "2026-11-23T18:05:00Z" };
  assert.equal(runnerState(order, [second, first]).reached.id, "c");
});

test("an empty playbook has nobody to call and is not exhausted", () => {
  const state = runnerState([], []);
  assert.equal(state.current, null);
  assert.equal(state.exhausted, false);
});

test("starting an incident from a playbook: title, kind, severity, open, started now", () => {
  const mutation = startIncident({ playbook, now: MONDAY_NOON });
  assert.equal(mutation.type, "incident");
  assert.equal(mutation.base_version, null);
  assert.deepEqual(mutation.fields, {
    title: "Ola de reembolsos",
    kind: "payments",
    severity: "high",
    status: "open",
    started_at: "2026-11-23T18:00:00Z",
    playbook_id: "p",
  });
});

test("each action logs one append-only entry with what the report needs", () => {
  const now = MONDAY_NOON;
  const author = "Marta";
  const called = callEntry(incident, { contact: ana, outcome: "no_answer", now, author });
  assert.equal(called.type, "incident_entry");
  assert.deepEqual(called.fields, {
    incident_id: "i",
    at: "2026-11-23T18:00:00Z",
    author: "Marta",
    kind: "call",
    text: "Ana (Finanzas)",
    contact_id: "a",
    outcome: "no_answer",
  });
  assert.throws(() => callEntry(incident, { contact: ana, outcome: "busy", now }), TypeError);
  const step = stepEntry(incident, { step: 1, text: "Publicar respuesta", now, author });
  assert.deepEqual([step.fields.kind, step.fields.step, step.fields.text], ["action", 1, "Publicar respuesta"]);
  assert.equal(noteEntry(incident, { text: "   ", now }), null);
  assert.equal(noteEntry(incident, { text: "Folio 123", now }).fields.kind, "note");
  const police = { id: "pol", name: "Policía cibernética", kind: "authority" };
  const report = reportEntry(incident, {
    agency: police,
    reference: " FGJ/CDMX/123 ",
    note: "Denuncia en línea",
    at: new Date("2026-11-23T17:30:00Z"),
    now,
    author,
  });
  assert.deepEqual(
    [report.fields.kind, report.fields.contact_id, report.fields.reference, report.fields.text, report.fields.at],
    ["report", "pol", "FGJ/CDMX/123", "Policía cibernética — Denuncia en línea", "2026-11-23T17:30:00Z"],
  );
  assert.notEqual(called.entity_id, step.entity_id);
});

test("closing logs the summary once; a closed incident is not closed again", () => {
  const close = closeIncident(incident, { summary: " Reembolsos hechos ", now: MONDAY_NIGHT });
  assert.equal(close.base_version, 1);
  assert.deepEqual(close.fields, {
    status: "closed",
    closed_at: "2026-11-24T05:00:00Z",
    summary: "Reembolsos hechos",
  });
  assert.equal(closeIncident({ ...incident, status: "closed" }, { summary: "x", now: MONDAY_NIGHT }), null);
});

test("steps done are read from the action entries; authorities from the directory's kinds", () => {
  const done = stepsDone([
    { kind: "action", step: 1 },
    { kind: "note", step: null },
    { kind: "action", step: null },
  ]);
  assert.deepEqual([...done], [1]);
  const police = { id: "pol", name: "Policía", kind: "authority" };
  const emergency = { id: "911", name: "Emergencias 911", kind: "emergency" };
  const list = authorities(directoryOf([ana, police, emergency]), "es");
  assert.deepEqual(list.map((c) => c.id), ["911", "pol"]);
});
