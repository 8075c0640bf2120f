// The service worker's flush of the sealed outbox: what the user saved offline reaches the server
// sealed as kept, applied mutations leave the outbox, a conflict stays for the page to settle,
// and a cut connection throws so that the browser tries again later.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";

import { b64urlDecode, importSnapshotKey, sealOutbox } from "../../static/js/crypto.js";
import { flushSealedOutboxes } from "../../static/js/outbox-worker.js";
import { openStore, storedUserIds, wipeUser } from "../../static/js/store.js";
import { FULL } from "./fixtures.mjs";

const USER = FULL.user_id;
const WS = FULL.workspace_id;
const SESSION = {
  user: { id: USER, email: "ana@example.com", name: "Ana", locale: "es" },
  csrf_token: "csrf-1",
  workspaces: [{ id: WS, name: "Acme", role: "editor" }],
};

beforeEach(async () => {
  for (const id of await storedUserIds()) await wipeUser(id);
});

async function queued(store, count) {
  const key = await importSnapshotKey(b64urlDecode(FULL.key));
  const ids = [];
  for (let i = 0; i < count; i++) {
    const mutation = { id: `m${i}`, type: "contact", entity_id: `e${i}`, op: "put", base_version: null, fields: { name: `N${i}` } };
    await store.addOutbox(WS, mutation.id, await sealOutbox(mutation, key, { kid: FULL.kid, userId: USER, workspaceId: WS }));
    ids.push(mutation.id);
  }
  return ids;
}

/** A fake server answering the session and sync; `sync(body)` decides the results. */
function server(sync) {
  const requests = [];
  async function fetch(path, init = {}) {
    requests.push({ path, ...init });
    if (path === "/api/v1/session") return Response.json(SESSION);
    if (path === "/api/v1/sync") return sync(JSON.parse(init.body), init);
    return new Response("{}", { status: 404 });
  }
  return { fetch, requests };
}

test("the sealed outbox goes as it is kept, in order, with the CSRF token, and applied ones leave", async () => {
  const store = await openStore(USER);
  await store.putEnvelope(WS, FULL.envelope);
  await queued(store, 3);
  store.close();
  const { fetch, requests } = server((body) =>
    Response.json({
      results: body.sealed.map((item) => ({
        id: item.aad.split(":").at(-1),
        status: "applied",
        version: 1,
      })),
      cursor: body.cursor,
      more: false,
    }),
  );
  const result = await flushSealedOutboxes({ fetch });
  assert.deepEqual(result, { sent: 3, applied: 3 });
  const post = requests.find((r) => r.path === "/api/v1/sync");
  const body = JSON.parse(post.body);
  assert.equal(post.headers["X-CSRFToken"], "csrf-1");
  assert.deepEqual(body.sealed.map((s) => s.aad.split(":").at(-1)), ["m0", "m1", "m2"]);
  assert.equal(body.mutations, undefined, "nothing travels in clear");
  assert.equal(body.cursor, FULL.envelope.revision, "from the revision held, not 0");
  const again = await openStore(USER);
  // Applied: nothing left to send; each waits (sealed) until the app's copy holds it.
  assert.deepEqual(
    (await again.listOutbox(WS)).map((item) => [item.status, item.version]),
    [["applied", 1], ["applied", 1], ["applied", 1]],
  );
  again.close();
});

test("a conflict stays queued for the page: the worker cannot seal its result", async () => {
  const store = await openStore(USER);
  await queued(store, 2);
  store.close();
  const { fetch } = server(() =>
    Response.json({
      results: [
        { id: "m0", status: "applied" },
        { id: "m1", status: "conflict", conflicts: [{ field: "name", client: "N1" }] },
      ],
      cursor: 0,
      more: false,
    }),
  );
  await flushSealedOutboxes({ fetch });
  const again = await openStore(USER);
  const left = await again.listOutbox(WS);
  assert.deepEqual(left.map((i) => [i.mutationId, i.status]), [["m1", "pending"]]);
  again.close();
});

test("a cut connection keeps everything and throws, so the browser retries the sync", async () => {
  const store = await openStore(USER);
  await queued(store, 1);
  store.close();
  const { fetch } = server(() => {
    throw new TypeError("Failed to fetch");
  });
  await assert.rejects(flushSealedOutboxes({ fetch }), /offline/);
  const again = await openStore(USER);
  assert.equal((await again.listOutbox(WS)).length, 1);
  again.close();
});

test("a server whose database is away (503) keeps everything and throws, so the browser retries", async () => {
  const store = await openStore(USER);
  await queued(store, 2);
  store.close();
  const { fetch } = server(() =>
    Response.json(
      { error: "unavailable", message: "Try again in a moment." },
      { status: 503, headers: { "Retry-After": "5" } },
    ),
  );
  await assert.rejects(flushSealedOutboxes({ fetch }), /offline/);
  const again = await openStore(USER);
  assert.deepEqual((await again.listOutbox(WS)).map((i) => i.status), ["pending", "pending"]);
  again.close();
});

test("another user's copy on this device is never sent under the signed-in session", async () => {
  const store = await openStore("someone-else");
  await store.addOutbox(WS, "x", { kid: "k", iv: new Uint8Array(12), aad: "a", ciphertext: new Uint8Array(16) });
  store.close();
  const { fetch, requests } = server(() => Response.json({ results: [], cursor: 0, more: false }));
  assert.deepEqual(await flushSealedOutboxes({ fetch }), { sent: 0, applied: 0 });
  assert.ok(!requests.some((r) => r.path === "/api/v1/sync"));
});
