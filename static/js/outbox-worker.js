// The service worker's side of the outbox (docs/ARCHITECTURE.md, 5): with the page closed,
// Background Sync sends what the user saved offline, sealed as it is kept — the worker never
// holds the key, and the server opens each mutation with the user's key. A result the worker
// cannot seal (a conflict, a rejection) leaves its mutation queued: the page sends it again at
// its next start and the server answers the same result (mutation ids are idempotent).
// `fetch` is passed in, so node tests drive it with a fake server.

import { createApi } from "./api.js";
import { createOutbox, OUTBOX_SYNC_TAG } from "./outbox.js";
import { heldRevision } from "./copy.js";
import { openStore, storedUserIds } from "./store.js";

export { OUTBOX_SYNC_TAG };

function noKey() {
  throw new Error("the service worker holds no key");
}

/**
 * Send the signed-in user's queued mutations for every workspace of theirs; return
 * `{sent, applied}`. Throws when the network failed, so that the browser tries again later.
 */
export async function flushSealedOutboxes({ fetch: fetchImpl, indexedDB: factory = globalThis.indexedDB }) {
  const api = createApi({ fetch: fetchImpl });
  const session = await api.session(); // who is signed in, and the CSRF token
  if (!(await storedUserIds(factory)).includes(session.user.id)) return { sent: 0, applied: 0 };
  const store = await openStore(session.user.id);
  const outbox = createOutbox({ store, seal: noKey, open: noKey, send: api.sync, wire: "sealed" });
  const total = { sent: 0, applied: 0 };
  try {
    for (const { id } of session.workspaces) {
      if ((await outbox.counts(id)).pending === 0) continue;
      // From the revision held: a locked device gets no changes back anyway, and none is
      // listed from 0 even within the minutes a fresh password opens them.
      const cursor = heldRevision(await store.getEnvelopes(id)) ?? 0;
      const report = await outbox.flush(id, cursor);
      total.sent += report.sent;
      total.applied += report.applied;
      if (report.offline) throw new Error("offline: the browser retries the sync later");
    }
  } finally {
    store.close();
  }
  return total;
}
