// The device's keyring (docs/ARCHITECTURE.md, 4.4): the snapshot key wrapped under the PIN or
// passphrase (and, optionally, a passkey), and the device session's unlock token sealed under
// the snapshot key, so that only an unlock gives either back. No DOM: the store is passed in,
// and `node --test` drives it with fake IndexedDB.

import {
  importSnapshotKey,
  openUnlockToken,
  randomBytes,
  sealUnlockToken,
  toBytes,
  unwrapSnapshotKey,
  wrapSnapshotKey,
} from "./crypto.js";
import { DEFAULT_KDF, deriveWrappingKey, isWeakerThanDefault } from "./kdf.js";

export { DEFAULT_KDF };

/** The PIN or passphrase did not unwrap the key (the caller counts a failed attempt). */
export class WrongSecret extends Error {
  constructor() {
    super("wrong PIN or passphrase");
    this.name = "WrongSecret";
  }
}

/** Return the derivation parameters of a wrap (wraps from before `kdf` name PBKDF2's count). */
export function kdfOf(wrap) {
  return wrap.kdf ?? { name: "pbkdf2", iterations: wrap.iterations };
}

async function derive(secret, salt, kdf) {
  // kdf.js refuses parameters a copied profile could use to hang the app (KdfParamsError).
  return deriveWrappingKey(secret, new Uint8Array(toBytes(salt)), kdf);
}

async function unlockedFrom(keys, key, userId, wrapping) {
  // A keyring from before the unlock token has none: the app asks for the password once.
  const token = keys.token
    ? await openUnlockToken(keys.token, key, { userId, kid: keys.kid })
    : null;
  return { key, kid: keys.kid, token, wrapping };
}

/**
 * Wrap a key fetched from the server (`{kid, key, unlock_token}`, base64url) under a new PIN or
 * passphrase; a passkey wrap of the same key is kept. Returns the unlocked keyring
 * `{key, kid, token, wrapping}`.
 */
export async function setUpKeyring(store, { userId, fetched, secret, kind, kdf = DEFAULT_KDF }) {
  const raw = toBytes(fetched.key);
  const salt = randomBytes(16);
  const wrappingKey = await derive(secret, salt, kdf);
  const wrapped = await wrapSnapshotKey(raw, wrappingKey);
  const key = await importSnapshotKey(raw);
  const token = fetched.unlock_token;
  const sealed = await sealUnlockToken(token, key, { userId, kid: fetched.kid });
  const held = await store.getKeys();
  const passkey = held?.kid === fetched.kid ? held.passkey : null;
  const pin = { kind, salt, kdf, wrapped };
  await store.putKeys({ kid: fetched.kid, pin, passkey, token: sealed });
  return { key, kid: fetched.kid, token, wrapping: { key: wrappingKey, ...pin } };
}

/** Unlock with the PIN or passphrase; throws WrongSecret when it does not unwrap the key. */
export async function openKeyring(store, { userId, secret }) {
  const keys = await store.getKeys();
  const kdf = kdfOf(keys.pin);
  const wrappingKey = await derive(secret, keys.pin.salt, kdf);
  let key;
  try {
    key = await unwrapSnapshotKey(keys.pin.wrapped, wrappingKey);
  } catch {
    throw new WrongSecret();
  }
  return unlockedFrom(keys, key, userId, { key: wrappingKey, ...keys.pin, kdf });
}

/** Tell whether the unlocked keyring's wrap is cheaper to guess than a new one would be. */
export function needsUpgrade(unlocked) {
  return Boolean(unlocked?.wrapping) && isWeakerThanDefault(unlocked.wrapping.kdf);
}

/**
 * Wrap the key again under the same PIN or passphrase with today's derivation (after an unlock
 * with an older, cheaper wrap), so that an old PIN costs an offline guesser what a new one does.
 * `fetched` is the server's `{kid, key}` (the raw key is not kept in memory); the passkey wrap
 * and the token stay.
 */
export async function upgradeKeyring(store, unlocked, { userId, secret, fetched, kdf = DEFAULT_KDF }) {
  const keys = await store.getKeys();
  if (fetched.kid !== keys.kid) return unlocked;
  const salt = randomBytes(16);
  const wrappingKey = await derive(secret, salt, kdf);
  const wrapped = await wrapSnapshotKey(toBytes(fetched.key), wrappingKey);
  const pin = { kind: keys.pin.kind, salt, kdf, wrapped };
  await store.putKeys({ ...keys, pin });
  return { ...unlocked, wrapping: { key: wrappingKey, ...pin } };
}

/** Finish an unlock by passkey (passkey.js unwrapped `key`): the token opens with it. */
export async function openKeyringWith(store, { userId, key }) {
  return unlockedFrom(await store.getKeys(), key, userId, null);
}

/** Keep a renewed unlock token (after the password was entered again) under the held key. */
export async function replaceToken(store, unlocked, { userId, token }) {
  const keys = await store.getKeys();
  const sealed = await sealUnlockToken(token, unlocked.key, { userId, kid: keys.kid });
  await store.putKeys({ ...keys, token: sealed });
  return { ...unlocked, token };
}

/**
 * The user's key rotated: wrap the new one under the same PIN or passphrase (the passkey wrap,
 * of the old key, goes). Returns the new unlocked keyring, or null when the keyring was opened
 * by passkey and a PIN must be chosen again.
 */
export async function rewrapKeyring(store, unlocked, { userId, fetched }) {
  if (!unlocked.wrapping) return null;
  const raw = toBytes(fetched.key);
  const { key: wrappingKey, ...pin } = unlocked.wrapping;
  const wrapped = await wrapSnapshotKey(raw, wrappingKey);
  const key = await importSnapshotKey(raw);
  const token = fetched.unlock_token;
  const sealed = await sealUnlockToken(token, key, { userId, kid: fetched.kid });
  await store.putKeys({ kid: fetched.kid, pin: { ...pin, wrapped }, passkey: null, token: sealed });
  return { key, kid: fetched.kid, token, wrapping: unlocked.wrapping };
}
