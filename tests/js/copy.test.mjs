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
