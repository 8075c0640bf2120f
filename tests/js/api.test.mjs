import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, WIPE_USER, WIPE_WORKSPACE, createApi } from "../../static/js/api.js";

const WS = "7d3f9a52-0000-4000-8000-000000000001";

/** A fake server: a list of [method, path, answer] routes; records every request. */
function fakeServer(routes) {
  const seen = [];
  const fetch = async (url, init) => {
    seen.push({ url, ...init });
    const route = routes.find(([m, p]) => m === init.method && p === url);
    if (!route) throw new TypeError("Failed to fetch");
    const answer = typeof route[2] === "function" ? route[2](init, seen) : route[2];
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { "Content-Type": "application/json", ...(answer.headers || {}) },
    });
  };
  return { fetch, seen };
}

const SESSION = {
  user: { id: "u1", email: "ana@example.com", name: "Ana", locale: "es" },
  csrf_token: "token-1",
  workspaces: [{ id: WS, name: "Acme", role: "owner" }],
};

test("a 401 tells the app to wipe everything of the user", async () => {
  const { fetch } = fakeServer([["GET", "/api/v1/session", { status: 401, body: { error: "unauthorized" } }]]);
  const error = await createApi({ fetch }).session().catch((e) => e);
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 401);
  assert.equal(error.wipe, WIPE_USER);
});

test("a 503 says to come back later: unavailable, with its Retry-After, and nothing to wipe", async () => {
  const { fetch } = fakeServer([
    [
      "GET",
      "/api/v1/session",
      { status: 503, body: { error: "unavailable", message: "Later." }, headers: { "Retry-After": "5" } },
    ],
  ]);
  const error = await createApi({ fetch }).session().catch((e) => e);
  assert.ok(error instanceof ApiError);
  assert.equal(error.unavailable, true);
  assert.equal(error.offline, false);
  assert.equal(error.code, "unavailable");
  assert.equal(error.retryAfter, 5);
  assert.equal(error.wipe, null);
});

test("a 404 on a workspace route tells the app to wipe that workspace", async () => {
  const { fetch } = fakeServer([
    ["GET", `/api/v1/workspaces/${WS}/snapshot`, { status: 404, body: { error: "not_found" } }],
  ]);
  const error = await createApi({ fetch }).snapshot(WS).catch((e) => e);
  assert.equal(error.wipe, WIPE_WORKSPACE);
  assert.equal(error.code, "not_found");
});

test("no connection is an offline error that wipes nothing", async () => {
  const { fetch } = fakeServer([]);
  const error = await createApi({ fetch }).snapshot(WS).catch((e) => e);
  assert.equal(error.offline, true);
  assert.equal(error.wipe, null);
});

test("the held envelope's ETag is sent and a 304 means nothing to download", async () => {
  const { fetch, seen } = fakeServer([
    ["GET", `/api/v1/workspaces/${WS}/snapshot?since=41`, { status: 304 }],
  ]);
  const answer = await createApi({ fetch }).snapshot(WS, { etag: '"41-k-f"', since: 41 });
  assert.equal(answer, null);
  assert.equal(seen[0].headers["If-None-Match"], '"41-k-f"');
});

test("an envelope comes back with its ETag and its size in bytes", async () => {
  const envelope = { v: 1, alg: "A256GCM", kid: "k", revision: 42, iv: "aa", aad: "x", ciphertext: "bb" };
  const { fetch } = fakeServer([
    ["GET", `/api/v1/workspaces/${WS}/snapshot`, { body: envelope, headers: { ETag: '"42-k-f"' } }],
  ]);
  const answer = await createApi({ fetch }).snapshot(WS);
  assert.deepEqual(answer.envelope, envelope);
  assert.equal(answer.etag, '"42-k-f"');
  assert.equal(answer.bytes, JSON.stringify(envelope).length);
});

