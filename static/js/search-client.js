// The page's side of search: the unlocked directory's index lives in a search worker
// (search-worker.js, search-host.js), so that making it (seconds at 50,000 contacts) never holds
// the page up and a keystroke's search never holds up the typing. Until the index is ready,
// search answers from the names (search.js `searchNames`). DOM-free: `startWorker` is passed in.

import { searchNames, searchable, searchablePlaybook, syncIndex } from "./search.js";

const live = (record) => record && !record.deleted;

/**
 * Create the page's search. `startWorker()` returns a new search worker (a `Worker`, or a fake
 * with `postMessage`, `terminate` and `onmessage`); `onReady({contacts, loaded, ms})` is called
 * once the worker's index answers, `onSaved({ms})` when the worker saved it (sealed).
 *
 * Returns `{prepare(target), follow(directory, target), search(query, directory,
 * {contactsOnly}), close(), ready, workspaceId}`.
 */
export function createSearchClient({ startWorker, onReady = () => {}, onSaved = () => {} }) {
  let worker = null;
  let ready = false;
  let workspaceId = null;
  let indexed = null; // {contacts, playbooks}: id → the record last sent (syncIndex)
  let asked = new Map(); // search id → resolve
  let nextId = 0;

  function receive(message) {
    if (message.type === "ready") {
      ready = true;
      onReady(message);
    } else if (message.type === "found") {
      asked.get(message.id)?.({ contacts: message.contacts, playbooks: message.playbooks });
      asked.delete(message.id);
    } else if (message.type === "saved") {
      onSaved(message);
    } else if (message.type === "failed") {
      // Search goes on from the names; the cause is for whoever reads the console.
      console.error("search worker:", message.message);
    }
  }

  /**
   * Start the worker of a workspace's search as soon as the key is there (`target`: `{userId,
   * workspaceId, kid, key}`): it loads the index saved for the workspace while the page opens
   * the copy. Another workspace's worker, if any, is ended.
   */
  function prepare(target) {
    if (worker && workspaceId === target.workspaceId) return;
    close();
    workspaceId = target.workspaceId;
    const current = startWorker();
    worker = current;
    current.onmessage = (event) => {
      if (worker === current) receive(event.data);
    };
    const { userId, kid, key } = target;
    current.postMessage({ type: "load", userId, workspaceId, kid, key });
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
    worker.postMessage({
      type: "open",
      contacts: [...directory.contacts.values()].filter(live).map(searchable),
      playbooks: [...(directory.playbooks?.values() ?? [])].filter(live).map(searchablePlaybook),
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
    const count = (c) => c.put.length + c.remove.length;
    if (count(contacts) + count(playbooks) === 0) return;
    worker.postMessage({ type: "sync", contacts, playbooks });
  }

  /**
   * Search `directory` (the one the index follows): resolves to `{contacts, playbooks, partial}`,
   * ids best first; `partial` while the index is not ready (names only, no playbooks). Resolves
   * to null if the index is dropped meanwhile (lock, another workspace).
   */
  function search(query, directory, { contactsOnly = false } = {}) {
    if (!worker || !ready) {
      const contacts = searchNames(directory.contacts.values(), query).map(({ id }) => id);
      return Promise.resolve({ contacts, playbooks: [], partial: true });
    }
    const id = ++nextId;
    worker.postMessage({ type: "search", id, query, contactsOnly });
    return new Promise((resolve) => asked.set(id, (found) => resolve(found && { ...found, partial: false })));
  }

  /** End the worker and what it holds (the lock): pending searches resolve to null. */
  function close() {
    worker?.terminate();
    worker = null;
    ready = false;
    workspaceId = null;
    indexed = null;
    for (const resolve of asked.values()) resolve(null);
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
