// The outbox against a fake server that follows docs/ARCHITECTURE.md's sync rules: order, batches, a cut
// connection, idempotent resends, conflicts and rejections kept until the user settles them,
// and nothing of a mutation readable at rest.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";

import { ApiError } from "../../static/js/api.js";
import { b64urlDecode, importSnapshotKey, openOutbox, sealOutbox } from "../../static/js/crypto.js";
import { applyPending, buildDelete, buildPut, copyHolds, sameValue } from "../../static/js/edit.js";
import { createOutbox, keepMine, MAX_BATCH, retryDelay } from "../../static/js/outbox.js";
import { openStore } from "../../static/js/store.js";
import { FULL } from "./fixtures.mjs";

const USER = FULL.user_id;
const WS = FULL.workspace_id;
const ANA = FULL.plaintext.contacts[1];
const key = await importSnapshotKey(b64urlDecode(FULL.key));
const ids = (workspaceId) => ({ kid: FULL.kid, userId: USER, workspaceId });
const seal = (value, workspaceId) => sealOutbox(value, key, ids(workspaceId));
const open = (sealed, workspaceId) => openOutbox(sealed, key, ids(workspaceId));
const offline = () => new ApiError(0, "offline", "Failed to fetch");

let users = 0;
/** A fresh user's store, so tests never see each other's data. */
async function freshStore() {
  return openStore(`${USER}-outbox-${++users}`);
}

/**
 * A server that applies mutations as docs/ARCHITECTURE.md, 4.3 says (field merge, conflicts,
 * idempotent ids, tombstones), opening sealed ones with the user's key. `records`: id → record.
 */
function fakeServer(records = {}) {
  const entities = new Map(Object.entries(structuredClone(records)));
  const processed = new Map();
  const requests = [];
  let revision = 10;
  let changes = [];

  function change(id) {
    const entity = entities.get(id);
    revision += 1;
    const { deleted, version, ...data } = entity;
    changes.push({
      type: "contact",
      entity_id: id,
      version,
      revision,
      deleted: Boolean(deleted),
      data: deleted ? null : data,
    });
  }

  function create(m) {
    if (m.base_version !== null)
      return { status: "rejected", errors: { base_version: "No record." } };
    if (!m.fields.name) return { status: "rejected", errors: { name: "This field is required." } };
    entities.set(m.entity_id, { ...m.fields, id: m.entity_id, version: 1 });
    change(m.entity_id);
    return { status: "applied", version: 1 };
  }

  function update(m, entity) {
    const bad = (m.fields.phones ?? []).findIndex((p) => p.number === "no es un número");
    if (bad >= 0)
      return { status: "rejected", errors: { [`phones.${bad}.number`]: "Not a phone number." } };
    const conflicts = [];
    let applied = false;
    for (const [name, client] of Object.entries(m.fields)) {
      const server = entity[name] ?? null;
      if (sameValue(server, client)) continue;
      if (
        m.base_version === entity.version ||
        (name in m.base && sameValue(m.base[name], server))
      ) {
        entity[name] = client;
        applied = true;
      } else conflicts.push({ field: name, server, client });
    }
    if (applied) {
      entity.version += 1;
      change(m.entity_id);
    }
    return {
      status: conflicts.length ? "conflict" : "applied",
      version: entity.version,
      conflicts,
    };
  }

  function apply(m) {
    if (processed.has(m.id)) return processed.get(m.id);
    const entity = entities.get(m.entity_id);
    let result;
    if (m.op === "delete") {
      if (!entity) result = { status: "rejected", errors: { entity_id: "No record." } };
      else if (entity.deleted) result = { status: "applied", version: entity.version };
      else if (m.base_version !== entity.version)
        result = { status: "conflict", version: entity.version };
      else {
        entity.deleted = true;
        entity.version += 1;
        change(m.entity_id);
        result = { status: "applied", version: entity.version };
      }
    } else if (!entity) result = create(m);
    else if (entity.deleted)
      result = { status: "conflict", version: entity.version, deleted: true };
    else result = update(m, entity);
    result = { id: m.id, entity_id: m.entity_id, ...result };
    processed.set(m.id, result);
    return result;
  }

  async function handle(body) {
    requests.push(structuredClone(body));
    const mutations = body.sealed
      ? await Promise.all(
          body.sealed.map((s) => openOutbox(s, key, { userId: USER, workspaceId: body.workspace })),
        )
      : body.mutations;
    changes = [];
    const results = mutations.map(apply);
    return { results, changes, cursor: revision, more: false };
  }

  return {
    entities,
    requests,
    handle,
    edit: (id, fields) => Object.assign(entities.get(id), fields),
  };
}

