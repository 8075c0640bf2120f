// Installing the app: the browser's own prompt where it fires `beforeinstallprompt` (Chromium),
// instructions where it does not (iOS Safari: Share → Add to Home Screen). No rendering here.

let deferred = null;
let installed = false;
const listeners = new Set();

function changed() {
  for (const listener of listeners) listener();
}

/** Tell how this device can install the app: "installed", "prompt", "ios" or "none". */
export function installState(win = globalThis) {
  const nav = win.navigator ?? {};
  const standalone =
    nav.standalone === true || Boolean(win.matchMedia?.("(display-mode: standalone)").matches);
  if (installed || standalone) return "installed";
  if (deferred) return "prompt";
  // iPadOS reports a Mac: a Mac with touch is an iPad.
  const ios = /iPhone|iPad|iPod/.test(nav.userAgent ?? "") ||
    (/Macintosh/.test(nav.userAgent ?? "") && (nav.maxTouchPoints ?? 0) > 1);
  return ios ? "ios" : "none";
}

/** Show the browser's install prompt; resolve to whether the user accepted. */
export async function promptInstall() {
  if (!deferred) return false;
  const event = deferred;
  deferred = null;
  event.prompt();
  const { outcome } = await event.userChoice;
  changed();
  return outcome === "accepted";
}

/** Call `listener` whenever the answer of installState may have changed. */
export function onInstallChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Listen for the browser's install events (once, from the page). */
export function watchInstall(win = globalThis) {
  win.addEventListener?.("beforeinstallprompt", (event) => {
    event.preventDefault(); // offered from our own button, not the browser's mini-bar
    deferred = event;
    changed();
  });
  win.addEventListener?.("appinstalled", () => {
    installed = true;
    deferred = null;
    changed();
  });
}
