// Drafts: an open form's values, sealed at rest like the outbox, so that a lock or a killed tab
// loses nothing typed (docs/ARCHITECTURE.md, 5: `drafts`). No DOM; WebCrypto only.

import { b64urlEncode, EnvelopeError, randomBytes, toBytes } from "./crypto.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Return the associated data of a sealed draft. */
export function draftAad(userId, workspaceId, draftId) {
  return `enlace-draft:v1:${userId}:${workspaceId}:${draftId}`;
}

function checkId(draftId) {
  if (typeof draftId !== "string" || draftId === "") throw new TypeError("a draft needs its id");
}

/** Seal a draft (`{id, savedAt, values}`) as `{kid, iv, aad, ciphertext}` (AES-256-GCM). */
export async function sealDraft(draft, key, { kid, userId, workspaceId }) {
  checkId(draft?.id);
  const aad = draftAad(userId, workspaceId, draft.id);
  const iv = randomBytes(IV_BYTES);
  const plaintext = encoder.encode(JSON.stringify(draft));
  const params = { name: "AES-GCM", iv, additionalData: encoder.encode(aad), tagLength: 128 };
  const ciphertext = await subtle.encrypt(params, key, plaintext);
  return { kid, iv: b64urlEncode(iv), aad, ciphertext: b64urlEncode(ciphertext) };
}

/** Open a sealed draft of this user, workspace and draft id; throw EnvelopeError otherwise. */
export async function openDraft(sealed, key, { kid, userId, workspaceId, draftId }) {
  checkId(draftId);
  if (sealed === null || typeof sealed !== "object") {
    throw new EnvelopeError("format", "not a sealed draft");
  }
  if (kid !== undefined && sealed.kid !== kid) {
    throw new EnvelopeError("kid", "sealed under another key");
  }
  // The expected AAD (not the stored one) is what the tag is checked against.
  const aad = draftAad(userId, workspaceId, draftId);
  if (sealed.aad !== aad) throw new EnvelopeError("aad", "not this draft");
  const iv = toBytes(sealed.iv);
  const ciphertext = toBytes(sealed.ciphertext);
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new EnvelopeError("format", "bad iv or ciphertext length");
  }
  const params = { name: "AES-GCM", iv, additionalData: encoder.encode(aad), tagLength: 128 };
  let bytes;
  try {
    bytes = await subtle.decrypt(params, key, ciphertext);
  } catch (error) {
    throw new EnvelopeError("decrypt", `the draft does not open: ${error.name}`);
  }
  let draft;
  try {
    draft = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new EnvelopeError("format", "the draft is not JSON");
  }
  if (draft?.id !== draftId) throw new EnvelopeError("aad", "the draft id does not match");
  return draft;
}

/**
 * Return the drafts of one user over the store (store.js), sealed with the snapshot key
 * (`key`, `kid`) while the app is unlocked; `now` for tests. A draft is `{id, savedAt,
 * values}`: `values` is whatever the form needs to come back (JSON).
 */
export function createDrafts({ store, key, kid, userId, now = Date.now }) {
  const ids = (workspaceId) => ({ kid, userId, workspaceId });

  /** Seal and keep a form's values under its draft id (e.g. the record's id). */
  async function save(workspaceId, draftId, values) {
    const draft = { id: draftId, savedAt: now(), values };
    await store.putDraft(workspaceId, draftId, await sealDraft(draft, key, ids(workspaceId)));
    return draft;
  }

  /** Return a draft, opened, or null when there is none. */
  async function load(workspaceId, draftId) {
    const sealed = await store.getDraft(workspaceId, draftId);
    if (!sealed) return null;
    return openDraft(sealed, key, { ...ids(workspaceId), draftId });
  }

  /** Return the workspace's drafts that open with this key, oldest first. */
  async function list(workspaceId) {
    const drafts = [];
    for (const { draftId, sealed } of await store.listDrafts(workspaceId)) {
      try {
        drafts.push(await openDraft(sealed, key, { ...ids(workspaceId), draftId }));
      } catch (error) {
        // Sealed under a key since rotated: unreadable, and wiped with that key's data.
        if (!(error instanceof EnvelopeError)) throw error;
      }
    }
    return drafts.sort((a, b) => a.savedAt - b.savedAt);
  }

  /** Remove a draft (its form was saved or discarded). */
  async function remove(workspaceId, draftId) {
    await store.removeDraft(workspaceId, draftId);
  }

  return { save, load, list, remove };
}