function outboxOf(store, send, options = {}) {
  return createOutbox({ store, seal, open, send, wire: "sealed", random: () => 1, ...options });
}

/** Every string and byte buffer (read as UTF-8 and Latin-1) that the database holds. */
async function storedTexts(store) {
  const out = [];
  const walk = (value) => {
    if (typeof value === "string") out.push(value);
    else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
      out.push(new TextDecoder().decode(bytes), Buffer.from(bytes).toString("latin1"));
    } else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  for (const name of store.db.objectStoreNames) walk(await store.db.getAll(name));
  return out;
}

/** An edit of Ana's notes, made on the optimistic copy (whose notes are `before`). */
const notes = (text, before = ANA.notes) =>
  buildPut("contact", { ...ANA, notes: before }, { notes: text });

/** The statuses left in the outbox (applied ones wait for the copy: see `overlay`). */
const statuses = async (store) => (await store.listOutbox(WS)).map((item) => item.status);

test("mutations are sealed at rest and sent in the order they were made, then wait for the copy", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle);
  const made = [
    notes("uno"),
    buildPut("contact", null, { name: "Marta Quintero" }),
    notes("tres", "uno"),
  ];
  for (const mutation of made) await outbox.add(WS, mutation);

  assert.deepEqual(await outbox.pending(WS), made);
  assert.deepEqual(await outbox.counts(WS), { pending: 3, conflict: 0, rejected: 0 });
  const report = await outbox.flush(WS, 7);

  const [request] = server.requests;
  assert.equal(request.workspace, WS);
  assert.equal(request.cursor, 7);
  assert.equal(request.mutations, undefined);
  assert.deepEqual(
    request.sealed.map((s) => s.aad.split(":").pop()),
    made.map((m) => m.id),
  );
  for (const sealed of request.sealed) {
    assert.deepEqual(Object.keys(sealed).sort(), ["aad", "ciphertext", "iv", "kid"]);
    assert.equal(typeof sealed.ciphertext, "string", "base64url on the wire");
  }
  assert.equal(report.sent, 3);
  assert.equal(report.applied, 3, "the second edit's base is the first's value, so both apply");
  assert.equal(report.cursor, 13);
  assert.deepEqual(
    report.changes.map((c) => c.entity_id),
    [ANA.id, made[1].entity_id, ANA.id],
  );
  assert.equal(server.entities.get(ANA.id).notes, "tres");
  assert.deepEqual(await statuses(store), ["applied", "applied", "applied"]);
  assert.deepEqual(await outbox.counts(WS), { pending: 0, conflict: 0, rejected: 0 });
  assert.deepEqual(await outbox.pending(WS), []);
  assert.equal(outbox.nextRetryMs(WS), null);
});

test("an applied edit stays shown until the copy holds it, then leaves the outbox", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle);
  const entry = buildPut("contact", null, { name: "Marta Quintero" });
  const gone = buildDelete("contact", { ...ANA, version: ANA.version + 1 });
  await outbox.add(WS, notes("uno"));
  await outbox.add(WS, entry);
  assert.equal((await outbox.flush(WS)).applied, 2);
  await outbox.add(WS, gone); // pending still
  const holds = (copy) => (mutation, version) => copyHolds(copy, mutation, version);

  // The answer came, then the connection dropped: the copy is still the old one.
  const old = { contacts: new Map([[ANA.id, ANA]]) };
  const shown = await outbox.overlay(WS, holds(old));
  assert.deepEqual(
    shown.map((m) => [m.entity_id, m.op, m.applied === true]),
    [
      [ANA.id, "put", true],
      [entry.entity_id, "put", true],
      [ANA.id, "delete", false],
    ],
  );
  const seen = applyPending(old, shown.slice(0, 2));
  assert.equal(seen.contacts.get(ANA.id).notes, "uno");
  assert.equal(seen.contacts.get(entry.entity_id).name, "Marta Quintero", "not vanished");
  assert.equal(seen.contacts.get(entry.entity_id).pending, false, "saved, not waiting to be sent");
  assert.equal(applyPending(old, shown).contacts.has(ANA.id), false, "the pending delete");

  // The copy caught up with the first edit only: that one leaves, the rest stays.
  const partly = { contacts: new Map([[ANA.id, server.entities.get(ANA.id)]]) };
  assert.equal((await outbox.overlay(WS, holds(partly))).length, 2);
  assert.deepEqual(await statuses(store), ["applied", "pending"]);

  // Sent and caught up: the delete is held once the copy no longer has the record.
  assert.equal((await outbox.flush(WS)).applied, 1);
  const current = { contacts: new Map([[entry.entity_id, server.entities.get(entry.entity_id)]]) };
  assert.deepEqual(await outbox.overlay(WS, holds(current)), []);
  assert.deepEqual(await store.listOutbox(WS), []);
  store.close();
});

