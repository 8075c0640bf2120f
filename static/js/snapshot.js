// The directory in memory: a full snapshot's plaintext plus the deltas after it, and the rule
// that decides when a new full snapshot replaces the deltas (docs/ARCHITECTURE.md, 5).
// Plain data in, plain data out: no DOM, no storage, no crypto.

/** Entity types of the sync protocol and their collections in a snapshot. */
export const COLLECTIONS = Object.freeze({
  contact: "contacts",
  playbook: "playbooks",
  incident: "incidents",
  incident_entry: "incident_entries",
});

/** A snapshot or delta that cannot be applied; `code` says why. */
export class SnapshotError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "SnapshotError";
    this.code = code; // "format" | "gap"
  }
}

function isRevision(value) {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Build the directory from a full snapshot's plaintext and the deltas after it, in order.
 *
 * A delta is a delta envelope's plaintext (`{changes}`), optionally with the envelope's
 * `base` and `revision`: a delta whose base is past the directory's revision would leave a
 * hole, and throws SnapshotError("gap").
 */
export function buildDirectory(base, deltas = []) {
  if (!base || typeof base !== "object" || !isRevision(base.revision)) {
    throw new SnapshotError("format", "not a snapshot");
  }
  const directory = {
    workspace: base.workspace ?? null,
    revision: base.revision,
    generatedAt: base.generated_at ?? null,
    // id -> version of entities deleted (or hidden) since the base, so a stale put that
    // arrives after its tombstone never brings the entity back.
    tombstones: new Map(),
  };
  for (const collection of Object.values(COLLECTIONS)) {
    const records = Array.isArray(base[collection]) ? base[collection] : [];
    directory[collection] = new Map(records.map((record) => [record.id, record]));
  }
  for (const delta of deltas) applyDelta(directory, delta);
  return directory;
}

/** Apply one delta (`{changes}`, optionally `base` and `revision`) to the directory. */
export function applyDelta(directory, delta) {
  if (!delta || !Array.isArray(delta.changes)) throw new SnapshotError("format", "not a delta");
  if (delta.base !== undefined && delta.base > directory.revision) {
    throw new SnapshotError(
      "gap",
      `changes after ${directory.revision} up to ${delta.base} are missing`,
    );
  }
  const applied = applyChanges(directory, delta.changes);
  if (isRevision(delta.revision)) directory.revision = Math.max(directory.revision, delta.revision);
  return applied;
}

/**
 * Apply sync changes (`{type, entity_id, version, revision, deleted, data}`) in order.
 *
 * A tombstone removes; a change older (lower version) than what is held is ignored; a type
 * this client does not know is skipped. Returns what changed, for the search index:
 * `[{type, id, deleted, record}]`.
 */
export function applyChanges(directory, changes) {
  const applied = [];
  for (const change of changes) {
    const collection = Object.hasOwn(COLLECTIONS, change?.type) ? COLLECTIONS[change.type] : null;
    if (!collection || typeof change.entity_id !== "string" || !isRevision(change.version))
      continue;
    const id = change.entity_id;
    const records = directory[collection];
    const held = records.get(id)?.version ?? directory.tombstones.get(id) ?? -1;
    if (change.version < held) continue;
    if (isRevision(change.revision)) {
      directory.revision = Math.max(directory.revision, change.revision);
    }
    if (change.deleted || !change.data) {
      records.delete(id);
      directory.tombstones.set(id, change.version);
      applied.push({ type: change.type, id, deleted: true, record: null });
      continue;
    }
    directory.tombstones.delete(id);
    const record = { ...change.data, id, version: change.version, revision: change.revision };
    records.set(id, record);
    applied.push({ type: change.type, id, deleted: false, record });
  }
  return applied;
}

/** Return a playbook's contacts in order; one the user cannot see is `{id, contact: null}`. */
export function playbookContacts(directory, playbook) {
  const ids = Array.isArray(playbook?.contact_ids) ? playbook.contact_ids : [];
  return ids.map((id) => ({ id, contact: directory.contacts.get(id) ?? null }));
}

// --- compaction -----------------------------------------------------------------------------

/** Return the bytes of an envelope's ciphertext (a base64url string or bytes as stored). */
export function ciphertextBytes(envelope) {
  const { ciphertext } = envelope ?? {};
  if (typeof ciphertext === "string") {
    const length = ciphertext.replace(/=+$/, "").length;
    return Math.floor((length * 3) / 4);
  }
  if (ciphertext instanceof ArrayBuffer || ArrayBuffer.isView(ciphertext)) {
    return ciphertext.byteLength;
  }
  return 0;
}

/** Tell whether deltas of `deltaBytes` outgrew a quarter of the full envelope's `fullBytes`. */
export function needsFullSnapshot(fullBytes, deltaBytes) {
  if (!(fullBytes > 0)) return true;
  return deltaBytes * 4 > fullBytes;
}

/**
 * Order the stored deltas after a full snapshot at `fullRevision` into the chain to apply.
 *
 * `deltas` are envelopes (or their metadata: `{base, revision, ciphertext}`) in any order,
 * possibly overlapping. Returns `{chain, obsolete, revision, gap}`: the deltas to apply in
 * order, those the full snapshot already covers (to delete), the revision reached, and
 * whether some later delta could not be reached (fetch `?since=revision` to fill the hole).
 */
export function deltaChain(fullRevision, deltas) {
  const obsolete = deltas.filter((delta) => delta.revision <= fullRevision);
  let pending = deltas.filter((delta) => delta.revision > fullRevision);
  const chain = [];
  let revision = fullRevision;
  for (;;) {
    // Of the deltas that start at or before where we are, the one that goes furthest.
    let best = null;
    for (const delta of pending) {
      if (delta.base <= revision && delta.revision > revision) {
        if (!best || delta.revision > best.revision) best = delta;
      }
    }
    if (!best) break;
    chain.push(best);
    revision = best.revision;
    pending = pending.filter((delta) => delta !== best);
  }
  const unused = pending.filter((delta) => delta.revision <= revision);
  const gap = pending.some((delta) => delta.revision > revision);
  return { chain, obsolete: [...obsolete, ...unused], revision, gap };
}

/**
 * Decide what to fetch next for a copy: `{full: true}` when the deltas held outgrew a quarter
 * of the full envelope (or there is none), else `{since: revision}` for a delta.
 */
export function nextFetch({ full, deltas = [], revision }) {
  const fullBytes = full ? ciphertextBytes(full) : 0;
  const deltaBytes = deltas.reduce((sum, delta) => sum + ciphertextBytes(delta), 0);
  if (!full || needsFullSnapshot(fullBytes, deltaBytes)) return { full: true };
  return { since: revision };
}
