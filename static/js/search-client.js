// The page's side of search: the unlocked directory's index lives in search workers
// (search-worker.js, search-host.js), so that making it (seconds at 50,000 contacts) never holds
// the page up and a keystroke's search never holds up the typing; on a machine of three cores
// or more, two workers each index a share of the contacts and search answers from both. Until the
// index is ready, search answers from the names (search.js `searchNames`). DOM-free:
// `startWorker` is passed in.

import { hashTexts, searchNames, searchable, searchablePlaybook, syncIndex } from "./search.js";

const live = (record) => record && !record.deleted;

// The most workers one directory's index is shared among. Building is most of a new device's
// first unlock at 50,000 contacts (MiniSearch indexes one record after another): each worker
// builds the index of its share of the contacts, at once, on its own core. Two halve it on
// phones of 4 to 8 cores; more would start more workers for every directory, small ones too,
// for less.
const MAX_SHARES = 2;

/**
 * How many workers share the index on a machine of `cores` logical cores: one core is left to
 * the page, which opens the envelopes and draws the directory while the workers load the saved
 * index. On two cores a second worker took the page's: the unlock at CPU ×4 went 1.20 → 1.38 s
 * (docs/PERFORMANCE.md, session 13).
 */
export function searchShares(cores = globalThis.navigator?.hardwareConcurrency) {
  return Math.max(1, Math.min(MAX_SHARES, (Number(cores) || 1) - 1));
}

/** Which of `shares` workers indexes the record of `id` (always the same one). */
export function shareOf(id, shares) {
  return shares > 1 ? hashTexts([id]) % shares : 0;
}

/**
 * The contacts found by each share's index (`{contacts, scores, some}`, search-host.js) as one
 * list, best first: the `limit` best scores of them all, from the shares whose contacts have
 * every word if any has (a share finding none with every word answers those with some).
 */
export function mergeFound(answers, limit = 50) {
  const every = answers.filter((answer) => !answer.some && answer.contacts.length);
  const merged = [];
  for (const { contacts, scores } of every.length ? every : answers) {
    contacts.forEach((id, i) => merged.push({ id, score: scores[i] }));
  }
  merged.sort((a, b) => b.score - a.score);
  return merged.slice(0, limit).map(({ id }) => id);
}

/**
 * Create the page's search. `startWorker()` returns a new search worker (a `Worker`, or a fake
 * with `postMessage`, `terminate` and `onmessage`); `shares` workers are started per directory
 * (`searchShares()`), each indexing its share of the contacts (`shareOf`), the first the
 * playbooks too; `onReady({contacts, loaded, ms})` is called once every worker's index answers,
 * `onSaved({ms})` when those that save it saved it (sealed).
 *
 * Returns `{prepare(target), follow(directory, target), search(query, directory,
 * {contactsOnly}), close(), ready, workspaceId}`.
 */
