// Keys and envelopes of the offline copy (docs/ARCHITECTURE.md, 4.5).
// WebCrypto only, no DOM: runs in the page, the service worker and Node 20 (`node --test`).

import { deriveWrappingKey as deriveWithKdf } from "./kdf.js";
import { CompactError, expand, isCompact } from "./compact.js";

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** PBKDF2-SHA256 iterations for a PIN or passphrase; tests may pass fewer, the app never. */
export const PBKDF2_ITERATIONS = 600_000;

const ENVELOPE_VERSION = 1;
const ALG = "A256GCM";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** An envelope or sealed value that must not be trusted; `code` says why. */
export class EnvelopeError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "EnvelopeError";
    this.code = code; // "format" | "kid" | "aad" | "revision" | "decrypt"
  }
}

// --- base64url ------------------------------------------------------------------------------

/** Encode bytes as base64url without padding. */
export function b64urlEncode(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (let i = 0; i < view.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decode base64url (padding optional) to bytes; throw EnvelopeError on anything else. */
export function b64urlDecode(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new EnvelopeError("format", "not base64url");
  }
  const plain = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(plain + "=".repeat((4 - (plain.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Return bytes as they are, or decoded from base64url (envelopes as stored or as received). */
export function toBytes(value) {
  if (typeof value === "string") return b64urlDecode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new EnvelopeError("format", "not bytes");
}

/** Return `n` random bytes. */
export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

// --- the snapshot key and its wraps ---------------------------------------------------------

/**
 * Derive the AES-KW key that wraps the snapshot key from a PIN or passphrase with PBKDF2 at
 * `iterations` (the wraps made before kdf.js, whose parameters it reads; kdf.js does the work).
 */
export async function deriveWrappingKey(pin, salt, iterations = PBKDF2_ITERATIONS) {
  return deriveWithKdf(pin, toBytes(salt).slice(), { name: "pbkdf2", iterations });
}

/** Derive the AES-KW key of a passkey's second wrap from its WebAuthn PRF output (HKDF-SHA256). */
export async function derivePrfWrappingKey(prfOutput, salt) {
  const material = await subtle.importKey("raw", prfOutput, "HKDF", false, ["deriveKey"]);
  return subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: encoder.encode("enlace-prf-wrap:v1") },
    material,
    { name: "AES-KW", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

/** Wrap the 32 raw bytes of the snapshot key (AES-KW, RFC 3394): 40 bytes to store. */
export async function wrapSnapshotKey(rawKey, wrappingKey) {
  const raw = rawKey instanceof Uint8Array ? rawKey : new Uint8Array(rawKey);
  if (raw.length !== KEY_BYTES) throw new TypeError("the snapshot key has 32 bytes");
  // Extractable only for the wrap itself; this key object is dropped at once.
  const key = await subtle.importKey("raw", raw, "AES-GCM", true, ["encrypt"]);
  return new Uint8Array(await subtle.wrapKey("raw", key, wrappingKey, "AES-KW"));
}

/** Unwrap the snapshot key as a non-extractable AES-GCM key; a wrong PIN throws EnvelopeError. */
export async function unwrapSnapshotKey(wrapped, wrappingKey) {
  try {
    return await subtle.unwrapKey(
      "raw",
      wrapped,
      wrappingKey,
      "AES-KW",
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
  } catch (error) {
    // AES-KW's integrity check fails for a wrong PIN: the caller counts a failed attempt.
    throw new EnvelopeError("decrypt", `the key does not unwrap: ${error.name}`);
  }
}

/** Import the snapshot key from its raw bytes as a non-extractable AES-GCM key. */
export async function importSnapshotKey(rawKey) {
  const raw = rawKey instanceof Uint8Array ? rawKey : new Uint8Array(rawKey);
  if (raw.length !== KEY_BYTES) throw new TypeError("the snapshot key has 32 bytes");
  return subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

// --- gzip -----------------------------------------------------------------------------------

/** Decompress gzip bytes (DecompressionStream). */
export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Compress bytes with gzip (CompressionStream). */
export async function gzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// --- envelopes ------------------------------------------------------------------------------

/** Return the associated data of a full snapshot envelope. */
export function snapshotAad(userId, workspaceId, revision) {
  return `enlace-snapshot:v1:${userId}:${workspaceId}:${revision}`;
}

/** Return the associated data of a delta envelope from revision `base` to `revision`. */
export function deltaAad(userId, workspaceId, base, revision) {
  return `enlace-delta:v1:${userId}:${workspaceId}:${base}:${revision}`;
}

/** Return the associated data of a sealed outbox mutation. */
export function outboxAad(userId, workspaceId, mutationId) {
  return `enlace-outbox:v1:${userId}:${workspaceId}:${mutationId}`;
}

function isRevision(value) {
  return Number.isSafeInteger(value) && value >= 0;
}

async function decrypt(key, iv, ciphertext, aad) {
  try {
    return new Uint8Array(
      await subtle.decrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(aad), tagLength: 128 },
        key,
        ciphertext,
      ),
    );
  } catch (error) {
    throw new EnvelopeError("decrypt", `the envelope does not open: ${error.name}`);
  }
}

async function encrypt(key, plaintext, aad) {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(aad), tagLength: 128 },
    key,
    plaintext,
  );
  return { iv: b64urlEncode(iv), ciphertext: b64urlEncode(ciphertext) };
}

function parseJson(bytes) {
  try {
    return JSON.parse(strictDecoder.decode(bytes));
  } catch {
    throw new EnvelopeError("format", "the plaintext is not JSON");
  }
}

function checkShape(envelope) {
  if (envelope === null || typeof envelope !== "object") {
    throw new EnvelopeError("format", "not an envelope");
  }
  if (envelope.v !== ENVELOPE_VERSION || envelope.alg !== ALG) {
    throw new EnvelopeError("format", "unknown envelope version or algorithm");
  }
  if (typeof envelope.kid !== "string" || typeof envelope.aad !== "string") {
    throw new EnvelopeError("format", "kid and aad must be strings");
  }
  if (!isRevision(envelope.revision)) throw new EnvelopeError("format", "bad revision");
  if (envelope.base !== undefined && !isRevision(envelope.base)) {
    throw new EnvelopeError("format", "bad base revision");
  }
  const iv = toBytes(envelope.iv);
  const ciphertext = toBytes(envelope.ciphertext);
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new EnvelopeError("format", "bad iv or ciphertext length");
  }
  return { iv, ciphertext };
}

// --- the binary envelope (docs/ARCHITECTURE.md, 4.5) -----------------------------------------

/** The binary envelope's media type (asked for with Accept) and first bytes ("ENV1"). */
export const ENVELOPE_TYPE = "application/vnd.enlace.envelope";
const BINARY_MAGIC = [0x45, 0x4e, 0x56, 0x31];

/**
 * Read a binary envelope (magic, header length as 4 bytes big-endian, JSON header of the public
 * fields, 12-byte iv, ciphertext with its tag) into the same object as a JSON envelope, with
 * `iv` and `ciphertext` as bytes. Checks only its layout: checkEnvelope and openEnvelope check
 * it as they check any envelope. Throws EnvelopeError.
 */
export function readBinaryEnvelope(buffer) {
  const bytes = toBytes(buffer);
  if (bytes.length < 8 || BINARY_MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new EnvelopeError("format", "not a binary envelope");
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4);
  const start = 8 + length;
  if (start + IV_BYTES + TAG_BYTES > bytes.length) {
    throw new EnvelopeError("format", "a binary envelope cut short");
  }
  const header = parseHeader(bytes.subarray(8, start));
  const fields = new Set(["v", "alg", "kid", "revision", "base", "aad"]);
  if (Object.keys(header).some((name) => !fields.has(name))) {
    throw new EnvelopeError("format", "unknown field in a binary envelope");
  }
  return {
    ...header,
    iv: bytes.slice(start, start + IV_BYTES),
    ciphertext: bytes.slice(start + IV_BYTES),
  };
}

function parseHeader(bytes) {
  let header;
  try {
    header = JSON.parse(strictDecoder.decode(bytes));
  } catch {
    throw new EnvelopeError("format", "the envelope's header is not JSON");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new EnvelopeError("format", "the envelope's header is not an object");
  }
  return header;
}

/**
 * Open a full or delta envelope after checking it is the one asked for; return its plaintext.
 *
 * `expected`: `{userId, workspaceId}` always; optionally `kid`, `revision` (exact),
 * `minRevision` (refuse an older copy than held) and `base` (the `since=` asked for: a delta
 * must start there; a full answer is accepted in its place, as the server may send one).
 */
export async function openEnvelope(envelope, key, expected) {
  const { iv, ciphertext, aad } = checkEnvelope(envelope, expected);
  const compressed = await decrypt(key, iv, ciphertext, aad);
  let bytes;
  try {
    bytes = await gunzip(compressed);
  } catch {
    throw new EnvelopeError("format", "the plaintext is not gzip");
  }
  let plaintext = parseJson(bytes);
  if (plaintext === null || typeof plaintext !== "object") {
    throw new EnvelopeError("format", "the plaintext is not an object");
  }
  const isDelta = envelope.base !== undefined;
  if (!isDelta && isCompact(plaintext)) {
    // The compact snapshot (webapp/snapshot/compact.py): everything past here sees records.
    try {
      plaintext = expand(plaintext);
    } catch (error) {
      if (!(error instanceof CompactError)) throw error;
      throw new EnvelopeError("format", `the compact snapshot does not read: ${error.message}`);
    }
  }
  if (isDelta && !Array.isArray(plaintext.changes)) {
    throw new EnvelopeError("format", "a delta without changes");
  }
  if (
    !isDelta &&
    (plaintext.revision !== envelope.revision || !Array.isArray(plaintext.contacts))
  ) {
    throw new EnvelopeError("format", "the snapshot does not match its envelope");
  }
  return plaintext;
}

/**
 * Check an envelope against what was asked for, without the key (the service worker has none);
 * return `{iv, ciphertext, aad}`. `expected` is as for openEnvelope. Throws EnvelopeError.
 */
export function checkEnvelope(envelope, expected) {
  const { iv, ciphertext } = checkShape(envelope);
  const { userId, workspaceId } = expected;
  if (!userId || !workspaceId) throw new TypeError("expected.userId and workspaceId are required");
  if (expected.kid !== undefined && envelope.kid !== expected.kid) {
    throw new EnvelopeError("kid", "the envelope is under another key");
  }
  if (expected.revision !== undefined && envelope.revision !== expected.revision) {
    throw new EnvelopeError("revision", "not the revision asked for");
  }
  if (expected.minRevision !== undefined && envelope.revision < expected.minRevision) {
    throw new EnvelopeError("revision", "older than the copy held");
  }
  const isDelta = envelope.base !== undefined;
  let aad;
  if (isDelta) {
    if (expected.base === undefined || envelope.base !== expected.base) {
      throw new EnvelopeError("revision", "a delta from a revision not asked for");
    }
    if (envelope.revision <= envelope.base) throw new EnvelopeError("revision", "empty delta");
    aad = deltaAad(userId, workspaceId, envelope.base, envelope.revision);
  } else {
    aad = snapshotAad(userId, workspaceId, envelope.revision);
  }
  // Compared before decrypting, and the expected string (not the envelope's) is what the tag
  // is checked against: an envelope for another user, workspace or revision never opens.
  if (envelope.aad !== aad) throw new EnvelopeError("aad", "the envelope is not for this copy");
  return { iv, ciphertext, aad };
}

/**
 * Seal a plaintext object as an envelope in the server's format (the page stores what sync
 * returned this way): `meta` is `{kid, userId, workspaceId, revision}` plus `base` for a delta.
 */
export async function sealEnvelope(plaintext, key, meta) {
  const { kid, userId, workspaceId, revision, base } = meta;
  const isDelta = base !== undefined;
  const aad = isDelta
    ? deltaAad(userId, workspaceId, base, revision)
    : snapshotAad(userId, workspaceId, revision);
  const data = await gzip(encoder.encode(JSON.stringify(plaintext)));
  const { iv, ciphertext } = await encrypt(key, data, aad);
  const envelope = { v: ENVELOPE_VERSION, alg: ALG, kid, revision };
  if (isDelta) envelope.base = base;
  return { ...envelope, iv, aad, ciphertext };
}

// --- the unlock token -----------------------------------------------------------------------

/** Return the associated data of the device session's unlock token, sealed under a key. */
export function unlockTokenAad(userId, kid) {
  return `enlace-unlock:v1:${userId}:${kid}`;
}

/**
 * Seal the device session's unlock token under the snapshot key, so that only an unlock (PIN,
 * passphrase or passkey) gives it back: `{iv, ciphertext}` as bytes, to store.
 */
export async function sealUnlockToken(token, key, { userId, kid }) {
  if (typeof token !== "string" || token === "") throw new TypeError("no unlock token");
  const { iv, ciphertext } = await encrypt(key, encoder.encode(token), unlockTokenAad(userId, kid));
  return { iv: toBytes(iv), ciphertext: toBytes(ciphertext) };
}

/** Open the sealed unlock token; throws EnvelopeError when it is not this user's and key's. */
export async function openUnlockToken(sealed, key, { userId, kid }) {
  const iv = toBytes(sealed.iv);
  const ciphertext = toBytes(sealed.ciphertext);
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new EnvelopeError("format", "bad iv or ciphertext length");
  }
  const bytes = await decrypt(key, iv, ciphertext, unlockTokenAad(userId, kid));
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new EnvelopeError("format", "the token is not text");
  }
}

// --- the outbox -----------------------------------------------------------------------------

/** Seal a pending mutation for the outbox: `{kid, iv, aad, ciphertext}` over its JSON. */
export async function sealOutbox(mutation, key, { kid, userId, workspaceId }) {
  if (typeof mutation?.id !== "string" || mutation.id === "") {
    throw new TypeError("a mutation needs its id");
  }
  const aad = outboxAad(userId, workspaceId, mutation.id);
  const { iv, ciphertext } = await encrypt(key, encoder.encode(JSON.stringify(mutation)), aad);
  return { kid, iv, aad, ciphertext };
}

/** Open a sealed outbox mutation of this user and workspace; return the mutation. */
export async function openOutbox(sealed, key, { userId, workspaceId, kid }) {
  if (sealed === null || typeof sealed !== "object" || typeof sealed.aad !== "string") {
    throw new EnvelopeError("format", "not a sealed mutation");
  }
  if (kid !== undefined && sealed.kid !== kid) {
    throw new EnvelopeError("kid", "sealed under another key");
  }
  const prefix = outboxAad(userId, workspaceId, "");
  const mutationId = sealed.aad.startsWith(prefix) ? sealed.aad.slice(prefix.length) : "";
  if (mutationId === "" || mutationId.includes(":")) {
    throw new EnvelopeError("aad", "not a mutation of this user and workspace");
  }
  const iv = toBytes(sealed.iv);
  const ciphertext = toBytes(sealed.ciphertext);
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new EnvelopeError("format", "bad iv or ciphertext length");
  }
  const mutation = parseJson(await decrypt(key, iv, ciphertext, sealed.aad));
  if (mutation?.id !== mutationId) {
    throw new EnvelopeError("aad", "the mutation id does not match its seal");
  }
  return mutation;
}

// --- the saved search index ----------------------------------------------------------------

/**
 * Return the associated data of a workspace's saved search index, or of one `part` of it
 * (search-host.js: `"2of2"`, the index of a share of the contacts).
 */
export function searchIndexAad(userId, workspaceId, part = "") {
  return `enlace-search-index:v1:${userId}:${workspaceId}${part ? `:${part}` : ""}`;
}

/**
 * Seal a saved search index (search.js `toJSON`: the contacts' text, as confidential as they
 * are) under the snapshot key, gzip of its JSON inside: `{kid, iv, aad, ciphertext}`, bytes, to
 * store beside the envelopes (store.js `putSearchIndex`).
 */
export async function sealSearchIndex(saved, key, { kid, userId, workspaceId, part = "" }) {
  const data = await gzip(encoder.encode(JSON.stringify(saved)));
  const iv = randomBytes(IV_BYTES);
  const aad = searchIndexAad(userId, workspaceId, part);
  const params = { name: "AES-GCM", iv, additionalData: encoder.encode(aad), tagLength: 128 };
  const ciphertext = new Uint8Array(await subtle.encrypt(params, key, data));
  return { kid, iv, aad, ciphertext };
}

/**
 * Open a sealed search index of this user, workspace (and `part` of it) and key; throws
 * EnvelopeError otherwise.
 */
export async function openSearchIndex(sealed, key, { kid, userId, workspaceId, part = "" }) {
  if (sealed === null || typeof sealed !== "object") {
    throw new EnvelopeError("format", "not a sealed search index");
  }
  if (kid !== undefined && sealed.kid !== kid) {
    throw new EnvelopeError("kid", "sealed under another key");
  }
  // The expected AAD (not the stored one) is what the tag is checked against.
  const aad = searchIndexAad(userId, workspaceId, part);
  if (sealed.aad !== aad) throw new EnvelopeError("aad", "not this workspace's index");
  const iv = toBytes(sealed.iv);
  const ciphertext = toBytes(sealed.ciphertext);
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new EnvelopeError("format", "bad iv or ciphertext length");
  }
  const compressed = await decrypt(key, iv, ciphertext, aad);
  let bytes;
  try {
    bytes = await gunzip(compressed);
  } catch {
    throw new EnvelopeError("format", "the plaintext is not gzip");
  }
  return parseJson(bytes);
}
