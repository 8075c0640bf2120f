// The app: one state object, changed only through `update`, rendered by the views after each
// change. What it holds decrypted (the key, the directory, the search index) lives in memory
// only and is dropped on lock (docs/ARCHITECTURE.md, 5).

import { html, render } from "../vendor/htm-preact.js";
import { addPage, eventsFailure, passwordProblem, refusal } from "./account.js";
import { ApiError, WIPE_USER, WIPE_WORKSPACE, createApi } from "./api.js";
import { SIGN_IN } from "./boot.js";
import { updateCopy } from "./copy.js";
import { openEnvelope, toBytes } from "./crypto.js";
import { limitsFromOpenApi } from "./edit.js";
import { createEditController } from "./edit-controller.js";
import { createEditing } from "./editing.js";
import { OUTBOX_SYNC_TAG } from "./outbox.js";
import { pickLanguage, translator } from "./i18n.js";
import { createIdleLock } from "./idle-lock.js";
import { installState, onInstallChange, promptInstall, watchInstall } from "./install.js";
import {
  WrongSecret,
  needsUpgrade,
  openKeyring,
  openKeyringWith,
  replaceToken,
  rewrapKeyring,
  setUpKeyring,
  upgradeKeyring,
} from "./keyring.js";
import { createPasskeyWrap, passkeysAvailable, unlockWithPasskey } from "./passkey.js";
import { createPasswordGate } from "./password-gate.js";
import { IMPORT_VIEW, createPorting } from "./porting.js";
import { secretProblem, strongUnlockRequired } from "./pin-rules.js";
import { checkAlertMessage, isLevel, retryMinutes } from "./push.js";
import { applyDelta, buildDirectory, deltaChain } from "./snapshot.js";
import { openStore } from "./store.js";
import {
  forgetDevice,
  lastUserId,
  markSessionToEnd,
  rememberUser,
  sessionEnded,
  sessionToEnd,
} from "./wipe.js";
import { App } from "./views/app.js";

const USER = ""; // the store's scope for what belongs to the user, not one workspace
const MAX_FAILED_UNLOCKS = 10;
const DEFAULT_LOCK_MINUTES = 5;
// Records the app has forms for (`#new/<type>`, `#edit/<type>/<id>`); above `state`, whose
// first route is read at once.
const FORM_TYPES = ["contact", "playbook"];
// The workspace's screens (members, its settings: team.js), besides the views of routeOf.
const TEAM_VIEWS = ["members", "workspace"];
// Interactions that keep the app unlocked while it is visible.
const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart", "scroll"];

const api = createApi();
let store = null;
// Decrypted, in memory only while unlocked: `{key, kid, token, wrapping}` (keyring.js).
let unlocked = null;
// The key and unlock token fetched from the server (`{kid, key, unlock_token}`), until a new PIN
// or passphrase wraps them.
let fetchedKey = null;
const idle = createIdleLock({ minutes: DEFAULT_LOCK_MINUTES, onLock: () => lock().catch(fail) });
// The copy as the server sent it (envelopes opened); `state.directory` shows it with the user's
// pending edits on top.
let baseDirectory = null;
// The controllers of the screens behind the unlock (controllers.js: search, incidents, team,
// poster, push), made on first use or when the browser is idle once a first screen shows, as
// views/app.js loads views/main.js: a new device's "choose a PIN" and the unlock screen wait on
// fewer modules (docs/PERFORMANCE.md). `later` holds them once made.
let later = null;
let loadingLater = null;

/** Resolve to the controllers loaded on demand (made once: `makeControllers`). */
function controllers() {
  loadingLater ??= import("./controllers.js").then(
    (module) => (later = makeControllers(module)),
    (error) => {
      loadingLater = null; // tried again at the next use
      throw error;
    },
  );
  return loadingLater;
}

/** Load the controllers when the browser is idle: the first screen is shown, nothing waits. */
function controllersWhenIdle() {
  const load = () => controllers().catch(console.error);
  if (globalThis.requestIdleCallback) requestIdleCallback(load, { timeout: 5000 });
  else setTimeout(load, 1000);
}

// The search index, in a worker from unlock to lock (search-client.js); until it is ready,
// search finds names. `enlace:search-ready` and `-saved` mark when it is ready and saved (sealed,
// for the next unlock): bench/app_bench.py and the browser tests read them. Its client is made
// with the controllers: until then the calls below wait for it, and what they would give the
// worker goes only while the app is still unlocked.
const searcher = {
  get workspaceId() {
    return later?.searcher.workspaceId ?? null;
  },
  prepare(target) {
    controllers().then((made) => unlocked && made.searcher.prepare(target), fail);
  },
  follow(directory, target) {
    controllers().then((made) => unlocked && made.searcher.follow(directory, target), fail);
  },
  search: (query, directory, options) =>
    controllers().then((made) => made.searcher.search(query, directory, options)),
  close: () => later?.searcher.close(),
};
let searchAsked = 0; // the last keystroke's search: an older one's answer is not shown

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
  reauth: null, // why the password is asked: "setup" | "forgot" | "token"
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
  secretError: null, // {field, key, params}: why the PIN field was refused, shown beside it
  form: null, // the open form (forms.js openForm)
  sync: null, // the outbox: {pending, conflict, rejected}
  unsettled: [], // conflicts and rejections, opened, for their screen
  limits: null, // the server's field limits (edit.js limitsFromOpenApi)
  confirmDelete: null, // {type, id, name, usedBy} while asking
  undo: null, // {mutationId, name} while a delete can be taken back
  lostEdits: 0, // edits erased with the device (ten wrong PINs)
  confirmSignOut: null, // {count} of edits not sent, asked before signing out
  poster: null, // the poster's chooser (poster-choice.js; null: EMPTY_POSTER)
  // The account screen: {account, devices, status, saving, errors: {form, fields}, everywhere}.
  account: null,
  // An events screen (#activity, #audit): {scope, status, events, next, more}.
  events: null,
  busy: false,
  now: new Date(),
  runner: null, // the incident being run: {incidentId, pendingCall, asking, since, note, report, summary}
  team: null, // the members screen: team.js
  workspaceSettings: null, // the workspace screen: team.js
  password: null, // {busy, error} while a change waits for the password (password-gate.js)
  canShare: typeof navigator.share === "function", // the Web Share API: invitation links
  importer: null, // the Import screen: porting.js
  exporting: null, // the workspace screen's export: {format, busy, error, done}
  canPickContacts: Boolean(navigator.contacts?.select), // the Contact Picker API (Android)
};
// A file shared from another app (Web Share Target), held in memory until the app is unlocked.
let sharedFile = null;

