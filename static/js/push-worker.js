// The service worker's side of push (docs/ARCHITECTURE.md, 4.8): find whose copy this
// device holds, fetch the delta since the revision it holds and keep it beside the other
// envelopes exactly as the page keeps them, say in the user's language what changed, and
// subscribe again when the browser renews the subscription. The worker never holds the
// snapshot key: it checks an envelope's public fields (user, workspace, key id, revisions) and
// the page checks its seal at the next unlock. `fetch` is passed in so node tests drive it.

import { createApi } from "./api.js";
import { heldRevision, updateCopy } from "./copy.js";
import { checkEnvelope } from "./crypto.js";
import { pickLanguage } from "./i18n.js";
import { applicationServerKey, notificationFor, parsePayload, subscriptionBody } from "./push.js";
import { openStore, storedUserIds } from "./store.js";

export { heldRevision };

const USER = ""; // the store's scope for what belongs to the user, not one workspace
const JSON_HEADERS = { Accept: "application/json" };

/** Open every user's copy on this device: `[{userId, store, session}]` (close them after). */
async function openCopies() {
  const copies = [];
  for (const userId of await storedUserIds()) {
    const store = await openStore(userId);
    copies.push({ userId, store, session: (await store.getMeta(USER, "session")) ?? null });
  }
  return copies;
}

/** Return the one copy whose saved session lists the workspace, or null (none, or several). */
function holderOf(copies, workspaceId) {
  const holders = copies.filter((copy) =>
    copy.session?.workspaces?.some((workspace) => workspace.id === workspaceId),
  );
  return holders.length === 1 ? holders[0] : null;
}

/**
 * Bring a copy up to date after a push (copy.js, as the page does, deltas only): returns
 * `{refreshed, bytes}`: whether the copy now holds the revision announced, and the size of what
 * was fetched. Offline, signed out (401) or no longer a member (404): not refreshed; the page
 * wipes what it must when opened.
 */
export async function refreshCopy({ userId, store }, payload, fetchImpl) {
  const workspaceId = payload.workspace;
  const keys = await store.getKeys();
  const held = heldRevision(await store.getEnvelopes(workspaceId));
  // No PIN chosen yet, or no copy of this workspace: nothing to bring up to date, and the whole
  // directory is never fetched from here.
  if (!keys || held === null) return { refreshed: false, bytes: 0 };
  if (payload.revision <= held) return { refreshed: true, bytes: 0 };
  let result;
  try {
    result = await updateCopy({
      store,
      api: createApi({ fetch: fetchImpl }),
      userId,
      workspaceId,
      kid: keys.kid,
      // The worker has no key: it checks the envelope's user, workspace, key id and revisions;
      // the page checks its seal at the next unlock.
      check: (envelope, expected) => checkEnvelope(envelope, expected),
      deltasOnly: true,
    });
  } catch {
    return { refreshed: false, bytes: 0 };
  }
  // A rotated key is the page's business: nothing kept here.
  if (result.status === "other-key") return { refreshed: false, bytes: 0 };
  if (result.status === "unchanged") return { refreshed: true, bytes: 0 };
  return { refreshed: result.envelope.revision >= payload.revision, bytes: result.bytes };
}

/**
 * Handle a push message's text. Returns `{notification, unsubscribe, stored}`:
 * the notification to show (`{title, options}`, or null), whether this device holds no one's
 * copy (then it should stop receiving), and the workspace whose envelopes changed (or null).
 *
 * A workspace the device does not hold (or holds for several users) is never fetched: a
 * notification that names no workspace says something changed.
 */
export async function handlePush(text, { fetch: fetchImpl, language = "es" }) {
  const payload = parsePayload(text);
  if (!payload) return { notification: null, unsubscribe: false, stored: null };
  const copies = await openCopies();
  try {
    if (copies.length === 0) return { notification: null, unsubscribe: true, stored: null };
    const holder = holderOf(copies, payload.workspace);
    const speaker = holder ?? (copies.length === 1 ? copies[0] : null);
    const lang = pickLanguage(
      (await speaker?.store.getMeta(USER, "lang")) ?? speaker?.session?.user?.locale,
      language,
    );
    const workspaceName =
      holder?.session.workspaces.find((workspace) => workspace.id === payload.workspace)?.name ??
      null;
    let refreshed = false;
    let stored = null;
    // An incident started: its record comes with the delta, so the tap opens it offline too.
    if (holder && (payload.type === "directory-changed" || payload.type === "incident-started")) {
      try {
        const result = await refreshCopy(holder, payload, fetchImpl);
        refreshed = result.refreshed;
        if (result.bytes > 0 && refreshed) stored = payload.workspace;
      } catch {
        // Storage full or closed under us: the notification still goes, the page catches up.
      }
    }
    return {
      notification: notificationFor(payload, { lang, workspaceName, refreshed }),
      unsubscribe: false,
      stored,
    };
  } finally {
    for (const copy of copies) copy.store.close();
  }
}

async function getJson(fetchImpl, path) {
  const response = await fetchImpl(path, { credentials: "same-origin", headers: JSON_HEADERS });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

/**
 * The browser renewed (or dropped) the subscription: subscribe again with the server's key and
 * tell the server, the old endpoint removed. The CSRF token comes from GET /api/v1/session
 * (the worker keeps none: tokens expire, and the session also says who is signed in).
 * Returns the new subscription's body, or null when nobody whose copy this is is signed in.
 */
export async function renewSubscription({ oldSubscription, newSubscription }, { fetch: fetchImpl, pushManager }) {
  let session;
  try {
    session = await getJson(fetchImpl, "/api/v1/session");
  } catch {
    return null; // signed out or offline: the app subscribes again when turned on
  }
  if (!(await storedUserIds()).includes(session.user.id)) return null;
  let subscription = newSubscription;
  if (!subscription) {
    const { key } = await getJson(fetchImpl, "/api/v1/push/vapid-public-key");
    subscription = await pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: applicationServerKey(key),
    });
  }
  const body = subscriptionBody(subscription);
  const headers = { ...JSON_HEADERS, "Content-Type": "application/json", "X-CSRFToken": session.csrf_token };
  const posted = await fetchImpl("/api/v1/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: JSON.stringify(body),
  });
  if (!posted.ok) throw new Error(`subscribe: ${posted.status}`);
  const old = oldSubscription?.endpoint;
  if (old && old !== body.endpoint) {
    await fetchImpl("/api/v1/push/subscriptions", {
      method: "DELETE",
      credentials: "same-origin",
      headers,
      body: JSON.stringify({ endpoint: old }),
    }).catch(() => {}); // the push service answers 410 for it anyway, and the server drops it
  }
  return body;
}