test("nothing of a queued mutation or of a kept conflict is readable at rest", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: { ...ANA, notes: "Solo por la mañana", version: 4 } });
  const outbox = outboxOf(store, server.handle);
  const secrets = ["WhatsApp", "Solo por la", "Marta", "0000 1111", "Gerente", ANA.name];
  const assertSealed = async () => {
    const stored = await storedTexts(store);
    assert.ok(
      stored.some((t) => t.includes("enlace-outbox:v1:")),
      "the scan reads what is stored",
    );
    for (const secret of secrets) {
      assert.ok(!stored.some((t) => t.includes(secret)), `${secret} is readable at rest`);
    }
  };
  await outbox.add(WS, notes("Prefiere WhatsApp después de las 20:00"));
  await outbox.add(
    WS,
    buildPut("contact", null, { name: "Marta Quintero", phones: [{ number: "+52 55 0000 1111" }] }),
  );
  await outbox.add(WS, buildPut("contact", ANA, { role_title: "Gerente de turno" }));
  await assertSealed();
  await outbox.flush(WS);
  // The notes met another change: the conflict and its result (the server's value) are kept.
  assert.deepEqual(await outbox.counts(WS), { pending: 0, conflict: 1, rejected: 0 });
  await assertSealed();
  store.close();
});

test("the clear wire form sends the mutations themselves", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle, { wire: "clear" });
  const mutation = notes("uno");
  await outbox.add(WS, mutation);
  await outbox.flush(WS, 7);
  assert.deepEqual(server.requests, [{ workspace: WS, cursor: 7, mutations: [mutation] }]);
  assert.throws(() => createOutbox({ store, seal, open, send: server.handle }), TypeError);
  store.close();
});

test("at most 200 mutations go in one request, in order, each request from the last cursor", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle);
  const made = [];
  for (let i = 0; i < 2 * MAX_BATCH + 50; i++) {
    const mutation = buildPut("contact", null, { name: `Contacto ${i}` });
    made.push(mutation.id);
    await outbox.add(WS, mutation);
  }
  const report = await outbox.flush(WS, 0);
  assert.deepEqual(
    server.requests.map((r) => r.sealed.length),
    [200, 200, 50],
  );
  assert.deepEqual(
    server.requests.flatMap((r) => r.sealed.map((s) => s.aad.split(":").pop())),
    made,
  );
  assert.deepEqual(
    server.requests.map((r) => r.cursor),
    [0, 210, 410],
  );
  assert.equal(report.applied, 450);
  assert.equal(report.changes.length, 450);
  assert.equal(report.cursor, 460);
  store.close();
});

test("a cut connection leaves everything queued, backs off, and the retry sends it all", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  let clock = 1_000_000;
  let up = false;
  const send = (body) => (up ? server.handle(body) : Promise.reject(offline()));
  const outbox = outboxOf(store, send, { now: () => clock });
  const made = [notes("uno"), notes("dos", "uno")];
  for (const mutation of made) await outbox.add(WS, mutation);

  const first = await outbox.flush(WS);
  assert.equal(first.offline, true);
  assert.equal(first.sent, 0);
  assert.equal(
    outbox.nextRetryMs(WS),
    retryDelay(1, () => 1),
  );
  await outbox.flush(WS);
  assert.equal(
    outbox.nextRetryMs(WS),
    retryDelay(2, () => 1),
    "the wait doubles",
  );
  assert.ok(retryDelay(2, () => 1) > retryDelay(1, () => 1));
  clock += 10_000;
  assert.equal(outbox.nextRetryMs(WS), 0, "due");
  assert.deepEqual(await outbox.pending(WS), made);

  up = true;
  const report = await outbox.flush(WS);
  assert.equal(report.applied, 2);
  assert.equal(outbox.nextRetryMs(WS), null);
  assert.equal(server.entities.get(ANA.id).notes, "dos");
  store.close();
});

