// The app's conversation with the server (docs/ARCHITECTURE.md: session, envelopes, public list, sync).
// No DOM: `fetch` is passed in, so `node --test` drives it with a fake server.

import { ENVELOPE_TYPE, readBinaryEnvelope } from "./crypto.js";

/** What the caller must wipe after an answer: everything of the user, or one workspace. */
export const WIPE_USER = "user";
export const WIPE_WORKSPACE = "workspace";

/** A request that did not get a usable answer; `wipe` says what local data must go. */
export class ApiError extends Error {
  constructor(status, code, message, wipe = null) {
    super(message || code);
    this.name = "ApiError";
    this.status = status; // 0 when there was no answer at all (offline)
    this.code = code;
    this.wipe = wipe;
  }

  /** Tell whether the request never reached the server (no connection). */
  get offline() {
    return this.status === 0;
  }

  /**
   * Tell whether the server said "come back later" (503 `unavailable`: its database or Redis
   * is away, or it is too busy), with `retryAfter` seconds: no error of the request, nothing
   * to drop; the app acts as offline until then.
   */
  get unavailable() {
    return this.status === 503;
  }
}

async function readError(response, workspaceScoped) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // A proxy's HTML error page: keep the status.
  }
  let wipe = null;
  if (response.status === 401) wipe = WIPE_USER;
  // A workspace route answers 404 to a non-member (docs/ARCHITECTURE.md, 4.3).
  else if (response.status === 404 && workspaceScoped) wipe = WIPE_WORKSPACE;
  const error = new ApiError(response.status, body.error || `http_${response.status}`, body.message, wipe);
  // Seconds to wait after a 429 or a 503, when the server says.
  error.retryAfter = Number(response.headers?.get?.("Retry-After")) || null;
  // Messages by field (`new_password`), in the user's language, where the server names them.
  error.errors = body && typeof body.errors === "object" && body.errors ? body.errors : {};
  return error;
}

