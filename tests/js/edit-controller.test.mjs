// The edit controller's drafts around a save: the debounced draft write must never bring a saved
// (or cancelled) form back as a draft, even when the machine is slow enough that the draft's timer
// fires, or its write is still in flight, while the save awaits the outbox.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createEditController } from "../../static/js/edit-controller.js";
import { openForm } from "../../static/js/forms.js";

function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const drafts = new Map();
  const draftWrites = []; // each: {id, values, land()}
  const saves = [];
  const pending = []; // timers set and not cleared
  let state = {
    workspaceId: "w",
    workspaces: [{ id: "w", role: "editor" }],
    online: true,
    limits: null,
    directory: { contacts: new Map(), playbooks: new Map() },
    form: openForm({ type: "contact", held: null }),
  };
  const editing = {
    saveDraft(workspaceId, id, values) {
      const write = deferred();
      draftWrites.push({ id, values, land: write.resolve });
      return write.promise.then(() => void drafts.set(id, values));
    },
    async removeDraft(workspaceId, id) {
      drafts.delete(id);
    },
    async loadDrafts() {
      return [...drafts].map(([id, values]) => ({ id, values }));
    },
    save(...args) {
      const answer = deferred();
      saves.push({ args, answer: answer.resolve });
      return answer.promise;
    },
    heldFor: () => 0,
    flush: async () => null,
    counts: async () => ({}),
    discard: async () => {},
  };
  const controller = createEditController({
    getState: () => state,
    update: (patch) => {
      state = { ...state, ...patch };
    },
    setDirectory: () => {},
    notice: () => {},
    fail: (error) => {
      throw error;
    },
    editing,
    searchContacts: async () => null,
    getBaseDirectory: () => null,
    refresh: async () => {},
    handleApiError: async (error) => {
      throw error;
    },
    navigate: () => {},
    translateCode: (code) => code,
    isUnlocked: () => true,
    timers: {
      setTimeout(fn) {
        const timer = { fn };
        pending.push(timer);
        return timer;
      },
      clearTimeout(timer) {
        const at = pending.indexOf(timer);
        if (at >= 0) pending.splice(at, 1);
      },
    },
    registerBackgroundSync: () => {},
    now: () => 0,
  });
  const fireTimers = () => {
    for (const timer of pending.splice(0)) timer.fn();
  };
  return { controller, drafts, draftWrites, saves, fireTimers, state: () => state };
}

const MUTATION = { mutation: { id: "m1", entity_id: "c1" }, errors: null };

test("a draft timer that comes due while the save awaits the outbox writes no draft", async () => {
  const { controller, drafts, draftWrites, saves, fireTimers, state } = setup();
  controller.actions.formInput("name", "Ana");
  const saving = controller.actions.formSave();
  await settle();
  fireTimers(); // the machine was slow: the 400 ms debounce comes due during the save
  saves[0].answer(MUTATION);
  await saving;
  for (const write of draftWrites) write.land(); // a write it started would land last
  await settle();
  assert.equal(state().form, null);
  assert.deepEqual([...drafts.keys()], []);
});

test("a draft write still in flight when the save ends lands before the draft is removed", async () => {
  const { controller, drafts, draftWrites, saves, fireTimers } = setup();
  controller.actions.formInput("name", "Ana");
  fireTimers(); // the debounced write starts…
  assert.equal(draftWrites.length, 1);
  const saving = controller.actions.formSave(); // …and Save is tapped before it lands
  await settle();
  saves[0].answer(MUTATION);
  await settle();
  draftWrites[0].land();
  await saving;
  await settle();
  assert.deepEqual([...drafts.keys()], []);
});

test("a cancelled form leaves no draft behind, even with its write in flight", async () => {
  const { controller, drafts, draftWrites, fireTimers } = setup();
  controller.actions.formInput("name", "Ana");
  fireTimers();
  const cancelling = controller.actions.formCancel();
  await settle();
  draftWrites[0].land();
  await cancelling;
  await settle();
  assert.deepEqual([...drafts.keys()], []);
});

test("a save the form's rules refuse keeps what was typed as a draft", async () => {
  const { controller, drafts, draftWrites, saves, fireTimers, state } = setup();
  controller.actions.formInput("name", "A");
  const saving = controller.actions.formSave();
  await settle();
  saves[0].answer({ errors: { name: { code: "too_short" } }, mutation: null });
  await saving;
  assert.equal(state().form.errors.name, "too_short");
  fireTimers();
  for (const write of draftWrites) write.land();
  await settle();
  assert.equal(drafts.get(state().form.draftId).values.name, "A");
});
