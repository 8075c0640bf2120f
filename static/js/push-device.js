// This device's push subscription, from the page: the switch's state, turning it on (the
// permission is asked only then) and off. No DOM; the browser's objects come in `env`, so node
// tests pass fakes. The server side is GET vapid-public-key, POST/DELETE push/subscriptions.

import { ApiError } from "./api.js";
import { installState } from "./install.js";
import { applicationServerKey, subscriptionBody, switchState } from "./push.js";

/** Return the browser's objects push needs (absent ones undefined). */
export function browserEnv(win = globalThis) {
  return {
    serviceWorker: win.navigator?.serviceWorker,
    PushManager: win.PushManager,
    Notification: win.Notification,
    install: installState(win),
  };
}

function supported(env) {
  return Boolean(env.serviceWorker && env.PushManager && env.Notification);
}

async function currentSubscription(env) {
  const registration = await env.serviceWorker.getRegistration();
  return (await registration?.pushManager?.getSubscription()) ?? null;
}

/** Return the switch's state: "unsupported", "ios-install", "denied", "off" or "on". */
export async function readSwitch(env = browserEnv()) {
  if (!supported(env)) return switchState({ supported: false, install: env.install });
  return switchState({
    supported: true,
    permission: env.Notification.permission,
    subscribed: Boolean(await currentSubscription(env)),
    install: env.install,
  });
}

/**
 * Turn notifications on: ask permission, subscribe with the server's VAPID key, tell the
 * server. Returns the switch's new state ("on", or "denied"/"off" when permission was not
 * given). Throws ApiError (no connection, server) or the browser's error from subscribe().
 */
export async function turnOn(api, env = browserEnv()) {
  if (!supported(env)) return readSwitch(env);
  const permission = await env.Notification.requestPermission();
  if (permission !== "granted") return permission === "denied" ? "denied" : "off";
  const key = applicationServerKey(await api.vapidKey());
  // Not `ready`: without a worker (blocked, private mode) it never resolves.
  const registration = await env.serviceWorker.getRegistration();
  if (!registration?.pushManager) throw new Error("no service worker to receive notifications");
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key,
    });
  }
  try {
    await api.addSubscription(subscriptionBody(subscription));
  } catch (error) {
    // Not kept by the server: not kept here either, or the switch would say "on" wrongly.
    await subscription.unsubscribe().catch(() => {});
    throw error;
  }
  return "on";
}

/**
 * Turn notifications off: the server forgets the subscription, then the browser drops it.
 * When the server cannot be told (no connection, signed out) the browser still drops it: the
 * push service then answers 410 to the server, which drops it too. Returns "off".
 */
export async function turnOff(api, env = browserEnv()) {
  if (!supported(env)) return readSwitch(env);
  const subscription = await currentSubscription(env);
  if (!subscription) return "off";
  try {
    await api.removeSubscription(subscription.endpoint);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  await subscription.unsubscribe();
  return "off";
}