test("sync sends the session's CSRF token and renews it once when it expired", async () => {
  let sessions = 0;
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", () => ({ body: { ...SESSION, csrf_token: `token-${++sessions}` } })],
    [
      "POST",
      "/api/v1/sync",
      (init) =>
        init.headers["X-CSRFToken"] === "token-2"
          ? { body: { results: [], changes: [], cursor: 3, more: false } }
          : { status: 400, body: { error: "csrf", message: "expired" } },
    ],
  ]);
  const answer = await createApi({ fetch }).sync({ workspace: WS, cursor: 0, mutations: [] });
  assert.equal(answer.cursor, 3);
  const posts = seen.filter((r) => r.method === "POST");
  assert.deepEqual(posts.map((r) => r.headers["X-CSRFToken"]), ["token-1", "token-2"]);
});

test("a sync refused for another reason is not retried", async () => {
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", { body: SESSION }],
    ["POST", "/api/v1/sync", { status: 400, body: { error: "bad_request", errors: { cursor: "x" } } }],
  ]);
  const error = await createApi({ fetch }).sync({ workspace: WS }).catch((e) => e);
  assert.equal(error.code, "bad_request");
  assert.equal(seen.filter((r) => r.method === "POST").length, 1);
});

test("push calls send the CSRF token; a refused token is renewed once", async () => {
  let puts = 0;
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", { body: SESSION }],
    [
      "PUT",
      "/api/v1/push/preferences",
      () => (++puts === 1 ? { status: 400, body: { error: "csrf" } } : { body: { level: "urgent" } }),
    ],
    ["DELETE", "/api/v1/push/subscriptions", { status: 204 }],
  ]);
  const api = createApi({ fetch });
  assert.equal(await api.setPushLevel("urgent"), "urgent");
  assert.equal(puts, 2);
  await api.removeSubscription("https://push.example/a");
  const writes = seen.filter((r) => r.method !== "GET");
  assert.ok(writes.every((r) => r.headers["X-CSRFToken"] === "token-1"));
  assert.deepEqual(JSON.parse(writes.at(-1).body), { endpoint: "https://push.example/a" });
});

test("an alert answers the devices reached; a 429 says how long to wait and wipes nothing", async () => {
  const path = `/api/v1/workspaces/${WS}/alerts`;
  let sent = 0;
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", { body: SESSION }],
    [
      "POST",
      path,
      () =>
        ++sent === 1
          ? { status: 202, body: { id: "a1", recipients: 4 } }
          : { status: 429, body: { error: "rate_limited" }, headers: { "Retry-After": "601" } },
    ],
  ]);
  const api = createApi({ fetch });
  const answer = await api.sendAlert(WS, { playbookId: "p1", message: "Sala 2" });
  assert.deepEqual(answer, { id: "a1", recipients: 4 });
  assert.deepEqual(JSON.parse(seen.at(-1).body), { playbook_id: "p1", message: "Sala 2" });
  const error = await api.sendAlert(WS, { playbookId: "p1" }).catch((e) => e);
  assert.equal(error.status, 429);
  assert.equal(error.retryAfter, 601);
  assert.equal(error.wipe, null);
});

test("while unlocked every request carries the unlock token, and none after the lock", async () => {
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", { body: SESSION }],
    ["POST", "/api/v1/sync", { body: { results: [], cursor: 0, more: false } }],
    ["GET", "/api/v1/keys/snapshot", { body: { kid: "k", key: "x", unlock_token: "t1" } }],
  ]);
  const api = createApi({ fetch });
  api.setUnlockToken("t1");
  await api.session();
  await api.sync({ workspace: WS, cursor: 0, mutations: [] });
  await api.unlockedFetch("/api/v1/keys/snapshot", { headers: { Accept: "application/json" } });
  for (const request of seen) assert.equal(request.headers["X-Enlace-Unlock"], "t1", request.url);
  assert.equal(seen[2].headers.Accept, "application/json");
  api.setUnlockToken(null);
  await api.session();
  await api.unlockedFetch("/api/v1/keys/snapshot");
  assert.equal(seen[3].headers["X-Enlace-Unlock"], undefined);
  assert.equal(seen[4].headers["X-Enlace-Unlock"], undefined);
});

