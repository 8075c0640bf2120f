/* Registers the service worker and offers updates (squoosh's sw-bridge): a new worker waits
 * until the user taps "Update", then the page reloads once. Never in the middle of an edit: a
 * view that holds unsaved input sets `document.body.dataset.editing = "true"`, and the offer
 * waits until it is cleared. It also wipes this device's copy when a server page's sign-out form
 * is sent (docs/ARCHITECTURE.md: sign-out wipes). */

import { pickLanguage, translator } from "./i18n.js";
import { openStore, storedUserIds } from "./store.js";
import { forgetDevice, lastUserId } from "./wipe.js";

/** Register /sw.js and wire the update offer to the banner in the page, if any. */
export async function registerServiceWorker(banner = document.getElementById("update-banner")) {
  if (!("serviceWorker" in navigator)) return null;
  // A module worker (it imports the app's modules). The script itself is always fetched
  // afresh; its imports have versioned addresses (a deploy is new ones), so they may come from
  // the HTTP cache, where the page's own loads left them.
  const registration = await navigator.serviceWorker.register("/sw.js", {
    scope: "/",
    type: "module",
    updateViaCache: "imports",
  });
  // The first install takes control without a reload; only an update the user accepted does.
  let accepted = false;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !accepted) return;
    reloading = true;
    window.location.reload();
  });
  const offer = (worker) => {
    if (!banner || !navigator.serviceWorker.controller) return;
    const show = () => {
      if (document.body.dataset.editing === "true") {
        setTimeout(show, 5000);
        return;
      }
      banner.hidden = false;
    };
    banner.querySelector("button")?.addEventListener("click", () => {
      banner.hidden = true;
      accepted = true;
      worker.postMessage({ type: "skip-waiting" });
    });
    show();
  };
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed") offer(worker);
    });
  });
  return registration;
}

/** Count the edits this device holds that the server has not taken (no key needed). */
async function unsentEdits() {
  const userId = lastUserId();
  if (!userId || !(await storedUserIds()).includes(userId)) return 0;
  const store = await openStore(userId);
  try {
    // Those the server applied wait only for the copy to hold them (outbox.js `overlay`).
    const queued = await store.db.getAll("outbox");
    return queued.filter((item) => item.status !== "applied").length;
  } finally {
    store.close();
  }
}

/**
 * Wipe the device's copy before a sign-out form (`action="/logout"`) leaves the page; edits not
 * sent yet would go with it, so the user is asked first (the app can still send them).
 */
export function wipeOnSignOut(root = document) {
  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || new URL(form.action).pathname !== "/logout") return;
    event.preventDefault();
    unsentEdits()
      .catch(() => 0)
      .then((count) => {
        if (count > 0) {
          const t = translator(pickLanguage(null, document.documentElement.lang));
          if (!window.confirm(`${t("sign_out_unsent", { count })} ${t("sign_out_confirm")}`)) return;
        }
        forgetDevice().finally(() => form.submit());
      });
  });
}

wipeOnSignOut();
registerServiceWorker().catch(() => {
  // No worker (private mode, an old browser): the app still works online.
});
