// The local database: ciphertext as ArrayBuffer, envelopes replaced by the full snapshot,
// the outbox in order, wipes, and nothing readable of a confidential contact at rest.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  b64urlDecode,
  deriveWrappingKey,
  EnvelopeError,
  importSnapshotKey,
  openEnvelope,
  openOutbox,
  randomBytes,
  sealEnvelope,
  sealOutbox,
  unwrapSnapshotKey,
  wrapSnapshotKey,
} from "../../static/js/crypto.js";
import { databaseName, openStore, wipeUser } from "../../static/js/store.js";
import { FULL, DELTA, OUTBOX } from "./fixtures.mjs";

const USER = FULL.user_id;
const WS = FULL.workspace_id;
const OTHER_WS = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const expected = { userId: USER, workspaceId: WS };
const meta = { kid: FULL.kid, userId: USER, workspaceId: WS };
const key = () => importSnapshotKey(b64urlDecode(FULL.key));

let users = 0;
/** A fresh user's store, so tests never see each other's data. */
async function freshStore() {
  const userId = `${USER}-${++users}`;
  return { userId, store: await openStore(userId) };
}

/** Every record of every object store, as IndexedDB holds it. */
async function dump(store) {
  const all = {};
  for (const name of store.db.objectStoreNames) all[name] = await store.db.getAll(name);
  return all;
}

/** Every string and every byte buffer (read as UTF-8 and Latin-1) in a value. */
function texts(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    out.push(new TextDecoder().decode(bytes), Buffer.from(bytes).toString("latin1"));
  } else if (value && typeof value === "object") {
    for (const item of Object.values(value)) texts(item, out);
  }
  return out;
}

test("a full envelope is stored with its bytes as ArrayBuffer and opens as it came", async () => {
  const { store } = await freshStore();
  assert.equal(await store.putEnvelope(WS, FULL.envelope), true);
  const [raw] = (await dump(store)).envelopes;
  assert.ok(raw.ciphertext instanceof ArrayBuffer);
  assert.ok(raw.iv instanceof ArrayBuffer);
  assert.equal(typeof raw.ciphertext, "object");
  const { full, deltas } = await store.getEnvelopes(WS);
  assert.deepEqual(deltas, []);
  assert.deepEqual(await openEnvelope(full, await key(), expected), FULL.plaintext);
  store.close();
});

test("a Blob is refused, never stored", async () => {
  const { store } = await freshStore();
  const blob = new Blob([b64urlDecode(FULL.envelope.ciphertext)]);
  await assert.rejects(
    store.putEnvelope(WS, { ...FULL.envelope, ciphertext: blob }),
    EnvelopeError,
  );
  assert.deepEqual((await dump(store)).envelopes, []);
  store.close();
});

test("deltas are kept beside the full snapshot, in order, and open", async () => {
  const { store } = await freshStore();
  const k = await key();
  await store.putEnvelope(WS, FULL.envelope);
  const later = await sealEnvelope({ changes: [] }, k, { ...meta, base: 9, revision: 12 });
  await store.putEnvelope(WS, later);
  await store.putEnvelope(WS, DELTA.envelope);
  const { deltas } = await store.getEnvelopes(WS);
  assert.deepEqual(
    deltas.map((d) => [d.base, d.revision]),
    [
      [7, 9],
      [9, 12],
    ],
  );
  assert.deepEqual(await openEnvelope(deltas[0], k, { ...expected, base: 7 }), DELTA.plaintext);
  await store.deleteDeltas(WS, [deltas[1]]);
  assert.equal((await store.getEnvelopes(WS)).deltas.length, 1);
  store.close();
});

test("a new full snapshot replaces the old one and the deltas it covers, not later ones", async () => {
  const { store } = await freshStore();
  const k = await key();
  await store.putEnvelope(WS, FULL.envelope);
  await store.putEnvelope(WS, DELTA.envelope); // 7 -> 9
  await store.putEnvelope(
    WS,
    await sealEnvelope({ changes: [] }, k, { ...meta, base: 9, revision: 12 }),
  );
  const newer = await sealEnvelope({ ...FULL.plaintext, revision: 10 }, k, {
    ...meta,
    revision: 10,
  });
  assert.equal(await store.putEnvelope(WS, newer), true);
  const { full, deltas } = await store.getEnvelopes(WS);
  assert.equal(full.revision, 10);
  assert.deepEqual(
    deltas.map((d) => [d.base, d.revision]),
    [[9, 12]],
  );
  assert.equal(await store.putEnvelope(WS, FULL.envelope), false, "an older full one is refused");
  assert.equal(await store.putEnvelope(WS, DELTA.envelope), false, "a covered delta is not kept");
  const { full: kept, deltas: after } = await store.getEnvelopes(WS);
  assert.equal(kept.revision, 10);
  assert.deepEqual(
    after.map((d) => [d.base, d.revision]),
    [[9, 12]],
  );
  store.close();
});

