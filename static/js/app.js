// The app: one state object, changed only through `update`, rendered by the views after each
// change. What it holds decrypted (the key, the directory, the search index) lives in memory
// only and is dropped on lock (DESIGN.md, "The client (PWA)").

import { html, render } from "../vendor/htm-preact.js";
import { ApiError, WIPE_USER, WIPE_WORKSPACE, createApi } from "./api.js";
import {
  PBKDF2_ITERATIONS,
  deriveWrappingKey,
  importSnapshotKey,
  openEnvelope,
  randomBytes,
  toBytes,
  unwrapSnapshotKey,
  wrapSnapshotKey,
} from "./crypto.js";
import { pickLanguage, translator } from "./i18n.js";
import { installState, onInstallChange, promptInstall, watchInstall } from "./install.js";
import { createPasskeyWrap, passkeysAvailable, unlockWithPasskey } from "./passkey.js";
import { checkAlertMessage, isLevel, retryMinutes } from "./push.js";
import { browserEnv, readSwitch, turnOff, turnOn } from "./push-device.js";
import { createContactIndex } from "./search.js";
import { buildDirectory, deltaChain, nextFetch } from "./snapshot.js";
import { openStore } from "./store.js";
import { forgetDevice, lastUserId, rememberUser } from "./wipe.js";
import { App } from "./views/app.js";

const USER = ""; // the store's scope for what belongs to the user, not one workspace
const MAX_FAILED_UNLOCKS = 10;
const DEFAULT_LOCK_MINUTES = 5;
const PIN = /^\d{6,}$/;
const MIN_PASSPHRASE = 8;
const LOGIN = "/login?next=/app";

const api = createApi();
let store = null;
// Decrypted, in memory only: `{key, wrapping: {key, salt, iterations, kind}}` while unlocked.
let unlocked = null;
let index = null;
let rawKeyToWrap = null; // the key fetched on first sign-in, until a PIN wraps it
let hiddenAt = null;
let lockTimer = null;

let state = {
  screen: "loading",
  lang: pickLanguage(null, document.documentElement.lang),
  online: navigator.onLine,
  user: null,
  workspaces: [],
  workspaceId: null,
  publicContacts: [],
  publicFetchedAt: null,
  pinKind: "pin",
  hasPasskey: false,
  passkeys: passkeysAvailable(),
  directory: null,
  query: "",
  results: null,
  favourites: [],
  lockMinutes: DEFAULT_LOCK_MINUTES,
  syncedAt: null,
  route: routeOf(location.hash),
  install: installState(),
  push: "off", // the notification switch: see push.js switchState
  pushBusy: false,
  pushLevel: null, // "all" | "urgent" | "none" once the server said
  alert: null, // a crisis alert being written: {playbookId, message, status, error, recipients}
  notice: null, // {key, params, kind}
  busy: false,
  now: new Date(),
};

function update(patch) {
  state = { ...state, ...patch };
  const t = translator(state.lang);
  document.documentElement.lang = state.lang;
  render(html`<${App} state=${state} actions=${actions} t=${t} />`, document.getElementById("app"));
}

function routeOf(hash) {
  const [view, id] = hash.replace(/^#/, "").split("/");
  if ((view === "contact" || view === "playbook") && id) return { view, id };
  if (["playbooks", "status", "quick-dial", "search", "readiness"].includes(view)) return { view };
  return { view: "directory" };
}

function notice(key, kind = "info", params = {}) {
  update({ notice: { key, kind, params } });
}

// --- session and local copy -------------------------------------------------------------

/** Start: who is signed in (or who used this device last, offline), then what screen. */
async function start() {
  let session = null;
  try {
    session = await api.session();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.wipe === WIPE_USER) return wipeAndSignIn();
    // A server in trouble is no reason to hide the copy this device holds: open it offline.
    if (!error.offline) update({ notice: { key: "error_server", kind: "error" } });
  }
  const userId = session ? session.user.id : lastUserId();
  if (!userId) return update({ screen: "first-use-offline" });
  if (session && lastUserId() && lastUserId() !== userId) await forgetDevice();
  rememberUser(userId);
  store = await openStore(userId);
  const { joined, removed } = session ? await keepSession(session) : { joined: [], removed: 0 };
  if (removed) update({ notice: { key: "workspace_removed", kind: "error" } });
  const saved = (await store.getMeta(USER, "session")) ?? null;
  if (!saved) return update({ screen: "first-use-offline" });
  const lang = pickLanguage(
    (await store.getMeta(USER, "lang")) ?? saved.user.locale,
    document.documentElement.lang,
  );
  const lockMinutes = (await store.getMeta(USER, "lock_minutes")) ?? DEFAULT_LOCK_MINUTES;
  const workspaces = saved.workspaces;
  // A workspace just created or joined (new since the last visit) is where the user goes.
  const wanted = joined[0] ?? askedWorkspace() ?? (await store.getMeta(USER, "workspace"));
  const workspace = workspaces.find((w) => w.id === wanted) ?? workspaces[0] ?? null;
  update({ user: saved.user, workspaces, lang, lockMinutes, online: Boolean(session) });
  if (!workspace) return update({ screen: "no-workspace" });
  await useWorkspace(workspace.id, Boolean(session));
}