function update(patch) {
  state = { ...state, ...patch };
  const t = translator(state.lang);
  document.documentElement.lang = state.lang;
  // An open form holds unsaved input: sw-bridge.js waits to offer an update (which reloads).
  document.body.dataset.editing = state.form ? "true" : "";
  render(html`<${App} state=${state} actions=${actions} t=${t} />`, document.getElementById("app"));
}

function routeOf(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  const [view, type, id] = path.split("/");
  if ((view === "contact" || view === "playbook") && type) return { view, id: type };
  // Incidents: `#incident/<id>` (or `incident/latest`), `#run/<playbook id>`, `#report/<id>`.
  if (["incident", "run", "report"].includes(view) && type) return { view, id: type };
  // `#new/contact?kind=internal`, `#edit/playbook/<id>`: the forms.
  if (view === "new" && FORM_TYPES.includes(type)) return { view: "form", type, id: null, query };
  if (view === "edit" && FORM_TYPES.includes(type) && id) return { view: "form", type, id, query };
  const views = ["playbooks", "status", "quick-dial", "search", "readiness", "conflicts", "poster", "incidents"];
  const accountViews = ["account", "activity", "audit"];
  if (accountViews.includes(view)) return { view };
  if (views.includes(view)) return { view };
  if (TEAM_VIEWS.includes(view)) return { view };
  // `#import?shared`: the service worker holds a file shared into the app (manifest share_target);
  // `?shared=lost`: the server got the share instead, and kept nothing.
  if (view === IMPORT_VIEW) {
    const shared = new URLSearchParams(query).get("shared");
    return { view, shared: shared === "", sharedLost: shared === "lost" };
  }
  return { view: "directory" };
}

function notice(key, kind = "info", params = {}) {
  update({ notice: { key, kind, params } });
}

// --- session and local copy -------------------------------------------------------------

/** Start: who is signed in (or who used this device last, offline), then what screen. */
async function start() {
  // Ten wrong PINs wiped this device offline: its server session ends before anything else.
  if (sessionToEnd()) {
    if (!(await endServerSession())) return update({ screen: "wiped" });
    sessionEnded();
  }
  let session = null;
  try {
    session = await api.session();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.wipe === WIPE_USER) return wipeAndSignIn();
    // A server in trouble is no reason to hide the copy this device holds: open it offline.
    // One that said "come back later" (503) is asked again after its Retry-After.
    if (error.unavailable) comeBackLater(error);
    else if (!error.offline) update({ notice: { key: "error_server", kind: "error" } });
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
  idle.setMinutes(lockMinutes);
  const workspaces = saved.workspaces;
  // A workspace just created or joined (new since the last visit) is where the user goes.
  const wanted = joined[0] ?? askedWorkspace() ?? (await store.getMeta(USER, "workspace"));
  const workspace = workspaces.find((w) => w.id === wanted) ?? workspaces[0] ?? null;
  update({ user: saved.user, workspaces, lang, lockMinutes, online: Boolean(session) });
  if (!workspace) return update({ screen: "no-workspace" });
  loadLimits(Boolean(session)).catch(console.error);
  await useWorkspace(workspace.id, Boolean(session));
  // Edits queued before a reload or a lock go now: sealed, they need no unlock.
  await edits.refreshCounts();
  if (session) await edits.flush();
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
  for (const gone of before.filter((w) => !now.has(w.id))) await wipeWorkspace(gone.id);
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
  const keys = await store.getKeys();
  // A new device asks for the key while the public list loads, not after it: the "choose a
  // PIN" screen waits on both (docs/PERFORMANCE.md, Lighthouse signed in).
  const key = !keys && online ? api.snapshotKey() : null;
  key?.catch(() => {}); // its refusal is read below, by fetchKeyToWrap
  await loadPublic(online);
  if (keys) {
    if (unlocked) return openCopy(online);
    return update({
      screen: "locked",
      pinKind: keys.pin?.kind ?? "pin",
      hasPasskey: !!keys.passkey,
      secretError: null,
    });
  }
  if (!online) return update({ screen: "first-use-offline" });
  await fetchKeyToWrap("setup", key);
}

/**
 * Fetch the key and a token to wrap under a new PIN or passphrase. The server gives them only
 * to an unlocked device or after the password (docs/ARCHITECTURE.md, 4.4): else it is asked for.
 * `asked`: the request already under way, if any.
 */
async function fetchKeyToWrap(purpose, asked = null) {
  try {
    fetchedKey = await (asked ?? api.snapshotKey());
  } catch (error) {
    if (error instanceof ApiError && error.code === "reauthentication_required") {
      return update({ screen: "reauth", reauth: purpose, busy: false });
    }
    return handleApiError(error);
  }
  const strong = strongUnlockRequired(state.workspaces);
  update({
    screen: "set-pin",
    reauth: null,
    busy: false,
    pinKind: strong ? "passphrase" : state.pinKind,
    secretError: null,
  });
}