export function createSearchClient({
  startWorker,
  shares = searchShares(),
  onReady = () => {},
  onSaved = () => {},
}) {
  let workers = [];
  let ready = false;
  let workspaceId = null;
  let indexed = null; // {contacts, playbooks}: id → the record last sent (syncIndex)
  let asked = new Map(); // search id → {answers, resolve}
  let nextId = 0;
  let readies = [];
  let saves = [];

  /** `items` as one list per worker, each item in its share's (`idOf(item)`: its record's id). */
  function byShare(items, idOf) {
    const lists = workers.map(() => []);
    for (const item of items) lists[shareOf(idOf(item), shares)].push(item);
    return lists;
  }

  /** Whether every worker has answered (`answers`, by share). */
  const everyWorker = (answers) => answers.filter(Boolean).length === workers.length;

  function receive(share, message) {
    if (message.type === "ready") {
      readies[share] = message;
      if (!everyWorker(readies)) return;
      ready = true;
      onReady({
        contacts: readies.reduce((sum, answer) => sum + answer.contacts, 0),
        loaded: readies.every((answer) => answer.loaded),
        ms: Math.max(...readies.map((answer) => answer.ms)),
      });
    } else if (message.type === "found") {
      const pending = asked.get(message.id);
      if (!pending) return;
      pending.answers[share] = message;
      if (!everyWorker(pending.answers)) return;
      asked.delete(message.id);
      pending.resolve({
        contacts: mergeFound(pending.answers),
        playbooks: pending.answers[0].playbooks,
      });
    } else if (message.type === "saved") {
      saves.push(message);
      const saving = readies.filter((answer) => answer?.saving).length;
      if (saves.length === saving) onSaved({ ms: Math.max(...saves.map((answer) => answer.ms)) });
    } else if (message.type === "failed") {
      // Search goes on from the names; the cause is for whoever reads the console.
      console.error("search worker:", message.message);
    }
  }

  /**
   * Start the workers of a workspace's search as soon as the key is there (`target`: `{userId,
   * workspaceId, kid, key}`): each loads the index saved for its share of the workspace while
   * the page opens the copy. Another workspace's workers, if any, are ended.
   */
  function prepare(target) {
    if (workers.length && workspaceId === target.workspaceId) return;
    close();
    workspaceId = target.workspaceId;
    const { userId, kid, key } = target;
    const started = [];
    workers = started;
    for (let share = 0; share < shares; share++) {
      const current = startWorker();
      started.push(current);
      current.onmessage = (event) => {
        if (workers === started) receive(share, event.data);
      };
      // One share is the whole index, saved as before there were shares.
      const part = shares > 1 ? `${share + 1}of${shares}` : "";
      current.postMessage({ type: "load", userId, workspaceId, kid, key, part });
    }
  }

  /**
   * Make the index follow a workspace's directory: the whole directory the first time (after
   * `prepare`, which this does if not done), then only the records held in another object than
   * the last sent (a save or a delta changes a few of 5,000).
   */
  function follow(directory, target) {
    if (indexed && workspaceId === target.workspaceId) return sync(directory);
    prepare(target);
    indexed = {
      contacts: new Map(directory.contacts),
      playbooks: new Map(directory.playbooks ?? []),
    };
    const contacts = [...directory.contacts.values()].filter(live).map(searchable);
    const shared = byShare(contacts, (contact) => contact.id);
    const playbooks = [...(directory.playbooks?.values() ?? [])].filter(live).map(searchablePlaybook);
    workers.forEach((worker, share) => {
      worker.postMessage({ type: "open", contacts: shared[share], playbooks: share === 0 ? playbooks : [] });
    });
  }

  function sync(directory) {
    const changes = (records, held, project) => {
      const found = { put: [], remove: [] };
      const collect = {
        put: (record) => found.put.push(project(record)),
        remove: (id) => found.remove.push(id),
      };
      syncIndex(collect, held, records);
      return found;
    };
    const contacts = changes(directory.contacts, indexed.contacts, searchable);
    const playbooks = changes(directory.playbooks ?? new Map(), indexed.playbooks, searchablePlaybook);
    const put = byShare(contacts.put, (contact) => contact.id);
    const remove = byShare(contacts.remove, (id) => id);
    const none = { put: [], remove: [] };
    const count = (c) => c.put.length + c.remove.length;
    workers.forEach((worker, share) => {
      const own = { put: put[share], remove: remove[share] };
      const theirs = share === 0 ? playbooks : none;
      if (count(own) + count(theirs) === 0) return;
      worker.postMessage({ type: "sync", contacts: own, playbooks: theirs });
    });
  }

  /**
   * Search `directory` (the one the index follows): resolves to `{contacts, playbooks, partial}`,
   * ids best first; `partial` while the index is not ready (names only, no playbooks). Resolves
   * to null if the index is dropped meanwhile (lock, another workspace).
   */
  function search(query, directory, { contactsOnly = false } = {}) {
    if (!workers.length || !ready) {
      const contacts = searchNames(directory.contacts.values(), query).map(({ id }) => id);
      return Promise.resolve({ contacts, playbooks: [], partial: true });
    }
    const id = ++nextId;
    for (const worker of workers) worker.postMessage({ type: "search", id, query, contactsOnly });
    return new Promise((resolve) =>
      asked.set(id, {
        answers: [],
        resolve: (found) => resolve(found && { ...found, partial: false }),
      }),
    );
  }

  /** End the workers and what they hold (the lock): pending searches resolve to null. */
  function close() {
    for (const worker of workers) worker.terminate();
    workers = [];
    ready = false;
    workspaceId = null;
    indexed = null;
    readies = [];
    saves = [];
    for (const { resolve } of asked.values()) resolve(null);
    asked = new Map();
  }

  return {
    prepare,
    follow,
    search,
    close,
    get ready() {
      return ready;
    },
    get workspaceId() {
      return workspaceId;
    },
  };
}
