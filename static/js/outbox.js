// The outbox: each save's mutation, sealed in IndexedDB until the server has answered it and,
// when applied, until the copy holds it (docs/ARCHITECTURE.md, 5 and 4.3). No DOM and no timers: the store, the
// seal, the request and the clock are passed in, and the app schedules retries from
// nextRetryMs(), so node tests drive every path.

import { RESTART } from "./copy.js";
import { b64urlEncode } from "./crypto.js";
import { buildPut, newId } from "./edit.js";

/** The tag the page registers for Background Sync after each save (the worker then flushes). */
export const OUTBOX_SYNC_TAG = "enlace-outbox";
/** The most mutations (sealed or clear) one sync request may carry. */
export const MAX_BATCH = 200;
/** The most bytes of mutations one request carries: the server's 1 MiB less room for the rest. */
export const MAX_BATCH_BYTES = 1024 * 1024 - 16 * 1024;
/** How mutations travel: sealed (the server opens them) or in clear. */
export const WIRE_FORMS = Object.freeze(["sealed", "clear"]);

const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
const UNSETTLED = new Set(["conflict", "rejected"]);
const encoder = new TextEncoder();

/** Return the wait before retry number `attempts` (1, 2, …): doubling, capped, with jitter. */
export function retryDelay(attempts, random = Math.random) {
  const doubled = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1));
  // Between half and all of it, so that devices cut off together do not come back together.
  return Math.round(doubled * (0.5 + random() / 2));
}

/** Tell whether a failed request is worth retrying later as it is (no answer, busy, 5xx). */
export function isRetryable(error) {
  return Boolean(error?.offline) || error?.status === 429 || error?.status >= 500;
}

/**
 * Return the mutation that keeps the user's side of a conflict: the conflicting fields with
 * their values, based on the server's version and values (its non-conflicting fields were
 * applied already). A delete is sent again at the server's version; an edit of a record deleted
 * meanwhile creates it again under a new id from `record` (its last known values) with the
 * edit on top. Returns null when nothing of the user's remains to send.
 */
export function keepMine(mutation, result, { record = null, id = newId(), entityId } = {}) {
  if (result?.status !== "conflict") {
    throw new TypeError("only a conflict is settled with mine; fix a rejected edit in its form");
  }
  const { type, entity_id: target } = mutation;
  if (mutation.op === "delete") {
    return { id, type, entity_id: target, op: "delete", base_version: result.version ?? null };
  }
  if (result.deleted) {
    if (!record) throw new TypeError("restoring a deleted record needs its last known values");
    return buildPut(type, null, { ...record, ...mutation.fields }, { id, entityId });
  }
  const fields = {};
  const base = {};
  for (const { field, server } of result.conflicts ?? []) {
    if (!Object.hasOwn(mutation.fields ?? {}, field)) continue;
    fields[field] = mutation.fields[field];
    base[field] = server;
  }
  if (Object.keys(fields).length === 0) return null;
  const base_version = result.version ?? null;
  return { id, type, entity_id: target, op: "put", base_version, fields, base };
}

/** Return the UTF-8 size of a value's JSON. */
function byteLength(value) {
  return encoder.encode(JSON.stringify(value)).length;
}

/** Return a stored sealed mutation as the request carries it (bytes as base64url). */
function sealedForWire(sealed) {
  const { kid, aad, iv, ciphertext } = sealed;
  const text = (bytes) => (typeof bytes === "string" ? bytes : b64urlEncode(bytes));
  return { kid, iv: text(iv), aad, ciphertext: text(ciphertext) };
}

/** Return a flush's report before anything was sent. */
function emptyReport(cursor) {
  return {
    sent: 0,
    applied: 0,
    conflict: 0,
    rejected: 0,
    deferred: 0,
    results: [],
    changes: [],
    changesWithheld: false,
    cursor,
    more: false,
    offline: false,
    error: null,
    retryInMs: null,
    reset: false,
  };
}

/**
 * Return the outbox of one user over the store (store.js), with:
 * `seal(value, workspaceId)` and `open(sealed, workspaceId)`: crypto.js's sealOutbox and
 * openOutbox bound to the key and ids (they throw while the app is locked); `send(body)`:
 * api.sync; `wire`: "sealed" or "clear" (how mutations travel); `now` and `random` for tests.
 */
