// The keyring: the snapshot key wrapped under a PIN, the unlock token sealed under the key, and
// nothing of either readable at rest (docs/ARCHITECTURE.md, 4.4).
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";

import { b64urlEncode, EnvelopeError, openEnvelope } from "../../static/js/crypto.js";
import {
  openKeyring,
  openKeyringWith,
  replaceToken,
  rewrapKeyring,
  setUpKeyring,
  WrongSecret,
} from "../../static/js/keyring.js";
import { openStore } from "../../static/js/store.js";
import { FULL } from "./fixtures.mjs";

const KDF = { name: "pbkdf2", iterations: 1000 }; // tests only: the app uses DEFAULT_KDF
const TOKEN = "tok_" + "A".repeat(39);
const fetched = { kid: FULL.kid, key: FULL.key, unlock_token: TOKEN };
const expected = { userId: FULL.user_id, workspaceId: FULL.workspace_id };

let users = 0;
async function fresh() {
  const userId = `${FULL.user_id}`;
  return { userId, store: await openStore(`${userId}-keyring-${++users}`) };
}

/** Every byte string kept in the store, as text, to look for secrets in clear. */
async function everything(store) {
  const out = [];
  const walk = (value) => {
    if (value instanceof ArrayBuffer) out.push(Buffer.from(value).toString("latin1"));
    else if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  for (const name of store.db.objectStoreNames) walk(await store.db.getAll(name));
  return out.join("\n");
}

test("a PIN set up on this device unlocks the key and gives back the unlock token", async () => {
  const { userId, store } = await fresh();
  const first = await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  assert.equal(first.token, TOKEN);
  const again = await openKeyring(store, { userId, secret: "482913" });
  assert.equal(again.token, TOKEN);
  assert.equal(again.kid, FULL.kid);
  assert.deepEqual(await openEnvelope(FULL.envelope, again.key, expected), FULL.plaintext);
  store.close();
});

test("a wrong PIN is WrongSecret and gives neither the key nor the token", async () => {
  const { userId, store } = await fresh();
  await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  await assert.rejects(openKeyring(store, { userId, secret: "482914" }), WrongSecret);
  store.close();
});

test("neither the token nor the raw key is stored readable", async () => {
  const { userId, store } = await fresh();
  await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  const stored = await everything(store);
  assert.ok(!stored.includes(TOKEN), "the token is in clear");
  const raw = Buffer.from(FULL.key, "base64url").toString("latin1");
  assert.ok(!stored.includes(raw), "the raw key is in clear");
  assert.ok(!stored.includes(FULL.key));
  store.close();
});

test("the sealed token opens only for the user and key it was sealed for", async () => {
  const { userId, store } = await fresh();
  await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  await assert.rejects(openKeyring(store, { userId: "someone-else", secret: "482913" }), EnvelopeError);
  store.close();
});

test("a renewed token replaces the old one; a passkey unlock opens the new one", async () => {
  const { userId, store } = await fresh();
  const unlocked = await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  await replaceToken(store, unlocked, { userId, token: "renewed-token" });
  const viaPasskey = await openKeyringWith(store, { userId, key: unlocked.key });
  assert.equal(viaPasskey.token, "renewed-token");
  assert.equal(viaPasskey.wrapping, null);
  assert.equal((await openKeyring(store, { userId, secret: "482913" })).token, "renewed-token");
  store.close();
});

test("a keyring from before the token unlocks with no token", async () => {
  const { userId, store } = await fresh();
  await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  const keys = await store.getKeys();
  await store.putKeys({ ...keys, token: null });
  const unlocked = await openKeyring(store, { userId, secret: "482913" });
  assert.equal(unlocked.token, null);
  store.close();
});

test("a rotated key is wrapped under the same PIN, the passkey wrap of the old key goes", async () => {
  const { userId, store } = await fresh();
  const unlocked = await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  const keys = await store.getKeys();
  await store.putKeys({ ...keys, passkey: { salt: new Uint8Array(16), wrapped: new Uint8Array(40) } });
  const newRaw = crypto.getRandomValues(new Uint8Array(32));
  const rotated = { kid: "k2", key: b64urlEncode(newRaw), unlock_token: TOKEN };
  const next = await rewrapKeyring(store, unlocked, { userId, fetched: rotated });
  assert.equal(next.kid, "k2");
  const held = await store.getKeys();
  assert.equal(held.kid, "k2");
  assert.equal(held.passkey, null);
  const reopened = await openKeyring(store, { userId, secret: "482913" });
  assert.equal(reopened.kid, "k2");
  assert.equal(reopened.token, TOKEN);
  // Unlocked by passkey (no PIN wrapping key in memory): a PIN must be chosen again.
  assert.equal(await rewrapKeyring(store, { ...reopened, wrapping: null }, { userId, fetched: rotated }), null);
  store.close();
});

test("a new PIN keeps the passkey wrap of the same key", async () => {
  const { userId, store } = await fresh();
  await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: KDF });
  const keys = await store.getKeys();
  await store.putKeys({ ...keys, passkey: { salt: new Uint8Array(16), wrapped: new Uint8Array(40) } });
  await setUpKeyring(store, { userId, fetched, secret: "a long passphrase", kind: "passphrase", kdf: KDF });
  const held = await store.getKeys();
  assert.ok(held.passkey);
  assert.equal(held.pin.kind, "passphrase");
  store.close();
});

test("a PIN wrapped with the old, cheaper derivation is wrapped again with today's", async () => {
  const { needsUpgrade, upgradeKeyring } = await import("../../static/js/keyring.js");
  const { userId, store } = await fresh();
  const old = await setUpKeyring(store, { userId, fetched, secret: "482913", kind: "pin", kdf: { name: "pbkdf2", iterations: 1000 } });
  assert.equal(needsUpgrade(old), true);
  const today = { name: "pbkdf2", iterations: 2000 };
  const next = await upgradeKeyring(store, old, { userId, secret: "482913", fetched, kdf: today });
  const held = await store.getKeys();
  assert.deepEqual(held.pin.kdf, today);
  assert.ok(held.token, "the token stays");
  const again = await openKeyring(store, { userId, secret: "482913" });
  assert.equal(again.token, TOKEN);
  assert.deepEqual(next.wrapping.kdf, today);
  store.close();
});
