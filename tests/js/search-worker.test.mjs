// Search in a worker (issue 20): the page's side (search-client.js) and the worker's
// (search-host.js), talking through a fake worker that delivers cloned messages later, as a real
// one does; the index saved sealed in the user's store (fake-indexeddb) and loaded at the next
// unlock; names searched until the index is ready.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  b64urlDecode,
  EnvelopeError,
  importSnapshotKey,
  openSearchIndex,
  randomBytes,
  sealSearchIndex,
} from "../../static/js/crypto.js";
import { createSearchClient, mergeFound, searchShares, shareOf } from "../../static/js/search-client.js";
import { SAVE_AFTER, createSearchHost } from "../../static/js/search-host.js";
import { searchable } from "../../static/js/search.js";
import { openStore } from "../../static/js/store.js";
import { FULL } from "./fixtures.mjs";

const WS = FULL.workspace_id;
const KID = FULL.kid;
const key = () => importSnapshotKey(b64urlDecode(FULL.key));
let users = 0;
const newUser = () => `${FULL.user_id}-search-${++users}`;

const contact = (id, name, fields = {}) => ({ id, name, kind: "internal", phones: [], tags: [], ...fields });
const laura = contact("laura", "Laura Méndez", {
  area: "finance",
  when_to_contact: "Reembolsos masivos, cobros duplicados, fallas de la pasarela de pago.",
});
const adriana = contact("adriana", "Adriana Soto", { kind: "legal", notes: "Despacho en Zapopan" });
const rodrigo = contact("rodrigo", "Rodrigo Salas", { phones: [{ number: "+523300000103" }] });
const playbook = { id: "p1", name: "Fallas de pago", crisis_kind: "payments", steps: ["Avisar"] };
const directoryOf = (contacts, playbooks = [playbook]) => ({
  contacts: new Map(contacts.map((c) => [c.id, c])),
  playbooks: new Map(playbooks.map((p) => [p.id, p])),
});

/** What a real worker does with a message: a copy (the key as it is), delivered later. */
function later(message, deliver) {
  const { key: cryptoKey, ...rest } = message;
  const copy = structuredClone(rest);
  if (cryptoKey) copy.key = cryptoKey;
  setImmediate(() => deliver(copy));
}

/** Start fake workers that run search-host.js in this process; `held` keeps their script back. */
function fakeWorkers({ held = false } = {}) {
  const started = [];
  let release = null;
  const script = held ? new Promise((resolve) => (release = resolve)) : Promise.resolve();
  function startWorker() {
    const worker = { onmessage: null, terminated: false, posted: [] };
    const host = createSearchHost({
      post: (message) =>
        later(message, (data) => {
          if (!worker.terminated) worker.onmessage?.({ data });
        }),
    });
    worker.postMessage = (message) => {
      worker.posted.push(message);
      later(message, (data) => script.then(() => host.handle(data)));
    };
    worker.terminate = () => (worker.terminated = true);
    started.push(worker);
    return worker;
  }
  return { startWorker, started, release: () => release() };
}

/** A client whose ready and saved messages are awaited: `next("ready")`; `shares` workers. */
function client(workers, shares = 1) {
  const waiting = { ready: [], saved: [] };
  const seen = { ready: [], saved: [] };
  const on = (type) => (message) => {
    seen[type].push(message);
    waiting[type].shift()?.(message);
  };
  const search = createSearchClient({
    startWorker: workers.startWorker,
    shares,
    onReady: on("ready"),
    onSaved: on("saved"),
  });
  const next = (type) => new Promise((resolve) => waiting[type].push(resolve));
  return { search, next, seen };
}

async function target(userId) {
  return { userId, workspaceId: WS, kid: KID, key: await key() };
}