test("a locked device asking for the key learns that the password is needed", async () => {
  const { fetch } = fakeServer([
    [
      "GET",
      "/api/v1/keys/snapshot",
      { status: 403, body: { error: "reauthentication_required", message: "Enter your password" } },
    ],
  ]);
  const error = await createApi({ fetch }).snapshotKey().catch((e) => e);
  assert.equal(error.status, 403);
  assert.equal(error.code, "reauthentication_required");
  assert.equal(error.wipe, null);
});

test("the password is sent to reauth with the CSRF token; a wrong one says so", async () => {
  let right = false;
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", { body: SESSION }],
    [
      "POST",
      "/api/v1/session/reauth",
      (init) =>
        JSON.parse(init.body).password === "correct horse"
          ? ((right = true), { status: 204 })
          : { status: 403, body: { error: "wrong_password" } },
    ],
  ]);
  const api = createApi({ fetch });
  const error = await api.reauth("wrong").catch((e) => e);
  assert.equal(error.code, "wrong_password");
  await api.reauth("correct horse");
  assert.ok(right);
  const posted = seen.filter((r) => r.method === "POST");
  assert.ok(posted.every((r) => r.headers["X-CSRFToken"] === "token-1"));
});

test("the account's changes carry the CSRF token and a refusal keeps its messages by field", async () => {
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", { body: SESSION }],
    ["PATCH", "/api/v1/account", { body: { id: "u1", email: "a@b.c", name: "Ana R", locale: "en" } }],
    [
      "POST",
      "/api/v1/account/password",
      { status: 400, body: { error: "bad_request", message: "Check", errors: { new_password: "Too short" } } },
    ],
    ["DELETE", "/api/v1/account/devices/d%2F1", { status: 204 }],
  ]);
  const api = createApi({ fetch });
  assert.equal((await api.saveAccount({ name: "Ana R" })).name, "Ana R");
  const patch = seen.find((r) => r.method === "PATCH");
  assert.equal(patch.headers["X-CSRFToken"], "token-1");
  assert.deepEqual(JSON.parse(patch.body), { name: "Ana R" });
  const error = await api.changePassword("old", "new").catch((e) => e);
  assert.equal(error.status, 400);
  assert.deepEqual(error.errors, { new_password: "Too short" });
  await api.endDevice("d/1");
  assert.equal(seen.at(-1).headers["X-CSRFToken"], "token-1");
});

test("audit pages ask in the app's language, from where the last page ended", async () => {
  const { fetch, seen } = fakeServer([
    ["GET", `/api/v1/workspaces/${WS}/audit?lang=es&before=120`, { body: { events: [], next_before: null } }],
    ["GET", `/api/v1/workspaces/${WS}/audit?lang=en`, { status: 404, body: { error: "not_found" } }],
    ["GET", "/api/v1/account/activity?lang=en", { body: { events: [{ id: 1 }], next_before: null } }],
  ]);
  const api = createApi({ fetch });
  api.setUnlockToken("tok");
  assert.deepEqual(await api.workspaceAudit(WS, { lang: "es", before: 120 }), { events: [], next_before: null });
  assert.equal(seen[0].headers["X-Enlace-Unlock"], "tok");
  const gone = await api.workspaceAudit(WS, { lang: "en" }).catch((e) => e);
  assert.equal(gone.wipe, WIPE_WORKSPACE);
  assert.equal((await api.accountActivity({ lang: "en" })).events.length, 1);
});