export function createOutbox({
  store,
  seal,
  open,
  send,
  wire,
  now = Date.now,
  random = Math.random,
}) {
  if (!WIRE_FORMS.includes(wire)) throw new TypeError(`wire must be one of ${WIRE_FORMS}`);
  const states = new Map();

  /** Return a workspace's flush state: the run under way, retries. */
  function stateOf(workspaceId) {
    if (!states.has(workspaceId)) {
      states.set(workspaceId, { running: null, again: false, attempts: 0, retryAt: null });
    }
    return states.get(workspaceId);
  }

  /** Seal and queue a mutation after the others; a mutation id already queued is not added. */
  async function add(workspaceId, mutation) {
    const sealed = await seal(mutation, workspaceId);
    const queued = await store.listOutbox(workspaceId);
    if (queued.some((item) => item.mutationId === mutation.id)) return false;
    await store.addOutbox(workspaceId, mutation.id, sealed);
    return true;
  }

  /** Return a queued mutation as it travels: sealed as stored, or opened. */
  async function wireItem(workspaceId, item) {
    if (wire === "sealed") return sealedForWire(item.sealed);
    return open(item.sealed, workspaceId);
  }

  /** Return the next pending mutations in order, within a request's count and size limits. */
  async function nextBatch(workspaceId, tried) {
    const queued = await store.listOutbox(workspaceId);
    const waiting = queued.filter(
      (item) => item.status === "pending" && !tried.has(item.mutationId),
    );
    const batch = [];
    let bytes = 0;
    for (const item of waiting.slice(0, MAX_BATCH)) {
      const payload = await wireItem(workspaceId, item);
      bytes += byteLength(payload) + 1;
      if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
      batch.push({ item, payload });
    }
    return batch;
  }

  /** Return the sync request of a batch in the chosen wire form. */
  function requestBody(workspaceId, cursor, batch) {
    const payloads = batch.map(({ payload }) => payload);
    const items = wire === "sealed" ? { sealed: payloads } : { mutations: payloads };
    return { workspace: workspaceId, cursor, ...items };
  }

  /**
   * Keep each result: applied stays as "applied" with its version until the copy holds it
   * (`overlay`: an answer received just before the connection dropped must not make the edit
   * vanish until the copy catches up); conflict and rejected stay, their result
   * sealed. A result that cannot be sealed now (locked) leaves the mutation pending: sent again
   * later, the server answers the same result (mutation ids are idempotent).
   */
  async function keepResults(workspaceId, batch, results, report) {
    const byId = new Map(results.map((result) => [result?.id, result]));
    const settled = new Map(); // mutation id → its record's version (null: nothing to keep)
    for (const { item } of batch) {
      const result = byId.get(item.mutationId);
      report.sent += 1;
      if (!result) {
        report.deferred += 1;
        continue;
      }
      report.results.push(result);
      if (result.status === "applied") {
        settled.set(item.mutationId, Number.isSafeInteger(result.version) ? result.version : null);
        report.applied += 1;
      } else if (UNSETTLED.has(result.status) && (await markUnsettled(workspaceId, item, result))) {
        report[result.status] += 1;
      } else {
        report.deferred += 1;
      }
    }
    if (settled.size) await store.settleOutbox(workspaceId, settled);
  }

  /** Keep a conflict or rejection with its result sealed; false when it cannot be sealed. */
  async function markUnsettled(workspaceId, item, result) {
    let sealed;
    try {
      sealed = await seal(result, workspaceId);
    } catch {
      return false;
    }
    await store.markOutbox(workspaceId, item.mutationId, result.status, sealed);
    return true;
  }

  /** Add an answer's changes and cursor to the report. */
  async function keepAnswer(workspaceId, answer, report) {
    if (answer.reset === true) {
      // The cursor sent was ahead of the server (its database was restored): the copy must
      // start again from a full snapshot (copy.js reads the flag); the outbox goes on as is.
      report.reset = true;
      await store.setMeta(workspaceId, RESTART, true);
    }
    if (Array.isArray(answer.changes)) report.changes.push(...answer.changes);
    // Without the unlock token the server applies but withholds the changes (Device lock).
    else report.changesWithheld = true;
    if (Number.isSafeInteger(answer.cursor)) report.cursor = answer.cursor;
    report.more = Boolean(answer.more);
  }

  /** Count a failed attempt and set when to retry (Retry-After when the server said). */
  function scheduleRetry(state, error, report) {
    state.attempts += 1;
    const asked = Number(error.retryAfter) > 0 ? Number(error.retryAfter) * 1000 : 0;
    const delay = Math.max(retryDelay(state.attempts, random), asked);
    state.retryAt = now() + delay;
    // No answer, or the server's "come back later" (503): the same for whoever shows it.
    report.offline = Boolean(error.offline || error.unavailable);
    report.error = error.code ?? "error";
    report.retryInMs = delay;
  }

  /** Send batch after batch until none is pending or a request fails. */
  async function run(state, workspaceId, cursor) {
    const report = emptyReport(cursor);
    const tried = new Set();
    try {
      for (;;) {
        state.again = false;
        const batch = await nextBatch(workspaceId, tried);
        if (batch.length === 0) {
          // A flush asked for meanwhile may have queued more: look again before stopping.
          if (state.again) continue;
          return report;
        }
        let answer;
        try {
          answer = await send(requestBody(workspaceId, report.cursor, batch));
        } catch (error) {
          if (!isRetryable(error)) throw error;
          // Nothing of this batch or after it was answered: all stays queued, in order.
          scheduleRetry(state, error, report);
          return report;
        }
        state.attempts = 0;
        state.retryAt = null;
        for (const { item } of batch) tried.add(item.mutationId);
        await keepResults(workspaceId, batch, answer?.results ?? [], report);
        await keepAnswer(workspaceId, answer ?? {}, report);
      }
    } finally {
      // In the turn the run ends, so a later flush() never joins a finished run.
      state.running = null;
    }
  }

  /**
   * Send the workspace's pending mutations in order, in batches, from `cursor`; return what
   * happened: `{sent, applied, conflict, rejected, deferred, results, changes, changesWithheld,
   * cursor, more, offline, error, retryInMs, reset}` (reset: the server said the copy is ahead
   * of it; the next copy update replaces it). One flush at a time per workspace: a call while
   * one runs joins it (and makes it look for newly queued mutations before it ends). A cut
   * connection, 429 or 5xx leaves everything queued and sets the retry delay (`offline` for a
   * cut connection and a 503, which asks to come back after its Retry-After); other errors
   * (401, 404: wipe) are thrown. The clear wire form needs the key (opens each mutation).
   */
  function flush(workspaceId, cursor = 0) {
    const state = stateOf(workspaceId);
    if (state.running) {
      state.again = true;
      return state.running;
    }
    state.running = run(state, workspaceId, cursor);
    return state.running;
  }

  /** Return the milliseconds until the next retry is due (0: now), or null when none waits. */
  function nextRetryMs(workspaceId) {
    const { retryAt } = stateOf(workspaceId);
    return retryAt === null ? null : Math.max(0, retryAt - now());
  }

  /** Return how many mutations are pending, in conflict and rejected (no key needed). */
  async function counts(workspaceId) {
    const tally = { pending: 0, conflict: 0, rejected: 0 };
    for (const { status } of await store.listOutbox(workspaceId)) {
      if (Object.hasOwn(tally, status)) tally[status] += 1;
    }
    return tally;
  }

  /**
   * Return what to show on top of the copy, opened, in order: the pending mutations, and the
   * applied ones the copy does not hold yet, marked `applied: true`. An applied one the copy
   * holds (`holds(mutation, version)`, edit.js `copyHolds`) leaves the outbox here.
   */
  async function overlay(workspaceId, holds) {
    const shown = [];
    const held = new Map(); // applied ones the copy holds: removed, at once
    for (const item of await store.listOutbox(workspaceId)) {
      if (item.status !== "pending" && item.status !== "applied") continue;
      const mutation = await open(item.sealed, workspaceId);
      if (item.status === "pending") shown.push(mutation);
      else if (holds(mutation, item.version)) held.set(item.mutationId, null);
      else shown.push({ ...mutation, applied: true });
    }
    if (held.size) await store.settleOutbox(workspaceId, held);
    return shown;
  }

  /** Return the pending mutations, opened, in order. */
  async function pending(workspaceId) {
    const queued = await store.listOutbox(workspaceId);
    const waiting = queued.filter((item) => item.status === "pending");
    return Promise.all(waiting.map((item) => open(item.sealed, workspaceId)));
  }

  /** Return the conflicts and rejections for the user, opened: `[{status, mutation, result}]`. */
  async function unsettled(workspaceId) {
    const queued = await store.listOutbox(workspaceId);
    const held = queued.filter((item) => UNSETTLED.has(item.status));
    return Promise.all(
      held.map(async (item) => ({
        status: item.status,
        mutation: await open(item.sealed, workspaceId),
        result: await open(item.result, workspaceId),
      })),
    );
  }

  /**
   * Settle a conflict: "theirs" drops the user's mutation; "mine" queues keepMine's mutation
   * (`options.record` for a record deleted meanwhile) and returns it. Throws for a mutation
   * that is not in conflict.
   */
  async function settle(workspaceId, mutationId, choice, options = {}) {
    if (choice !== "mine" && choice !== "theirs") throw new TypeError(`unknown choice ${choice}`);
    const queued = await store.listOutbox(workspaceId);
    const item = queued.find((each) => each.mutationId === mutationId);
    if (!item || item.status !== "conflict") throw new TypeError("no conflict with this id");
    let next = null;
    if (choice === "mine") {
      const result = await open(item.result, workspaceId);
      next = keepMine(await open(item.sealed, workspaceId), result, options);
      // Queued before the old one goes, so a crash in between loses nothing.
      if (next) await add(workspaceId, next);
    }
    await store.removeOutbox(workspaceId, mutationId);
    return next;
  }

  /** Drop a mutation the user gave up (a rejected edit, or an undo before it was sent). */
  async function discard(workspaceId, mutationId) {
    await store.removeOutbox(workspaceId, mutationId);
  }

  return { add, flush, nextRetryMs, counts, pending, overlay, unsettled, settle, discard };
}
