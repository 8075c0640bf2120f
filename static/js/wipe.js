// Forgetting a device's local data: sign-out, a 401, ten wrong PINs, another user signing in.
// Shared by the app and the server pages' sign-out button (through sw-bridge.js).

import { wipeUser } from "./store.js";

const LAST_USER = "enlace.user"; // an id only: nothing readable of anyone's directory

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
  // The worker's data cache (see sw.js DATA_CACHE): deleted from here too, in case no worker
  // controls this page yet.
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
