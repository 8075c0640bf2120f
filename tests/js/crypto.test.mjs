// Crypto of the offline copy: envelopes made by the Python code open here, and nothing else does.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  EnvelopeError,
  b64urlDecode,
  b64urlEncode,
  deriveWrappingKey,
  derivePrfWrappingKey,
  importSnapshotKey,
  openEnvelope,
  openOutbox,
  randomBytes,
  readBinaryEnvelope,
  sealEnvelope,
  sealOutbox,
  unwrapSnapshotKey,
  wrapSnapshotKey,
} from "../../static/js/crypto.js";
import { FULL, FULL_COMPACT, DELTA, DELTA_BINARY, OUTBOX } from "./fixtures.mjs";

const OTHER_USER = "99999999-9999-4999-8999-999999999999";
// Far below the product's 600,000: the wrap format is what is tested here, not the cost.
const FAST = 1000;

const key = () => importSnapshotKey(b64urlDecode(FULL.key));
const expected = (content, extra = {}) => ({
  userId: content.user_id,
  workspaceId: content.workspace_id,
  ...extra,
});

/** Flip one bit of a base64url value. */
function flipBit(text, index = 0) {
  const bytes = b64urlDecode(text);
  bytes[index] ^= 1;
  return b64urlEncode(bytes);
}

async function refused(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof EnvelopeError, `${error}`);
    assert.equal(error.code, code);
    return true;
  });
}

test("base64url round-trips every byte value, without padding", () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const text = b64urlEncode(bytes);
  assert.doesNotMatch(text, /[+/=]/);
  assert.deepEqual(b64urlDecode(text), bytes);
  assert.deepEqual(
    b64urlDecode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"),
    b64urlDecode(FULL.key),
  );
});

test("base64url refuses characters of plain base64 and impossible lengths", () => {
  assert.throws(() => b64urlDecode("ab+/"), EnvelopeError);
  assert.throws(() => b64urlDecode("abcde"), EnvelopeError);
  assert.throws(() => b64urlDecode(42), EnvelopeError);
});

test("the full snapshot the Python code made opens to its document", async () => {
  const plain = await openEnvelope(FULL.envelope, await key(), expected(FULL, { kid: FULL.kid }));
  assert.deepEqual(plain, FULL.plaintext);
  assert.equal(
    plain.contacts.find((c) => c.name.startsWith("Ana")).phones[0].number,
    "+525512345678",
  );
});

test("the delta the Python code made opens to its changes when that base was asked for", async () => {
  const plain = await openEnvelope(DELTA.envelope, await key(), expected(DELTA, { base: 7 }));
  assert.deepEqual(plain, DELTA.plaintext);
});

test("an envelope for another user is refused before decrypting", async () => {
  await refused(
    openEnvelope(FULL.envelope, await key(), { ...expected(FULL), userId: OTHER_USER }),
    "aad",
  );
});

test("an envelope for another workspace is refused", async () => {
  const other = { ...expected(FULL), workspaceId: OTHER_USER };
  await refused(openEnvelope(FULL.envelope, await key(), other), "aad");
});

test("an envelope whose revision was changed does not open", async () => {
  // The attacker rewrites revision and aad together: the aad check passes, the tag does not.
  const revision = FULL.envelope.revision + 1;
  const forged = {
    ...FULL.envelope,
    revision,
    aad: `enlace-snapshot:v1:${FULL.user_id}:${FULL.workspace_id}:${revision}`,
  };
  await refused(openEnvelope(forged, await key(), expected(FULL)), "decrypt");
});

test("an envelope of another revision than asked for is refused", async () => {
  await refused(
    openEnvelope(FULL.envelope, await key(), expected(FULL, { revision: 8 })),
    "revision",
  );
  await refused(
    openEnvelope(FULL.envelope, await key(), expected(FULL, { minRevision: 8 })),
    "revision",
  );
});

test("an aad that does not name the envelope's revision is refused", async () => {
  const forged = { ...FULL.envelope, aad: FULL.envelope.aad.replace(/:7$/, ":8") };
  await refused(openEnvelope(forged, await key(), expected(FULL)), "aad");
});