test("a busy server's Retry-After is waited; a 401 is thrown with everything kept", async () => {
  const store = await freshStore();
  const outbox = outboxOf(
    store,
    () => Promise.reject(Object.assign(new ApiError(429, "rate_limited"), { retryAfter: 120 })),
    {
      now: () => 0,
    },
  );
  await outbox.add(WS, notes("uno"));
  const report = await outbox.flush(WS);
  assert.equal(report.error, "rate_limited");
  assert.equal(outbox.nextRetryMs(WS), 120_000);

  const signedOut = outboxOf(store, () =>
    Promise.reject(new ApiError(401, "unauthorized", "", "user")),
  );
  await assert.rejects(signedOut.flush(WS), (error) => error.status === 401);
  assert.equal((await store.listOutbox(WS)).length, 1);
  // A failed flush does not block the next one.
  await assert.rejects(signedOut.flush(WS), (error) => error.status === 401);
  store.close();
});

test("a 503 (the server's database is away) keeps every mutation, waits its Retry-After and reads as offline", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  let away = true;
  const unavailable = () =>
    Object.assign(new ApiError(503, "unavailable", "Try again in a moment."), { retryAfter: 5 });
  const send = (body) => (away ? Promise.reject(unavailable()) : server.handle(body));
  let clock = 0;
  const outbox = outboxOf(store, send, { now: () => clock });
  const made = [notes("uno"), notes("dos", "uno")];
  for (const mutation of made) await outbox.add(WS, mutation);

  const report = await outbox.flush(WS);
  assert.equal(report.offline, true, "shown as offline, not as an error");
  assert.equal(report.error, "unavailable");
  assert.equal(report.sent, 0);
  assert.equal(report.retryInMs, 5_000);
  assert.equal(outbox.nextRetryMs(WS), 5_000);
  assert.deepEqual(await outbox.pending(WS), made);

  clock += 5_000;
  away = false;
  const back = await outbox.flush(WS);
  assert.equal(back.applied, 2);
  assert.equal(outbox.nextRetryMs(WS), null);
  assert.equal(server.entities.get(ANA.id).notes, "dos");
  store.close();
});

test("an answer lost after the server applied: the resend applies nothing twice", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  let cut = true;
  const send = async (body) => {
    const answer = await server.handle(body);
    if (cut) {
      cut = false;
      throw offline(); // the server applied; the answer never came
    }
    return answer;
  };
  const outbox = outboxOf(store, send);
  const created = buildPut("contact", null, { name: "Marta Quintero" });
  await outbox.add(WS, notes("uno"));
  await outbox.add(WS, created);
  assert.equal((await outbox.flush(WS)).offline, true);
  assert.equal(server.entities.get(ANA.id).version, 4);

  const report = await outbox.flush(WS);
  assert.deepEqual(
    server.requests[1].sealed,
    server.requests[0].sealed,
    "the same sealed ids again",
  );
  assert.equal(report.applied, 2);
  assert.equal(server.entities.get(ANA.id).version, 4, "applied once");
  assert.equal(server.entities.get(created.entity_id).version, 1, "created once");
  assert.deepEqual(await statuses(store), ["applied", "applied"]);
  store.close();
});

test("adding a mutation id already queued queues it once", async () => {
  const store = await freshStore();
  const outbox = outboxOf(store, fakeServer().handle);
  const mutation = notes("uno");
  assert.equal(await outbox.add(WS, mutation), true);
  assert.equal(await outbox.add(WS, mutation), false);
  assert.equal((await store.listOutbox(WS)).length, 1);
  store.close();
});

