// The app's editing: opening a form (new, edit, a rejected edit to fix, a draft after a lock),
// every input, save, delete with undo, "checked today", the flush of the outbox and the settling
// of conflicts. It decides; app.js wires it (state, rendering, navigation, timers) and the views
// only render. No DOM: everything it touches comes in `ctx`.

import {
  addItem,
  canEdit,
  availabilityFor,
  draftOf,
  getPath,
  moveItem,
  openForm,
  parseMinutes,
  parseTags,
  prefillFromQuery,
  rejectedValues,
  removeItem,
  valuesToSave,
  withErrors,
  withInput,
} from "./forms.js";
import { COLLECTIONS } from "./snapshot.js";

const DRAFT_SAVE_MS = 400;
const PICK_RESULTS = 8;

/**
 * Return `{actions, showDirectory, flush, scheduleFlush, openRoute, afterUnlock, beforeLock,
 * refreshCounts}`. `ctx`: `getState`, `update`, `setDirectory` (shows a directory and indexes
 * it), `notice`, `fail`, `editing` (editing.js), `searchContacts`,
 * `getBaseDirectory`, `refresh` (fetch what changed), `handleApiError`, `navigate(hash)`,
 * `translateCode(code, params)`, `isUnlocked`, `timers` ({setTimeout, clearTimeout}),
 * `registerBackgroundSync`, `now`.
 */
