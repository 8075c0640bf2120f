// The search worker's side of search (search-worker.js wires it to the worker's messages; the
// page's side is search-client.js). The unlocked directory's index is made here, off the page's
// thread: loaded from the index saved sealed beside the envelopes when there is one (only the
// contacts changed since are indexed again), else built, then saved for the next unlock. It
// lives as long as the worker, which the page ends when it locks. DOM-free: node tests drive it
// with messages.

import { openSearchIndex, sealSearchIndex } from "./crypto.js";
import { createContactIndex, createPlaybookIndex, loadContactIndex } from "./search.js";
import { openStore } from "./store.js";

// The index is saved again once this many contacts were indexed rather than loaded (changes
// since the last save): each costs its share of a build at the next unlock.
export const SAVE_AFTER = 500;

/**
 * Create the worker's search host. `post(message)` answers the page; `open(userId)` opens the
 * user's store (store.js openStore); `now()` is the clock of the figures it reports.
 *
 * Messages from the page, handled one after the other in the order sent:
 * - `{type: "load", userId, workspaceId, kid, key, part}` (key: the snapshot CryptoKey; `part`:
 *   which share of the contacts this worker indexes, `"1of2"`, or none), as soon as the page has
 *   the key: read the index saved for the workspace (and part), if any, and load it.
 * - `{type: "open", contacts, playbooks}` (records as search.js `searchable` and
 *   `searchablePlaybook` give them), once the page has opened the copy: make the index (from the
 *   loaded one, indexing only what changed since it was saved); answers `{type: "ready",
 *   contacts, loaded, saving, ms}` (`loaded`: from the saved index; `ms` since `load`), then
 *   `{type: "saved", ms}` if it saves it (`saving`).
 * - `{type: "sync", contacts: {put, remove}, playbooks: {put, remove}}`: records changed
 *   (put; a deleted one is removed) and ids gone.
 * - `{type: "search", id, query, contactsOnly}`: answers `{type: "found", id, contacts, scores,
 *   some, playbooks}`, ids best first, the contacts' scores, and `some` when no contact has
 *   every word and those found have some (search.js).
 * Anything that fails answers `{type: "failed", message}`; a search before `open`, no ids.
 */
export function createSearchHost({ post, open = openStore, now = () => performance.now() }) {
  let contacts = null;
  let playbooks = null;
  let target = null; // {userId, workspaceId, kid, key, part}: where the index is saved
  let saved = null; // the saved index, loaded (search.js loadContactIndex), until `open`
  let started = 0; // when `load` came
  let queue = Promise.resolve();

  async function load({ userId, workspaceId, kid, key, part = "" }) {
    started = now();
    target = { userId, workspaceId, kid, key, part };
    let store;
    try {
      store = await open(userId);
      const sealed = await store.getSearchIndex(workspaceId, part);
      const json = sealed ? await openSearchIndex(sealed, key, target) : null;
      saved = loadContactIndex(json);
    } catch (error) {
      // Another key's, or unreadable: it is built again and replaced.
      console.warn("search: the saved index is not used", error);
      saved = null;
    } finally {
      store?.close();
    }
  }

  async function save() {
    const started = now();
    const { userId, workspaceId, key, part } = target;
    const sealed = await sealSearchIndex(contacts.toJSON(), key, target);
    const store = await open(userId);
    try {
      await store.putSearchIndex(workspaceId, sealed, part);
    } finally {
      store.close();
    }
    post({ type: "saved", ms: now() - started });
  }

  async function openIndex(message) {
    if (!target) throw new Error("open before load");
    contacts = createContactIndex(message.contacts, { saved });
    playbooks = createPlaybookIndex(message.playbooks);
    const loaded = Boolean(saved) && contacts.reindexed < contacts.size;
    saved = null;
    const saving = (!loaded && contacts.size > 0) || contacts.reindexed >= SAVE_AFTER;
    post({ type: "ready", contacts: contacts.size, loaded, saving, ms: now() - started });
    if (saving) await save();
  }

  function sync(message) {
    for (const [index, changes] of [
      [contacts, message.contacts],
      [playbooks, message.playbooks],
    ]) {
      for (const id of changes?.remove ?? []) index.remove(id);
      for (const record of changes?.put ?? []) index.put(record);
    }
  }

  function search({ id, query, contactsOnly }) {
    const ids = (found) => found.map((result) => result.id);
    const found = contacts ? contacts.search(query) : [];
    post({
      type: "found",
      id,
      contacts: ids(found),
      scores: found.map((result) => result.score),
      some: found.some((result) => result.some),
      playbooks: playbooks && !contactsOnly ? ids(playbooks.search(query)) : [],
    });
  }

  async function run(message) {
    switch (message?.type) {
      case "load":
        return load(message);
      case "open":
        return openIndex(message);
      case "sync":
        return contacts && sync(message);
      case "search":
        return search(message);
      default:
        throw new Error(`unknown message ${message?.type}`);
    }
  }

  return {
    /** Handle one message from the page, after those before it; resolves when it is done. */
    handle(message) {
      queue = queue
        .then(() => run(message))
        .catch((error) => post({ type: "failed", message: String(error?.message ?? error) }));
      return queue;
    },
  };
}