/** An unlocked device whose token is missing or refused: the password renews it. */
function askPasswordForToken() {
  update({ screen: "reauth", reauth: "token", busy: false, notice: null });
}

async function loadPublic(online) {
  const id = state.workspaceId;
  if (online) {
    try {
      // The list held answers 304 while it is current (its ETag kept beside it).
      const held = await store.getPublic(id);
      const answer = await api.publicContacts(id, { etag: held?.etag ?? null });
      const now = new Date().toISOString();
      if (answer) await store.putPublic(id, answer.body.contacts, now, answer.etag);
      else await store.putPublic(id, held.contacts, now, held.etag);
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
  if (unlocked && (error.code === "locked" || error.code === "reauthentication_required")) {
    return askPasswordForToken();
  }
  if (error.unavailable) return comeBackLater(error);
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

/**
 * The server said "come back later" (503 `unavailable`, with Retry-After): no error for the
 * user. The app shows itself offline, keeps its copy and outbox, and after the wait does what
 * the connection's return does; another 503 waits again, longer.
 */
function comeBackLater(error) {
  clearTimeout(retryTimer);
  const wait = Math.max(retryMs, (Number(error.retryAfter) || 0) * 1000);
  retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  retryTimer = setTimeout(() => backOnline().catch(fail), wait);
  update({ online: false });
}

/** The connection is back (or the server asked to come back now): refresh and send. */
async function backOnline() {
  update({ online: true });
  await Promise.all([unlocked ? refresh() : null, edits.flush()]);
}

/** A workspace the server no longer shows this user: wipe it here and move on. */
async function dropWorkspace(workspaceId) {
  await wipeWorkspace(workspaceId);
  const saved = await store.getMeta(USER, "session");
  const workspaces = (saved?.workspaces ?? []).filter((w) => w.id !== workspaceId);
  await store.setMeta(USER, "session", { ...saved, workspaces });
  update({ workspaces, directory: null, notice: { key: "workspace_removed", kind: "error" } });
  if (!workspaces.length) return update({ screen: "no-workspace", workspaceId: null });
  await useWorkspace(workspaces[0].id, state.online);
}

/** Wipe a workspace's data here; its search worker first, which would save its index again. */
async function wipeWorkspace(workspaceId) {
  if (searcher.workspaceId === workspaceId) searcher.close();
  await store.wipeWorkspace(workspaceId);
}

async function wipeAndSignIn() {
  unlocked = null;
  searcher.close();
  api.setUnlockToken(null);
  store?.close();
  await forgetDevice();
  location.assign(SIGN_IN);
}

// --- PIN, unlock, lock ------------------------------------------------------------------

/** Say beside the PIN (or passphrase) field why it was refused; the view brings it into view. */
function secretError(field, key, params = {}) {
  update({ busy: false, notice: null, secretError: { field, key, params } });
}

async function setPin(secret, confirm, kind) {
  const problem = secretProblem(secret, kind, strongUnlockRequired(state.workspaces));
  if (problem) return secretError("secret", `${kind}_${problem}`);
  if (secret !== confirm) return secretError("confirm", "pin_mismatch");
  if (!fetchedKey) return start();
  update({ busy: true, notice: null, secretError: null });
  const fetched = fetchedKey;
  fetchedKey = null;
  unlocked = await setUpKeyring(store, { userId: state.user.id, fetched, secret, kind });
  // Ask the browser to keep this copy under storage pressure (a prompt on some browsers).
  navigator.storage?.persist?.().catch(() => {});
  update({ pinKind: kind, hasPasskey: Boolean((await store.getKeys()).passkey) });
  await afterUnlock();
}

async function unlock(secret) {
  const keys = await store.getKeys();
  if (!keys) return start();
  if (!secret) return secretError("secret", keys.pin.kind === "pin" ? "pin_enter" : "passphrase_enter");
  update({ busy: true, notice: null, secretError: null });
  try {
    unlocked = await openKeyring(store, { userId: state.user.id, secret });
  } catch (error) {
    if (!(error instanceof WrongSecret)) throw error;
    const failed = await store.recordFailedUnlock();
    if (failed >= MAX_FAILED_UNLOCKS) return wipeAfterWrongPins();
    const left = MAX_FAILED_UNLOCKS - failed;
    return secretError("secret", "pin_wrong", { left });
  }
  await afterUnlock();
  // A PIN wrapped before the derivation got costlier is wrapped again, after the copy opened.
  if (needsUpgrade(unlocked) && state.online) {
    const fetched = await api.snapshotKey().catch(() => null);
    if (fetched && unlocked) {
      unlocked = await upgradeKeyring(store, unlocked, { userId: state.user.id, secret, fetched });
    }
  }
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
  unlocked = await openKeyringWith(store, { userId: state.user.id, key });
  await afterUnlock();
}

/** What every unlock does: the token goes with requests, the idle timer starts, the copy opens. */
async function afterUnlock() {
  await store.resetFailedUnlocks();
  api.setUnlockToken(unlocked.token);
  idle.start();
  update({ busy: false });
  // A workspace now asks for a passphrase or a passkey, and this device still has a PIN.
  const keys = await store.getKeys();
  if (state.online && strongUnlockRequired(state.workspaces) && keys.pin?.kind === "pin") {
    update({ notice: { key: "policy_requires_passphrase", kind: "error" } });
    return fetchKeyToWrap("change");
  }
  await openCopy(state.online);
  if (!unlocked?.token && state.online) await renewMissingToken();
}

/**
 * A keyring from before the unlock token: while the sign-in's password is recent the server
 * still gives the key, and a token with it; later, screens that need it ask for the password.
 */
async function renewMissingToken() {
  let fetched;
  try {
    fetched = await api.snapshotKey();
  } catch (error) {
    if (error instanceof ApiError) return;
    throw error;
  }
  if (!unlocked || fetched.kid !== unlocked.kid) return;
  unlocked = await replaceToken(store, unlocked, { userId: state.user.id, token: fetched.unlock_token });
  api.setUnlockToken(unlocked.token);
}

/** The password was entered again: go on with what asked for it. */
async function confirmPassword(password) {
  if (!password) return notice("password_enter", "error");
  update({ busy: true, notice: null });
  try {
    await api.reauth(password);
  } catch (error) {
    update({ busy: false });
    if (!(error instanceof ApiError)) throw error;
    if (error.wipe === WIPE_USER) return wipeAndSignIn();
    if (error.offline) return notice("reauth_offline", "error");
    if (error.code === "wrong_password") return notice("password_wrong", "error");
    if (error.status === 429) return notice("password_limited", "error");
    return notice("error_server", "error");
  }
  if (state.reauth === "token" && unlocked) {
    // The old token (if any) is refused: without it, the fresh password gets a new one.
    api.setUnlockToken(null);
    const fetched = await api.snapshotKey();
    unlocked = await replaceToken(store, unlocked, { userId: state.user.id, token: fetched.unlock_token });
    api.setUnlockToken(unlocked.token);
    update({ screen: "main", reauth: null, busy: false });
    return openCopy(state.online);
  }
  // A forgotten PIN, a device without its keys, or a new PIN: it wraps the key and the token.
  await store.resetFailedUnlocks();
  await fetchKeyToWrap(state.reauth ?? "setup");
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
  await store.putKeys({ ...held, passkey });
  update({ hasPasskey: true });
  notice("passkey_added", "ok");
}

/** Count the edits on this device the server has not taken (pending, conflicts, rejected). */
async function unsentEdits() {
  let count = 0;
  for (const workspace of state.workspaces) {
    const { pending, conflict, rejected } = await editing.counts(workspace.id);
    count += pending + conflict + rejected;
  }
  return count;
}

async function wipeAfterWrongPins() {
  // The session cookie must go too, or whoever holds the phone sets a new PIN and reads on; a
  // device offline remembers to end it at its first connection.
  markSessionToEnd();
  const lostEdits = await unsentEdits();
  if (await endServerSession()) sessionEnded();
  await forgetDevice();
  store = null;
  unlocked = null;
  searcher.close();
  api.setUnlockToken(null);
  idle.stop();
  update({ screen: "wiped", busy: false, user: null, publicContacts: [], notice: null, lostEdits });
}

async function lock() {
  // An open form is sealed as a draft while the key is still here: nothing typed is lost.
  await edits.beforeLock().catch(console.error);
  unlocked = null;
  searcher.close();
  baseDirectory = null;
  api.setUnlockToken(null);
  idle.stop();
  later?.team.forget(); // members' names and emails need an unlocked app
  if (state.screen === "main") {
    update({
      screen: "locked",
      directory: null,
      results: null,
      unsettled: [],
      confirmDelete: null,
      secretError: null,
    });
  }
}

function onVisibility() {
  if (!unlocked) return;
  if (document.visibilityState === "hidden") return idle.hidden();
  idle.visible();
  // Back from a call the runner started: ask how it went.
  later?.incidents.backToApp();
  if (unlocked && navigator.onLine) refresh().catch(fail);
  if (navigator.onLine) edits.flush().catch(fail);
}

// --- the directory ----------------------------------------------------------------------

/** Open the envelopes held for the workspace, then bring them up to date if online. */
async function openCopy(online) {
  update({ screen: "main", notice: state.notice });
  const loaded = await loadDirectory();
  if (!loaded && !online) return update({ screen: "first-use-offline" });
  if (online) await refresh();
  await edits.afterUnlock();
  await edits.openRoute(state.route);
  // Without them (no connection, nothing cached yet) the screen says so (views/app.js).
  const made = await controllers().catch(() => null);
  await made?.incidents.openRoute(state.route);
  if (state.route.view === "conflicts") await edits.openConflicts();
  if (state.route.view === "poster") await made?.poster.open();
  if (state.route.view === IMPORT_VIEW) await openImport();
  if (online) await edits.flush();
}

// --- import and export (porting.js) --------------------------------------------------------

/** The Import screen opened: a file shared into the app goes up for its preview once unlocked. */
async function openImport() {
  const worker = navigator.serviceWorker?.controller;
  if (state.route.sharedLost || (state.route.shared && !sharedFile && !worker)) {
    location.replace(`#${IMPORT_VIEW}`);
    return update({ importer: { ...(state.importer ?? {}), workspaceId: state.workspaceId, status: "idle", preview: null, error: { key: "import_shared_lost" } } });
  }
  if (state.route.shared && !sharedFile) {
    // The worker keeps a shared file in memory only; it hands it over once.
    worker.postMessage({ type: "take-shared-file" });
    return;
  }
  if (!sharedFile || !unlocked) return;
  const file = sharedFile;
  sharedFile = null;
  location.replace(`#${IMPORT_VIEW}`);
  await porting.upload(file, file.name);
}

async function loadDirectory() {
  const workspaceId = state.workspaceId;
  const expected = { userId: state.user.id, workspaceId, kid: unlocked.kid };
  const { full, deltas } = await store.getEnvelopes(workspaceId);
  if (!full) return false;
  // The search worker loads the saved index meanwhile.
  searcher.prepare(searchTarget());
  const base = await openEnvelope(full, unlocked.key, expected);
  const { chain } = deltaChain(full.revision, deltas);
  const opened = [];
  for (const delta of chain) {
    const changes = await openEnvelope(delta, unlocked.key, { ...expected, base: delta.base });
    opened.push({ ...changes, base: delta.base, revision: delta.revision });
  }
  baseDirectory = buildDirectory(base, opened);
  await edits.showDirectory();
  return true;
}

/**
 * The worker kept newer deltas (after a push): open only those and patch the copy in memory,
 * as a refresh does, instead of opening every envelope again. A newer full snapshot (or none)
 * means starting from the store.
 */
async function catchUp() {
  const { full, deltas } = await store.getEnvelopes(state.workspaceId);
  if (!full || !baseDirectory || full.revision > baseDirectory.revision) {
    await loadDirectory();
    return;
  }
  const expected = { userId: state.user.id, workspaceId: state.workspaceId, kid: unlocked.kid };
  const { chain } = deltaChain(baseDirectory.revision, deltas);
  for (const delta of chain) {
    const changes = await openEnvelope(delta, unlocked.key, { ...expected, base: delta.base });
    applyDelta(baseDirectory, { ...changes, base: delta.base, revision: delta.revision });
  }
  if (chain.length) await edits.showDirectory();
}

/**
 * Show a directory (the copy with pending edits). Its search index follows in the search worker:
 * made afresh for another workspace (after the directory is drawn: the unlock does not wait for
 * it), else only the records that changed are sent (a save or a delta changes a few of 5,000).
 */
function setDirectory(directory) {
  update({ directory });
  if (unlocked) searcher.follow(directory, searchTarget());
  runSearch(state.query);
}

/** Read the server's field limits (OpenAPI), kept for offline forms. */
async function loadLimits(online) {
  const kept = (await store.getMeta(USER, "limits")) ?? null;
  update({ limits: kept });
  if (!online) return;
  try {
    const limits = limitsFromOpenApi(await api.limits());
    await store.setMeta(USER, "limits", limits);
    update({ limits });
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(error);
  }
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
  const { key, kid } = unlocked;
  let result;
  try {
    result = await updateCopy({
      store,
      api,
      userId: state.user.id,
      workspaceId,
      kid,
      check: (envelope, expected) => openEnvelope(envelope, key, expected),
    });
  } catch (error) {
    return handleApiError(error);
  }
  update({ online: true });
  clearTimeout(retryTimer);
  retryMs = RETRY_FIRST_MS;
  if (result.status === "other-key") return newKey(result.envelope);
  if (result.status === "kept") {
    const { envelope, plaintext } = result;
    const base = envelope.base;
    if (base !== undefined && baseDirectory && baseDirectory.revision >= base) {
      // A delta: patch the copy in memory (and its index) instead of opening every envelope.
      applyDelta(baseDirectory, { ...plaintext, base, revision: envelope.revision });
      await edits.showDirectory();
    } else {
      await loadDirectory();
    }
  }
  update({ syncedAt: (await store.getMeta(workspaceId, "synced_at")) ?? null });
}

/** The user's key rotated: what was kept under the old one goes, the new one is wrapped. */
async function newKey(envelope) {
  let fetched;
  try {
    fetched = await api.snapshotKey();
  } catch (error) {
    return handleApiError(error);
  }
  if (envelope.kid !== fetched.kid) return notice("error_server", "error");
  for (const workspace of state.workspaces) await wipeWorkspace(workspace.id);
  const next = await rewrapKeyring(store, unlocked, { userId: state.user.id, fetched });
  if (!next) {
    // Unlocked by passkey: the PIN that wraps the new key must be chosen again.
    fetchedKey = fetched;
    unlocked = null;
    api.setUnlockToken(null);
    return update({ screen: "set-pin", directory: null });
  }
  unlocked = next;
  api.setUnlockToken(unlocked.token);
  await store.setMeta(USER, "workspace", state.workspaceId);
  await fetchChanges();
}

/** Where the search worker reads and saves the workspace's index (search-client.js). */
function searchTarget() {
  const { kid, key } = unlocked;
  return { userId: state.user.id, workspaceId: state.workspaceId, kid, key };
}

/**
 * Search the directory and show what is found: `state.results` is `{contacts, playbooks,
 * partial}` (records, best first; `partial` while only names are searched), null for no query.
 * Each keystroke asks again; only the last one's answer is shown.
 */
async function runSearch(query) {
  const asked = ++searchAsked;
  if (!query.trim() || !state.directory) return update({ results: null });
  const found = await searcher.search(query, state.directory);
  const directory = state.directory;
  if (asked !== searchAsked || !found || !directory) return;
  const records = (held, ids) => ids.map((id) => held.get(id)).filter(Boolean);
  update({
    results: {
      contacts: records(directory.contacts, found.contacts),
      playbooks: records(directory.playbooks ?? new Map(), found.playbooks),
      partial: found.partial,
    },
  });
}

// --- push notifications -------------------------------------------------------------------

async function readPush() {
  const { push } = await controllers();
  update({ push: await push.readSwitch(push.browserEnv()) });
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
  const { push } = await controllers().catch((error) => {
    update({ pushBusy: false });
    throw error;
  });
  try {
    const env = push.browserEnv();
    const result = on ? await push.turnOn(api, env) : await push.turnOff(api, env);
    if (result === "on") notice("push_enabled", "ok");
    if (!on) notice("push_disabled", "ok");
  } catch (error) {
    console.error(error);
    if (error instanceof ApiError && error.wipe === WIPE_USER) return wipeAndSignIn();
    notice(error instanceof ApiError && error.offline ? "push_offline" : "push_failed", "error");
  } finally {
    update({ pushBusy: false, push: await push.readSwitch(push.browserEnv()) });
  }
}

/** Make the server forget this device's push subscription, if it can; never fails. */
async function pushOff() {
  try {
    const { push } = await controllers();
    await push.turnOff(api, push.browserEnv());
  } catch {
    // No connection, or no subscription: nothing to forget.
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
    await catchUp();
    update({ syncedAt: (await store.getMeta(state.workspaceId, "synced_at")) ?? state.syncedAt });
  }
  if (message?.type === "outbox-flushed") {
    await edits.refreshCounts();
    if (unlocked) await refresh();
  }
  if (message?.type === "shared-file") {
    if (!message.file) {
      return update({ importer: { ...(state.importer ?? {}), workspaceId: state.workspaceId, status: "idle", error: { key: "import_shared_lost" } } });
    }
    sharedFile = message.file;
    if (!unlocked) return notice("import_shared_waiting");
    return openImport();
  }
  if (message?.type === "open") {
    const known = state.workspaces.some((w) => w.id === message.workspace);
    if (known && message.workspace !== state.workspaceId) {
      await useWorkspace(message.workspace, navigator.onLine);
    }
    location.hash = message.hash ?? "";
  }
}

// --- the account and the audit log (docs/ARCHITECTURE.md, 4.12) ----------------------------

function setAccount(patch) {
  update({ account: { ...(state.account ?? {}), ...patch } });
}

/** An answer that ends the session (401) wipes the device, as everywhere else. */
async function ended(error) {
  if (error instanceof ApiError && error.wipe === WIPE_USER) {
    await wipeAndSignIn();
    return true;
  }
  if (!(error instanceof ApiError)) throw error;
  return false;
}

/** Keep the account's name and language in the saved session, as the next start would. */
async function keepAccount(account) {
  const saved = await store.getMeta(USER, "session");
  const user = { ...saved.user, name: account.name, locale: account.locale };
  await store.setMeta(USER, "session", { ...saved, user });
  update({ user: { ...state.user, name: account.name, locale: account.locale } });
}

/** Open the account screen: the account and its devices, asked afresh. */
async function openAccount() {
  setAccount({ status: navigator.onLine ? "loading" : "offline", errors: null, everywhere: null });
  if (!navigator.onLine) return;
  try {
    const [account, devices] = await Promise.all([api.account(), api.devices()]);
    setAccount({ account, devices, status: "ok" });
  } catch (error) {
    if (await ended(error)) return;
    setAccount({ status: error.offline ? "offline" : "error" });
  }
}

/** Save the name or the language; `quiet` (the language switch): no message, offline is fine. */
async function saveAccount(changes, { quiet = false } = {}) {
  if (!store) return;
  if (!navigator.onLine) {
    if (!quiet) setAccount({ errors: { on: "profile", form: { key: "account_offline" }, fields: {} } });
    return;
  }
  if (!quiet) setAccount({ saving: "profile", errors: null });
  try {
    const account = await api.saveAccount(changes);
    await keepAccount(account);
    if (state.account?.account) setAccount({ account });
    if (!quiet) notice("account_saved", "ok");
  } catch (error) {
    if (await ended(error)) return;
    if (quiet) return; // this device speaks the language anyway; the server learns it next time
    const said = refusal(error);
    const form = said.key && { key: said.key, params: said.params };
    setAccount({ errors: { on: "profile", form, fields: said.fields } });
  } finally {
    if (!quiet) setAccount({ saving: null });
  }
}

/**
 * Change the password. Other devices are signed out; this one stays signed in and unlocked: the
 * server voids its unlock token and rotates the key, and the copy's next refresh meets the new
 * kid (`newKey`), which fetches the key with a new token (the password was just entered) and
 * wraps it under the same PIN. Edits sealed under the old key would be refused: they go first.
 */
async function changePassword({ current, next, confirm }) {
  const problems = passwordProblem({ current, next, confirm });
  if (problems) {
    const fields = Object.fromEntries(Object.entries(problems).map(([f, key]) => [f, { key }]));
    return setAccount({ errors: { on: "password", form: null, fields } });
  }
  if (!navigator.onLine) {
    return setAccount({ errors: { on: "password", form: { key: "account_offline" }, fields: {} } });
  }
  setAccount({ saving: "password", errors: null });
  await edits.flush().catch(() => null);
  const waiting = await unsentEdits();
  if (waiting > 0) {
    const form = { key: "password_unsent", params: { count: waiting } };
    return setAccount({ saving: null, errors: { on: "password", form, fields: {} } });
  }
  try {
    await api.changePassword(current, next);
  } catch (error) {
    if (await ended(error)) return;
    const said = refusal(error);
    const form = said.key && { key: said.key, params: said.params };
    return setAccount({ saving: null, errors: { on: "password", form, fields: said.fields } });
  }
  setAccount({ saving: null, passwordChanged: (state.account?.passwordChanged ?? 0) + 1 });
  notice("password_changed", "ok");
  await refresh();
  await openAccount();
}

/** Sign out another device; this one is the ordinary sign-out (its copy is erased). */
async function endDevice(deviceId) {
  const device = state.account?.devices?.find((d) => d.id === deviceId);
  if (device?.current) return actions.signOut();
  try {
    await api.endDevice(deviceId);
    notice("device_ended", "ok");
  } catch (error) {
    if (await ended(error)) return;
    // 404: it had ended already; the list below shows what is left.
    if (error.status !== 404) return notice(error.offline ? "account_offline" : "error_server", "error");
  }
  await openAccount();
}

/** Ask before signing out everywhere, saying how many edits of this device would be lost. */
async function askSignOutEverywhere() {
  if (!navigator.onLine) {
    return setAccount({ errors: { on: "everywhere", form: { key: "account_offline" }, fields: {} } });
  }
  await edits.flush().catch(() => null);
  setAccount({ everywhere: { count: await unsentEdits() }, errors: null });
}

/**
 * Sign out every device. This one too: its session ends and the key rotates, so the copy here
 * could never open or sync again; it is erased as by "Sign out", and the sign-in page follows.
 */
async function signOutEverywhere() {
  // The server forgets this device's push subscription while the session still lets it.
  await pushOff();
  try {
    await api.signOutEverywhere();
  } catch (error) {
    if (await ended(error)) return;
    return setAccount({ everywhere: null, errors: { on: "everywhere", form: refusal(error), fields: {} } });
  }
  await wipeAndSignIn();
}

/** Open an events screen: the user's own (`account`) or the workspace's audit log. */
async function openEvents(scope) {
  update({ events: { scope, status: navigator.onLine ? "loading" : "offline", events: [], next: null } });
  if (navigator.onLine) await loadEvents(scope, null);
}

async function moreEvents() {
  const shown = state.events;
  if (!shown?.next || shown.more) return;
  update({ events: { ...shown, more: true } });
  await loadEvents(shown.scope, shown.next);
}

async function loadEvents(scope, before) {
  const workspaceId = state.workspaceId;
  const asked = { lang: state.lang, before };
  let page;
  try {
    page =
      scope === "workspace"
        ? await api.workspaceAudit(workspaceId, asked)
        : await api.accountActivity(asked);
  } catch (error) {
    if (await ended(error)) return;
    if (error.wipe === WIPE_WORKSPACE) return dropWorkspace(workspaceId);
    const status = eventsFailure(error);
    return update({ events: { ...state.events, more: false, status: before ? "ok" : status } });
  }
  if (state.events?.scope !== scope) return; // the user moved on meanwhile
  const { events, next } = addPage(before ? state.events.events : [], page);
  update({ events: { scope, status: "ok", events, next, more: false } });
}

// --- actions the views call ---------------------------------------------------------------

/**
 * End this device's session on the server; tell whether it is gone (false: offline or refused,
 * try again later).
 */
async function endServerSession() {
  let token;
  try {
    token = (await api.session()).csrf_token;
  } catch (error) {
    return error instanceof ApiError && error.status === 401; // already signed out
  }
  // The server forgets this device's push subscription while the session still lets it.
  await pushOff();
  try {
    const response = await fetch("/logout", {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
      // Not followed: the sign-in page it leads to would show (and use up) "You are signed out."
      redirect: "manual",
    });
    return response.type === "opaqueredirect" || response.ok;
  } catch {
    return false;
  }
}

const editing = createEditing({
  getStore: () => store,
  api,
  getKeyring: () => unlocked,
  getUserId: () => state.user?.id,
});
const edits = createEditController({
  getState: () => state,
  update,
  setDirectory,
  notice,
  editing,
  searchContacts: (query) => searcher.search(query, state.directory, { contactsOnly: true }),
  getBaseDirectory: () => baseDirectory,
  refresh: () => refresh(),
  handleApiError,
  navigate(hash) {
    if (location.hash !== hash) location.hash = hash;
  },
  translateCode: (code, params) => translator(state.lang)(`error_${code}`, params),
  isUnlocked: () => Boolean(unlocked),
  timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id) },
  registerBackgroundSync() {
    navigator.serviceWorker?.ready
      .then((registration) => registration.sync?.register(OUTBOX_SYNC_TAG))
      .catch(() => {});
  },
  now: () => Date.now(),
  fail,
});

// Changes that need a recent password ask for it in place, then go again (password-gate.js).
const gate = createPasswordGate({
  reauth: (password) => api.reauth(password),
  onChange: (password) => update({ password }),
});

/** The user's own role or membership changed on this device: read the session and follow it. */
async function renewSession() {
  let session;
  try {
    session = await api.session();
  } catch (error) {
    return handleApiError(error);
  }
  await keepSession(session);
  const workspaces = session.workspaces;
  update({ workspaces });
  if (!workspaces.some((w) => w.id === state.workspaceId)) {
    if (!workspaces.length) return update({ screen: "no-workspace", workspaceId: null, directory: null });
    location.hash = "";
    return useWorkspace(workspaces[0].id, true);
  }
  // A role across viewer and editor rotated the key: the copy follows (newKey).
  await refresh();
}

// Import (the preview, its rows, the apply) and export (through the password gate).
const porting = createPorting({
  api,
  gate,
  getState: () => state,
  update,
  handleApiError,
  refresh: () => refresh(),
  contacts: navigator.contacts,
  save(blob, name) {
    // Saved by the browser from memory: nothing of it is kept by the app.
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement("a"), { href: url, download: name });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  },
  fail,
});