test("a tampered ciphertext, iv or tag is refused", async () => {
  const k = await key();
  const { ciphertext, iv } = FULL.envelope;
  const last = b64urlDecode(ciphertext).length - 1;
  for (const forged of [
    { ...FULL.envelope, ciphertext: flipBit(ciphertext, 0) },
    { ...FULL.envelope, ciphertext: flipBit(ciphertext, last) },
    { ...FULL.envelope, iv: flipBit(iv, 3) },
  ]) {
    await refused(openEnvelope(forged, k, expected(FULL)), "decrypt");
  }
});

test("a delta from another base than asked for, or not asked for, is refused", async () => {
  const k = await key();
  await refused(openEnvelope(DELTA.envelope, k, expected(DELTA, { base: 6 })), "revision");
  await refused(openEnvelope(DELTA.envelope, k, expected(DELTA)), "revision");
});

test("a delta passed off as a full snapshot is refused", async () => {
  const { base, ...withoutBase } = DELTA.envelope;
  assert.equal(base, 7);
  await refused(openEnvelope(withoutBase, await key(), expected(DELTA)), "aad");
});

test("a full snapshot is accepted where a delta was asked for (the server may send one)", async () => {
  const plain = await openEnvelope(FULL.envelope, await key(), expected(FULL, { base: 3 }));
  assert.equal(plain.revision, 7);
});

test("an envelope under another kid is refused, so the caller can wipe and download afresh", async () => {
  await refused(openEnvelope(FULL.envelope, await key(), expected(FULL, { kid: "k-new" })), "kid");
});

test("the wrong key does not open an envelope", async () => {
  const wrong = await importSnapshotKey(randomBytes(32));
  await refused(openEnvelope(FULL.envelope, wrong, expected(FULL)), "decrypt");
});

test("malformed envelopes are refused as format errors", async () => {
  const k = await key();
  for (const bad of [
    null,
    { ...FULL.envelope, v: 2 },
    { ...FULL.envelope, alg: "none" },
    { ...FULL.envelope, revision: "7" },
    { ...FULL.envelope, iv: "AAAA" },
    { ...FULL.envelope, ciphertext: "not base64!" },
  ]) {
    await refused(openEnvelope(bad, k, expected(FULL)), "format");
  }
});

test("a full snapshot in the compact format opens to the same records", async () => {
  const k = await key();
  const opened = await openEnvelope(FULL_COMPACT.envelope, k, expected(FULL_COMPACT));
  assert.deepEqual(opened, FULL_COMPACT.plaintext);
  assert.deepEqual(opened, FULL.plaintext);
});

test("an authentic compact snapshot that does not read is a format error", async () => {
  const k = await key();
  const aad = `enlace-snapshot:v1:${FULL.user_id}:${FULL.workspace_id}:7`;
  const broken = { v: 2, revision: 7, contacts: { rows: 1, columns: [["id", "id", "AAAA"]] } };
  const iv = randomBytes(12);
  const gzipped = await new Response(
    new Blob([JSON.stringify(broken)]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  const ciphertext = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(aad) },
    k,
    gzipped,
  );
  const envelope = { ...FULL.envelope, iv: b64urlEncode(iv), ciphertext: b64urlEncode(ciphertext) };
  await refused(openEnvelope(envelope, k, expected(FULL)), "format");
});

test("an authentic envelope whose plaintext is not gzip is a format error, not a crash", async () => {
  const k = await key();
  const aad = `enlace-snapshot:v1:${FULL.user_id}:${FULL.workspace_id}:7`;
  const iv = randomBytes(12);
  const ciphertext = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(aad) },
    k,
    new TextEncoder().encode("{}"),
  );
  const envelope = {
    ...FULL.envelope,
    iv: b64urlEncode(iv),
    ciphertext: b64urlEncode(ciphertext),
  };
  await refused(openEnvelope(envelope, k, expected(FULL)), "format");
});

