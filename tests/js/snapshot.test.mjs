// The directory in memory from a full snapshot and its deltas, and when to fetch a full one.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  applyChanges,
  buildDirectory,
  ciphertextBytes,
  deltaChain,
  needsFullSnapshot,
  nextFetch,
  playbookContacts,
  SnapshotError,
} from "../../static/js/snapshot.js";
import { FULL, DELTA } from "./fixtures.mjs";

const ANA = "11111111-1111-4111-8111-111111111111";
const LUIS = "22222222-2222-4222-8222-222222222222";
const SERVICE = "33333333-3333-4333-8333-333333333333";
const PLAYBOOK = "44444444-4444-4444-8444-444444444444";

const change = (entity_id, version, revision, data, type = "contact") => ({
  type,
  entity_id,
  version,
  revision,
  deleted: data === null,
  data,
});

test("a full snapshot becomes maps by id, with its workspace and revision", () => {
  const directory = buildDirectory(FULL.plaintext);
  assert.equal(directory.revision, 7);
  assert.equal(directory.workspace.timezone, "America/Mexico_City");
  assert.equal(directory.contacts.size, 3);
  assert.equal(directory.contacts.get(ANA).name, "Ana Rodríguez");
  assert.equal(directory.playbooks.get(PLAYBOOK).name, "Amenaza a un empleado");
  assert.equal(directory.incidents.size, 0);
});

test("the Python-made delta updates Ana and removes Luis", () => {
  const meta = { base: DELTA.envelope.base, revision: DELTA.envelope.revision };
  const directory = buildDirectory(FULL.plaintext, [{ ...DELTA.plaintext, ...meta }]);
  assert.equal(directory.revision, 9);
  const ana = directory.contacts.get(ANA);
  assert.equal(ana.version, 4);
  assert.equal(ana.revision, 8);
  assert.equal(ana.id, ANA);
  assert.equal(ana.phones[0].number, "+525511112222");
  assert.equal(ana.name, "Ana Rodríguez", "fields the change carries whole are kept");
  assert.equal(directory.contacts.has(LUIS), false);
  assert.equal(directory.contacts.size, 2);
});

test("deltas apply in order: a later change wins, a tombstone removes, a new record appears", () => {
  const directory = buildDirectory(FULL.plaintext, [
    { changes: [change(ANA, 4, 8, { name: "Ana R." })] },
    { changes: [change(ANA, 5, 9, { name: "Ana Ruiz" }), change(SERVICE, 2, 10, null)] },
    { changes: [change("new-1", 1, 11, { name: "Nueva" })] },
  ]);
  assert.equal(directory.contacts.get(ANA).name, "Ana Ruiz");
  assert.equal(directory.contacts.has(SERVICE), false);
  assert.equal(directory.contacts.get("new-1").name, "Nueva");
  assert.equal(directory.revision, 11);
});

test("a change with a lower version than the one held is ignored", () => {
  const directory = buildDirectory(FULL.plaintext);
  const applied = applyChanges(directory, [change(ANA, 2, 4, { name: "Ana (old)" })]);
  assert.deepEqual(applied, []);
  assert.equal(directory.contacts.get(ANA).name, "Ana Rodríguez");
  assert.equal(directory.contacts.get(ANA).version, 3);
});

test("a stale put after a tombstone never brings the record back", () => {
  const directory = buildDirectory(FULL.plaintext);
  applyChanges(directory, [change(LUIS, 2, 9, null)]);
  applyChanges(directory, [change(LUIS, 1, 6, { name: "Luis Peña" })]);
  assert.equal(directory.contacts.has(LUIS), false);
  applyChanges(directory, [change(LUIS, 3, 12, { name: "Luis otra vez" })]);
  assert.equal(directory.contacts.get(LUIS).name, "Luis otra vez", "a newer version restores it");
});

test("a restricted record reaching a viewer as a tombstone removes its data", () => {
  const directory = buildDirectory(FULL.plaintext);
  applyChanges(directory, [
    { type: "contact", entity_id: ANA, version: 4, revision: 8, deleted: true, data: null },
  ]);
  assert.equal(directory.contacts.has(ANA), false);
  assert.doesNotMatch(JSON.stringify([...directory.contacts.values()]), /Rodríguez/);
});