/** Make the controllers of controllers.js (once: `controllers()`). */
function makeControllers(module) {
  const searcher = module.createSearchClient({
    startWorker: () => new Worker(new URL("./search-worker.js", import.meta.url), { type: "module" }),
    onReady(figures) {
      performance.mark("enlace:search-ready", { detail: figures });
      runSearch(state.query);
    },
    onSaved: (figures) => performance.mark("enlace:search-saved", { detail: figures }),
  });
  const incidents = module.createIncidentController({
    getState: () => state,
    update,
    editing,
    showDirectory: () => edits.showDirectory(),
    flush: () => edits.flush(),
    navigate(hash, { replace = false } = {}) {
      if (location.hash === hash) return;
      if (replace) location.replace(hash);
      else location.hash = hash;
    },
    notice,
    now: () => Date.now(),
    translator,
    registerBackgroundSync() {
      navigator.serviceWorker?.ready
        .then((registration) => registration.sync?.register(OUTBOX_SYNC_TAG))
        .catch(() => {});
    },
    download(name, text) {
      // Made on this device, saved by the browser: nothing is sent anywhere.
      const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      const link = Object.assign(document.createElement("a"), { href: url, download: name });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    },
    print: () => window.print(),
    fail,
  });
  const team = module.createTeam({
    api,
    gate,
    getState: () => state,
    update,
    notice,
    handleApiError,
    sessionChanged: () => renewSession(),
    fail,
  });
  // The poster's chooser asks the password in place, without leaving or locking the app.
  const poster = module.createPosterChooser({ api, getState: () => state, update, handleApiError, fail });
  const { browserEnv, readSwitch, turnOff, turnOn } = module;
  return { searcher, incidents, team, poster, push: { browserEnv, readSwitch, turnOff, turnOn } };
}

