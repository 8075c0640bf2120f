// The incident screens' decisions (issue 17): start an incident from a playbook, log calls,
// steps, notes and reports, close, and the report's print and download. Every entry is one
// mutation queued in the sealed outbox (editing.js), shown at once and flushed like any edit.
// No DOM: app.js passes everything in `ctx`.

import { reportFileName, reportJson, reportModel, openIncident } from "./incidents.js";
import {
  callEntry,
  closeIncident,
  noteEntry,
  reportEntry,
  startIncident,
  stepEntry,
} from "./runner.js";
import { LATEST_INCIDENT_HASH } from "./push.js";
import { canEdit } from "./forms.js";

/**
 * Return `{actions, openRoute, backToApp}`. `ctx`: `getState`, `update`, `editing` (its `queue`),
 * `showDirectory`, `flush`, `navigate(hash, {replace})`, `notice`, `now`, `translator(lang)`,
 * `registerBackgroundSync`, `download(name, text)`, `print()`, `fail`.
 */
export function createIncidentController(ctx) {
  const state = () => ctx.getState();
  const runner = () => state().runner ?? {};
  const setRunner = (patch) => ctx.update({ runner: { ...runner(), ...patch } });
  const author = () => state().user?.name ?? null;

  function incident(id = state().route.id) {
    return state().directory?.incidents.get(id) ?? null;
  }

  /** Queue mutations in order, show them, and send them (now, or when the connection returns). */
  async function queue(...mutations) {
    const workspaceId = state().workspaceId;
    for (const mutation of mutations.filter(Boolean)) await ctx.editing.queue(workspaceId, mutation);
    await ctx.showDirectory();
    ctx.registerBackgroundSync();
    ctx.flush().catch(ctx.fail);
  }

  /** Start an incident from a playbook and open its runner. */
  async function start(playbookId) {
    if (!canEdit(state())) return ctx.notice("edit_forbidden", "error");
    const playbook = state().directory?.playbooks.get(playbookId);
    if (!playbook) return ctx.notice("playbook_missing", "error");
    const mutation = startIncident({ playbook, now: ctx.now() });
    ctx.update({ runner: { incidentId: mutation.entity_id, pendingCall: null, since: null } });
    await queue(mutation);
    ctx.navigate(`#incident/${mutation.entity_id}`, { replace: true });
    ctx.notice("incident_started", "ok");
  }

  /** A route was opened: `#run/<playbook>` starts one, `#incident/latest` finds the newest. */
  async function openRoute(route) {
    if (!state().directory) return;
    if (route.view === "run") return start(route.id);
    if (route.view === "incident" && route.id === LATEST_INCIDENT_HASH.split("/")[1]) {
      const found = openIncident(state().directory);
      ctx.navigate(found ? `#incident/${found.id}` : "#incidents", { replace: true });
    }
  }

  /** The Call link was tapped: remember whom, and ask how it went when the user is back. */
  function dialed(contactId) {
    setRunner({ incidentId: state().route.id, pendingCall: { contactId }, asking: false });
  }

  /** Back in the app after a call (`visibilitychange`): the question gets the focus. */
  function backToApp() {
    if (runner().pendingCall) setRunner({ asking: true });
  }

  async function logCall(outcome) {
    const held = incident();
    const pending = runner().pendingCall;
    const contact = pending && state().directory.contacts.get(pending.contactId);
    if (!held || !contact) return;
    setRunner({ pendingCall: null, asking: false });
    await queue(callEntry(held, { contact, outcome, now: ctx.now(), author: author() }));
  }

  async function tickStep(step, text) {
    const held = incident();
    if (!held) return;
    await queue(stepEntry(held, { step, text, now: ctx.now(), author: author() }));
  }

  async function addNote() {
    const held = incident();
    const mutation = held && noteEntry(held, { text: runner().note, now: ctx.now(), author: author() });
    if (!mutation) return;
    setRunner({ note: "" });
    await queue(mutation);
    ctx.notice("entry_logged", "ok");
  }

  async function logReport() {
    const held = incident();
    if (!held) return;
    const form = runner().report ?? {};
    const agency = form.agency ? state().directory.contacts.get(form.agency) : null;
    const when = form.when ? new Date(form.when) : null;
    const at = when && !Number.isNaN(when.getTime()) ? when : null;
    const mutation = reportEntry(held, {
      agency,
      reference: form.reference,
      note: form.note,
      at,
      now: ctx.now(),
      author: author(),
    });
    setRunner({ report: {} });
    await queue(mutation);
    ctx.notice("entry_logged", "ok");
  }

  async function close() {
    const held = incident();
    if (!held) return;
    const mutation = closeIncident(held, { summary: runner().summary, now: ctx.now() });
    setRunner({ summary: "" });
    await queue(mutation);
    ctx.notice("incident_closed_notice", "ok");
  }

  function report(id) {
    const { directory, lang } = state();
    return reportModel(directory, id, { lang, t: ctx.translator(lang), now: new Date(ctx.now()) });
  }

  function download(id) {
    const model = report(id);
    if (!model) return;
    ctx.download(reportFileName(model), `${JSON.stringify(reportJson(model), null, 2)}\n`);
  }

  const guard = (fn) => (...args) => fn(...args).catch(ctx.fail);
  const actions = {
    startIncident: guard(start),
    dialed,
    logCall: guard(logCall),
    tickStep: guard(tickStep),
    runnerInput: (name, value) => setRunner({ [name]: value }),
    reportInput: (name, value) => setRunner({ report: { ...(runner().report ?? {}), [name]: value } }),
    addNote: guard(addNote),
    logReport: guard(logReport),
    closeIncident: guard(close),
    startOver: () => setRunner({ since: new Date(ctx.now()).toISOString() }),
    cancelCall: () => setRunner({ pendingCall: null, asking: false }),
    downloadReport: download,
    printReport: () => ctx.print(),
  };

  return { actions, openRoute, backToApp, report };
}