test("the outbox keeps sealed mutations in the order they were made", async () => {
  const { store } = await freshStore();
  const k = await key();
  const ids = ["m-3", "m-1", "m-2"];
  for (const id of ids) {
    await store.addOutbox(WS, id, await sealOutbox({ ...OUTBOX.plaintext, id }, k, meta));
  }
  await store.addOutbox(WS, "fixture", OUTBOX.envelope);
  const queued = await store.listOutbox(WS);
  assert.deepEqual(
    queued.map((q) => q.mutationId),
    [...ids, "fixture"],
  );
  assert.ok(queued[0].sealed.ciphertext instanceof ArrayBuffer);
  assert.equal((await openOutbox(queued[0].sealed, k, meta)).id, "m-3");
  assert.deepEqual(await openOutbox(queued[3].sealed, k, meta), OUTBOX.plaintext);
  await store.removeOutbox(WS, "m-1");
  assert.deepEqual(
    (await store.listOutbox(WS)).map((q) => q.mutationId),
    ["m-3", "m-2", "fixture"],
  );
  store.close();
});

test("mutations the server answered are settled together: kept as applied, or removed", async () => {
  const { store } = await freshStore();
  const k = await key();
  for (const id of ["m-1", "m-2", "m-3", "m-4"]) {
    await store.addOutbox(WS, id, await sealOutbox({ ...OUTBOX.plaintext, id }, k, meta));
  }
  await store.addOutbox("other-workspace", "m-2", OUTBOX.envelope);
  await store.settleOutbox(WS, new Map([["m-2", 7], ["m-3", null], ["m-9", 1]]));
  const left = await store.listOutbox(WS);
  assert.deepEqual(
    left.map(({ mutationId, status, version }) => [mutationId, status, version]),
    [["m-1", "pending", null], ["m-2", "applied", 7], ["m-4", "pending", null]],
  );
  assert.equal((await openOutbox(left[1].sealed, k, meta)).id, "m-2", "still sealed, still opens");
  assert.deepEqual(
    (await store.listOutbox("other-workspace")).map((q) => q.status),
    ["pending"],
    "another workspace's mutation of the same id is not touched",
  );
  store.close();
});

test("a conflict is kept with its result sealed; a plain result is refused", async () => {
  const { store } = await freshStore();
  const k = await key();
  await store.addOutbox(WS, OUTBOX.plaintext.id, OUTBOX.envelope);
  const result = {
    id: OUTBOX.plaintext.id,
    status: "conflict",
    conflicts: [{ field: "notes", server: "Solo de día", client: "x" }],
  };
  await assert.rejects(
    store.markOutbox(WS, OUTBOX.plaintext.id, "conflict", result),
    EnvelopeError,
  );
  assert.equal(
    await store.markOutbox(WS, OUTBOX.plaintext.id, "conflict", await sealOutbox(result, k, meta)),
    true,
  );
  const [queued] = await store.listOutbox(WS);
  assert.equal(queued.status, "conflict");
  assert.deepEqual(await openOutbox(queued.result, k, meta), result);
  assert.ok(!texts(await dump(store)).some((t) => t.includes("Solo de día")));
  store.close();
});

test("the PIN-wrapped key survives a reopen and unwraps to a key that opens the copy", async () => {
  const { userId, store } = await freshStore();
  const salt = randomBytes(16);
  const wrapped = await wrapSnapshotKey(
    b64urlDecode(FULL.key),
    await deriveWrappingKey("482913", salt, 1000),
  );
  await store.putKeys({ kid: FULL.kid, pin: { salt, iterations: 1000, wrapped } });
  store.close();
  const again = await openStore(userId);
  const held = await again.getKeys();
  assert.equal(held.kid, FULL.kid);
  assert.ok(held.pin.wrapped instanceof ArrayBuffer);
  const wrapping = await deriveWrappingKey("482913", held.pin.salt, held.pin.iterations);
  const unwrapped = await unwrapSnapshotKey(held.pin.wrapped, wrapping);
  assert.deepEqual(await openEnvelope(FULL.envelope, unwrapped, expected), FULL.plaintext);
  again.close();
});

