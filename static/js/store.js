// The device's copy in IndexedDB (through idb), one database per user (docs/ARCHITECTURE.md, 5).
// Only ciphertext for anything confidential; bytes are stored as ArrayBuffer, never Blob
// (WebKit fails on Blobs). Callers encrypt BEFORE calling: no function here awaits anything
// but IndexedDB inside a transaction, which would commit itself meanwhile.

import { deleteDB, openDB } from "../vendor/idb.js";
import { EnvelopeError, toBytes } from "./crypto.js";
import { VISIBILITY } from "./labels.js";

const DB_VERSION = 2;
const KEYS_RECORD = "snapshot";
const USER_SCOPE = ""; // meta of the user, not of one workspace
const DB_PREFIX = "enlace-";
// The meta record of a workspace that holds its sealed search index.
const SEARCH_INDEX = "search_index";
const searchIndexName = (part) => (part ? `${SEARCH_INDEX}:${part}` : SEARCH_INDEX);

/** Return the name of a user's database. */
export function databaseName(userId) {
  return `${DB_PREFIX}${userId}`;
}

/** Return the ids of the users whose copy this device holds (the service worker has no
 * localStorage to ask). */
export async function storedUserIds(factory = globalThis.indexedDB) {
  const databases = await factory.databases();
  return databases
    .map(({ name }) => name ?? "")
    .filter((name) => name.startsWith(DB_PREFIX))
    .map((name) => name.slice(DB_PREFIX.length));
}

function buffer(value) {
  if (value instanceof Blob) throw new EnvelopeError("format", "a Blob is never stored");
  const bytes = toBytes(value);
  // A copy that owns exactly these bytes, not a view into a larger buffer.
  return bytes.slice().buffer;
}

function sealedRecord(sealed) {
  if (!sealed || typeof sealed.aad !== "string" || sealed.ciphertext === undefined) {
    throw new EnvelopeError("format", "only sealed values are stored");
  }
  return {
    kid: sealed.kid,
    aad: sealed.aad,
    iv: buffer(sealed.iv),
    ciphertext: buffer(sealed.ciphertext),
  };
}

function workspaceRange(workspaceId) {
  // Arrays sort after every string and number: [ws] .. [ws, []] holds every [ws, ...] key.
  return IDBKeyRange.bound([workspaceId], [workspaceId, []]);
}

function envelopeRecord(workspaceId, envelope) {
  const isDelta = envelope.base !== undefined;
  const record = {
    key: isDelta ? [workspaceId, "delta", envelope.base, envelope.revision] : [workspaceId, "full"],
    workspaceId,
    v: envelope.v,
    alg: envelope.alg,
    kid: envelope.kid,
    revision: envelope.revision,
    aad: envelope.aad,
    iv: buffer(envelope.iv),
    ciphertext: buffer(envelope.ciphertext),
  };
  if (isDelta) record.base = envelope.base;
  return record;
}

function asEnvelope(record) {
  const { key: _key, workspaceId: _workspace, ...envelope } = record;
  return envelope;
}

function upgrade(db, oldVersion) {
  // Each step adds what its version brought, so a device's data survives the upgrade.
  if (oldVersion < 1) {
    db.createObjectStore("keys");
    db.createObjectStore("envelopes", { keyPath: "key" });
    db.createObjectStore("outbox", { keyPath: "key" });
    db.createObjectStore("public", { keyPath: "workspaceId" });
    db.createObjectStore("meta");
  }
  if (oldVersion < 2) db.createObjectStore("drafts", { keyPath: "key" });
}

