// The incident screens' decisions: what a Start, a call's outcome, a note, a report and a close
// queue in the outbox, where they lead, and what viewers cannot do.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createIncidentController } from "../../static/js/incident-controller.js";

const NOW = Date.parse("2026-12-03T21:00:00Z");

function setup({ role = "editor", incidents = [], route = { view: "directory" } } = {}) {
  const queued = [];
  const navigated = [];
  const notices = [];
  const contacts = new Map([
    ["a", { id: "a", name: "Ana", phones: [{ number: "+525511110001" }] }],
    ["pol", { id: "pol", name: "Policía", kind: "authority" }],
  ]);
  let state = {
    workspaceId: "w",
    workspaces: [{ id: "w", role }],
    user: { name: "Marta" },
    lang: "es",
    route,
    runner: null,
    directory: {
      workspace: { timezone: "America/Mexico_City", name: "Comida Ya" },
      contacts,
      playbooks: new Map([["p", { id: "p", name: "Ola", severity: "high", steps: ["Uno"], contact_ids: ["a"] }]]),
      incidents: new Map(incidents.map((i) => [i.id, i])),
      incident_entries: new Map(),
    },
  };
  const controller = createIncidentController({
    getState: () => state,
    update: (patch) => {
      state = { ...state, ...patch };
    },
    editing: { queue: async (workspaceId, mutation) => queued.push({ workspaceId, mutation }) },
    showDirectory: async () => {},
    flush: async () => {},
    navigate: (hash, options) => navigated.push([hash, options?.replace ?? false]),
    notice: (key, kind) => notices.push([key, kind]),
    now: () => NOW,
    translator: () => (key) => key,
    registerBackgroundSync: () => {},
    download: () => {},
    print: () => {},
    fail: (error) => {
      throw error;
    },
  });
  return {
    controller,
    queued,
    navigated,
    notices,
    state: () => state,
    go: (next) => {
      state = { ...state, route: next };
    },
  };
}

test("Start queues the incident and opens its runner in place of the playbook", async () => {
  const { controller, queued, navigated, state } = setup();
  await controller.actions.startIncident("p");
  assert.equal(queued.length, 1);
  const { mutation } = queued[0];
  assert.equal(mutation.type, "incident");
  assert.equal(mutation.fields.started_at, "2026-12-03T21:00:00Z");
  assert.deepEqual(navigated, [[`#incident/${mutation.entity_id}`, true]]);
  assert.equal(state().runner.incidentId, mutation.entity_id);
});

test("viewers cannot start an incident", async () => {
  const { controller, queued, notices } = setup({ role: "viewer" });
  await controller.actions.startIncident("p");
  assert.equal(queued.length, 0);
  assert.deepEqual(notices, [["edit_forbidden", "error"]]);
});

test("a call is logged only after Call was tapped, with the outcome and who logged it", async () => {
  const incident = { id: "i", title: "Ola", status: "open", version: 1 };
  const { controller, queued, state } = setup({ incidents: [incident], route: { view: "incident", id: "i" } });
  await controller.actions.logCall("no_answer");
  assert.equal(queued.length, 0, "no call to log before Call was tapped");
  controller.actions.dialed("a");
  controller.backToApp();
  assert.equal(state().runner.asking, true);
  await controller.actions.logCall("no_answer");
  const { fields } = queued[0].mutation;
  assert.deepEqual([fields.kind, fields.contact_id, fields.outcome, fields.author], ["call", "a", "no_answer", "Marta"]);
  assert.equal(state().runner.pendingCall, null);
});

test("a note, a report and the close each queue one mutation; a blank note queues nothing", async () => {
  const incident = { id: "i", title: "Ola", status: "open", version: 1 };
  const { controller, queued } = setup({ incidents: [incident], route: { view: "incident", id: "i" } });
  await controller.actions.addNote();
  assert.equal(queued.length, 0);
  controller.actions.runnerInput("note", "Folio 42");
  await controller.actions.addNote();
  controller.actions.reportInput("agency", "pol");
  controller.actions.reportInput("reference", " FGJ/42 ");
  controller.actions.reportInput("when", "2026-12-03T14:30");
  await controller.actions.logReport();
  controller.actions.runnerInput("summary", "Resuelto");
  await controller.actions.closeIncident();
  const kinds = queued.map(({ mutation }) => [mutation.type, mutation.fields.kind ?? mutation.fields.status]);
  assert.deepEqual(kinds, [
    ["incident_entry", "note"],
    ["incident_entry", "report"],
    ["incident", "closed"],
  ]);
  assert.equal(queued[1].mutation.fields.reference, "FGJ/42");
  assert.equal(queued[1].mutation.fields.contact_id, "pol");
});

test("#incident/latest opens the newest open incident, or the list when none is open", async () => {
  const older = { id: "old", title: "A", status: "open", started_at: "2026-12-01T10:00:00Z" };
  const newer = { id: "new", title: "B", status: "open", started_at: "2026-12-03T10:00:00Z" };
  const { controller, navigated } = setup({ incidents: [older, newer] });
  await controller.openRoute({ view: "incident", id: "latest" });
  assert.deepEqual(navigated, [["#incident/new", true]]);
  const none = setup();
  await none.controller.openRoute({ view: "incident", id: "latest" });
  assert.deepEqual(none.navigated, [["#incidents", true]]);
});