/** A notification opened `/app?workspace=<id>`: that workspace, once (the query is dropped). */
function askedWorkspace() {
  const asked = new URLSearchParams(location.search).get("workspace");
  if (asked) history.replaceState(null, "", `/app${location.hash}`);
  return asked;
}

/**
 * Keep what the session says; a workspace that left it is wiped from this device. Returns
 * `{joined, removed}`: ids of workspaces new since the last visit, and how many went.
 */
async function keepSession(session) {
  const saved = await store.getMeta(USER, "session");
  const before = saved?.workspaces ?? [];
  const now = new Set(session.workspaces.map((w) => w.id));
  for (const gone of before.filter((w) => !now.has(w.id))) await store.wipeWorkspace(gone.id);
  const known = new Set(before.map((w) => w.id));
  const joined = saved ? session.workspaces.filter((w) => !known.has(w.id)).map((w) => w.id) : [];
  const removed = before.length - before.filter((w) => now.has(w.id)).length;
  const { id, name, email, locale } = session.user;
  await store.setMeta(USER, "session", {
    user: { id, name, email, locale },
    workspaces: session.workspaces,
  });
  return { joined, removed };
}

async function useWorkspace(workspaceId, online) {
  await store.setMeta(USER, "workspace", workspaceId);
  const favourites = (await store.getMeta(workspaceId, "favourites")) ?? [];
  const syncedAt = (await store.getMeta(workspaceId, "synced_at")) ?? null;
  update({ workspaceId, favourites, syncedAt, directory: null, results: null, query: "" });
  await loadPublic(online);
  const keys = await store.getKeys();
  if (keys) {
    if (unlocked) return openCopy(online);
    return update({ screen: "locked", pinKind: keys.pin?.kind ?? "pin", hasPasskey: !!keys.passkey });
  }
  if (!online) return update({ screen: "first-use-offline" });
  try {
    const { kid, key } = await api.snapshotKey();
    rawKeyToWrap = { kid, raw: toBytes(key) };
    update({ screen: "set-pin" });
  } catch (error) {
    await handleApiError(error);
  }
}

async function loadPublic(online) {
  const id = state.workspaceId;
  if (online) {
    try {
      const body = await api.publicContacts(id);
      await store.putPublic(id, body.contacts, new Date().toISOString());
    } catch (error) {
      if (!(error instanceof ApiError) || !error.offline) return handleApiError(error);
    }
  }
  const kept = await store.getPublic(id);
  update({ publicContacts: kept?.contacts ?? [], publicFetchedAt: kept?.fetchedAt ?? null });
}

async function handleApiError(error) {
  if (!(error instanceof ApiError)) throw error;
  if (error.wipe === WIPE_USER) return wipeAndSignIn();
  if (error.wipe === WIPE_WORKSPACE) return dropWorkspace(state.workspaceId);
  if (error.offline) {
    // `navigator.onLine` can be true while requests fail (a bad connection, or the first
    // moments after `online`): try again soon, then less and less often.
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => unlocked && refresh().catch(fail), retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    return update({ online: false });
  }
  notice("error_server", "error");
}

