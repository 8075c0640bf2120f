// Drafts: a form's values sealed at rest, bound to their user, workspace and draft id; and the
// store's version 2, which adds them without losing what a device already holds.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  b64urlDecode,
  EnvelopeError,
  importSnapshotKey,
  openOutbox,
  randomBytes,
} from "../../static/js/crypto.js";
import { createDrafts, draftAad, openDraft, sealDraft } from "../../static/js/drafts.js";
import { databaseName, openStore } from "../../static/js/store.js";
import { openDB } from "../../static/vendor/idb.js";
import { FULL, OUTBOX } from "./fixtures.mjs";

const USER = FULL.user_id;
const WS = FULL.workspace_id;
const OTHER_WS = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const DRAFT = "11111111-1111-4111-8111-111111111111";
const key = await importSnapshotKey(b64urlDecode(FULL.key));
const ids = { kid: FULL.kid, userId: USER, workspaceId: WS };
const VALUES = {
  type: "contact",
  entityId: DRAFT,
  baseVersion: 3,
  values: {
    name: "Ana Rodríguez",
    notes: "Llamar después de las 20:00",
    phones: [{ number: "55 1234 5678" }],
  },
};

let users = 0;
/** A fresh user id, so tests never see each other's data. */
const freshUser = () => `${USER}-drafts-${++users}`;

/** Every string and byte buffer (read as UTF-8 and Latin-1) that the database holds. */
async function storedTexts(store) {
  const out = [];
  const walk = (value) => {
    if (typeof value === "string") out.push(value);
    else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
      out.push(new TextDecoder().decode(bytes), Buffer.from(bytes).toString("latin1"));
    } else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  for (const name of store.db.objectStoreNames) walk(await store.db.getAll(name));
  return out;
}

test("a draft survives a reopen of the database and comes back as it was typed", async () => {
  const userId = freshUser();
  const store = await openStore(userId);
  let clock = 1000;
  const drafts = createDrafts({ store, key, kid: FULL.kid, userId: USER, now: () => clock });
  await drafts.save(WS, DRAFT, VALUES);
  clock = 2000;
  await drafts.save(WS, DRAFT, { ...VALUES, values: { ...VALUES.values, notes: "Siempre" } });
  await drafts.save(WS, "new-contact", { type: "contact", values: { name: "Marta" } });
  store.close();

  const again = await openStore(userId);
  const reopened = createDrafts({ store: again, key, kid: FULL.kid, userId: USER });
  const draft = await reopened.load(WS, DRAFT);
  assert.deepEqual(draft, {
    id: DRAFT,
    savedAt: 2000,
    values: { ...VALUES, values: { ...VALUES.values, notes: "Siempre" } },
  });
  assert.deepEqual(
    (await reopened.list(WS)).map((d) => d.id),
    [DRAFT, "new-contact"],
  );
  await reopened.remove(WS, DRAFT);
  assert.equal(await reopened.load(WS, DRAFT), null);
  assert.deepEqual(
    (await reopened.list(WS)).map((d) => d.id),
    ["new-contact"],
  );
  again.close();
});

test("nothing typed in a draft is readable at rest", async () => {
  const store = await openStore(freshUser());
  const drafts = createDrafts({ store, key, kid: FULL.kid, userId: USER });
  await drafts.save(WS, DRAFT, VALUES);
  const stored = await storedTexts(store);
  assert.ok(
    stored.some((t) => t.startsWith("enlace-draft:v1:")),
    "the scan reads what is stored",
  );
  for (const secret of ["Ana", "después", "1234", "contact"]) {
    assert.ok(!stored.some((t) => t.includes(secret)), `${secret} is readable at rest`);
  }
  store.close();
});

