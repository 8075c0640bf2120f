// The PIN's key derivation: the same key as Python derives, old devices still unlock, and params
// read back from a (copied or edited) profile cannot make the app hang.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  DEFAULT_KDF,
  KdfParamsError,
  LEGACY_KDF,
  checkKdf,
  deriveWrappingKey,
  isWeakerThanDefault,
} from "../../static/js/kdf.js";

const subtle = globalThis.crypto.subtle;
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const SALT = Uint8Array.from({ length: 16 }, (_, i) => i);
const SNAPSHOT_KEY = Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i);

// Known answers computed in Python (hashlib and cryptography, both independent of this code):
//   kek = hashlib.pbkdf2_hmac("sha256", unicodedata.normalize("NFC", secret).encode(),
//                             bytes(range(16)), iterations, 32)
//   aes_key_wrap(kek, bytes(range(0x20, 0x40))).hex()
// AES-KW is deterministic, so the wrap of a fixed key pins the derived (non-extractable) key.
const KNOWN = {
  legacy: "5575fecb8bbe39070a7467bf50eb7ccd742e538bf469358bfc35422cf227b7fc7a83893e1f1eb159",
  default: "d546ef1c852a8664799c45a92141dcd57182ab9d23a753b280f03a01508438423b57838aee2a080c",
  accents: "9d7aad0c9c2291f37aaafe4892858d9d9f331d7dbe2659aa686dd8dee20c2a1a7956e591eb2ef8a6",
};

/** Wrap the fixed snapshot key with a wrapping key; return the 40 bytes as hex. */
async function wrapFixedKey(wrappingKey) {
  const key = await subtle.importKey("raw", SNAPSHOT_KEY, "AES-GCM", true, ["encrypt"]);
  return hex(await subtle.wrapKey("raw", key, wrappingKey, "AES-KW"));
}

test("a device set up before the KDF was measured (PBKDF2, 600,000) still unlocks", async () => {
  assert.deepEqual({ ...LEGACY_KDF }, { name: "pbkdf2", iterations: 600_000 });
  const stored = JSON.parse('{"name": "pbkdf2", "iterations": 600000}');
  assert.equal(await wrapFixedKey(await deriveWrappingKey("482913", SALT, stored)), KNOWN.legacy);
});

test("a new PIN gets the measured default, the same key Python derives with it", async () => {
  assert.deepEqual(Object.keys(DEFAULT_KDF).sort(), ["iterations", "name"]);
  assert.equal(DEFAULT_KDF.name, "pbkdf2");
  assert.ok(DEFAULT_KDF.iterations > LEGACY_KDF.iterations);
  assert.ok(Object.isFrozen(DEFAULT_KDF));
  assert.equal(await wrapFixedKey(await deriveWrappingKey("482913", SALT)), KNOWN.default);
});

test("the wrapping key stays inside: not extractable, AES-KW, for wrapping only", async () => {
  const key = await deriveWrappingKey("482913", SALT, { name: "pbkdf2", iterations: 1000 });
  assert.equal(key.extractable, false);
  assert.equal(key.algorithm.name, "AES-KW");
  assert.equal(key.algorithm.length, 256);
  assert.deepEqual([...key.usages].sort(), ["unwrapKey", "wrapKey"]);
  await assert.rejects(subtle.exportKey("raw", key));
});

test("a passphrase typed with composed or decomposed accents derives the same key", async () => {
  const kdf = { name: "pbkdf2", iterations: 1000 };
  const composed = "ca\u00f1\u00f3n verde";
  const decomposed = "can\u0303o\u0301n verde";
  assert.notEqual(composed, decomposed);
  assert.equal(await wrapFixedKey(await deriveWrappingKey(composed, SALT, kdf)), KNOWN.accents);
  assert.equal(await wrapFixedKey(await deriveWrappingKey(decomposed, SALT, kdf)), KNOWN.accents);
});

test("another PIN or salt derives another key", async () => {
  const kdf = { name: "pbkdf2", iterations: 1000 };
  const reference = await wrapFixedKey(await deriveWrappingKey("482913", SALT, kdf));
  assert.notEqual(await wrapFixedKey(await deriveWrappingKey("482914", SALT, kdf)), reference);
  const salt = SALT.slice();
  salt[0] ^= 1;
  assert.notEqual(await wrapFixedKey(await deriveWrappingKey("482913", salt, kdf)), reference);
});

const REFUSED = [
  ["nothing", null],
  ["a string", "pbkdf2"],
  ["an array", [600_000]],
  ["no name", { iterations: 600_000 }],
  ["an unknown KDF", { name: "scrypt", iterations: 600_000 }],
  ["Argon2id (not shipped)", { name: "argon2id", memoryKiB: 65536, iterations: 3, parallelism: 1 }],
  ["a name in other case", { name: "PBKDF2", iterations: 600_000 }],
  ["no iterations", { name: "pbkdf2" }],
  ["zero iterations", { name: "pbkdf2", iterations: 0 }],
  ["negative iterations", { name: "pbkdf2", iterations: -1 }],
  ["fractional iterations", { name: "pbkdf2", iterations: 600_000.5 }],
  ["iterations as text", { name: "pbkdf2", iterations: "600000" }],
  ["infinite iterations", { name: "pbkdf2", iterations: Infinity }],
  ["NaN iterations", { name: "pbkdf2", iterations: NaN }],
  ["iterations past 2^53", { name: "pbkdf2", iterations: 2 ** 60 }],
  // 10,000,001: ~1.5 s here, ~6 s on a slow phone; a billion would hang the app for minutes.
  ["iterations past the ceiling", { name: "pbkdf2", iterations: 10_000_001 }],
  ["a billion iterations", { name: "pbkdf2", iterations: 1_000_000_000 }],
  ["an extra param", { name: "pbkdf2", iterations: 600_000, memoryKiB: 4 * 1024 * 1024 }],
];

for (const [what, kdf] of REFUSED) {
  test(`params read back from storage are refused at once: ${what}`, async () => {
    assert.throws(() => checkKdf(kdf), KdfParamsError);
    // Refused before deriving: without the check, a billion iterations would run for minutes.
    await assert.rejects(deriveWrappingKey("482913", SALT, kdf), KdfParamsError);
  });
}

test("the ceiling itself is accepted, and checkKdf returns a frozen copy", () => {
  const checked = checkKdf({ name: "pbkdf2", iterations: 10_000_000 });
  assert.deepEqual({ ...checked }, { name: "pbkdf2", iterations: 10_000_000 });
  assert.ok(Object.isFrozen(checked));
});

test("an empty secret or a short salt is refused", async () => {
  const kdf = { name: "pbkdf2", iterations: 1000 };
  await assert.rejects(deriveWrappingKey("", SALT, kdf), TypeError);
  await assert.rejects(deriveWrappingKey(482913, SALT, kdf), TypeError);
  await assert.rejects(deriveWrappingKey("482913", new Uint8Array(8), kdf), TypeError);
  await assert.rejects(deriveWrappingKey("482913", "salt salt salt salt", kdf), TypeError);
});

test("a legacy wrap is weaker than the default, so the app can re-wrap it at unlock", () => {
  assert.equal(isWeakerThanDefault(LEGACY_KDF), true);
  assert.equal(isWeakerThanDefault(DEFAULT_KDF), false);
  assert.throws(() => isWeakerThanDefault({ name: "pbkdf2", iterations: 0 }), KdfParamsError);
});