test("an envelope the page seals opens like the server's, bound the same way", async () => {
  const k = await key();
  const meta = { kid: "k1", userId: FULL.user_id, workspaceId: FULL.workspace_id };
  const sealed = await sealEnvelope(DELTA.plaintext, k, { ...meta, base: 7, revision: 9 });
  assert.equal(sealed.aad, DELTA.envelope.aad);
  assert.deepEqual(await openEnvelope(sealed, k, expected(FULL, { base: 7 })), DELTA.plaintext);
  await refused(openEnvelope(sealed, k, { ...expected(FULL), userId: OTHER_USER, base: 7 }), "aad");
});

test("a PIN wraps the snapshot key, which unwraps non-extractable and opens the envelope", async () => {
  const salt = randomBytes(16);
  const wrapping = await deriveWrappingKey("482913", salt, FAST);
  const wrapped = await wrapSnapshotKey(b64urlDecode(FULL.key), wrapping);
  assert.equal(wrapped.length, 40);
  const unwrapped = await unwrapSnapshotKey(wrapped, await deriveWrappingKey("482913", salt, FAST));
  assert.equal(unwrapped.extractable, false);
  assert.equal(unwrapped.algorithm.name, "AES-GCM");
  await assert.rejects(globalThis.crypto.subtle.exportKey("raw", unwrapped));
  assert.deepEqual(await openEnvelope(FULL.envelope, unwrapped, expected(FULL)), FULL.plaintext);
});

test("a wrong PIN, salt or iteration count does not unwrap the key", async () => {
  const salt = randomBytes(16);
  const wrapped = await wrapSnapshotKey(
    b64urlDecode(FULL.key),
    await deriveWrappingKey("482913", salt, FAST),
  );
  for (const wrong of [
    await deriveWrappingKey("482914", salt, FAST),
    await deriveWrappingKey("482913", randomBytes(16), FAST),
    await deriveWrappingKey("482913", salt, FAST + 1),
  ]) {
    await refused(unwrapSnapshotKey(wrapped, wrong), "decrypt");
  }
});

test("a passphrase unwraps whichever Unicode form its accents were typed in", async () => {
  const salt = randomBytes(16);
  const composed = "canción de cuna";
  const decomposed = composed.normalize("NFD");
  assert.notEqual(composed, decomposed);
  const wrapped = await wrapSnapshotKey(
    b64urlDecode(FULL.key),
    await deriveWrappingKey(composed, salt, FAST),
  );
  const unwrapped = await unwrapSnapshotKey(
    wrapped,
    await deriveWrappingKey(decomposed, salt, FAST),
  );
  assert.deepEqual(await openEnvelope(FULL.envelope, unwrapped, expected(FULL)), FULL.plaintext);
});

test("by default the PIN costs 600,000 PBKDF2 iterations, and the wrapping key stays inside", async () => {
  const salt = randomBytes(16);
  const byDefault = await deriveWrappingKey("482913", salt);
  assert.equal(byDefault.extractable, false);
  const wrapped = await wrapSnapshotKey(b64urlDecode(FULL.key), byDefault);
  const unwrapped = await unwrapSnapshotKey(
    wrapped,
    await deriveWrappingKey("482913", salt, 600_000),
  );
  assert.deepEqual(await openEnvelope(FULL.envelope, unwrapped, expected(FULL)), FULL.plaintext);
});

test("a passkey's PRF output wraps the same key a second time", async () => {
  const prf = randomBytes(32);
  const salt = randomBytes(16);
  const wrapped = await wrapSnapshotKey(
    b64urlDecode(FULL.key),
    await derivePrfWrappingKey(prf, salt),
  );
  const unwrapped = await unwrapSnapshotKey(wrapped, await derivePrfWrappingKey(prf, salt));
  assert.deepEqual(await openEnvelope(FULL.envelope, unwrapped, expected(FULL)), FULL.plaintext);
  await refused(
    unwrapSnapshotKey(wrapped, await derivePrfWrappingKey(randomBytes(32), salt)),
    "decrypt",
  );
});

test("the outbox mutation the Python fixture sealed opens here", async () => {
  const mutation = await openOutbox(
    OUTBOX.envelope,
    await key(),
    expected(OUTBOX, { kid: OUTBOX.kid }),
  );
  assert.deepEqual(mutation, OUTBOX.plaintext);
});