test("changes report what they did, for the search index", () => {
  const directory = buildDirectory(FULL.plaintext);
  const applied = applyChanges(directory, [
    change(ANA, 4, 8, { name: "Ana R." }),
    change(LUIS, 2, 9, null),
    change("x", 1, 10, { title: "Incendio" }, "incident"),
    change("y", 1, 11, { name: "?" }, "unknown_type"),
  ]);
  assert.deepEqual(
    applied.map(({ type, id, deleted }) => [type, id, deleted]),
    [
      ["contact", ANA, false],
      ["contact", LUIS, true],
      ["incident", "x", false],
    ],
  );
  assert.equal(directory.incidents.get("x").title, "Incendio");
});

test("a delta whose base is past the directory's revision is a gap, not applied silently", () => {
  assert.throws(
    () => buildDirectory(FULL.plaintext, [{ base: 8, revision: 9, changes: [] }]),
    (error) => error instanceof SnapshotError && error.code === "gap",
  );
  // Overlapping is fine: versions make the repeat harmless.
  const directory = buildDirectory(FULL.plaintext, [
    { base: 5, revision: 9, changes: DELTA.plaintext.changes },
  ]);
  assert.equal(directory.revision, 9);
});

test("malformed input is refused", () => {
  assert.throws(() => buildDirectory(null), SnapshotError);
  assert.throws(() => buildDirectory({ revision: "7" }), SnapshotError);
  assert.throws(() => buildDirectory(FULL.plaintext, [{ changes: "x" }]), SnapshotError);
});

test("a playbook lists its contacts in order, a hidden one as restricted", () => {
  const directory = buildDirectory(FULL.plaintext);
  applyChanges(directory, [change(ANA, 4, 8, null)]);
  const listed = playbookContacts(directory, directory.playbooks.get(PLAYBOOK));
  assert.deepEqual(
    listed.map((entry) => [entry.id, entry.contact?.name ?? null]),
    [
      [SERVICE, "Emergencias"],
      [ANA, null],
    ],
  );
});

// --- compaction -----------------------------------------------------------------------------

test("a full snapshot replaces the deltas once they outgrow a quarter of it", () => {
  assert.equal(needsFullSnapshot(4000, 999), false);
  assert.equal(needsFullSnapshot(4000, 1000), false, "exactly a quarter is not more");
  assert.equal(needsFullSnapshot(4000, 1001), true);
  assert.equal(needsFullSnapshot(0, 0), true, "no full snapshot held: fetch one");
});

test("ciphertext bytes are counted from base64url or from stored bytes", () => {
  assert.equal(
    ciphertextBytes(FULL.envelope),
    Buffer.from(FULL.envelope.ciphertext, "base64url").length,
  );
  assert.equal(ciphertextBytes({ ciphertext: new Uint8Array(77).buffer }), 77);
  assert.equal(ciphertextBytes({ ciphertext: new Uint8Array(5) }), 5);
});

test("the next fetch is a delta since the revision held until the deltas outgrow the rule", () => {
  const full = { ciphertext: new ArrayBuffer(4000) };
  const delta = (bytes) => ({ ciphertext: new ArrayBuffer(bytes) });
  assert.deepEqual(nextFetch({ full, deltas: [delta(600), delta(400)], revision: 12 }), {
    since: 12,
  });
  assert.deepEqual(nextFetch({ full, deltas: [delta(600), delta(401)], revision: 12 }), {
    full: true,
  });
  assert.deepEqual(nextFetch({ full: null, deltas: [], revision: 0 }), { full: true });
});

test("stored deltas chain from the full snapshot; covered ones are obsolete; a hole is reported", () => {
  const d = (base, revision) => ({ base, revision });
  const old = d(3, 6);
  const a = d(7, 9);
  const b = d(9, 12);
  const overlapping = d(8, 10);
  const wide = d(9, 14);
  const afterHole = d(15, 16);
  const result = deltaChain(7, [afterHole, wide, b, overlapping, a, old]);
  assert.deepEqual(result.chain, [a, wide]);
  assert.equal(result.revision, 14);
  assert.ok(result.gap);
  assert.deepEqual(new Set(result.obsolete), new Set([old, overlapping, b]));
  const clean = deltaChain(7, [b, a]);
  assert.deepEqual(clean.chain, [a, b]);
  assert.equal(clean.gap, false);
  assert.deepEqual(deltaChain(12, [a, b]), {
    chain: [],
    obsolete: [a, b],
    revision: 12,
    gap: false,
  });
});