test("members and settings: reads wipe a workspace that is gone, writes carry the CSRF token", async () => {
  const base = `/api/v1/workspaces/${WS}`;
  const { fetch, seen } = fakeServer([
    ["GET", "/api/v1/session", { body: SESSION }],
    ["GET", `${base}/members?lang=es`, { body: { members: [], invitations: [], links_shown: true } }],
    ["GET", `${base}/settings?lang=en`, { status: 404, body: { error: "not_found" } }],
    ["POST", `${base}/invitations?lang=es`, { status: 201, body: { id: 3, link: "https://x/invite/t" } }],
    ["PATCH", `${base}/members/u%202?lang=es`, { status: 409, body: { error: "conflict", message: "Owner needed." } }],
    ["DELETE", `${base}/members/u2?lang=es`, { status: 404, body: { error: "not_found", message: "Not a member." } }],
    ["DELETE", `${base}/invitations/3?lang=es`, { status: 204 }],
    ["PATCH", `${base}/settings?lang=es`, { body: { unlock_policy: "passphrase" } }],
  ]);
  const api = createApi({ fetch });
  api.setUnlockToken("tok");
  assert.equal((await api.members(WS, "es")).links_shown, true);
  assert.equal(seen.at(-1).headers["X-Enlace-Unlock"], "tok");
  const gone = await api.workspaceSettings(WS, "en").catch((error) => error);
  assert.equal(gone.wipe, WIPE_WORKSPACE);

  assert.equal((await api.invite(WS, { role: "editor", note: "Ana" }, "es")).id, 3);
  assert.deepEqual(JSON.parse(seen.at(-1).body), { role: "editor", note: "Ana" });
  const refused = await api.changeRole(WS, "u 2", "viewer", "es").catch((error) => error);
  assert.equal(refused.status, 409);
  assert.equal(refused.message, "Owner needed.");
  // A 404 that names a member is not the end of the membership: nothing to wipe.
  const unknown = await api.removeMember(WS, "u2", "es").catch((error) => error);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.wipe, null);
  await api.revokeInvitation(WS, 3, "es");
  assert.equal((await api.updateWorkspaceSettings(WS, { unlock_policy: "passphrase" }, "es")).unlock_policy, "passphrase");
  const writes = seen.filter((r) => r.method !== "GET");
  assert.equal(writes.length, 5);
  assert.ok(writes.every((r) => r.headers["X-CSRFToken"] === "token-1"));
});

test("envelopes are asked for in the binary format and read from it", async () => {
  const { DELTA_BINARY } = await import("./fixtures.mjs");
  const { b64urlDecode } = await import("../../static/js/crypto.js");
  const body = b64urlDecode(DELTA_BINARY.binary);
  const seen = [];
  const fetch = async (url, init) => {
    seen.push(init);
    return new Response(body, {
      headers: { "Content-Type": "application/vnd.enlace.envelope", ETag: '"7-9-k-f-MX"' },
    });
  };
  const answer = await createApi({ fetch }).snapshot(WS, { since: 7 });
  assert.match(seen[0].headers.Accept, /^application\/vnd\.enlace\.envelope\b/);
  assert.equal(answer.etag, '"7-9-k-f-MX"');
  assert.equal(answer.bytes, body.byteLength);
  assert.equal(answer.envelope.aad, DELTA_BINARY.envelope.aad);
  assert.equal(answer.envelope.base, 7);
  assert.ok(answer.envelope.ciphertext instanceof Uint8Array);
});

test("the public list held is sent back by its ETag; a 304 keeps it", async () => {
  const list = { workspace: WS, revision: 3, contacts: [] };
  const { fetch, seen } = fakeServer([
    [
      "GET",
      `/api/v1/workspaces/${WS}/public`,
      (init) =>
        init.headers["If-None-Match"] === 'W/"p-1"'
          ? { status: 304 }
          : { body: list, headers: { ETag: 'W/"p-1"' } },
    ],
  ]);
  const api = createApi({ fetch });
  const first = await api.publicContacts(WS);
  assert.deepEqual(first, { body: list, etag: 'W/"p-1"' });
  assert.equal(await api.publicContacts(WS, { etag: first.etag }), null);
  assert.equal(seen[1].headers["If-None-Match"], 'W/"p-1"');
});
