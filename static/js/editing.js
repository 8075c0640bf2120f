// Editing the directory on the device (issue 14): a save becomes one mutation in the sealed
// outbox, shows at once (optimistic), and is flushed to the server; conflicts and rejections
// wait for the user; an open form's values are kept as a sealed draft. No DOM: the store, the
// API and the unlocked keyring are passed in, so the app wires it and tests can drive it.

import { openOutbox, sealOutbox } from "./crypto.js";
import { createDrafts } from "./drafts.js";
import { applyPending, buildDelete, buildPut, checkFields, copyHolds } from "./edit.js";
import { createOutbox } from "./outbox.js";

/** How long a deleted record can be brought back before its delete is sent. */
export const UNDO_MS = 6_000;

/** The app could not seal or open: it is locked (no key in memory). */
export class Locked extends Error {
  constructor() {
    super("locked");
    this.name = "Locked";
  }
}

/**
 * Return the editing functions over `getStore()` (the user's store.js), `api` (api.js),
 * `getKeyring()` (the unlocked keyring, or null while locked) and `getUserId()`.
 */
export function createEditing({ getStore, api, getKeyring, getUserId, now = Date.now }) {
  let outbox = null;
  let outboxStore = null;
  let drafts = null;
  let draftsKey = null;
  // Workspace id → time before which nothing is sent (a delete that may still be undone).
  const holds = new Map();

  function keyring() {
    const held = getKeyring();
    if (!held) throw new Locked();
    return held;
  }

  function seal(value, workspaceId) {
    const { key, kid } = keyring();
    return sealOutbox(value, key, { kid, userId: getUserId(), workspaceId });
  }

  function open(sealed, workspaceId) {
    // Any kid: a mutation sealed before a rotation still opens with the key it was sealed
    // under only if that is the key held; else openOutbox refuses it (the tag does not match).
    return openOutbox(sealed, keyring().key, { userId: getUserId(), workspaceId });
  }

  /** Return the outbox of the current user's store (sealed mutations travel as they are). */
  function outboxOf() {
    const store = getStore();
    if (!outbox || outboxStore !== store) {
      outbox = createOutbox({ store, seal, open, send: (body) => api.sync(body), wire: "sealed" });
      outboxStore = store;
    }
    return outbox;
  }

  function draftsOf() {
    const { key, kid } = keyring();
    if (!drafts || draftsKey !== key) {
      drafts = createDrafts({ store: getStore(), key, kid, userId: getUserId() });
      draftsKey = key;
    }
    return drafts;
  }

  /**
   * Save a form: check what needs no server, then queue one mutation with only the changed
   * fields. Returns `{errors}` (by path, codes from edit.js), `{mutation: null}` when nothing
   * changed, or `{mutation}` queued.
   */
  async function save(workspaceId, type, held, values, limits) {
    const mutation = buildPut(type, held, values);
    if (!mutation) return { mutation: null };
    if (limits) {
      const errors = checkFields(type, mutation.fields, limits, { partial: Boolean(held) });
      if (Object.keys(errors).length) return { errors };
    }
    await outboxOf().add(workspaceId, mutation);
    return { mutation };
  }

  /** Queue a mutation built elsewhere (an incident, an entry of its log) as it is. */
  async function queue(workspaceId, mutation) {
    await outboxOf().add(workspaceId, mutation);
    return mutation;
  }

  /** Queue the delete of a held record; nothing is sent until the undo time has passed. */
  async function remove(workspaceId, type, held) {
    const mutation = buildDelete(type, held);
    await outboxOf().add(workspaceId, mutation);
    holds.set(workspaceId, now() + UNDO_MS);
    return mutation;
  }

  /** Take back a queued mutation not yet sent (the undo of a delete). */
  async function undo(workspaceId, mutationId) {
    await outboxOf().discard(workspaceId, mutationId);
    holds.delete(workspaceId);
  }

  /** Return the milliseconds a flush must still wait for an undo window (0: none). */
  function heldFor(workspaceId) {
    const until = holds.get(workspaceId) ?? 0;
    return Math.max(0, until - now());
  }

  /**
   * Send what is queued (also while locked: sealed mutations travel as they are). Returns the
   * outbox's report, or null when an undo window holds it back.
   */
  async function flush(workspaceId, cursor) {
    if (heldFor(workspaceId) > 0) return null;
    return outboxOf().flush(workspaceId, cursor);
  }

  /**
   * Return the directory as the user sees it: the copy with their edits on top, those pending
   * and those applied that the copy does not hold yet (a connection cut between the server's
   * answer and the copy's update must not make an edit vanish).
   */
  async function withPending(workspaceId, directory) {
    const shown = await outboxOf().overlay(workspaceId, (mutation, version) =>
      copyHolds(directory, mutation, version),
    );
    return shown.length ? applyPending(directory, shown) : directory;
  }

  return {
    save,
    queue,
    remove,
    undo,
    heldFor,
    flush,
    withPending,
    nextRetryMs: (workspaceId) => outboxOf().nextRetryMs(workspaceId),
    counts: (workspaceId) => outboxOf().counts(workspaceId),
    unsettled: (workspaceId) => outboxOf().unsettled(workspaceId),
    settle: (workspaceId, mutationId, choice, options) =>
      outboxOf().settle(workspaceId, mutationId, choice, options),
    discard: (workspaceId, mutationId) => outboxOf().discard(workspaceId, mutationId),
    saveDraft: (workspaceId, draftId, values) => draftsOf().save(workspaceId, draftId, values),
    loadDrafts: (workspaceId) => draftsOf().list(workspaceId),
    removeDraft: (workspaceId, draftId) => draftsOf().remove(workspaceId, draftId),
  };
}