test("one flush at a time: a second call joins the first, and what was queued meanwhile is sent", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  let inFlight = 0;
  let most = 0;
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const send = async (body) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    if (server.requests.length === 0) await gate;
    const answer = await server.handle(body);
    inFlight -= 1;
    return answer;
  };
  const outbox = outboxOf(store, send);
  await outbox.add(WS, notes("uno"));
  const first = outbox.flush(WS);
  await outbox.add(WS, notes("dos", "uno"));
  const second = outbox.flush(WS);
  assert.equal(second, first, "joined");
  release();
  const report = await first;
  assert.equal(most, 1);
  assert.equal(report.applied, 2);
  assert.equal(server.requests.length, 2);
  assert.equal(server.entities.get(ANA.id).notes, "dos");
  // Finished: the next call is a new flush.
  await outbox.add(WS, notes("tres", "dos"));
  assert.equal((await outbox.flush(WS)).applied, 1);
  store.close();
});

test("a conflict and a rejection are kept, sealed, not sent again, until the user settles", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle);
  // Someone else changed the notes since this device read version 3.
  server.edit(ANA.id, { notes: "Solo por la mañana", version: 4 });
  const clash = notes("Prefiere WhatsApp");
  const bad = buildPut("contact", ANA, { phones: [{ number: "no es un número" }] });
  const fine = buildPut("contact", ANA, { role_title: "Gerente" });
  for (const mutation of [clash, bad, fine]) await outbox.add(WS, mutation);

  const report = await outbox.flush(WS);
  assert.deepEqual([report.applied, report.conflict, report.rejected], [1, 1, 1]);
  assert.deepEqual(await outbox.counts(WS), { pending: 0, conflict: 1, rejected: 1 });
  const held = await outbox.unsettled(WS);
  assert.deepEqual(
    held.map((h) => [h.status, h.mutation.id]),
    [
      ["conflict", clash.id],
      ["rejected", bad.id],
    ],
  );
  assert.deepEqual(held[0].result.conflicts, [
    { field: "notes", server: "Solo por la mañana", client: "Prefiere WhatsApp" },
  ]);
  assert.deepEqual(held[1].result.errors, { "phones.0.number": "Not a phone number." });

  const again = await outbox.flush(WS);
  assert.equal(again.sent, 0, "kept for the user, not sent again");
  assert.equal(server.requests.length, 1);
  assert.deepEqual(await outbox.pending(WS), []);
  store.close();
});

test("'keep mine' queues the user's value based on the server's version and value, and it applies", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle);
  server.edit(ANA.id, { notes: "Solo por la mañana", version: 4 });
  const clash = buildPut("contact", ANA, { notes: "Prefiere WhatsApp", role_title: "Gerente" });
  await outbox.add(WS, clash);
  await outbox.flush(WS);
  assert.equal(server.entities.get(ANA.id).role_title, "Gerente", "the other field applied");

  const mine = await outbox.settle(WS, clash.id, "mine");
  assert.notEqual(mine.id, clash.id);
  assert.deepEqual(
    { ...mine, id: null },
    {
      id: null,
      type: "contact",
      entity_id: ANA.id,
      op: "put",
      base_version: 5,
      fields: { notes: "Prefiere WhatsApp" },
      base: { notes: "Solo por la mañana" },
    },
  );
  assert.deepEqual(await outbox.unsettled(WS), []);
  assert.deepEqual(await outbox.pending(WS), [mine]);
  const report = await outbox.flush(WS);
  assert.equal(report.applied, 1);
  assert.equal(server.entities.get(ANA.id).notes, "Prefiere WhatsApp");
  store.close();
});

test("'keep theirs' drops the user's side; a rejected edit is discarded, never settled as mine", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle);
  server.edit(ANA.id, { notes: "Solo por la mañana", version: 4 });
  const clash = notes("Prefiere WhatsApp");
  const bad = buildPut("contact", ANA, { phones: [{ number: "no es un número" }] });
  await outbox.add(WS, clash);
  await outbox.add(WS, bad);
  await outbox.flush(WS);

  assert.equal(await outbox.settle(WS, clash.id, "theirs"), null);
  await assert.rejects(outbox.settle(WS, bad.id, "mine"), TypeError);
  assert.equal((await outbox.unsettled(WS)).length, 1, "the rejection is still there");
  await outbox.discard(WS, bad.id);
  assert.deepEqual(await store.listOutbox(WS), []);
  assert.equal(server.entities.get(ANA.id).notes, "Solo por la mañana");
  store.close();
});