/** Open (creating if needed) the user's local database; returns the store's functions. */
export async function openStore(userId) {
  const db = await openDB(databaseName(userId), DB_VERSION, {
    upgrade,
    // Another tab wipes or upgrades: let it, this connection is stale.
    blocking() {
      db.close();
    },
  });

  /** Return the wrapped snapshot key record (`{kid, pin, passkey}`), if any. */
  async function getKeys() {
    return db.get("keys", KEYS_RECORD);
  }

  /**
   * Keep the wrapped snapshot key and the sealed unlock token: `{kid, pin: {kind, salt, kdf,
   * wrapped}, passkey, token: {iv, ciphertext}}` (keyring.js makes them).
   */
  async function putKeys({ kid, pin, passkey = null, token = null }) {
    const wrap = (w) => w && { ...w, salt: buffer(w.salt), wrapped: buffer(w.wrapped) };
    const sealed = token && { iv: buffer(token.iv), ciphertext: buffer(token.ciphertext) };
    await db.put("keys", { kid, pin: wrap(pin), passkey: wrap(passkey), token: sealed }, KEYS_RECORD);
  }

  /**
   * Keep an envelope as received. A full one replaces the previous full one and every delta it
   * covers, in one transaction. An older full one than held, or a delta the full one already
   * covers, is not kept (returns false). `replace` (a full one only): every envelope of the
   * workspace goes, whatever its revision — the server's database was restored, and what the
   * copy held past its revision belongs to a timeline that no longer exists. The outbox stays.
   */
  async function putEnvelope(workspaceId, envelope, { replace = false } = {}) {
    const record = envelopeRecord(workspaceId, envelope);
    const tx = db.transaction("envelopes", "readwrite");
    const isFull = record.base === undefined;
    if (replace) {
      if (!isFull) throw new TypeError("only a full snapshot replaces a copy");
      tx.store.delete(workspaceRange(workspaceId));
      tx.store.put(record);
      await tx.done;
      return true;
    }
    const held = await tx.store.get([workspaceId, "full"]);
    if (held && (isFull ? held.revision > record.revision : held.revision >= record.revision)) {
      // An older full snapshot, or a delta the full one already holds: nothing to keep.
      await tx.done;
      return false;
    }
    if (isFull) {
      for (const old of await tx.store.getAll(workspaceRange(workspaceId))) {
        if (old.base !== undefined && old.revision <= record.revision) tx.store.delete(old.key);
      }
    }
    tx.store.put(record);
    await tx.done;
    return true;
  }

  /** Return a workspace's envelopes: `{full, deltas}`, deltas by base then revision. */
  async function getEnvelopes(workspaceId) {
    const records = await db.getAll("envelopes", workspaceRange(workspaceId));
    const full = records.find((record) => record.base === undefined);
    const deltas = records.filter((record) => record.base !== undefined);
    deltas.sort((a, b) => a.base - b.base || a.revision - b.revision);
    return { full: full ? asEnvelope(full) : null, deltas: deltas.map(asEnvelope) };
  }

  /** Delete some delta envelopes (`[{base, revision}]`) of a workspace. */
  async function deleteDeltas(workspaceId, deltas) {
    const tx = db.transaction("envelopes", "readwrite");
    for (const { base, revision } of deltas)
      tx.store.delete([workspaceId, "delta", base, revision]);
    await tx.done;
  }

  /** Queue a sealed mutation (`{kid, iv, aad, ciphertext}`) after the others of the workspace. */
  async function addOutbox(workspaceId, mutationId, sealed) {
    const record = sealedRecord(sealed);
    const tx = db.transaction(["outbox", "meta"], "readwrite");
    const meta = tx.objectStore("meta");
    const seq = ((await meta.get([USER_SCOPE, "outbox_seq"])) ?? 0) + 1;
    meta.put(seq, [USER_SCOPE, "outbox_seq"]);
    tx.objectStore("outbox").put({
      key: [workspaceId, seq],
      workspaceId,
      mutationId,
      status: "pending",
      sealed: record,
      result: null,
    });
    await tx.done;
  }

  /** Return a workspace's queued mutations in the order they were made. */
  async function listOutbox(workspaceId) {
    const records = await db.getAll("outbox", workspaceRange(workspaceId));
    return records.map(({ mutationId, status, sealed, result, version = null }) => ({
      mutationId,
      status,
      sealed,
      result,
      version,
    }));
  }

  async function findOutbox(tx, workspaceId, mutationId) {
    const records = await tx.store.getAll(workspaceRange(workspaceId));
    return records.find((record) => record.mutationId === mutationId);
  }

  /** Keep a conflict or rejection for the user: its result must be sealed too. */
  async function markOutbox(workspaceId, mutationId, status, sealedResult) {
    const result = sealedRecord(sealedResult);
    const tx = db.transaction("outbox", "readwrite");
    const record = await findOutbox(tx, workspaceId, mutationId);
    if (record) tx.store.put({ ...record, status, result });
    await tx.done;
    return Boolean(record);
  }

  /**
   * Settle several mutations in one transaction: `settled` maps a mutation id to its record's
   * version after the server applied it, kept as "applied" until the copy holds it (outbox.js
   * `overlay`; a number in the clear: nothing of the directory), or to null, removed. The
   * workspace's outbox is read once for them all: found one at a time, each read it whole, and
   * 200 edits sent at once cost 40,000 reads and 200 transactions (seconds on a phone).
   */
  async function settleOutbox(workspaceId, settled) {
    const tx = db.transaction("outbox", "readwrite");
    for (const record of await tx.store.getAll(workspaceRange(workspaceId))) {
      if (!settled.has(record.mutationId)) continue;
      const version = settled.get(record.mutationId);
      if (version === null) tx.store.delete(record.key);
      else tx.store.put({ ...record, status: "applied", version, result: null });
    }
    await tx.done;
  }

  /** Remove a mutation the server answered (or the user discarded). */
  function removeOutbox(workspaceId, mutationId) {
    return settleOutbox(workspaceId, new Map([[mutationId, null]]));
  }

  /** Keep a form's sealed draft (`{kid, iv, aad, ciphertext}`), replacing the previous one. */
  async function putDraft(workspaceId, draftId, sealed) {
    const record = sealedRecord(sealed);
    await db.put("drafts", { key: [workspaceId, draftId], workspaceId, draftId, sealed: record });
  }

  /** Return a draft's sealed value, if any. */
  async function getDraft(workspaceId, draftId) {
    return (await db.get("drafts", [workspaceId, draftId]))?.sealed;
  }

  /** Return a workspace's drafts: `[{draftId, sealed}]`. */
  async function listDrafts(workspaceId) {
    const records = await db.getAll("drafts", workspaceRange(workspaceId));
    return records.map(({ draftId, sealed }) => ({ draftId, sealed }));
  }

  /** Remove a draft (its form was saved or discarded). */
  async function removeDraft(workspaceId, draftId) {
    await db.delete("drafts", [workspaceId, draftId]);
  }

  /**
   * Keep a workspace's search index (or one `part` of it, search-host.js), sealed (crypto.js
   * `sealSearchIndex`: it holds the contacts' text), replacing the last one; a wipe of the
   * workspace removes it with its meta.
   */
  async function putSearchIndex(workspaceId, sealed, part = "") {
    await db.put("meta", sealedRecord(sealed), [workspaceId, searchIndexName(part)]);
  }

  /** Return a workspace's sealed search index (or `part` of it), if any. */
  async function getSearchIndex(workspaceId, part = "") {
    return db.get("meta", [workspaceId, searchIndexName(part)]);
  }

  /**
   * Keep the workspace's public contacts (emergency services) in clear, for quick dial, with the
   * ETag of the answer they came in (sent back: 304 while they are current).
   */
  async function putPublic(workspaceId, contacts, fetchedAt, etag = null) {
    if (contacts.some((contact) => contact?.visibility !== VISIBILITY.PUBLIC)) {
      throw new TypeError("only public contacts are kept in clear");
    }
    await db.put("public", { workspaceId, contacts, fetchedAt, etag });
  }

  /** Return the public contacts kept for a workspace, if any. */
  async function getPublic(workspaceId) {
    return db.get("public", workspaceId);
  }

  /** Return a non-confidential setting or state of a workspace ("" for the user's own). */
  async function getMeta(workspaceId, name) {
    return db.get("meta", [workspaceId, name]);
  }

  /** Keep a non-confidential setting or state (ids, revisions, favourites, lock delay). */
  async function setMeta(workspaceId, name, value) {
    await db.put("meta", value, [workspaceId, name]);
  }

  /** Count a wrong PIN and return the count, atomically (two tabs never lose one). */
  async function recordFailedUnlock() {
    const tx = db.transaction("meta", "readwrite");
    const count = ((await tx.store.get([USER_SCOPE, "failed_unlocks"])) ?? 0) + 1;
    tx.store.put(count, [USER_SCOPE, "failed_unlocks"]);
    await tx.done;
    return count;
  }

  /** Forget wrong PINs after a successful unlock. */
  async function resetFailedUnlocks() {
    await db.delete("meta", [USER_SCOPE, "failed_unlocks"]);
  }

  /** Delete everything of one workspace: envelopes, outbox, drafts, public contacts and meta. */
  async function wipeWorkspace(workspaceId) {
    const names = ["envelopes", "outbox", "drafts", "public", "meta"];
    const tx = db.transaction(names, "readwrite");
    const range = workspaceRange(workspaceId);
    tx.objectStore("envelopes").delete(range);
    tx.objectStore("outbox").delete(range);
    tx.objectStore("drafts").delete(range);
    tx.objectStore("meta").delete(range);
    tx.objectStore("public").delete(workspaceId);
    await tx.done;
  }

  return {
    db,
    getKeys,
    putKeys,
    putEnvelope,
    getEnvelopes,
    deleteDeltas,
    addOutbox,
    listOutbox,
    settleOutbox,
    markOutbox,
    removeOutbox,
    putDraft,
    getDraft,
    listDrafts,
    removeDraft,
    putPublic,
    getPublic,
    getMeta,
    setMeta,
    putSearchIndex,
    getSearchIndex,
    recordFailedUnlock,
    resetFailedUnlocks,
    wipeWorkspace,
    close: () => db.close(),
  };
}

/** Delete all local data of a user (sign-out, a 401, ten wrong PINs). */
export async function wipeUser(userId) {
  await deleteDB(databaseName(userId));
}