/** Return an API client over `fetch` (the browser's by default). */
export function createApi({ fetch: fetchImpl = globalThis.fetch.bind(globalThis), base = "" } = {}) {
  let csrfToken = null;
  // The device session's unlock token while the app is unlocked (docs/ARCHITECTURE.md, 4.4):
  // answers that hold directory data in clear need it. Dropped on lock.
  let unlockToken = null;

  async function send(path, { method = "GET", body, form, headers = {}, workspaceScoped = false } = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
    // A multipart body (a file): the browser writes its Content-Type with the boundary.
    if (form !== undefined) init.body = form;
    else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (method !== "GET" && csrfToken) init.headers["X-CSRFToken"] = csrfToken;
    if (unlockToken) init.headers["X-Enlace-Unlock"] = unlockToken;
    let response;
    try {
      response = await fetchImpl(base + path, init);
    } catch (error) {
      throw new ApiError(0, "offline", error && error.message);
    }
    return response;
  }

  /** Return the signed-in user, their workspaces and a fresh CSRF token. */
  async function session() {
    const response = await send("/api/v1/session");
    if (!response.ok) throw await readError(response, false);
    const body = await response.json();
    csrfToken = body.csrf_token;
    return body;
  }

  /** `fetch` with the unlock token while unlocked, for modules that make their own requests. */
  function unlockedFetch(path, init = {}) {
    const headers = { ...(init.headers ?? {}) };
    if (unlockToken) headers["X-Enlace-Unlock"] = unlockToken;
    return fetchImpl(base + path, { method: "GET", credentials: "same-origin", ...init, headers });
  }

  /** Send (a string) or stop sending (null) the unlock token with every request. */
  function setUnlockToken(token) {
    unlockToken = token || null;
  }

  /**
   * Return `{kid, key, unlock_token}`: the user's snapshot key (base64url), never cached. A
   * locked device without a recent password gets ApiError 403 `reauthentication_required`.
   */
  async function snapshotKey() {
    const response = await send("/api/v1/keys/snapshot", { headers: { "Cache-Control": "no-store" } });
    if (!response.ok) throw await readError(response, false);
    return response.json();
  }

  /**
   * Fetch the envelope: `{envelope, etag, bytes}`, or null when the held one is current (304).
   * Asked for in the binary format (its ciphertext as raw bytes, a third smaller than base64);
   * a server that answers JSON is read as well. The page and the worker both come here.
   */
  async function snapshot(workspaceId, { etag = null, since = null } = {}) {
    const query = since === null || since === undefined ? "" : `?since=${encodeURIComponent(since)}`;
    const headers = { Accept: `${ENVELOPE_TYPE}, application/json;q=0.5` };
    if (etag) headers["If-None-Match"] = etag;
    const path = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/snapshot${query}`;
    const response = await send(path, { headers, workspaceScoped: true });
    if (response.status === 304) return null;
    if (!response.ok) throw await readError(response, true);
    const tag = response.headers.get("ETag");
    if ((response.headers.get("Content-Type") || "").startsWith(ENVELOPE_TYPE)) {
      const body = await response.arrayBuffer();
      return { envelope: readBinaryEnvelope(body), etag: tag, bytes: body.byteLength };
    }
    const text = await response.text();
    return { envelope: JSON.parse(text), etag: tag, bytes: text.length };
  }

  /**
   * Return the workspace's public contacts (emergency services) in clear: `{body, etag}`, or
   * null when the list held (its `etag`) is still current (304).
   */
  async function publicContacts(workspaceId, { etag = null } = {}) {
    const path = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/public`;
    const headers = etag ? { "If-None-Match": etag } : {};
    const response = await send(path, { headers, workspaceScoped: true });
    if (response.status === 304) return null;
    if (!response.ok) throw await readError(response, true);
    return { body: await response.json(), etag: response.headers.get("ETag") };
  }

  /** Send a state change with the CSRF token; a refused token is renewed once and sent again. */
  async function write(method, path, body, workspaceScoped = false, form = undefined) {
    if (!csrfToken) await session();
    const post = () => send(path, { method, body, form, workspaceScoped });
    let response = await post();
    if (response.status === 400) {
      const error = await readError(response.clone ? response.clone() : response, workspaceScoped);
      if (error.code !== "csrf") throw error;
      await session();
      response = await post();
    }
    if (!response.ok) throw await readError(response, workspaceScoped);
    return response;
  }

  /**
   * Enter the account password again on this device session (before a new PIN, after "Forgot
   * PIN"): resolves on success; ApiError 403 `wrong_password`, 429 with `retryAfter`.
   */
  async function reauth(password) {
    await write("POST", "/api/v1/session/reauth", { password });
  }

  async function read(path) {
    const response = await send(path);
    if (!response.ok) throw await readError(response, false);
    return response.json();
  }

  /**
   * Return the part of the OpenAPI document of /api/v1 that holds the field limits forms check
   * before sending (/api/v1/limits.json: the record schemas, 2 KB instead of the whole 22).
   */
  async function limits() {
    return read("/api/v1/limits.json");
  }

  /** Post a sync request. */
  async function sync(body) {
    return (await write("POST", "/api/v1/sync", body, true)).json();
  }

  /** Return the server's VAPID public key (base64url), for pushManager.subscribe(). */
  async function vapidKey() {
    return (await read("/api/v1/push/vapid-public-key")).key;
  }

  /** Tell the server this device's push subscription (`{endpoint, keys}`). */
  async function addSubscription(subscription) {
    await write("POST", "/api/v1/push/subscriptions", subscription);
  }

  /** Tell the server to forget a push subscription. */
  async function removeSubscription(endpoint) {
    await write("DELETE", "/api/v1/push/subscriptions", { endpoint });
  }

  /** Return which notifications the user's devices get: "all", "urgent" or "none". */
  async function pushLevel() {
    return (await read("/api/v1/push/preferences")).level;
  }

  /** Choose which notifications the user's devices get; return the level kept. */
  async function setPushLevel(level) {
    return (await (await write("PUT", "/api/v1/push/preferences", { level })).json()).level;
  }

  /** Send a crisis alert to the workspace's members: `{id, recipients}` (devices reached). */
  async function sendAlert(workspaceId, { playbookId = null, message = null }) {
    const path = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/alerts`;
    // Not workspace-scoped for wiping: a 404 here may name the playbook, not the membership.
    const body = { playbook_id: playbookId, message };
    return (await write("POST", path, body)).json();
  }

  // --- the account (docs/ARCHITECTURE.md, 4.12) ---

  /** Return the signed-in user's account: `{id, email, name, locale, password_changed_at}`. */
  async function account() {
    return read("/api/v1/account");
  }

  /** Change the name and/or the language (`{name, locale}`); return the account as saved. */
  async function saveAccount(changes) {
    return (await write("PATCH", "/api/v1/account", changes)).json();
  }

  /** Change the password: ApiError 403 `wrong_password`, 400 with `errors`, 429 when limited. */
  async function changePassword(current, next) {
    await write("POST", "/api/v1/account/password", { current_password: current, new_password: next });
  }

  /** Return the user's signed-in devices, this one with `current: true`. */
  async function devices() {
    return (await read("/api/v1/account/devices")).devices;
  }

  /** Sign out one of the user's devices. */
  async function endDevice(deviceId) {
    await write("DELETE", `/api/v1/account/devices/${encodeURIComponent(deviceId)}`);
  }

  /** Sign out every device of the user, this one included. */
  async function signOutEverywhere() {
    await write("POST", "/api/v1/account/sign-out-everywhere");
  }

  function eventsQuery(lang, before) {
    const query = new URLSearchParams({ lang });
    if (before) query.set("before", String(before));
    return query.toString();
  }

  /** Return a page of the user's own account events: `{events, next_before}`, labels in `lang`. */
  async function accountActivity({ lang, before = null }) {
    return read(`/api/v1/account/activity?${eventsQuery(lang, before)}`);
  }

  /**
   * Return a page of a workspace's audit log (owners; the unlock token goes with it): ApiError
   * 403 `locked` without it, 403 `forbidden` for other roles.
   */
  async function workspaceAudit(workspaceId, { lang, before = null }) {
    const path = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/audit?${eventsQuery(lang, before)}`;
    const response = await send(path, { workspaceScoped: true });
    if (!response.ok) throw await readError(response, true);
    return response.json();
  }

  // --- members, invitations, settings (the workspace's screens) ------------------------------

  function workspacePath(workspaceId, rest, lang) {
    const query = lang ? `?lang=${encodeURIComponent(lang)}` : "";
    return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/${rest}${query}`;
  }

  /** A read of one workspace: its 404 means the user is no longer a member (wipe it). */
  async function readWorkspace(workspaceId, rest, lang) {
    const response = await send(workspacePath(workspaceId, rest, lang), { workspaceScoped: true });
    if (!response.ok) throw await readError(response, true);
    return response.json();
  }

  // --- the office poster's chooser -----------------------------------------------------------

  /** The chooser's address; `all` lists every contact the poster may show, `lang` its messages. */
  function posterPath(workspaceId, everyone, lang) {
    const query = new URLSearchParams({ all: everyone ? "true" : "false" });
    if (lang) query.set("lang", lang);
    return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/poster/choice?${query}`;
  }

  /**
   * Return the poster's chooser (owners): `{max_chosen, everyone, contacts, print_url}`; each
   * contact with the `version` and `fingerprint` that choosing it sends back.
   */
  async function posterChoice(workspaceId, { everyone = false } = {}) {
    const response = await send(posterPath(workspaceId, everyone), { workspaceScoped: true });
    if (!response.ok) throw await readError(response, true);
    return response.json();
  }


  /**
   * Return `{members, invitations, links_shown}` (owners, an unlocked app). Links come only
   * after a recent password: `links_shown` false means "ask for it to show them".
   */
  async function members(workspaceId, lang) {
    return readWorkspace(workspaceId, "members", lang);
  }

  /** Return the workspace's details and settings (any member). */
  async function workspaceSettings(workspaceId, lang) {
    return readWorkspace(workspaceId, "settings", lang);
  }

  // The writes below are not workspace-scoped for wiping: a 404 names the member or the
  // invitation as often as the membership. Each may answer 403 `reauthentication_required`.

  /** Create an invitation `{role, note}`; return it with its `link`. */
  async function invite(workspaceId, { role, note = null }, lang) {
    return (await write("POST", workspacePath(workspaceId, "invitations", lang), { role, note })).json();
  }

  /** Revoke a pending invitation: its link stops working. */
  async function revokeInvitation(workspaceId, invitationId, lang) {
    const rest = `invitations/${encodeURIComponent(invitationId)}`;
    await write("DELETE", workspacePath(workspaceId, rest, lang));
  }

  /** Give a member another role; return the member. */
  async function changeRole(workspaceId, userId, role, lang) {
    const rest = `members/${encodeURIComponent(userId)}`;
    return (await write("PATCH", workspacePath(workspaceId, rest, lang), { role })).json();
  }

  /** Remove a member (or leave, for the user's own id). */
  async function removeMember(workspaceId, userId, lang) {
    await write("DELETE", workspacePath(workspaceId, `members/${encodeURIComponent(userId)}`, lang));
  }

  /** Change settings (`{unlock_policy}`); return the settings as saved. */
  async function updateWorkspaceSettings(workspaceId, changes, lang) {
    return (await write("PATCH", workspacePath(workspaceId, "settings", lang), changes)).json();
  }

  /**
   * Save the poster's contacts (`[{id, version, fingerprint}]`, in order); return the chooser.
   * ApiError 403 `reauthentication_required` wants the password first (`reauth`), 409 a
   * contact that changed since the chooser showed it.
   */
  async function setPosterChoice(workspaceId, contacts, { everyone = false, lang = null } = {}) {
    const path = posterPath(workspaceId, everyone, lang);
    return (await write("PUT", path, { contacts }, true)).json();
  }

  // --- import and export (docs/ARCHITECTURE.md, 4.13 and 4.14) ---

  /**
   * Upload a contacts file (a File or Blob) for a preview: `{id, format, rows, counts, …}`.
   * ApiError 413 too large, 400 not a contacts file (its message says why), 403 `locked`.
   */
  async function importFile(workspaceId, file, filename, lang) {
    const form = new FormData();
    form.append("file", file, filename);
    return (await write("POST", workspacePath(workspaceId, "imports", lang), undefined, false, form)).json();
  }

  /** Return the preview of an upload as it stands (ApiError 410 `import_expired` after an hour). */
  async function importPreview(workspaceId, importId, lang) {
    const response = await send(workspacePath(workspaceId, `imports/${encodeURIComponent(importId)}`, lang));
    if (!response.ok) throw await readError(response, false);
    return response.json();
  }

  /** Replace a row's fields with the user's correction; return the whole preview. */
  async function fixImportRow(workspaceId, importId, row, fields, lang) {
    const path = workspacePath(workspaceId, `imports/${encodeURIComponent(importId)}/rows/${row}`, lang);
    return (await write("PATCH", path, { fields })).json();
  }

  /** Leave a row out of the import; return the whole preview. */
  async function skipImportRow(workspaceId, importId, row, lang) {
    const path = workspacePath(workspaceId, `imports/${encodeURIComponent(importId)}/rows/${row}`, lang);
    return (await write("DELETE", path)).json();
  }

  /** Write the preview's rows: `{applied, skipped, revision}` (409 `import_has_errors`). */
  async function applyImport(workspaceId, importId, choices, lang) {
    const path = workspacePath(workspaceId, `imports/${encodeURIComponent(importId)}/apply`, lang);
    return (await write("POST", path, choices)).json();
  }

  /**
   * Download an export: `{blob, filename}`. ApiError 403 `reauthentication_required` wants the
   * password first (password-gate.js).
   */
  async function exportFile(workspaceId, format, { version = null, lang = null } = {}) {
    const query = new URLSearchParams({ format });
    if (version) query.set("version", version);
    if (lang) query.set("lang", lang);
    const path = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/export?${query}`;
    const response = await send(path);
    if (!response.ok) throw await readError(response, false);
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `enlace.${format}`;
    return { blob: await response.blob(), filename };
  }

  return {
    importFile,
    importPreview,
    fixImportRow,
    skipImportRow,
    applyImport,
    exportFile,
    account,
    saveAccount,
    changePassword,
    devices,
    endDevice,
    signOutEverywhere,
    accountActivity,
    workspaceAudit,
    members,
    workspaceSettings,
    invite,
    revokeInvitation,
    changeRole,
    removeMember,
    updateWorkspaceSettings,
    session,
    setUnlockToken,
    unlockedFetch,
    reauth,
    snapshotKey,
    snapshot,
    publicContacts,
    sync,
    limits,
    vapidKey,
    addSubscription,
    removeSubscription,
    pushLevel,
    setPushLevel,
    sendAlert,
    posterChoice,
    setPosterChoice,
  };
}