test("wrong PINs are counted across reopenings and reset on success", async () => {
  const { userId, store } = await freshStore();
  assert.equal(await store.recordFailedUnlock(), 1);
  assert.equal(await store.recordFailedUnlock(), 2);
  store.close();
  const again = await openStore(userId);
  assert.equal(await again.recordFailedUnlock(), 3);
  await again.resetFailedUnlocks();
  assert.equal(await again.recordFailedUnlock(), 1);
  again.close();
});

test("only public contacts are kept in clear", async () => {
  const { store } = await freshStore();
  const [service, ana] = [FULL.plaintext.contacts[0], FULL.plaintext.contacts[1]];
  await assert.rejects(store.putPublic(WS, [service, ana]), TypeError);
  await store.putPublic(WS, [service], "2026-11-25T12:00:00Z");
  assert.deepEqual((await store.getPublic(WS)).contacts, [service]);
  store.close();
});

test("after a whole session nothing readable of a team or restricted contact is at rest", async () => {
  const { store } = await freshStore();
  const k = await key();
  await store.putEnvelope(WS, FULL.envelope);
  await store.putEnvelope(WS, DELTA.envelope);
  await store.addOutbox(WS, OUTBOX.plaintext.id, await sealOutbox(OUTBOX.plaintext, k, meta));
  await store.putPublic(WS, [FULL.plaintext.contacts[0]], "2026-11-25T12:00:00Z");
  await store.setMeta(WS, "revision", 9);
  await store.setMeta(WS, "favourites", [FULL.plaintext.contacts[1].id]);
  const stored = texts(await dump(store));
  assert.ok(
    stored.some((t) => t.includes("Emergencias")),
    "the scan reads what is stored",
  );
  for (const contact of FULL.plaintext.contacts.filter((c) => c.visibility !== "public")) {
    const secrets = [contact.name, ...contact.phones.map((p) => p.number.slice(3))];
    for (const secret of secrets) {
      assert.ok(!stored.some((t) => t.includes(secret)), `${secret} is readable at rest`);
    }
  }
  assert.ok(!stored.some((t) => t.includes("WhatsApp")), "the outbox mutation is readable");
  store.close();
});

test("wiping a workspace removes all of it and nothing of another workspace", async () => {
  const { store } = await freshStore();
  for (const ws of [WS, OTHER_WS]) {
    await store.putEnvelope(ws, FULL.envelope);
    await store.addOutbox(ws, "m-1", OUTBOX.envelope);
    await store.putPublic(ws, [FULL.plaintext.contacts[0]], "2026-11-25T12:00:00Z");
    await store.setMeta(ws, "revision", 7);
  }
  await store.setMeta("", "lock_minutes", 5);
  await store.wipeWorkspace(WS);
  assert.deepEqual(await store.getEnvelopes(WS), { full: null, deltas: [] });
  assert.deepEqual(await store.listOutbox(WS), []);
  assert.equal(await store.getPublic(WS), undefined);
  assert.equal(await store.getMeta(WS, "revision"), undefined);
  assert.equal((await store.getEnvelopes(OTHER_WS)).full.revision, 7);
  assert.equal((await store.listOutbox(OTHER_WS)).length, 1);
  assert.equal(await store.getMeta(OTHER_WS, "revision"), 7);
  assert.equal(await store.getMeta("", "lock_minutes"), 5);
  store.close();
});

// The timeout only stops a regression (a blocked delete) from hanging the run; nothing is timed.
test(
  "wiping a user deletes their database, even while a connection is open",
  { timeout: 10_000 },
  async () => {
    const { userId, store } = await freshStore();
    await store.putEnvelope(WS, FULL.envelope);
    await wipeUser(userId);
    const names = (await indexedDB.databases()).map((db) => db.name);
    assert.ok(!names.includes(databaseName(userId)));
    const again = await openStore(userId);
    assert.deepEqual(await again.getEnvelopes(WS), { full: null, deltas: [] });
    again.close();
  },
);