export function createEditController(ctx) {
  const { editing, timers } = ctx;
  let draftTimer = null;
  let draftWrite = Promise.resolve(); // the draft write in flight, if any
  let flushTimer = null;
  let undoTimer = null;
  const state = () => ctx.getState();
  const workspaceId = () => state().workspaceId;

  const mayEdit = () => canEdit(state());

  function setForm(form) {
    ctx.update({ form });
  }

  // --- the directory as the user sees it ------------------------------------------------------

  /** Show the copy with the pending edits on top, and the outbox's counts. */
  async function showDirectory() {
    const base = ctx.getBaseDirectory();
    if (!base || !ctx.isUnlocked()) return;
    const directory = await editing.withPending(workspaceId(), base);
    const sync = await editing.counts(workspaceId());
    ctx.update({ sync });
    ctx.setDirectory(directory);
    return directory;
  }

  /** Read the outbox's counts (no key needed: also while locked). */
  async function refreshCounts() {
    if (!workspaceId()) return;
    ctx.update({ sync: await editing.counts(workspaceId()) });
  }

  // --- flushing ---------------------------------------------------------------------------------

  function scheduleFlush(ms) {
    timers.clearTimeout(flushTimer);
    flushTimer = timers.setTimeout(() => flush().catch(ctx.fail), ms);
  }

  /**
   * Send the outbox (locked too: sealed mutations travel as they are), then bring the copy up
   * to date; a rejection of the edit just saved reopens its form with the server's errors.
   */
  async function flush() {
    const id = workspaceId();
    if (!id) return null;
    const held = editing.heldFor(id);
    if (held > 0) {
      scheduleFlush(held);
      return null;
    }
    let report;
    try {
      report = await editing.flush(id, ctx.getBaseDirectory()?.revision ?? 0);
    } catch (error) {
      await ctx.handleApiError(error);
      return null;
    }
    if (!report) return null;
    if (report.retryInMs !== null && report.retryInMs !== undefined) scheduleFlush(report.retryInMs);
    if (report.offline) ctx.update({ online: false });
    if (report.sent > 0 && ctx.isUnlocked()) {
      // "Saved. Sending…" has done its job once the server answered (the banner tells the rest).
      if (["saved_sending", "saved_offline"].includes(state().notice?.key)) ctx.update({ notice: null });
      await ctx.refresh();
      await showDirectory();
      await reopenRejected(report);
    } else {
      await refreshCounts();
    }
    return report;
  }

  /** The edit saved last came back rejected: its form opens again with the errors. */
  async function reopenRejected(report) {
    const rejected = report.results.filter((result) => result.status === "rejected");
    if (!rejected.length || state().form) return;
    const items = await editing.unsettled(workspaceId());
    const item = items.find((each) => each.mutation.id === rejected.at(-1).id);
    if (item && item.mutation.op === "put") {
      await fixRejected(item.mutation.id, items);
      ctx.notice("rejected_fix_below", "error");
    }
  }

  // --- opening forms ----------------------------------------------------------------------------

  function heldRecord(type, id) {
    const directory = state().directory;
    return id ? (directory?.[COLLECTIONS[type]]?.get(id) ?? null) : null;
  }

  function phoneExample() {
    const workspace = state().workspaces.find((w) => w.id === workspaceId());
    return workspace?.phone_example ?? "";
  }

  /** Open the form a route names (`#new/contact?…`, `#edit/playbook/<id>`), or say why not. */
  async function openRoute(route) {
    if (route.view !== "form") {
      if (state().form) ctx.update({ form: null });
      return;
    }
    if (!state().directory) return; // opened once the copy is loaded
    if (!mayEdit()) return ctx.update({ form: null, notice: { key: "edit_forbidden", kind: "error" } });
    const current = state().form;
    if (current && current.type === route.type && current.entityId === (route.id ?? null)) return;
    const held = heldRecord(route.type, route.id);
    if (route.id && !held) {
      ctx.notice(route.type === "playbook" ? "playbook_missing" : "contact_missing", "error");
      return ctx.navigate(route.type === "playbook" ? "#playbooks" : "#");
    }
    const drafts = await editing.loadDrafts(workspaceId());
    const id = `${route.type}:${route.id ?? "new"}`;
    const draft = drafts.find((each) => each.id === id)?.values ?? null;
    setForm(
      openForm({
        type: route.type,
        held,
        prefill: prefillFromQuery(route.type, route.query),
        draft,
        phoneExample: phoneExample(),
      }),
    );
  }

  /** After an unlock: a form that was open when the app locked comes back. */
  async function afterUnlock() {
    const drafts = await editing.loadDrafts(workspaceId());
    const latest = drafts.at(-1);
    if (!latest) return;
    const { type, entityId } = latest.values;
    ctx.navigate(entityId ? `#edit/${type}/${entityId}` : `#new/${type}`);
  }

  // --- drafts -----------------------------------------------------------------------------------

  async function saveDraftNow() {
    cancelDraftTimer();
    const form = state().form;
    // A form being saved is no draft: its values are on their way to the outbox.
    if (!form || form.saving || !ctx.isUnlocked()) return;
    const write = editing.saveDraft(workspaceId(), form.draftId, draftOf(form));
    draftWrite = write.catch(() => {});
    await write;
  }

  function cancelDraftTimer() {
    timers.clearTimeout(draftTimer);
    draftTimer = null;
  }

  /**
   * Remove a form's draft once it is saved or cancelled. The debounced draft write may be in
   * flight (its timer fired while the save awaited the outbox): it lands first, or it would bring
   * the draft back after the removal.
   */
  async function dropDraft(form) {
    cancelDraftTimer();
    await draftWrite;
    await editing.removeDraft(workspaceId(), form.draftId);
  }

  function saveDraftSoon() {
    timers.clearTimeout(draftTimer);
    draftTimer = timers.setTimeout(() => saveDraftNow().catch(ctx.fail), DRAFT_SAVE_MS);
  }

  /** Before the key goes: the open form is sealed as a draft. */
  async function beforeLock() {
    await saveDraftNow();
    ctx.update({ form: null });
  }

  function change(form) {
    setForm(form);
    saveDraftSoon();
  }

  // --- saving -----------------------------------------------------------------------------------

  function translated(errors) {
    const out = {};
    for (const [path, error] of Object.entries(errors)) {
      out[path] = typeof error === "string" ? error : ctx.translateCode(error.code, error);
    }
    return out;
  }

  function pathOf(form) {
    const collection = form.type === "playbook" ? "playbook" : "contact";
    return `#${collection}/${encodeURIComponent(form.entityId)}`;
  }

  async function save() {
    const form = state().form;
    if (!form || form.saving) return;
    cancelDraftTimer();
    setForm({ ...form, saving: true });
    const values = valuesToSave(form.type, form.values, form.held);
    const { errors, mutation } = await editing.save(
      workspaceId(),
      form.type,
      form.held,
      values,
      state().limits,
    );
    if (errors) {
      setForm(withErrors(form, translated(errors), ctx.now()));
      return saveDraftSoon(); // the values typed last before Save are kept as a draft too
    }
    if (form.rejectedId) await editing.discard(workspaceId(), form.rejectedId);
    await dropDraft(form);
    ctx.update({ form: null });
    if (!mutation) {
      if (form.rejectedId) await showDirectory();
      return ctx.navigate(form.isNew ? "#" : pathOf(form));
    }
    ctx.navigate(pathOf({ ...form, entityId: mutation.entity_id }));
    ctx.notice(ctx.getState().online ? "saved_sending" : "saved_offline", "ok");
    ctx.registerBackgroundSync();
    // Sent at once; the edit shows (marked pending) while the request is on its way.
    const flushing = flush();
    await showDirectory();
    await flushing;
  }

  async function cancel() {
    const form = state().form;
    if (form) await dropDraft(form);
    ctx.update({ form: null });
    ctx.navigate(!form || form.isNew ? (form?.type === "playbook" ? "#playbooks" : "#") : pathOf(form));
  }

  // --- record actions ---------------------------------------------------------------------------

  /** Mark a contact as checked now (`last_verified_at`), in one tap. */
  async function checkedToday(id) {
    const held = heldRecord("contact", id);
    if (!held || !mayEdit()) return;
    const at = new Date(ctx.now()).toISOString();
    await editing.save(workspaceId(), "contact", held, { last_verified_at: at }, null);
    await showDirectory();
    ctx.notice("checked_today_done", "ok");
    await flush();
  }

  /** Ask before deleting: which playbooks use the contact. */
  function askDelete(type, id) {
    const held = heldRecord(type, id);
    if (!held) return;
    const usedBy =
      type === "contact"
        ? [...state().directory.playbooks.values()]
            .filter((p) => (p.contact_ids ?? []).includes(id))
            .map((p) => p.name)
        : [];
    ctx.update({ confirmDelete: { type, id, name: held.name, usedBy } });
  }

  async function confirmDelete() {
    const asked = state().confirmDelete;
    if (!asked) return;
    const held = heldRecord(asked.type, asked.id);
    ctx.update({ confirmDelete: null });
    if (!held) return;
    const mutation = await editing.remove(workspaceId(), asked.type, held);
    ctx.navigate(asked.type === "playbook" ? "#playbooks" : "#");
    await showDirectory();
    ctx.update({ undo: { mutationId: mutation.id, name: held.name } });
    timers.clearTimeout(undoTimer);
    undoTimer = timers.setTimeout(() => {
      ctx.update({ undo: null });
      flush().catch(ctx.fail);
    }, editing.heldFor(workspaceId()));
  }

  async function undo() {
    const pending = state().undo;
    if (!pending) return;
    timers.clearTimeout(undoTimer);
    await editing.undo(workspaceId(), pending.mutationId);
    ctx.update({ undo: null });
    await showDirectory();
    ctx.notice("delete_undone", "ok");
    await flush();
  }

  // --- conflicts and rejections -----------------------------------------------------------------

  async function openConflicts() {
    if (!ctx.isUnlocked()) return;
    ctx.update({ unsettled: await editing.unsettled(workspaceId()) });
  }

  async function settle(mutationId, choice) {
    await editing.settle(workspaceId(), mutationId, choice);
    await openConflicts();
    await showDirectory();
    await flush();
  }

  /** A record deleted meanwhile: its form opens as a new record with the user's edit in it. */
  async function restore(mutationId) {
    const items = await editing.unsettled(workspaceId());
    const item = items.find((each) => each.mutation.id === mutationId);
    if (!item) return;
    const { type } = item.mutation;
    await editing.discard(workspaceId(), mutationId);
    setForm(openForm({ type, held: null, prefill: item.mutation.fields, phoneExample: phoneExample() }));
    ctx.navigate(`#new/${type}`);
  }

  async function fixRejected(mutationId, known = null) {
    const items = known ?? (await editing.unsettled(workspaceId()));
    const item = items.find((each) => each.mutation.id === mutationId);
    if (!item) return;
    const { type, entity_id: entityId, base_version: baseVersion } = item.mutation;
    const held = baseVersion === null ? null : heldRecord(type, entityId);
    const values = rejectedValues(type, held, item.mutation);
    const form = openForm({ type, held, draft: { values }, phoneExample: phoneExample() });
    const errors = { ...item.result.errors };
    setForm({ ...withErrors(form, errors, ctx.now()), rejectedId: mutationId, restored: false });
    ctx.navigate(held ? `#edit/${type}/${entityId}` : `#new/${type}`);
  }

  async function discardEdit(mutationId) {
    await editing.discard(workspaceId(), mutationId);
    await openConflicts();
    await showDirectory();
  }

  // --- inputs -----------------------------------------------------------------------------------

  async function search(query) {
    const form = state().form;
    if (!form) return;
    setForm({ ...form, backupQuery: query });
    const found = query.trim() ? await ctx.searchContacts(query) : null;
    // Only the last keystroke's answer, for the form still open.
    const current = state().form;
    if (!current || current.backupQuery !== query) return;
    const own = current.entityId;
    const results = (found?.contacts ?? [])
      .map((id) => state().directory.contacts.get(id))
      .filter((contact) => contact && contact.id !== own)
      .slice(0, PICK_RESULTS);
    setForm({ ...current, backupResults: results });
  }

  const form = () => state().form;
  const actions = {
    formInput: (path, value) => change(withInput(form(), path, value)),
    formAdd: (path) => change({ ...form(), values: addItem(form().values, path) }),
    formRemove: (path, i) => change({ ...form(), values: removeItem(form().values, path, i) }),
    formMove: (path, i, delta) => change({ ...form(), values: moveItem(form().values, path, i, delta) }),
    formAvailability(mode) {
      const zone = state().directory?.workspace?.timezone ?? null;
      change(withInput(form(), "availability", availabilityFor(mode, form().values.availability, zone)));
    },
    formTags: (text) => change({ ...withInput(form(), "tags", parseTags(text)), tagsText: text }),
    parseMinutes,
    backupSearch: search,
    formBackup(id) {
      change({ ...withInput(form(), "backup_contact_id", id), backupQuery: "", backupResults: [] });
    },
    formPickContact(id) {
      const ids = getPath(form().values, "contact_ids") ?? [];
      if (ids.includes(id)) return;
      change({ ...withInput(form(), "contact_ids", [...ids, id]), backupQuery: "", backupResults: [] });
    },
    formSave: () => save().catch(ctx.fail),
    formCancel: () => cancel().catch(ctx.fail),
    checkedToday: (id) => checkedToday(id).catch(ctx.fail),
    askDelete,
    cancelDelete: () => ctx.update({ confirmDelete: null }),
    confirmDelete: () => confirmDelete().catch(ctx.fail),
    undo: () => undo().catch(ctx.fail),
    settle: (id, choice) => settle(id, choice).catch(ctx.fail),
    restore: (id) => restore(id).catch(ctx.fail),
    fixRejected: (id) => fixRejected(id).catch(ctx.fail),
    discardEdit: (id) => discardEdit(id).catch(ctx.fail),
  };

  return {
    actions,
    canEdit: mayEdit,
    showDirectory,
    refreshCounts,
    flush,
    scheduleFlush,
    openRoute,
    openConflicts,
    afterUnlock,
    beforeLock,
  };
}