test("search answers by name until the worker's index is ready, then from the index", async () => {
  const workers = fakeWorkers({ held: true });
  const { search, next } = client(workers);
  const directory = directoryOf([laura, adriana, rodrigo]);
  const ready = next("ready");
  search.follow(directory, await target(newUser()));

  assert.equal(search.ready, false);
  assert.deepEqual(await search.search("laura", directory), {
    contacts: ["laura"],
    playbooks: [],
    partial: true,
  });
  assert.deepEqual((await search.search("reembolsos", directory)).contacts, [], "names only");
  assert.deepEqual((await search.search("3300000103", directory)).contacts, ["rodrigo"]);

  workers.release();
  assert.equal((await ready).loaded, false, "built: nothing was saved");
  assert.equal(search.ready, true);
  assert.deepEqual(await search.search("reembolsos", directory), {
    contacts: ["laura"],
    playbooks: ["p1"],
    partial: false,
  });
  assert.deepEqual((await search.search("abogado", directory)).contacts, ["adriana"]);
  assert.deepEqual(
    (await search.search("pago", directory, { contactsOnly: true })).playbooks,
    [],
    "the backup pickers search contacts only",
  );
  search.close();
});

test("the page sends the key, then the directory, then only the records changed", async () => {
  const workers = fakeWorkers();
  const { search, next } = client(workers);
  const directory = directoryOf([laura, adriana, rodrigo]);
  const ready = next("ready");
  const where = await target(newUser());
  search.follow(directory, where);
  await ready;
  const [worker] = workers.started;
  assert.deepEqual(worker.posted[0], { type: "load", ...where, part: "" }, "the key first: load the saved");
  assert.deepEqual(
    worker.posted[1].contacts,
    [laura, adriana, rodrigo].map(searchable),
    "what search reads, nothing else",
  );

  const renamed = { ...rodrigo, name: "Rodrigo Fuentes" };
  const changed = directoryOf([laura, renamed]); // adriana deleted for good
  search.follow(changed, where);
  const sync = worker.posted.at(-1);
  assert.equal(sync.type, "sync");
  assert.deepEqual(sync.contacts, { put: [searchable(renamed)], remove: ["adriana"] });
  assert.deepEqual(sync.playbooks, { put: [], remove: [] });
  assert.deepEqual((await search.search("fuentes", changed)).contacts, ["rodrigo"]);
  assert.deepEqual((await search.search("abogado", changed)).contacts, []);

  const count = worker.posted.length;
  search.follow(changed, where);
  assert.equal(worker.posted.length, count, "nothing changed, nothing sent");
  search.close();
});

test("the index is saved sealed and the next unlock loads it instead of building it", async () => {
  const userId = newUser();
  const directory = directoryOf([laura, adriana, rodrigo]);

  const first = client(fakeWorkers());
  const saved = first.next("saved");
  first.search.follow(directory, await target(userId));
  assert.equal((await first.next("ready")).loaded, false);
  await saved;
  first.search.close();

  // At rest: ciphertext under the workspace's AAD, nothing of the cards readable.
  const store = await openStore(userId);
  const sealed = await store.getSearchIndex(WS);
  store.close();
  assert.equal(sealed.kid, KID);
  assert.ok(sealed.ciphertext instanceof ArrayBuffer);
  const text = new TextDecoder().decode(sealed.ciphertext);
  for (const secret of ["laura", "Laura", "reembolsos", "zapopan", "Soto"]) {
    assert.ok(!text.includes(secret), secret);
  }

  // The next unlock, with one contact changed since: loaded, and only that one indexed again.
  const renamed = { ...rodrigo, name: "Rodrigo Fuentes" };
  const workers = fakeWorkers();
  const second = client(workers);
  const where = await target(userId);
  second.search.prepare(where); // the key is unwrapped: the worker loads while the copy opens
  second.search.follow(directoryOf([laura, adriana, renamed]), where);
  assert.equal(workers.started.length, 1, "the same worker");
  const ready = await second.next("ready");
  assert.equal(ready.loaded, true);
  assert.equal(ready.contacts, 3);
  const now = directoryOf([laura, adriana, renamed]);
  assert.deepEqual((await second.search.search("zapopan", now)).contacts, ["adriana"]);
  assert.deepEqual((await second.search.search("fuentes", now)).contacts, ["rodrigo"]);
  assert.deepEqual(second.seen.saved, [], `saved again only after ${SAVE_AFTER} changes`);
  second.search.close();
});

test("an index saved under another key is not used: built again, and replaced", async () => {
  const userId = newUser();
  const directory = directoryOf([laura, adriana]);
  const first = client(fakeWorkers());
  const saved = first.next("saved");
  first.search.follow(directory, { ...(await target(userId)), kid: "old", key: await importSnapshotKey(randomBytes(32)) });
  await saved;
  first.search.close();

  const second = client(fakeWorkers());
  const resaved = second.next("saved");
  const warn = console.warn;
  console.warn = () => {};
  try {
    second.search.follow(directory, await target(userId));
    assert.equal((await second.next("ready")).loaded, false);
  } finally {
    console.warn = warn;
  }
  await resaved;
  assert.deepEqual((await second.search.search("reembolsos", directory)).contacts, ["laura"]);
  second.search.close();
});

