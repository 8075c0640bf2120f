// Forgetting a device's local data: sign-out, a 401, ten wrong PINs, another user signing in.
// Shared by the app and the server pages' sign-out button (through sw-bridge.js).

import { wipeUser } from "./store.js";

const LAST_USER = "enlace.user"; // an id only: nothing readable of anyone's directory
// Set when the device wiped itself offline (ten wrong PINs): its server session must end at the
// first connection, before anything else, or whoever holds the phone sets a new PIN online.
const END_SESSION = "enlace.end-session";

/** Return the id of the user whose copy this device holds, if any. */
export function lastUserId() {
  try {
    return localStorage.getItem(LAST_USER);
  } catch {
    return null; // storage disabled
  }
}

/** Remember whose copy this device holds (so that it opens offline, and is wiped on sign-out). */
export function rememberUser(userId) {
  localStorage.setItem(LAST_USER, userId);
}

/** Delete the last user's IndexedDB copy and the envelopes the service worker kept. */
export async function forgetDevice() {
  const userId = lastUserId();
  navigator.serviceWorker?.controller?.postMessage({ type: "wipe" });
  const waits = [];
  if (userId) waits.push(wipeUser(userId));
  // What an older worker kept of API answers (today's keeps none): deleted from here too, in
  // case no worker controls this page yet.
  if (globalThis.caches) waits.push(caches.delete("enlace-data"));
  // A device that holds nobody's copy gets no more notifications: the push service then answers
  // 410 to the server, which drops the subscription.
  const registration = navigator.serviceWorker?.getRegistration();
  if (registration) {
    waits.push(registration.then((r) => r?.pushManager?.getSubscription()).then((s) => s?.unsubscribe()));
  }
  await Promise.allSettled(waits);
  try {
    localStorage.removeItem(LAST_USER);
  } catch {
    // storage disabled: nothing was kept there
  }
}

/** Remember that this device's server session must end at the next connection. */
export function markSessionToEnd() {
  try {
    localStorage.setItem(END_SESSION, "1");
  } catch {
    // storage disabled: nothing to remember with, the wipe still happened
  }
}

/** Tell whether the server session must end before anything else. */
export function sessionToEnd() {
  try {
    return localStorage.getItem(END_SESSION) === "1";
  } catch {
    return false;
  }
}

/** The server session ended (or was found gone): nothing left to do. */
export function sessionEnded() {
  try {
    localStorage.removeItem(END_SESSION);
  } catch {
    // storage disabled
  }
}