test("a sealed mutation of another user or with a swapped id does not open", async () => {
  const k = await key();
  await refused(openOutbox(OUTBOX.envelope, k, { ...expected(OUTBOX), userId: OTHER_USER }), "aad");
  const swapped = {
    ...OUTBOX.envelope,
    aad: OUTBOX.envelope.aad.replace(/[^:]+$/, "66666666-6666-4666-8666-666666666666"),
  };
  await refused(openOutbox(swapped, k, expected(OUTBOX)), "decrypt");
});

test("the page seals a mutation in the outbox format, and it opens only for its user", async () => {
  const k = await key();
  const meta = { kid: "k1", userId: OUTBOX.user_id, workspaceId: OUTBOX.workspace_id };
  const sealed = await sealOutbox(OUTBOX.plaintext, k, meta);
  assert.deepEqual(Object.keys(sealed).sort(), ["aad", "ciphertext", "iv", "kid"]);
  assert.equal(sealed.aad, OUTBOX.envelope.aad);
  assert.doesNotMatch(JSON.stringify(sealed), /WhatsApp/);
  assert.deepEqual(await openOutbox(sealed, k, meta), OUTBOX.plaintext);
  await refused(openOutbox(sealed, k, { ...meta, userId: OTHER_USER }), "aad");
});

// --- the binary envelope: the ciphertext as raw bytes, checked as any envelope ----------------

const binaryBody = () => b64urlDecode(DELTA_BINARY.binary);

/** The binary delta with its JSON header rewritten by `edit` (its length prefix follows). */
function withHeader(edit) {
  const body = binaryBody();
  const length = new DataView(body.buffer).getUint32(4);
  const header = new TextEncoder().encode(edit(new TextDecoder().decode(body.subarray(8, 8 + length))));
  const out = new Uint8Array(8 + header.length + body.length - 8 - length);
  out.set(body.subarray(0, 4));
  new DataView(out.buffer).setUint32(4, header.length);
  out.set(header, 8);
  out.set(body.subarray(8 + length), 8 + header.length);
  return out;
}

test("a binary delta made by the server reads to its fields and opens to its changes", async () => {
  const envelope = readBinaryEnvelope(binaryBody().buffer);
  for (const [name, value] of Object.entries(DELTA_BINARY.envelope)) {
    assert.deepEqual(envelope[name], value, name);
  }
  const plain = await openEnvelope(envelope, await key(), expected(DELTA_BINARY, { base: 7 }));
  assert.deepEqual(plain, DELTA_BINARY.plaintext);
});

test("a binary delta keeps the AAD checks: another user, base or revision is refused", async () => {
  const envelope = readBinaryEnvelope(binaryBody());
  const k = await key();
  await refused(openEnvelope(envelope, k, expected(DELTA_BINARY, { base: 6 })), "revision");
  const stranger = { ...expected(DELTA_BINARY, { base: 7 }), userId: OTHER_USER };
  await refused(openEnvelope(envelope, k, stranger), "aad");
  await refused(openEnvelope(envelope, k, expected(DELTA_BINARY, { base: 7, kid: "k-other" })), "kid");
});

test("a tampered binary envelope is refused", async () => {
  const k = await key();
  const want = expected(DELTA_BINARY, { base: 7 });
  // A flipped bit of the ciphertext: the tag does not check.
  const flipped = binaryBody();
  flipped[flipped.length - 20] ^= 1;
  await refused(openEnvelope(readBinaryEnvelope(flipped), k, want), "decrypt");
  // A header rewritten to claim another revision: its AAD no longer matches what is asked.
  const moved = withHeader((header) => header.replace(":7:9", ":7:8").replace('"revision":9', '"revision":8'));
  await refused(openEnvelope(readBinaryEnvelope(moved), k, expected(DELTA_BINARY, { base: 7 })), "decrypt");
  // Cut short, or not an envelope at all.
  assert.throws(() => readBinaryEnvelope(binaryBody().slice(0, 40)), EnvelopeError);
  assert.throws(() => readBinaryEnvelope(new TextEncoder().encode('{"v": 1}')), EnvelopeError);
  const extra = withHeader((header) => header.replace('"v":1', '"v":1,"x":2'));
  assert.throws(() => readBinaryEnvelope(extra), EnvelopeError);
});