test("a draft's seal names its user, workspace and draft id", async () => {
  const sealed = await sealDraft({ id: DRAFT, savedAt: 1, values: VALUES }, key, ids);
  assert.equal(sealed.aad, `enlace-draft:v1:${USER}:${WS}:${DRAFT}`);
  assert.equal(sealed.aad, draftAad(USER, WS, DRAFT));
  assert.equal(sealed.kid, FULL.kid);
  assert.deepEqual((await openDraft(sealed, key, { ...ids, draftId: DRAFT })).values, VALUES);

  const refused = async (what, sealedValue, expected) => {
    await assert.rejects(openDraft(sealedValue, key, expected), EnvelopeError, what);
  };
  await refused("another draft id", sealed, { ...ids, draftId: "another" });
  await refused("another workspace", sealed, { ...ids, workspaceId: OTHER_WS, draftId: DRAFT });
  await refused("another user", sealed, { ...ids, userId: "someone-else", draftId: DRAFT });
  await refused("another key id", sealed, { ...ids, kid: "k-2", draftId: DRAFT });
  // A stored aad rewritten to match what is asked still fails: the tag binds the original.
  const moved = { ...sealed, aad: draftAad(USER, OTHER_WS, DRAFT) };
  await refused("a moved draft", moved, { ...ids, workspaceId: OTHER_WS, draftId: DRAFT });
  const tampered = {
    ...sealed,
    ciphertext: b64urlDecode(sealed.ciphertext).map((b, i) => (i === 0 ? b ^ 1 : b)),
  };
  await refused("a changed byte", tampered, { ...ids, draftId: DRAFT });
  const otherKey = await importSnapshotKey(randomBytes(32));
  await assert.rejects(openDraft(sealed, otherKey, { ...ids, draftId: DRAFT }), EnvelopeError);
});

test("a draft is not an outbox mutation, and an outbox mutation is not a draft", async () => {
  const sealed = await sealDraft(
    { id: OUTBOX.plaintext.id, savedAt: 1, values: OUTBOX.plaintext },
    key,
    ids,
  );
  await assert.rejects(openOutbox(sealed, key, ids), EnvelopeError);
  await assert.rejects(
    openDraft(OUTBOX.envelope, key, { ...ids, draftId: OUTBOX.plaintext.id }),
    EnvelopeError,
  );
});

test("wiping a workspace removes its drafts and no other workspace's", async () => {
  const store = await openStore(freshUser());
  const drafts = createDrafts({ store, key, kid: FULL.kid, userId: USER });
  await drafts.save(WS, DRAFT, VALUES);
  await drafts.save(OTHER_WS, DRAFT, VALUES);
  await store.wipeWorkspace(WS);
  assert.deepEqual(await store.listDrafts(WS), []);
  assert.equal((await drafts.load(OTHER_WS, DRAFT)).values.values.name, "Ana Rodríguez");
  store.close();
});

test("a plain draft is refused by the store", async () => {
  const store = await openStore(freshUser());
  await assert.rejects(store.putDraft(WS, DRAFT, VALUES), EnvelopeError);
  store.close();
});

test("a device's version 1 database is upgraded with drafts, keeping all it held", async () => {
  const userId = freshUser();
  // The database as version 1 of store.js made it.
  const old = await openDB(databaseName(userId), 1, {
    upgrade(db) {
      db.createObjectStore("keys");
      db.createObjectStore("envelopes", { keyPath: "key" });
      db.createObjectStore("outbox", { keyPath: "key" });
      db.createObjectStore("public", { keyPath: "workspaceId" });
      db.createObjectStore("meta");
    },
  });
  const sealed = {
    ...OUTBOX.envelope,
    iv: b64urlDecode(OUTBOX.envelope.iv).buffer,
    ciphertext: b64urlDecode(OUTBOX.envelope.ciphertext).buffer,
  };
  await old.put("outbox", {
    key: [WS, 1],
    workspaceId: WS,
    mutationId: OUTBOX.plaintext.id,
    status: "pending",
    sealed,
    result: null,
  });
  await old.put("meta", 1, ["", "outbox_seq"]);
  await old.put("meta", 7, [WS, "revision"]);
  old.close();

  const store = await openStore(userId);
  assert.equal(store.db.version, 2);
  assert.deepEqual([...store.db.objectStoreNames].sort(), [
    "drafts",
    "envelopes",
    "keys",
    "meta",
    "outbox",
    "public",
  ]);
  assert.equal(await store.getMeta(WS, "revision"), 7);
  const [queued] = await store.listOutbox(WS);
  assert.deepEqual(await openOutbox(queued.sealed, key, ids), OUTBOX.plaintext);
  await store.addOutbox(WS, "after-upgrade", OUTBOX.envelope);
  assert.deepEqual(
    (await store.listOutbox(WS)).map((q) => q.mutationId),
    [OUTBOX.plaintext.id, "after-upgrade"],
  );
  const drafts = createDrafts({ store, key, kid: FULL.kid, userId: USER });
  await drafts.save(WS, DRAFT, VALUES);
  assert.equal((await drafts.list(WS)).length, 1);
  store.close();
});