/** A workspace the server no longer shows this user: wipe it here and move on. */
async function dropWorkspace(workspaceId) {
  await store.wipeWorkspace(workspaceId);
  const saved = await store.getMeta(USER, "session");
  const workspaces = (saved?.workspaces ?? []).filter((w) => w.id !== workspaceId);
  await store.setMeta(USER, "session", { ...saved, workspaces });
  update({ workspaces, directory: null, notice: { key: "workspace_removed", kind: "error" } });
  if (!workspaces.length) return update({ screen: "no-workspace", workspaceId: null });
  await useWorkspace(workspaces[0].id, state.online);
}

async function wipeAndSignIn() {
  unlocked = null;
  store?.close();
  await forgetDevice();
  location.assign(LOGIN);
}

// --- PIN, unlock, lock ------------------------------------------------------------------

async function setPin(secret, confirm, kind) {
  const valid = kind === "pin" ? PIN.test(secret) : secret.length >= MIN_PASSPHRASE;
  if (!valid) return notice(kind === "pin" ? "pin_too_short" : "passphrase_too_short", "error");
  if (secret !== confirm) return notice("pin_mismatch", "error");
  if (!rawKeyToWrap) return start();
  update({ busy: true, notice: null });
  const salt = randomBytes(16);
  const wrappingKey = await deriveWrappingKey(secret, salt, PBKDF2_ITERATIONS);
  const wrapped = await wrapSnapshotKey(rawKeyToWrap.raw, wrappingKey);
  const pin = { salt, iterations: PBKDF2_ITERATIONS, wrapped, kind };
  // A new PIN keeps the passkey's wrap of the same key.
  const held = await store.getKeys();
  const passkey = held?.kid === rawKeyToWrap.kid ? held.passkey : null;
  await store.putKeys({ kid: rawKeyToWrap.kid, pin, passkey });
  const key = await importSnapshotKey(rawKeyToWrap.raw);
  rawKeyToWrap = null;
  unlocked = { key, kid: (await store.getKeys()).kid, wrapping: { key: wrappingKey, ...pin } };
  await store.resetFailedUnlocks();
  // Ask the browser to keep this copy under storage pressure (a prompt on some browsers).
  navigator.storage?.persist?.().catch(() => {});
  update({ busy: false, pinKind: kind });
  await openCopy(state.online);
}

async function unlock(secret) {
  const keys = await store.getKeys();
  if (!keys) return start();
  if (!secret) return notice(keys.pin.kind === "pin" ? "pin_enter" : "passphrase_enter", "error");
  update({ busy: true, notice: null });
  const { salt, iterations, wrapped } = keys.pin;
  const wrappingKey = await deriveWrappingKey(secret, new Uint8Array(salt), iterations);
  let key;
  try {
    key = await unwrapSnapshotKey(wrapped, wrappingKey);
  } catch {
    const failed = await store.recordFailedUnlock();
    if (failed >= MAX_FAILED_UNLOCKS) return wipeAfterWrongPins();
    const left = MAX_FAILED_UNLOCKS - failed;
    return update({ busy: false, notice: { key: "pin_wrong", kind: "error", params: { left } } });
  }
  await store.resetFailedUnlocks();
  unlocked = { key, kid: keys.kid, wrapping: { key: wrappingKey, ...keys.pin } };
  update({ busy: false });
  await openCopy(state.online);
}

async function unlockPasskey() {
  const keys = await store.getKeys();
  if (!keys?.passkey) return start();
  let key;
  try {
    key = await unlockWithPasskey(keys.passkey);
  } catch {
    // Cancelled, or another authenticator: not a wrong PIN, so it is not counted.
    return notice("passkey_failed", "error");
  }
  await store.resetFailedUnlocks();
  unlocked = { key, kid: keys.kid, wrapping: null };
  await openCopy(state.online);
}

async function addPasskey() {
  if (!navigator.onLine) return notice("passkey_offline", "error");
  const { kid, key } = await api.snapshotKey();
  const held = await store.getKeys();
  if (held?.kid !== kid) return notice("error_server", "error");
  let passkey;
  try {
    passkey = await createPasskeyWrap(toBytes(key), state.user);
  } catch (error) {
    const unsupported = error?.message === "prf-unsupported";
    return notice(unsupported ? "passkey_unsupported" : "passkey_failed", "error");
  }
  await store.putKeys({ kid, pin: held.pin, passkey });
  update({ hasPasskey: true });
  notice("passkey_added", "ok");
}

