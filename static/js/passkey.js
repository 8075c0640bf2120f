// A passkey as a second way to unlock: the WebAuthn PRF extension gives 32 secret bytes per
// credential and salt, from which crypto.js derives a key that wraps the snapshot key a second
// time (docs/ARCHITECTURE.md). The PIN stays as the fallback. Browser only (navigator.credentials).

import { derivePrfWrappingKey, randomBytes, toBytes, unwrapSnapshotKey, wrapSnapshotKey } from "./crypto.js";

/** Tell whether this browser can be asked for a passkey at all (PRF is known only on creation). */
export function passkeysAvailable() {
  return Boolean(globalThis.PublicKeyCredential && navigator.credentials?.create);
}

async function prfOutput(credentialId, prfSalt) {
  const assertion = await navigator.credentials.get({
    publicKey: {
      challenge: randomBytes(32),
      allowCredentials: [{ type: "public-key", id: credentialId }],
      userVerification: "required",
      extensions: { prf: { eval: { first: prfSalt } } },
    },
  });
  const first = assertion?.getClientExtensionResults().prf?.results?.first;
  if (!first) throw new Error("prf-unsupported");
  return first;
}

/**
 * Create a passkey and wrap the raw snapshot key under it; return the wrap to store
 * (`{salt, wrapped, credentialId, prfSalt}`). Throws Error("prf-unsupported") without PRF.
 */
export async function createPasskeyWrap(rawKey, user) {
  const prfSalt = randomBytes(32);
  const credential = await navigator.credentials.create({
    publicKey: {
      rp: { name: "Enlace" },
      user: { id: new TextEncoder().encode(user.id), name: user.email, displayName: user.name },
      challenge: randomBytes(32),
      pubKeyCredParams: [
        { type: "public-key", alg: -7 },
        { type: "public-key", alg: -257 },
      ],
      authenticatorSelection: { residentKey: "preferred", userVerification: "required" },
      extensions: { prf: { eval: { first: prfSalt } } },
    },
  });
  const prf = credential?.getClientExtensionResults().prf;
  if (!prf?.enabled) throw new Error("prf-unsupported");
  const credentialId = new Uint8Array(credential.rawId).slice().buffer;
  // Some authenticators give the PRF result on creation; the others need one assertion.
  const output = prf.results?.first ?? (await prfOutput(credentialId, prfSalt));
  const salt = randomBytes(16);
  const wrapped = await wrapSnapshotKey(rawKey, await derivePrfWrappingKey(output, salt));
  return { salt, wrapped, credentialId, prfSalt: prfSalt.slice().buffer };
}

/** Ask for the passkey and unwrap the snapshot key with it (non-extractable). */
export async function unlockWithPasskey(wrap) {
  const output = await prfOutput(wrap.credentialId, wrap.prfSalt);
  const wrappingKey = await derivePrfWrappingKey(output, toBytes(wrap.salt));
  return unwrapSnapshotKey(wrap.wrapped, wrappingKey);
}
