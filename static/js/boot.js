/* The app page's first module: start the app, or send a visitor with nothing here to sign in.
 * The app is about 80 modules (≈ 150 KB on the wire); a first visit without a session should
 * not download them only to be sent to /login, and no service worker is installed until
 * someone signs in (it would precache the whole app: issue 20's cold visit, ≤ 150 KB).
 * The app starts when the server saw a session (`data-session` on <html>: the page came from
 * the network with one) or when a service worker controls this page (someone signed in on this
 * device before: the app then does what it always does, a 401 included, which wipes the copy).
 * Offline, the page is the worker's copy (docs/ARCHITECTURE.md, 5.5). */

/** Where the app sends someone who must sign in (and back to the app afterwards). */
export const SIGN_IN = "/login?next=/app";

/**
 * Tell whether someone uses the app on this device: the page came with a session, or a service
 * worker (installed at an earlier sign-in: templates/_update_banner.html) controls it. Else it
 * is a visitor with nothing here.
 */
export function inUse(root = globalThis.document?.documentElement, nav = globalThis.navigator) {
  return root?.dataset.session !== undefined || Boolean(nav?.serviceWorker?.controller);
}

if (globalThis.document?.getElementById("app")) {
  if (inUse()) import("./app.js");
  else location.replace(SIGN_IN);
}
