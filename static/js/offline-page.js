// The offline notice in one language: the service worker keeps `/offline?lang=<lang>` for each
// language of the app (webapp/pages/shell.py) and shows the one of this device's app. No DOM:
// the worker passes the browser's language, and node tests pass a store of their own.

import { pickLanguage } from "./i18n.js";
import { openStore, storedUserIds } from "./store.js";

export const OFFLINE_PATH = "/offline";
const USER = ""; // the store's scope for what belongs to the user, not one workspace

/** Return the address of the offline notice in a language, as the worker precaches it. */
export function offlineUrl(lang) {
  return `${OFFLINE_PATH}?lang=${encodeURIComponent(lang)}`;
}

/**
 * Return the language of the app on this device: the one chosen in the app (meta `lang`), else
 * the account's (the saved session), else the browser's. The worker has no localStorage: it
 * reads the user's local database, as push-worker.js does for a notification.
 */
export async function deviceLanguage(browserLanguage, { listUsers = storedUserIds, open = openStore } = {}) {
  let chosen = null;
  try {
    for (const userId of await listUsers()) {
      const store = await open(userId);
      try {
        chosen = (await store.getMeta(USER, "lang")) ?? (await store.getMeta(USER, "session"))?.user?.locale;
      } finally {
        store.close();
      }
      if (chosen) break;
    }
  } catch {
    chosen = null; // no IndexedDB here (private mode): the browser's language
  }
  return pickLanguage(chosen, browserLanguage);
}