async function wipeAfterWrongPins() {
  // The session cookie must go too, or whoever holds the phone sets a new PIN and reads on.
  await signOutOnServer();
  await forgetDevice();
  store = null;
  unlocked = null;
  index = null;
  update({ screen: "wiped", busy: false, user: null, publicContacts: [], notice: null });
}

function lock() {
  unlocked = null;
  index = null;
  if (state.screen === "main") update({ screen: "locked", directory: null, results: null });
}

function onVisibility() {
  if (document.visibilityState === "hidden") {
    hiddenAt = Date.now();
    clearTimeout(lockTimer);
    lockTimer = setTimeout(lock, state.lockMinutes * 60_000);
    return;
  }
  clearTimeout(lockTimer);
  if (hiddenAt !== null && Date.now() - hiddenAt >= state.lockMinutes * 60_000) lock();
  hiddenAt = null;
  if (unlocked && navigator.onLine) refresh().catch(fail);
}

// --- the directory ----------------------------------------------------------------------

/** Open the envelopes held for the workspace, then bring them up to date if online. */
async function openCopy(online) {
  update({ screen: "main", notice: state.notice });
  const loaded = await loadDirectory();
  if (!loaded && !online) return update({ screen: "first-use-offline" });
  if (online) await refresh();
}

async function loadDirectory() {
  const workspaceId = state.workspaceId;
  const expected = { userId: state.user.id, workspaceId, kid: unlocked.kid };
  const { full, deltas } = await store.getEnvelopes(workspaceId);
  if (!full) return false;
  const base = await openEnvelope(full, unlocked.key, expected);
  const { chain } = deltaChain(full.revision, deltas);
  const opened = [];
  for (const delta of chain) {
    const changes = await openEnvelope(delta, unlocked.key, { ...expected, base: delta.base });
    opened.push({ ...changes, base: delta.base, revision: delta.revision });
  }
  const directory = buildDirectory(base, opened);
  index = createContactIndex([...directory.contacts.values()]);
  // Results from the new copy: the state still holds the old one until this update.
  update({ directory, results: search(state.query, directory) });
  return true;
}

let refreshing = null;
let refreshAgain = false;
let retryTimer = null;
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;
let retryMs = RETRY_FIRST_MS;

/**
 * Bring the copy up to date, once at a time (open, `online` and `visibilitychange` overlap).
 * A request made while one runs runs again after it: the running one may have started before
 * the connection came back, and fail (the `online` event can come before its failure).
 */
function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        await fetchChanges();
      } while (refreshAgain);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Ask the server for what changed since the copy held (ETag: 304 when nothing did). */
async function fetchChanges() {
  if (!unlocked || !state.workspaceId) return;
  const workspaceId = state.workspaceId;
  const held = await store.getEnvelopes(workspaceId);
  const plan = nextFetch({ ...held, revision: state.directory?.revision });
  // A delta since the revision held, unless the deltas outgrew a quarter of the full copy;
  // the server answers 304 when nothing changed, and may send the full snapshot instead.
  const since = plan.full ? null : plan.since;
  // The ETag of the last answer names the revision, key and class held: a rotated key gets a
  // fresh snapshot even when nothing changed.
  const etag = held.full ? ((await store.getMeta(workspaceId, "etag")) ?? null) : null;
  let answer;
  try {
    answer = await api.snapshot(workspaceId, { etag, since });
  } catch (error) {
    return handleApiError(error);
  }
  update({ online: true });
  clearTimeout(retryTimer);
  retryMs = RETRY_FIRST_MS;
  if (answer) {
    const { envelope } = answer;
    if (envelope.kid !== unlocked.kid) return newKey(envelope);
    const expected = {
      userId: state.user.id,
      workspaceId,
      kid: unlocked.kid,
      minRevision: held.full?.revision,
    };
    if (since !== null) expected.base = since;
    await openEnvelope(envelope, unlocked.key, expected);
    await store.putEnvelope(workspaceId, envelope);
    await store.setMeta(workspaceId, "etag", answer.etag);
    await loadDirectory();
  }
  const syncedAt = new Date().toISOString();
  await store.setMeta(workspaceId, "synced_at", syncedAt);
  update({ syncedAt });
}

