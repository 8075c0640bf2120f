// The service worker's push handling against the real store (fake IndexedDB) and a fake server:
// the delta since the revision held is fetched and kept as the page keeps it, and opens at the
// next unlock; nothing is fetched for a workspace or user the device does not hold.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";

import { b64urlDecode, importSnapshotKey, openEnvelope } from "../../static/js/crypto.js";
import { handlePush, renewSubscription } from "../../static/js/push-worker.js";
import { buildDirectory, deltaChain } from "../../static/js/snapshot.js";
import { openStore, storedUserIds, wipeUser } from "../../static/js/store.js";
import { DELTA, FULL } from "./fixtures.mjs";

const USER = FULL.user_id;
const WS = FULL.workspace_id;
const OTHER_WS = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const ETAG = '"7-k-fixture-1-team"';
const NEW_ETAG = '"7-9-k-fixture-1-team"';
const WRAP = { salt: new Uint8Array(16), iterations: 1, wrapped: new Uint8Array(40), kind: "pin" };

const changed = (revision = DELTA.envelope.revision, workspace = WS) =>
  JSON.stringify({ type: "directory-changed", workspace, revision, count: 2 });

beforeEach(async () => {
  for (const id of await storedUserIds()) await wipeUser(id);
});

/** A device that holds the full snapshot of WS at revision 7 for USER, in Spanish. */
async function device({ lang = "es", full = true, keys = true, userId = USER } = {}) {
  const store = await openStore(userId);
  await store.setMeta("", "session", {
    user: { id: userId, name: "Ana", email: "ana@example.com", locale: "en" },
    workspaces: [{ id: WS, name: "Acme", role: "viewer" }],
  });
  if (lang) await store.setMeta("", "lang", lang);
  if (keys) await store.putKeys({ kid: FULL.kid, pin: WRAP });
  if (full) {
    await store.putEnvelope(WS, FULL.envelope);
    await store.setMeta(WS, "etag", ETAG);
  }
  return store;
}

/** A fake server: records requests and answers from a table `path -> {status, body, etag}`. */
function server(answers) {
  const requests = [];
  async function fetch(path, init = {}) {
    requests.push({ path, ...init });
    const answer = answers[path];
    if (answer instanceof Error) throw answer;
    if (!answer) return new Response("{}", { status: 404 });
    const headers = answer.etag ? { ETag: answer.etag } : {};
    const body = answer.body === undefined ? null : JSON.stringify(answer.body);
    return new Response(body, { status: answer.status ?? 200, headers });
  }
  return { fetch, requests };
}

const deltaPath = (since = 7) => `/api/v1/workspaces/${WS}/snapshot?since=${since}`;

test("a change fetches the delta since the revision held, keeps it, and opens at unlock", async () => {
  const store = await device();
  const { fetch, requests } = server({ [deltaPath()]: { body: DELTA.envelope, etag: NEW_ETAG } });

  const result = await handlePush(changed(), { fetch, language: "en" });

  assert.equal(requests.length, 1);
  assert.equal(requests[0].path, deltaPath(7));
  assert.equal(requests[0].credentials, "same-origin");
  assert.equal(requests[0].headers["If-None-Match"], ETAG);
  assert.equal(result.stored, WS);
  assert.equal(result.unsubscribe, false);
  assert.equal(result.notification.title, "2 cambios en Acme");
  assert.equal(result.notification.options.body, "Tu copia sin conexión ya está al día.");

  // Kept beside the full snapshot, with the ETag the page sends next time.
  const held = await store.getEnvelopes(WS);
  assert.equal(held.full.revision, 7);
  assert.deepEqual(
    held.deltas.map((d) => [d.base, d.revision]),
    [[7, 9]],
  );
  assert.equal(await store.getMeta(WS, "etag"), NEW_ETAG);
  assert.ok(await store.getMeta(WS, "synced_at"));
  // What the page does at unlock (app.js loadDirectory), with the key the worker never had.
  const key = await importSnapshotKey(b64urlDecode(FULL.key));
  const expected = { userId: USER, workspaceId: WS, kid: FULL.kid };
  const base = await openEnvelope(held.full, key, expected);
  const { chain } = deltaChain(held.full.revision, held.deltas);
  const deltas = [];
  for (const delta of chain) {
    const plain = await openEnvelope(delta, key, { ...expected, base: delta.base });
    deltas.push({ ...plain, base: delta.base, revision: delta.revision });
  }
  assert.equal(buildDirectory(base, deltas).revision, 9);
  store.close();
});

