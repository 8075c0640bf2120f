// The snapshot's compact plaintext read back in the browser: the document the Python code
// compacted (tests/unit/test_compact.py writes the fixture) comes back record for record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { CompactError, expand, isCompact } from "../../static/js/compact.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/compact.json", import.meta.url), "utf8"));

test("a compact document expands to the records the server compacted", () => {
  assert.equal(isCompact(fixture.compact), true);
  assert.equal(isCompact(fixture.document), false);
  assert.deepEqual(expand(fixture.compact), fixture.document);
});

test("the changes after the columns are applied: moved last, deleted, added, unknown skipped", () => {
  const { compact, document } = fixture.with_changes;
  const read = expand(compact);
  assert.deepEqual(read, document);
  assert.deepEqual(
    read.contacts.slice(-2).map((contact) => contact.name),
    ["Nueva", "Otra vez"],
  );
  assert.equal("changes" in read || "base" in read, false);
});

test("phones come back with their display, national and international", () => {
  const [first] = expand(fixture.compact).contacts;
  assert.deepEqual(
    first.phones.map((phone) => phone.display),
    ["911", "55 1234-5678", "55 1234 5678", "+34 612 34 56 78", "+34 612 34 56 78"],
  );
  assert.equal(first.phones[4].whatsapp, false);
});

test("references name the same records: a playbook's contacts, a hidden one, an entry's incident", () => {
  const { contacts, playbooks, incidents, incident_entries: entries } = expand(fixture.compact);
  assert.deepEqual(playbooks[0].contact_ids, fixture.document.playbooks[0].contact_ids);
  assert.equal(playbooks[0].contact_ids[0], contacts[3].id);
  assert.equal(entries[0].incident_id, incidents[0].id);
  assert.equal(contacts[3].backup_contact_id, "99999999-9999-4999-8999-999999999999");
});

test("a document this code cannot read is refused, not half read", () => {
  const spoiled = [
    (d) => (d.v = 1),
    (d) => (d.contacts.columns[0][2] = "AAAA"),
    (d) => (d.contacts.columns[0][2] = `B${d.contacts.columns[0][2].slice(1, 21)}B${d.contacts.columns[0][2].slice(22)}`),
    (d) => (d.contacts.rows += 1),
    (d) => (d.contacts.columns.at(-1)[1] = "zip"),
    (d) => (d.playbooks.columns.at(-1)[1] = "ref:nowhere"),
  ];
  for (const spoil of spoiled) {
    const document = structuredClone(fixture.compact);
    spoil(document);
    assert.throws(() => expand(document), CompactError);
  }
});