const ownActions = {
  ...edits.actions,
  ...porting.actions,
  install: () => promptInstall().catch(fail),
  setPin: (secret, confirm, kind) => setPin(secret, confirm, kind).catch(fail),
  unlock: (secret) => unlock(secret).catch(fail),
  unlockPasskey: () => unlockPasskey().catch(fail),
  addPasskey: () => addPasskey().catch(fail),
  lock: () => lock().catch(fail),
  choosePinKind: (pinKind) => update({ pinKind, notice: null, secretError: null }),
  forgotPin: () => update({ screen: "reauth", reauth: "forgot", notice: null }),
  confirmPassword: (password) => confirmPassword(password).catch(fail),
  async signOut(anyway = false) {
    // Edits not sent yet would be erased with the device's copy: say so, and try to send them.
    if (!anyway && store) {
      await edits.flush().catch(() => null);
      const waiting = await unsentEdits();
      if (waiting > 0) return update({ confirmSignOut: { count: waiting } });
    }
    await endServerSession();
    await wipeAndSignIn();
  },
  cancelSignOut: () => update({ confirmSignOut: null }),
  search(query) {
    update({ query });
    runSearch(query);
  },
  async toggleFavourite(id) {
    const set = new Set(state.favourites);
    if (set.has(id)) set.delete(id);
    else set.add(id);
    const favourites = [...set];
    await store.setMeta(state.workspaceId, "favourites", favourites);
    update({ favourites });
  },
  async copy(text, copiedKey = "copied") {
    try {
      await navigator.clipboard.writeText(text);
      notice(copiedKey, "ok");
    } catch {
      notice("copy_failed", "error");
    }
  },
  async share(data) {
    try {
      await navigator.share(data);
    } catch (error) {
      if (error?.name !== "AbortError") notice("share_failed", "error"); // AbortError: closed
    }
  },
  async switchWorkspace(workspaceId) {
    location.hash = "";
    await useWorkspace(workspaceId, navigator.onLine).catch(fail);
  },
  async setLockMinutes(minutes) {
    await store.setMeta(USER, "lock_minutes", minutes);
    idle.setMinutes(minutes);
    update({ lockMinutes: minutes });
  },
  async setLanguage(lang) {
    await store.setMeta(USER, "lang", lang);
    update({ lang: pickLanguage(lang, lang) });
    // The account's language too: the server's pages and messages follow it.
    await saveAccount({ locale: state.lang }, { quiet: true }).catch(fail);
  },
  // Called from a screen's effect: the state changes after that render is done, never inside it
  // (Preact runs a pending effect while re-rendering, and `update` renders synchronously).
  openAccount: () => Promise.resolve().then(openAccount).catch(fail),
  saveName: (name) => saveAccount({ name }).catch(fail),
  changePassword: (fields) => changePassword(fields).catch(fail),
  endDevice: (deviceId) => endDevice(deviceId).catch(fail),
  askSignOutEverywhere: () => askSignOutEverywhere().catch(fail),
  cancelSignOutEverywhere: () => setAccount({ everywhere: null }),
  signOutEverywhere: () => signOutEverywhere().catch(fail),
  openEvents: (scope) => Promise.resolve().then(() => openEvents(scope)).catch(fail),
  moreEvents: () => moreEvents().catch(fail),
  async changePin() {
    if (!navigator.onLine) return notice("change_pin_offline", "error");
    update({ notice: null });
    await fetchKeyToWrap("change");
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
  // Requests a screen makes itself (readiness) carry the unlock token too.
  apiFetch: (path, init) => api.unlockedFetch(path, init),
  confirmIdentity: askPasswordForToken,
};

/** The actions of the screens' controllers made on demand (team, poster, incidents). */
function laterAction(made, name) {
  return [made.team, made.poster, made.incidents].find((c) => name in c.actions)?.actions[name];
}

// The app's actions: its own, then the on-demand controllers' ones, which, asked for before
// those are made, load them first.
const actions = new Proxy(ownActions, {
  get(own, name) {
    if (typeof name === "symbol" || name in own) return own[name];
    if (later) return laterAction(later, name);
    return (...args) =>
      controllers()
        .then((made) => laterAction(made, name)(...args))
        .catch(fail);
  },
});

function fail(error) {
  console.error(error);
  update({ busy: false, notice: { key: "error_unexpected", kind: "error" } });
}

window.addEventListener("hashchange", () => {
  update({ route: routeOf(location.hash), alert: null, confirmDelete: null });
  gate.cancel(); // a password asked for on the screen left behind
  window.scrollTo(0, 0);
  if (state.route.view === "status") openSettings().catch(fail);
  if (state.route.view === "conflicts") edits.openConflicts().catch(fail);
  if (state.route.view === "poster" && unlocked) {
    controllers()
      .then(({ poster }) => poster.open())
      .catch(fail);
  }
  if (state.route.view === IMPORT_VIEW) openImport().catch(fail);
  edits.openRoute(state.route).catch(fail);
  controllers()
    .then(({ incidents }) => incidents.openRoute(state.route))
    .catch(fail);
});
navigator.serviceWorker?.addEventListener("message", (event) => {
  onWorkerMessage(event.data).catch(fail);
});
watchInstall(window);
onInstallChange(() => update({ install: installState() }));
window.addEventListener("online", () => backOnline().catch(fail));
window.addEventListener("offline", () => update({ online: false }));
document.addEventListener("visibilitychange", onVisibility);
for (const type of ACTIVITY) {
  window.addEventListener(type, () => unlocked && idle.touch(), { capture: true, passive: true });
}
// "Available now" changes with the clock.
setInterval(() => update({ now: new Date() }), 60_000);

update({});
start()
  .then(() => (state.route.view === "status" ? openSettings() : controllersWhenIdle()))
  .catch(fail);