test("a lock ends the worker: a search waiting resolves to null, and names are searched again", async () => {
  const workers = fakeWorkers();
  const { search, next } = client(workers);
  const directory = directoryOf([laura, adriana]);
  const ready = next("ready");
  search.follow(directory, await target(newUser()));
  await ready;
  const waiting = search.search("laura", directory);
  search.close();
  assert.equal(await waiting, null);
  assert.equal(workers.started[0].terminated, true);
  assert.equal(search.ready, false);
  assert.equal(search.workspaceId, null);
  assert.deepEqual((await search.search("laura", directory)).partial, true);
});

test("a workspace opened after another: the first one's worker is ended and not heard", async () => {
  const workers = fakeWorkers();
  const { search, next, seen } = client(workers);
  search.follow(directoryOf([laura]), await target(newUser()));
  const other = { ...(await target(newUser())), workspaceId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" };
  const ready = next("ready");
  search.follow(directoryOf([adriana]), other);
  await ready;
  assert.equal(workers.started[0].terminated, true);
  assert.equal(seen.ready.length, 1, "only the open workspace's index");
  assert.equal(search.workspaceId, other.workspaceId);
  assert.deepEqual((await search.search("laura", directoryOf([adriana]))).contacts, []);
  search.close();
});

test("a sealed index opens only for its user, workspace and key", async () => {
  const ids = { kid: KID, userId: "u1", workspaceId: WS };
  const sealed = await sealSearchIndex({ format: 1, words: ["reembolsos"] }, await key(), ids);
  assert.deepEqual(await openSearchIndex(sealed, await key(), ids), { format: 1, words: ["reembolsos"] });
  const refused = async (promise, code) =>
    assert.rejects(promise, (error) => error instanceof EnvelopeError && error.code === code);
  await refused(openSearchIndex(sealed, await key(), { ...ids, workspaceId: "other" }), "aad");
  await refused(openSearchIndex({ ...sealed, aad: "enlace-search-index:v1:u1:other" }, await key(), { ...ids, workspaceId: "other" }), "decrypt");
  await refused(openSearchIndex(sealed, await key(), { ...ids, kid: "other" }), "kid");
  await refused(openSearchIndex(sealed, await importSnapshotKey(randomBytes(32)), ids), "decrypt");
  await refused(openSearchIndex(null, await key(), ids), "format");
});

// --- the index shared among workers --------------------------------------------------------

/** 60 more contacts, some in finance, some with "reembolsos" in their notes, most in Zapopan
 * (fewer than a search's 50 results each: the best 50 of two indexes may differ in their ties). */
const crowd = Array.from({ length: 60 }, (_, i) =>
  contact(`c${i}`, `Persona ${i} Apellido${i % 7}`, {
    area: i % 5 ? "operations" : "finance",
    notes: i % 3 ? `Turno ${i % 5} en Zapopan` : "Aprueba reembolsos chicos",
    phones: [{ number: `+5233000${String(i).padStart(5, "0")}` }],
  }),
);

test("two workers share the index: each builds its own contacts, and search answers as one", async () => {
  const everyone = [laura, adriana, rodrigo, ...crowd];
  const directory = directoryOf(everyone);
  const workers = fakeWorkers();
  const shared = client(workers, 2);
  const ready = shared.next("ready");
  const saved = shared.next("saved");
  shared.search.follow(directory, await target(newUser()));
  assert.equal((await ready).contacts, everyone.length, "ready once both are");
  await saved;
  assert.equal(workers.started.length, 2);
  const [first, second] = workers.started.map((worker) => worker.posted.find((m) => m.type === "open"));
  const ids = (list) => list.map((record) => record.id);
  assert.ok(first.contacts.length > 15 && second.contacts.length > 15, "both have a share");
  assert.deepEqual([...ids(first.contacts), ...ids(second.contacts)].sort(), ids(everyone).sort());
  assert.deepEqual(ids(first.playbooks), ["p1"]);
  assert.deepEqual(second.playbooks, [], "the playbooks are the first worker's");

  const alone = client(fakeWorkers(), 1);
  const aloneReady = alone.next("ready");
  alone.search.follow(directory, await target(newUser()));
  await aloneReady;
  for (const query of ["reembolsos", "zapopan", "laura", "rodirgo", "3300000103", "persona 1", "abogado"]) {
    const one = await alone.search.search(query, directory);
    const two = await shared.search.search(query, directory);
    assert.deepEqual(new Set(two.contacts), new Set(one.contacts), query);
    assert.deepEqual(two.playbooks, one.playbooks, query);
  }
  // The name outranks the notes across the two indexes, as in one.
  const both = await shared.search.search("reembolsos", directory);
  assert.equal(both.contacts[0], "laura");
  // Every word: only Laura has both; the other worker's contacts with one of them are not
  // mixed in (alone, that worker would answer those with some of the words).
  assert.deepEqual((await shared.search.search("laura reembolsos", directory)).contacts, ["laura"]);
  assert.deepEqual((await alone.search.search("laura reembolsos", directory)).contacts, ["laura"]);

  // A change goes to the worker whose share it is, and only to it.
  const renamed = { ...crowd[5], name: "Mónica Ibarra" };
  const before = workers.started.map((worker) => worker.posted.length);
  shared.search.follow(directoryOf([laura, adriana, rodrigo, ...crowd.slice(0, 5), renamed, ...crowd.slice(6)]), await target("x"));
  const sent = workers.started.map((worker, i) => worker.posted.slice(before[i]).filter((m) => m.type === "sync"));
  assert.equal(sent[shareOf(renamed.id, 2)].length, 1);
  assert.equal(sent[1 - shareOf(renamed.id, 2)].length, 0);
  shared.search.close();
  alone.search.close();
});

test("each worker saves its share sealed under its own part, and loads it at the next unlock", async () => {
  const userId = newUser();
  const directory = directoryOf([laura, adriana, rodrigo, ...crowd]);
  const first = client(fakeWorkers(), 2);
  const saved = first.next("saved");
  first.search.follow(directory, await target(userId));
  await saved;
  first.search.close();

  const store = await openStore(userId);
  const parts = [await store.getSearchIndex(WS, "1of2"), await store.getSearchIndex(WS, "2of2")];
  const whole = await store.getSearchIndex(WS);
  store.close();
  assert.equal(whole, undefined, "no whole index: it is in two parts");
  const ids = { kid: KID, userId, workspaceId: WS };
  assert.equal(parts[0].aad, `enlace-search-index:v1:${userId}:${WS}:1of2`);
  await assert.rejects(openSearchIndex(parts[0], await key(), { ...ids, part: "2of2" }), EnvelopeError);
  const opened = await openSearchIndex(parts[1], await key(), { ...ids, part: "2of2" });
  assert.ok(Object.keys(opened.fingerprints).length > 15);

  const workers = fakeWorkers();
  const second = client(workers, 2);
  second.search.follow(directory, await target(userId));
  const ready = await second.next("ready");
  assert.equal(ready.loaded, true, "both parts loaded");
  assert.equal(ready.contacts, 63);
  assert.deepEqual((await second.search.search("zapopan", directory)).contacts.includes("adriana"), true);
  second.search.close();
});

test("the results of several indexes: every word's first, then the best scores", () => {
  const a = { contacts: ["x", "y"], scores: [9, 2], some: false };
  const b = { contacts: ["z"], scores: [5], some: false };
  const some = { contacts: ["w"], scores: [50], some: true };
  assert.deepEqual(mergeFound([a, b]), ["x", "z", "y"]);
  assert.deepEqual(mergeFound([a, some]), ["x", "y"], "some words never above every word");
  assert.deepEqual(mergeFound([{ contacts: [], scores: [], some: false }, some]), ["w"]);
  assert.deepEqual(mergeFound([a, b], 2), ["x", "z"]);
  assert.equal(searchShares(1), 1);
  assert.equal(searchShares(2), 1, "a core left to the page");
  assert.equal(searchShares(3), 2);
  assert.equal(searchShares(8), 2);
  assert.equal(searchShares(undefined), 1);
  assert.ok([0, 1].includes(shareOf("c1", 2)) && shareOf("c1", 1) === 0);
});
