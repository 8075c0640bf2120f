// Keeping a device's copy of a workspace current: one path for the page and the service worker
// (docs/ARCHITECTURE.md, 3). Ask the server for what changed since the revision held (with the
// last ETag: 304 when nothing did), check what comes back, keep it beside the other envelopes.
// The page opens the envelope with the key; the worker, which holds none, checks its public
// fields. No DOM: the store and the API client are passed in.

import { deltaChain, nextFetch } from "./snapshot.js";

/** The workspace's meta flag set when a sync answer says `reset` (outbox.js): the next update
 * takes a full snapshot and replaces the copy (docs/ARCHITECTURE.md, 4.3). */
export const RESTART = "restart";

/** Return the revision a copy holds: the full envelope's, moved on by the deltas that follow. */
export function heldRevision({ full, deltas }) {
  if (!full) return null;
  return deltaChain(full.revision, deltas).revision;
}

/**
 * Fetch what changed since the copy held and keep it. `api`: api.js's client; `kid`: the key
 * the copy is under; `check(envelope, expected)`: the page's openEnvelope with the key (returns
 * the plaintext) or the worker's checkEnvelope; `deltasOnly`: never ask for a full snapshot
 * (the worker: it brings a copy forward, it does not make one). Returns `{status: "unchanged"}`,
 * `{status: "kept", envelope, plaintext, bytes, restored}` (restored: the copy was replaced,
 * the server's database having gone back) or `{status: "other-key", envelope}` (the key
 * rotated: nothing kept). Throws ApiError (offline, 401, 404) and EnvelopeError (not this copy).
 */
export async function updateCopy({
  store,
  api,
  userId,
  workspaceId,
  kid,
  check,
  deltasOnly = false,
  now = () => new Date().toISOString(),
}) {
  const held = await store.getEnvelopes(workspaceId);
  const revision = heldRevision(held);
  // A sync answer said the copy is ahead of the server (`reset`, kept by outbox.js): start
  // again from a full snapshot, whatever the copy holds.
  const restart = (await store.getMeta(workspaceId, RESTART)) === true;
  // A delta since the revision held, unless the deltas outgrew a quarter of the full copy; the
  // server answers 304 when nothing changed, and may send the full snapshot instead.
  let plan = deltasOnly && held.full ? { since: revision } : nextFetch({ ...held, revision });
  if (restart) plan = { full: true };
  const since = plan.full ? null : plan.since;
  // The ETag of the last answer names the revision, key and class held: a rotated key gets a
  // fresh snapshot even when nothing changed.
  const etag = held.full && !restart ? ((await store.getMeta(workspaceId, "etag")) ?? null) : null;
  const answer = await api.snapshot(workspaceId, { etag, since });
  if (!answer) {
    await store.setMeta(workspaceId, "synced_at", now());
    return { status: "unchanged" };
  }
  const { envelope } = answer;
  if (envelope.kid !== kid) return { status: "other-key", envelope };
  // A full snapshot older than the revision held: the server's database was restored (the
  // server answers `?since=` ahead of it with its full snapshot). It replaces the whole copy.
  const restored =
    restart || (envelope.base === undefined && revision !== null && envelope.revision < revision);
  const expected = { userId, workspaceId, kid };
  if (!restored) expected.minRevision = held.full?.revision;
  if (since !== null) expected.base = since;
  const plaintext = await check(envelope, expected);
  await store.putEnvelope(workspaceId, envelope, { replace: restored });
  await store.setMeta(workspaceId, "etag", answer.etag);
  await store.setMeta(workspaceId, "synced_at", now());
  if (restart) await store.setMeta(workspaceId, RESTART, false);
  return { status: "kept", envelope, plaintext, bytes: answer.bytes, restored };
}