test("a copy already at the announced revision fetches nothing", async () => {
  const store = await device();
  await store.putEnvelope(WS, DELTA.envelope);
  const { fetch, requests } = server({});
  const result = await handlePush(changed(9), { fetch });
  assert.equal(requests.length, 0);
  assert.equal(result.stored, null);
  assert.equal(result.notification.options.body, "Tu copia sin conexión ya está al día.");
  store.close();
});

test("the next fetch starts where the deltas end", async () => {
  const store = await device();
  await store.putEnvelope(WS, DELTA.envelope);
  const { fetch, requests } = server({ [deltaPath(9)]: { status: 304 } });
  const result = await handlePush(changed(11), { fetch });
  assert.deepEqual(
    requests.map((r) => r.path),
    [deltaPath(9)],
  );
  assert.equal(result.notification.options.body, "Tu copia sin conexión ya está al día.");
  store.close();
});

test("an envelope for another user, another key or another base is not kept", async () => {
  const otherUser = { ...DELTA.envelope, aad: DELTA.envelope.aad.replace(USER, OTHER_WS) };
  const otherKey = { ...DELTA.envelope, kid: "k-rotated" };
  const otherBase = { ...DELTA.envelope, base: 5 };
  for (const body of [otherUser, otherKey, otherBase, { not: "an envelope" }]) {
    const store = await device();
    const { fetch } = server({ [deltaPath()]: { body, etag: NEW_ETAG } });
    const result = await handlePush(changed(), { fetch, language: "en" });
    assert.equal(result.stored, null);
    assert.equal(result.notification.options.body, "Abre Enlace para actualizar tu copia sin conexión.");
    const held = await store.getEnvelopes(WS);
    assert.deepEqual(held.deltas, []);
    assert.equal(await store.getMeta(WS, "etag"), ETAG);
    store.close();
    await wipeUser(USER);
  }
});

test("signed out, no longer a member, or offline: nothing kept, the notification says so", async () => {
  for (const answer of [{ status: 401 }, { status: 404 }, { status: 500 }, new TypeError("offline")]) {
    const store = await device({ lang: "en" });
    const { fetch, requests } = server({ [deltaPath()]: answer });
    const result = await handlePush(changed(), { fetch });
    assert.equal(requests.length, 1);
    assert.equal(result.stored, null);
    assert.equal(result.notification.title, "2 changes in Acme");
    assert.equal(result.notification.options.body, "Open Enlace to update your offline copy.");
    assert.deepEqual((await store.getEnvelopes(WS)).deltas, []);
    store.close();
    await wipeUser(USER);
  }
});

test("the whole directory is never fetched from the worker", async () => {
  // No copy of the workspace yet (the user never opened it), or no PIN chosen yet.
  for (const options of [{ full: false }, { keys: false }]) {
    const store = await device({ lang: "en", ...options });
    const { fetch, requests } = server({});
    const result = await handlePush(changed(), { fetch });
    assert.equal(requests.length, 0);
    assert.equal(result.notification.title, "2 changes in Acme");
    assert.equal(result.notification.options.body, "Open Enlace to update your offline copy.");
    store.close();
    await wipeUser(USER);
  }
});

test("a workspace the device does not hold is neither fetched nor named", async () => {
  const store = await device({ lang: null }); // the user's locale then: English
  const { fetch, requests } = server({});
  const result = await handlePush(changed(3, OTHER_WS), { fetch, language: "es" });
  assert.equal(requests.length, 0);
  assert.equal(result.notification.title, "One of your directories changed");
  assert.equal(result.unsubscribe, false);
  store.close();
});

