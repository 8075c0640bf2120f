/* Enlace service worker. Events are wired at the bottom; each kind of request has one named
 * strategy (squoosh's src/sw). Flask serves this file at /sw.js and fills in VERSION (a hash of
 * the precached files) and PRECACHE (their URLs), and points the imports below at this deploy's
 * versioned static addresses (webapp/wire.py), so a new deploy is a new worker.
 * A module worker (registered with type "module"): push handling shares the app's modules, so
 * the local database has one schema (store.js) and one envelope check (crypto.js). */

import { appUrl } from "/static/js/push.js";
import { flushSealedOutboxes, OUTBOX_SYNC_TAG } from "/static/js/outbox-worker.js";
import { handlePush, renewSubscription } from "/static/js/push-worker.js";
import { deviceLanguage, OFFLINE_PATH, offlineUrl } from "/static/js/offline-page.js";
import { createShareInbox, isShare } from "/static/js/share-target.js";

const VERSION = "__ENLACE_VERSION__";
const PRECACHE = ["__ENLACE_PRECACHE__"];
const PREFIX = "enlace-";
const SHELL_CACHE = `${PREFIX}shell-${VERSION}`;
// No API answer is ever kept here: the app keeps envelopes and the public list in its user's
// IndexedDB database, the one place that a wipe, a removal or another user's sign-in clears.
// (Workers before this one kept them in `enlace-data`: removeOldCaches deletes it.)

/** Put every file of this version's app shell in its cache. */
async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(PRECACHE.map(precacheRequest));
}

/**
 * How a file of the shell is fetched for the precache. Static files have versioned addresses
 * kept immutable in the browser's HTTP cache, so the ones the page already loaded come from
 * there: each file crosses the network once. Pages are revalidated, never taken unchecked. The
 * worker is installed once signed in (static/js/boot.js), so `/app` asked with the session is
 * the page just loaded and answers 304 (a precache is not a navigation: the server leaves any
 * flash message for the user's next page). The offline notices are asked without cookies: a
 * server page with a session holds the user's name and a sign-out form.
 */
function precacheRequest(url) {
  if (url.startsWith("/static/")) return new Request(url);
  const credentials = new URL(url, self.location.origin).pathname === "/app" ? "same-origin" : "omit";
  return new Request(url, { cache: "no-cache", credentials });
}

/** Delete the caches of older versions (only ours: those with our prefix). */
async function removeOldCaches() {
  const keep = new Set([SHELL_CACHE]);
  const names = await caches.keys();
  await Promise.all(
    names.filter((n) => n.startsWith(PREFIX) && !keep.has(n)).map((n) => caches.delete(n)),
  );
}

/** Static files: from the cache, else from the network (and kept for next time). */
async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: false });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

/** The offline notice in the language of this device's app (one is kept per language). */
async function offlinePage() {
  const lang = await deviceLanguage(self.navigator.language);
  return (await caches.match(offlineUrl(lang))) || Response.error();
}

/** The page as the shell cache holds it (the app at `/app`), or undefined. */
async function cachedPage(request) {
  // The notice itself is never matched by path alone: its copies differ by `?lang=`.
  if (new URL(request.url).pathname === OFFLINE_PATH) return undefined;
  return caches.match(request, { ignoreSearch: true });
}

/**
 * Pages: always the network (sign-in state lives there); offline, the cached page or a notice.
 * A 503 (the server's database is away: "come back later") also opens the cached page, so the
 * app starts on the copy it holds; without one, the server's own page says to wait.
 */
async function networkFirstPage(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await cachedPage(request)) || (await offlinePage());
  }
  if (response.status === 503) return (await cachedPage(request)) || response;
  return response;
}

/** Choose the strategy for a request; undefined lets the browser do as it would without us. */
function route(request) {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return undefined;
  // API answers go to the network as if there were no worker: none is kept (see SHELL_CACHE).
  if (url.pathname.startsWith("/api/")) return undefined;
  if (request.mode === "navigate") return networkFirstPage(request);
  if (url.pathname.startsWith("/static/")) return cacheFirst(request);
  return undefined;
}

/** Forget whatever an older worker kept of API answers (sign-out, a 401, another user). */
async function wipeData() {
  await caches.delete(`${PREFIX}data`);
}

/** A push message: bring the copy up to date, then say what changed (docs/ARCHITECTURE.md, 4.8). */
async function onPush(data) {
  const text = data ? data.text() : "";
  const { notification, unsubscribe, stored } = await handlePush(text, {
    fetch: (path, init) => fetch(path, init),
    language: self.navigator.language,
  });
  if (stored) await tellWindows({ type: "envelopes-changed", workspace: stored });
  if (notification) await self.registration.showNotification(notification.title, notification.options);
  // Nobody's copy is on this device any more (signed out, wiped): stop receiving. The push
  // service then answers 410 to the server, which drops the subscription.
  if (unsubscribe) await (await self.registration.pushManager.getSubscription())?.unsubscribe();
}

/** Post a message to every window of the app this worker controls. */
async function tellWindows(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

/** A tap on a notification: the open app shows what changed, else a new window opens there. */
async function openApp(notification) {
  notification.close();
  const target = notification.data ?? {};
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const app = windows.find((client) => new URL(client.url).pathname === "/app");
  if (!app) return self.clients.openWindow(appUrl(target));
  // Focused, not reloaded: a reload would lock the app (its key lives in memory only).
  await app.focus();
  app.postMessage({ type: "open", workspace: target.workspace ?? null, hash: target.hash ?? "" });
}

/** The browser renewed or dropped the subscription: subscribe again and tell the server. */
async function onSubscriptionChange(event) {
  await renewSubscription(
    { oldSubscription: event.oldSubscription, newSubscription: event.newSubscription },
    { fetch: (path, init) => fetch(path, init), pushManager: self.registration.pushManager },
  );
}

self.addEventListener("install", (event) => {
  // No skipWaiting here: the page offers "Update available" and posts "skip-waiting".
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(removeOldCaches().then(() => self.clients.claim()));
});

// A file shared into the app (share-target.js): in this worker's memory until the page takes it.
const shared = createShareInbox();

self.addEventListener("fetch", (event) => {
  if (isShare(event.request, self.location.origin)) return event.respondWith(shared.receive(event.request));
  const answer = route(event.request);
  if (answer) event.respondWith(answer);
});

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "skip-waiting") self.skipWaiting();
  if (type === "wipe") event.waitUntil(wipeData());
  if (type === "version") event.ports[0]?.postMessage(VERSION);
  if (type === "take-shared-file") event.source?.postMessage({ type: "shared-file", file: shared.take() });
});

self.addEventListener("push", (event) => {
  event.waitUntil(onPush(event.data));
});

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(openApp(event.notification));
});

/** Background Sync: send the sealed outbox, then tell an open app to read its counts again. */
async function onSync() {
  const result = await flushSealedOutboxes({ fetch: (path, init) => fetch(path, init) });
  if (result.sent) await tellWindows({ type: "outbox-flushed", ...result });
}

self.addEventListener("sync", (event) => {
  if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(onSync());
});

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(onSubscriptionChange(event));
});
