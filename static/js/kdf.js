// The key-derivation function that turns a PIN or passphrase into the key wrapping the snapshot
// key. WebCrypto only, no DOM: runs in the page, the service worker and Node 20 (`node --test`).
//
// PBKDF2-SHA256 was measured against Argon2id (hash-wasm's WebAssembly build) by
// bench/kdf_bench.py: within the same unlock time on a phone 4× slower than the bench machine,
// PBKDF2 (native in the browser, as fast as the attacker's code) costs an attacker's CPU 2.5×
// more per guess than Argon2id (WebAssembly on the main thread, slower than native and slowed
// by the whole 4×). docs/PERFORMANCE.md, "Key derivation", has the figures and what a GPU changes.

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();

/** What every device made before the KDF was chosen by measurement stores: it must still unlock. */
export const LEGACY_KDF = Object.freeze({ name: "pbkdf2", iterations: 600_000 });

/** The KDF of a new PIN or passphrase (bench/kdf_bench.py's choice); tests may pass less. */
export const DEFAULT_KDF = Object.freeze({ name: "pbkdf2", iterations: 3_000_000 });

// Bounds on params read back from storage: a copied or edited profile must not make the app
// hang. 10,000,000 iterations take 1.5 s on the bench machine, about 6 s on a slow phone.
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MIN_SALT_BYTES = 16;

/** KDF params that are unknown, malformed or out of bounds. */
export class KdfParamsError extends TypeError {
  constructor(message) {
    super(message);
    this.name = "KdfParamsError";
  }
}

/** Return a frozen copy of valid KDF params; throw KdfParamsError for anything else. */
export function checkKdf(kdf) {
  if (kdf === null || typeof kdf !== "object" || Array.isArray(kdf)) {
    throw new KdfParamsError("KDF params must be an object");
  }
  if (kdf.name !== "pbkdf2") throw new KdfParamsError(`unsupported KDF ${JSON.stringify(kdf.name)}`);
  const extra = Object.keys(kdf).filter((key) => key !== "name" && key !== "iterations");
  if (extra.length > 0) throw new KdfParamsError(`unknown pbkdf2 params: ${extra.join(", ")}`);
  const { iterations } = kdf;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new KdfParamsError(`pbkdf2 iterations must be an integer from 1 to ${MAX_PBKDF2_ITERATIONS}`);
  }
  return Object.freeze({ name: "pbkdf2", iterations });
}

/** Tell whether a wrap made with `kdf` is weaker than a new one would be (re-wrap it then). */
export function isWeakerThanDefault(kdf) {
  return checkKdf(kdf).iterations < DEFAULT_KDF.iterations;
}

/** Derive the non-extractable AES-KW key (wrapKey, unwrapKey) of a PIN or passphrase. */
export async function deriveWrappingKey(secret, salt, kdf = DEFAULT_KDF) {
  if (typeof secret !== "string" || secret.length === 0) throw new TypeError("empty secret");
  if (!(salt instanceof Uint8Array) || salt.length < MIN_SALT_BYTES) {
    throw new TypeError(`the salt is a Uint8Array of at least ${MIN_SALT_BYTES} bytes`);
  }
  const { iterations } = checkKdf(kdf);
  // NFC, so a passphrase with accents typed on another keyboard still unlocks.
  const material = await subtle.importKey(
    "raw",
    encoder.encode(secret.normalize("NFC")),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-KW", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}