/** The user's key rotated: what was kept under the old one goes, the new one is wrapped. */
async function newKey(envelope) {
  const { key: raw, kid } = await api.snapshotKey();
  if (envelope.kid !== kid) return notice("error_server", "error");
  for (const workspace of state.workspaces) await store.wipeWorkspace(workspace.id);
  const { wrapping } = unlocked;
  if (!wrapping) {
    // Unlocked by passkey: the PIN that wraps the new key must be chosen again.
    rawKeyToWrap = { kid, raw: toBytes(raw) };
    unlocked = null;
    return update({ screen: "set-pin", directory: null });
  }
  const wrapped = await wrapSnapshotKey(toBytes(raw), wrapping.key);
  const { salt, iterations, kind } = wrapping;
  await store.putKeys({ kid, pin: { salt, iterations, wrapped, kind } });
  unlocked = { ...unlocked, kid, key: await importSnapshotKey(toBytes(raw)) };
  await store.setMeta(USER, "workspace", state.workspaceId);
  await fetchChanges();
}

function search(query, directory = state.directory) {
  if (!index || !query.trim()) return null;
  return index.search(query).map(({ id }) => directory.contacts.get(id));
}

// --- push notifications -------------------------------------------------------------------

async function readPush() {
  update({ push: await readSwitch(browserEnv()) });
}

