// One path keeps the copy current, for the page and the service worker: the delta since the
// revision held is fetched with the ETag held, checked (opened, for the page), and kept.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";

import { createApi } from "../../static/js/api.js";
import { updateCopy } from "../../static/js/copy.js";
import { b64urlDecode, checkEnvelope, EnvelopeError, importSnapshotKey, openEnvelope } from "../../static/js/crypto.js";
import { openStore } from "../../static/js/store.js";
import { DELTA, FULL } from "./fixtures.mjs";

const USER = FULL.user_id;
const WS = FULL.workspace_id;
let n = 0;

async function copyAt7() {
  const store = await openStore(`${USER}-copy-${++n}`);
  await store.putEnvelope(WS, FULL.envelope);
  await store.setMeta(WS, "etag", '"7-k"');
  return store;
}

function server(answer) {
  const requests = [];
  const fetch = async (path, init) => {
    requests.push({ path, ...init });
    if (answer instanceof Error) throw answer;
    const body = answer.body === undefined ? null : JSON.stringify(answer.body);
    return new Response(body, { status: answer.status ?? 200, headers: answer.etag ? { ETag: answer.etag } : {} });
  };
  return { api: createApi({ fetch }), requests };
}

test("the page fetches the delta since its revision with its ETag, opens it and keeps it", async () => {
  const store = await copyAt7();
  const key = await importSnapshotKey(b64urlDecode(FULL.key));
  const { api, requests } = server({ body: DELTA.envelope, etag: '"7-9-k"' });
  const result = await updateCopy({
    store, api, userId: USER, workspaceId: WS, kid: FULL.kid,
    check: (envelope, expected) => openEnvelope(envelope, key, expected),
  });
  assert.equal(result.status, "kept");
  assert.deepEqual(result.plaintext, DELTA.plaintext);
  assert.equal(requests[0].path, `/api/v1/workspaces/${WS}/snapshot?since=${FULL.envelope.revision}`);
  assert.equal(requests[0].headers["If-None-Match"], '"7-k"');
  const held = await store.getEnvelopes(WS);
  assert.equal(held.deltas.length, 1);
  assert.equal(await store.getMeta(WS, "etag"), '"7-9-k"');
  assert.ok(await store.getMeta(WS, "synced_at"));
  store.close();
});

test("304 keeps nothing and says when it was checked; another key keeps nothing", async () => {
  const store = await copyAt7();
  const unchanged = await updateCopy({ store, api: server({ status: 304 }).api, userId: USER, workspaceId: WS, kid: FULL.kid, check: checkEnvelope });
  assert.equal(unchanged.status, "unchanged");
  assert.ok(await store.getMeta(WS, "synced_at"));
  const rotated = await updateCopy({ store, api: server({ body: { ...DELTA.envelope, kid: "other" } }).api, userId: USER, workspaceId: WS, kid: FULL.kid, check: checkEnvelope });
  assert.equal(rotated.status, "other-key");
  assert.equal((await store.getEnvelopes(WS)).deltas.length, 0);
  store.close();
});

test("an envelope for another workspace is refused and not kept", async () => {
  const store = await copyAt7();
  const other = { ...DELTA.envelope, aad: DELTA.envelope.aad.replace(WS, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa") };
  await assert.rejects(
    updateCopy({ store, api: server({ body: other }).api, userId: USER, workspaceId: WS, kid: FULL.kid, check: checkEnvelope }),
    EnvelopeError,
  );
  assert.equal((await store.getEnvelopes(WS)).deltas.length, 0);
  store.close();
});

// Issue 18, finding 7: a server restored from an older backup.
async function copyAt9() {
  const store = await copyAt7();
  await store.putEnvelope(WS, DELTA.envelope);
  await store.setMeta(WS, "etag", '"7-9-k"');
  return store;
}

for (const [who, options] of [
  ["the page", async () => {
    const key = await importSnapshotKey(b64urlDecode(FULL.key));
    return { check: (envelope, expected) => openEnvelope(envelope, key, expected) };
  }],
  ["the worker", async () => ({ check: checkEnvelope, deltasOnly: true })],
]) {
  test(`${who}: a full snapshot older than the copy replaces all of it, the outbox kept`, async () => {
    const store = await copyAt9();
    await store.addOutbox(WS, "m-1", { kid: FULL.kid, iv: new Uint8Array(12), aad: "a", ciphertext: new Uint8Array(20) });
    const { api, requests } = server({ body: FULL.envelope, etag: '"7-k"' });
    const result = await updateCopy({ store, api, userId: USER, workspaceId: WS, kid: FULL.kid, ...(await options()) });
    // With since=9 (or a full snapshot when the deltas outgrew it): the server answers its own.
    assert.equal(requests.length, 1);
    assert.equal(result.status, "kept");
    assert.equal(result.restored, true);
    const held = await store.getEnvelopes(WS);
    // The delta 7→9 belonged to the lost timeline: the copy is the server's revision 7 alone.
    assert.equal(held.full.revision, 7);
    assert.deepEqual(held.deltas, []);
    assert.equal((await store.listOutbox(WS)).length, 1);
    store.close();
  });
}

test("after a sync answer's reset the copy asks for the full snapshot without its ETag", async () => {
  const store = await copyAt9();
  await store.setMeta(WS, "restart", true);
  const { api, requests } = server({ body: FULL.envelope, etag: '"7-k"' });
  const result = await updateCopy({ store, api, userId: USER, workspaceId: WS, kid: FULL.kid, check: checkEnvelope });
  // No since= and no If-None-Match: the server never answers 304 or a delta for a lost copy.
  assert.equal(requests[0].path, `/api/v1/workspaces/${WS}/snapshot`);
  assert.equal(requests[0].headers?.["If-None-Match"], undefined);
  assert.equal(result.restored, true);
  assert.deepEqual((await store.getEnvelopes(WS)).deltas, []);
  assert.equal(await store.getMeta(WS, "restart"), false);
  store.close();
});

test("a newer full snapshot is no restore: the copy moves on as before", async () => {
  const store = await copyAt7();
  const { api } = server({ body: FULL.envelope, etag: '"7-k"' });
  const result = await updateCopy({ store, api, userId: USER, workspaceId: WS, kid: FULL.kid, check: checkEnvelope });
  assert.equal(result.restored, false);
  store.close();
});