test("a device that holds nobody's copy shows nothing and stops receiving", async () => {
  const { fetch, requests } = server({});
  const result = await handlePush(changed(), { fetch });
  assert.deepEqual(result, { notification: null, unsubscribe: true, stored: null });
  assert.equal(requests.length, 0);
  // Nothing was created on the way.
  assert.deepEqual(await storedUserIds(), []);
});

test("a message that is not one of ours shows nothing", async () => {
  const store = await device();
  const { fetch, requests } = server({});
  const result = await handlePush("hello", { fetch });
  assert.equal(result.notification, null);
  assert.equal(requests.length, 0);
  store.close();
});

test("a crisis alert needs no fetch and stays on screen", async () => {
  const store = await device({ lang: "en" });
  const { fetch, requests } = server({});
  const payload = {
    type: "crisis-alert",
    workspace: WS,
    alert: "a-1",
    playbook: "8d1c7a0e-0000-4000-8000-000000000002",
    message: "Threat posted on our page: follow the playbook",
  };
  const { notification } = await handlePush(JSON.stringify(payload), { fetch });
  assert.equal(requests.length, 0);
  assert.equal(notification.title, "Crisis alert — Acme");
  assert.equal(notification.options.body, payload.message);
  assert.equal(notification.options.requireInteraction, true);
  assert.equal(notification.options.data.hash, `playbook/${payload.playbook}`);
  store.close();
});

function subscription(endpoint) {
  return {
    endpoint,
    toJSON: () => ({ endpoint, keys: { p256dh: "BPk", auth: "au" } }),
  };
}

test("a renewed subscription is posted with a fresh CSRF token and the old one dropped", async () => {
  const store = await device();
  const key = new Uint8Array(65);
  key[0] = 4;
  const { fetch, requests } = server({
    "/api/v1/session": { body: { user: { id: USER }, csrf_token: "tok", workspaces: [] } },
    "/api/v1/push/vapid-public-key": { body: { key: Buffer.from(key).toString("base64url") } },
    "/api/v1/push/subscriptions": { status: 201, body: { id: "s1" } },
  });
  const asked = [];
  const pushManager = {
    async subscribe(options) {
      asked.push(options);
      return subscription("https://push.example/new");
    },
  };
  const body = await renewSubscription(
    { oldSubscription: { endpoint: "https://push.example/old" } },
    { fetch, pushManager },
  );
  assert.equal(body.endpoint, "https://push.example/new");
  assert.equal(asked[0].userVisibleOnly, true);
  assert.equal(asked[0].applicationServerKey.length, 65);
  const [post, remove] = requests.filter((r) => r.path === "/api/v1/push/subscriptions");
  assert.equal(post.method, "POST");
  assert.equal(post.headers["X-CSRFToken"], "tok");
  assert.deepEqual(JSON.parse(post.body), {
    endpoint: "https://push.example/new",
    keys: { p256dh: "BPk", auth: "au" },
  });
  assert.equal(remove.method, "DELETE");
  assert.deepEqual(JSON.parse(remove.body), { endpoint: "https://push.example/old" });
  store.close();
});

test("nobody signed in, or someone else: no subscription is made", async () => {
  const store = await device();
  const pushManager = {
    subscribe: () => assert.fail("subscribed"),
  };
  const signedOut = server({ "/api/v1/session": { status: 401, body: {} } });
  assert.equal(await renewSubscription({}, { fetch: signedOut.fetch, pushManager }), null);
  const stranger = server({
    "/api/v1/session": { body: { user: { id: OTHER_WS }, csrf_token: "tok", workspaces: [] } },
  });
  assert.equal(await renewSubscription({}, { fetch: stranger.fetch, pushManager }), null);
  assert.deepEqual(
    stranger.requests.map((r) => r.path),
    ["/api/v1/session"],
  );
  store.close();
});