/** The status screen shows the switch and the user's choice (which needs the server). */
async function openSettings() {
  await readPush();
  if (!navigator.onLine) return;
  try {
    update({ pushLevel: await api.pushLevel() });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
}

async function togglePush(on) {
  if (on && !navigator.onLine) return notice("push_offline", "error");
  update({ pushBusy: true, notice: null });
  try {
    const result = on ? await turnOn(api, browserEnv()) : await turnOff(api, browserEnv());
    if (result === "on") notice("push_enabled", "ok");
    if (!on) notice("push_disabled", "ok");
  } catch (error) {
    console.error(error);
    if (error instanceof ApiError && error.wipe === WIPE_USER) return wipeAndSignIn();
    notice(error instanceof ApiError && error.offline ? "push_offline" : "push_failed", "error");
  } finally {
    update({ pushBusy: false, push: await readSwitch(browserEnv()) });
  }
}

async function setPushLevel(level) {
  if (!isLevel(level)) return;
  try {
    update({ pushLevel: await api.setPushLevel(level) });
    notice("push_level_saved", "ok");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    notice(error.offline ? "push_level_offline" : "error_server", "error");
  }
}

/** Send the crisis alert being written; its dialog shows the result or what went wrong. */
async function sendAlert() {
  const draft = state.alert;
  if (!draft || draft.status === "sending") return;
  const checked = checkAlertMessage(draft.message);
  if (checked.error) return update({ alert: { ...draft, error: { key: checked.error } } });
  if (!navigator.onLine) return update({ alert: { ...draft, error: { key: "alert_offline" } } });
  update({ alert: { ...draft, status: "sending", error: null } });
  let error;
  try {
    const body = { playbookId: draft.playbookId, message: checked.message };
    const { recipients } = await api.sendAlert(state.workspaceId, body);
    return update({ alert: { ...draft, status: "sent", recipients } });
  } catch (caught) {
    if (!(caught instanceof ApiError)) throw caught;
    error = caught;
  }
  if (error.wipe === WIPE_USER) return wipeAndSignIn();
  let shown = { key: "error_server" };
  if (error.offline) shown = { key: "alert_offline" };
  else if (error.status === 429) {
    shown = error.retryAfter
      ? { key: "alert_rate_limited", params: { minutes: retryMinutes(error.retryAfter) } }
      : { key: "alert_rate_limited_later" };
  } else if (error.status === 403) shown = { key: "alert_forbidden" };
  update({ alert: { ...draft, status: "editing", error: shown } });
}

/** The service worker kept a newer envelope, or a notification was tapped. */
async function onWorkerMessage(message) {
  if (message?.type === "envelopes-changed") {
    if (!unlocked || message.workspace !== state.workspaceId) return;
    await loadDirectory();
    update({ syncedAt: (await store.getMeta(state.workspaceId, "synced_at")) ?? state.syncedAt });
  }
  if (message?.type === "open") {
    const known = state.workspaces.some((w) => w.id === message.workspace);
    if (known && message.workspace !== state.workspaceId) {
      await useWorkspace(message.workspace, navigator.onLine);
    }
    location.hash = message.hash ?? "";
  }
}

// --- actions the views call ---------------------------------------------------------------

async function signOutOnServer() {
  let token;
  try {
    token = (await api.session()).csrf_token;
  } catch {
    return; // offline or already signed out: the cookie is no use to anyone
  }
  // The server forgets this device's push subscription while the session still lets it.
  await turnOff(api, browserEnv()).catch(() => {});
  await fetch("/logout", {
    method: "POST",
    headers: { "X-CSRFToken": token },
    credentials: "same-origin",
    // Not followed: the sign-in page it leads to would show (and use up) "You are signed out."
    redirect: "manual",
  }).catch(() => {});
}

const actions = {
  install: () => promptInstall().catch(fail),
  setPin: (secret, confirm, kind) => setPin(secret, confirm, kind).catch(fail),
  unlock: (secret) => unlock(secret).catch(fail),
  unlockPasskey: () => unlockPasskey().catch(fail),
  addPasskey: () => addPasskey().catch(fail),
  lock,
  choosePinKind: (pinKind) => update({ pinKind, notice: null }),
  async forgotPin() {
    await signOutOnServer();
    await wipeAndSignIn();
  },
  async signOut() {
    await signOutOnServer();
    await wipeAndSignIn();
  },
  search(query) {
    update({ query, results: search(query) });
  },
  async toggleFavourite(id) {
    const set = new Set(state.favourites);
    if (set.has(id)) set.delete(id);
    else set.add(id);
    const favourites = [...set];
    await store.setMeta(state.workspaceId, "favourites", favourites);
    update({ favourites });
  },
  async copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      notice("copied", "ok");
    } catch {
      notice("copy_failed", "error");
    }
  },
  async switchWorkspace(workspaceId) {
    location.hash = "";
    await useWorkspace(workspaceId, navigator.onLine).catch(fail);
  },
  async setLockMinutes(minutes) {
    await store.setMeta(USER, "lock_minutes", minutes);
    update({ lockMinutes: minutes });
  },
  async setLanguage(lang) {
    await store.setMeta(USER, "lang", lang);
    update({ lang: pickLanguage(lang, lang) });
  },
  async changePin() {
    if (!navigator.onLine) return notice("change_pin_offline", "error");
    try {
      const { kid, key } = await api.snapshotKey();
      rawKeyToWrap = { kid, raw: toBytes(key) };
      update({ screen: "set-pin", notice: null });
    } catch (error) {
      await handleApiError(error);
    }
  },
  togglePush: (on) => togglePush(on).catch(fail),
  setPushLevel: (level) => setPushLevel(level).catch(fail),
  openAlert: (playbookId) =>
    update({ alert: { playbookId, message: "", status: "editing", error: null }, notice: null }),
  alertMessage: (message) => update({ alert: { ...state.alert, message, error: null } }),
  sendAlert: () => sendAlert().catch(fail),
  closeAlert: () => update({ alert: null }),
  dismiss: () => update({ notice: null }),
  refresh: () => refresh().catch(fail),
};

function fail(error) {
  console.error(error);
  update({ busy: false, notice: { key: "error_unexpected", kind: "error" } });
}

window.addEventListener("hashchange", () => {
  update({ route: routeOf(location.hash), alert: null });
  window.scrollTo(0, 0);
  if (state.route.view === "status") openSettings().catch(fail);
});
navigator.serviceWorker?.addEventListener("message", (event) => {
  onWorkerMessage(event.data).catch(fail);
});
watchInstall(window);
onInstallChange(() => update({ install: installState() }));
window.addEventListener("online", () => {
  update({ online: true });
  if (unlocked) refresh().catch(fail);
});
window.addEventListener("offline", () => update({ online: false }));
document.addEventListener("visibilitychange", onVisibility);
// "Available now" changes with the clock.
setInterval(() => update({ now: new Date() }), 60_000);

update({});
start()
  .then(() => (state.route.view === "status" ? openSettings() : readPush()))
  .catch(fail);