test("'keep mine' for a delete deletes at the server's version; for a record deleted meanwhile it restores", () => {
  const deletion = buildDelete("contact", ANA);
  const again = keepMine(deletion, { id: deletion.id, status: "conflict", version: 6 });
  assert.deepEqual(
    { ...again, id: null },
    { id: null, type: "contact", entity_id: ANA.id, op: "delete", base_version: 6 },
  );

  const edit = notes("Prefiere WhatsApp");
  const gone = { id: edit.id, status: "conflict", version: 5, deleted: true };
  assert.throws(() => keepMine(edit, gone), TypeError);
  const restored = keepMine(edit, gone, { record: ANA, entityId: "new-ana" });
  assert.equal(restored.entity_id, "new-ana");
  assert.equal(restored.base_version, null);
  assert.equal(restored.fields.name, ANA.name);
  assert.equal(restored.fields.notes, "Prefiere WhatsApp");
  assert.deepEqual(restored.fields.phones, ANA.phones);

  const nothingLeft = keepMine(edit, {
    id: edit.id,
    status: "conflict",
    version: 5,
    conflicts: [],
  });
  assert.equal(nothingLeft, null);
});

test("while locked a conflict cannot be sealed: the mutation stays pending and its resend gets the same answer", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  server.edit(ANA.id, { notes: "Solo por la mañana", version: 4 });
  let locked = false;
  const lockable = (value, workspaceId) =>
    locked ? Promise.reject(new Error("locked")) : seal(value, workspaceId);
  const outbox = createOutbox({ store, seal: lockable, open, send: server.handle, wire: "sealed" });
  const clash = notes("Prefiere WhatsApp");
  await outbox.add(WS, clash);

  locked = true;
  const report = await outbox.flush(WS);
  assert.equal(report.deferred, 1);
  assert.deepEqual(await outbox.counts(WS), { pending: 1, conflict: 0, rejected: 0 });

  locked = false;
  const unlocked = await outbox.flush(WS);
  assert.equal(unlocked.conflict, 1);
  assert.equal(server.requests.length, 2);
  assert.equal((await outbox.unsettled(WS))[0].result.conflicts[0].server, "Solo por la mañana");
  store.close();
});

test("an answer without changes (sent while locked) says so and keeps the cursor it gives", async () => {
  const store = await freshStore();
  const send = async (body) => ({ results: [], cursor: body.cursor, more: false });
  const outbox = outboxOf(store, send);
  await outbox.add(WS, notes("uno"));
  const report = await outbox.flush(WS, 9);
  assert.equal(report.changesWithheld, true);
  assert.equal(report.cursor, 9);
  assert.equal(report.deferred, 1, "no result: still queued");
  assert.equal((await store.listOutbox(WS)).length, 1);
  store.close();
});

test("a sync answer with reset marks the copy to start again and keeps the outbox going", async () => {
  // Issue 18, finding 7: the device's cursor was ahead of a server restored from a backup.
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const restored = async (body) => ({ ...(await server.handle(body)), cursor: 3, reset: true });
  const outbox = outboxOf(store, restored);
  const made = [notes("uno"), buildPut("contact", null, { name: "Marta Quintero" })];
  for (const mutation of made) await outbox.add(WS, mutation);
  const pending = buildPut("contact", null, { name: "Sin enviar" });

  const report = await outbox.flush(WS, 90);
  assert.equal(report.reset, true);
  assert.equal(report.applied, 2);
  assert.equal(report.cursor, 3);
  assert.equal(await store.getMeta(WS, "restart"), true);
  // Nothing unsent is lost: a mutation queued afterwards waits as before.
  await outbox.add(WS, pending);
  assert.deepEqual(await outbox.pending(WS), [pending]);
  store.close();
});

test("an answer without reset leaves the copy as it is", async () => {
  const store = await freshStore();
  const server = fakeServer({ [ANA.id]: ANA });
  const outbox = outboxOf(store, server.handle);
  await outbox.add(WS, notes("uno"));
  const report = await outbox.flush(WS, 7);
  assert.equal(report.reset, false);
  assert.equal(await store.getMeta(WS, "restart"), undefined);
  store.close();
});
