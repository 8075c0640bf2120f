// Push notifications (docs/ARCHITECTURE.md, 4.8): what a push message says and where it
// leads, the state of the settings switch, and the checks of what the app sends. No DOM and no
// storage: the service worker and the app both use it, and `node --test` tests it.

import { b64urlDecode } from "./crypto.js";
import { translator } from "./i18n.js";

/** Which notifications a user's devices get (GET/PUT /api/v1/push/preferences). */
export const LEVELS = Object.freeze(["all", "urgent", "none"]);
/** The longest message a crisis alert may carry, in characters. */
export const MAX_ALERT_MESSAGE = 140;

const DIRECTORY_CHANGED = "directory-changed";
const CRISIS_ALERT = "crisis-alert";
const INCIDENT_STARTED = "incident-started";
const STALE_CONTACTS = "stale-contacts";
/** Where a tap on "incident started" leads: the newest open incident (the payload names none). */
export const LATEST_INCIDENT_HASH = "incident/latest";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Beside this module, at the same (versioned) static address the worker precached.
const ICON = new URL("../icons/icon-192.png", import.meta.url).pathname;

function isRevision(value) {
  return Number.isSafeInteger(value) && value >= 0;
}

function isId(value) {
  return typeof value === "string" && UUID.test(value);
}

/** Tell whether a value is one of the preference levels. */
export function isLevel(value) {
  return LEVELS.includes(value);
}

/**
 * Read a push message's text: `{type: "directory-changed", workspace, revision, count}`,
 * `{type: "crisis-alert", workspace, alert, playbook, message}`, `{type: "incident-started",
 * workspace, revision}` or `{type: "stale-contacts", workspace, count}`; null for anything else.
 */
export function parsePayload(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!data || typeof data !== "object" || !isId(data.workspace)) return null;
  const { workspace } = data;
  if (data.type === DIRECTORY_CHANGED) {
    if (!isRevision(data.revision)) return null;
    const count = isRevision(data.count) ? data.count : 0;
    return { type: DIRECTORY_CHANGED, workspace, revision: data.revision, count };
  }
  if (data.type === INCIDENT_STARTED) {
    if (!isRevision(data.revision)) return null;
    return { type: INCIDENT_STARTED, workspace, revision: data.revision };
  }
  if (data.type === STALE_CONTACTS) {
    if (!isRevision(data.count) || data.count === 0) return null;
    return { type: STALE_CONTACTS, workspace, count: data.count };
  }
  if (data.type === CRISIS_ALERT) {
    const message =
      typeof data.message === "string" ? [...data.message.trim()].slice(0, MAX_ALERT_MESSAGE).join("") : "";
    return {
      type: CRISIS_ALERT,
      workspace,
      alert: typeof data.alert === "string" ? data.alert : null,
      playbook: isId(data.playbook) ? data.playbook : null,
      message: message || null,
    };
  }
  return null;
}

/** Return the app's address for what a notification is about (`{workspace, hash}`). */
export function appUrl({ workspace = null, hash = "" } = {}) {
  const query = workspace ? `?workspace=${encodeURIComponent(workspace)}` : "";
  return `/app${query}${hash ? `#${hash}` : ""}`;
}

function changedTitle(t, count, workspace) {
  if (count === 1) return t("push_changed_one", { workspace });
  if (count > 1) return t("push_changed_many", { count, workspace });
  return t("push_changed_some", { workspace });
}

/**
 * Return the notification for a message: `{title, options}` for showNotification.
 *
 * `workspaceName` comes from the device's non-confidential meta (null when it does not hold the
 * workspace: then nothing names it); `refreshed` says whether the offline copy is now current.
 */
export function notificationFor(payload, { lang, workspaceName = null, refreshed = false }) {
  const t = translator(lang);
  const options = { lang, icon: ICON, data: { workspace: payload.workspace, hash: "" } };
  if (payload.type === CRISIS_ALERT) {
    const hash = payload.playbook ? `playbook/${payload.playbook}` : "";
    const fallback = payload.playbook ? t("push_alert_open_playbook") : t("push_alert_open_app");
    return {
      title: workspaceName
        ? t("push_alert_title", { workspace: workspaceName })
        : t("push_alert_title_plain"),
      options: {
        ...options,
        body: payload.message ?? fallback,
        // One notification per alert: a second alert never silently replaces the first.
        tag: `enlace-alert-${payload.alert ?? payload.workspace}`,
        requireInteraction: true,
        vibrate: [300, 100, 300, 100, 600],
        data: { workspace: payload.workspace, hash },
      },
    };
  }
  if (payload.type === INCIDENT_STARTED) {
    return {
      title: workspaceName
        ? t("push_incident_title", { workspace: workspaceName })
        : t("push_incident_title_plain"),
      options: {
        ...options,
        body: t("push_incident_body"),
        tag: `enlace-incident-${payload.workspace}-${payload.revision}`,
        requireInteraction: true,
        vibrate: [300, 100, 300, 100, 600],
        data: { workspace: payload.workspace, hash: LATEST_INCIDENT_HASH },
      },
    };
  }
  if (payload.type === STALE_CONTACTS) {
    return {
      title: workspaceName
        ? t("push_stale_title", { count: payload.count, workspace: workspaceName })
        : t("push_stale_title_plain"),
      options: {
        ...options,
        body: t("push_stale_body"),
        tag: `enlace-stale-${payload.workspace}`,
        data: { workspace: payload.workspace, hash: "readiness" },
      },
    };
  }
  return {
    title: workspaceName
      ? changedTitle(t, payload.count, workspaceName)
      : t("push_changed_unknown"),
    options: {
      ...options,
      body: refreshed ? t("push_copy_current") : t("push_copy_stale"),
      // One per workspace: a newer change replaces the older notification.
      tag: `enlace-directory-${payload.workspace}`,
    },
  };
}

/**
 * Tell what the notification switch shows: "unsupported", "ios-install" (iOS gives push only
 * to an app added to the home screen), "denied" (blocked in the browser), "off" or "on".
 */
export function switchState({ supported, permission, subscribed, install }) {
  if (!supported) return install === "ios" ? "ios-install" : "unsupported";
  if (permission === "denied") return "denied";
  return subscribed && permission === "granted" ? "on" : "off";
}

/** Decode the server's VAPID key (base64url of an uncompressed P-256 point) for subscribe(). */
export function applicationServerKey(key) {
  const bytes = b64urlDecode(key);
  if (bytes.length !== 65 || bytes[0] !== 0x04) {
    throw new TypeError("the VAPID key is not an uncompressed P-256 point");
  }
  return bytes;
}

/** Return what POST /api/v1/push/subscriptions takes from a PushSubscription. */
export function subscriptionBody(subscription) {
  const json = typeof subscription?.toJSON === "function" ? subscription.toJSON() : subscription;
  const { endpoint, keys } = json ?? {};
  if (typeof endpoint !== "string" || !endpoint) throw new TypeError("a subscription without endpoint");
  if (typeof keys?.p256dh !== "string" || typeof keys?.auth !== "string") {
    throw new TypeError("a subscription without keys");
  }
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

// What a lock-screen notification would not show as written: controls but the newline (Cc),
// format characters such as bidi overrides, zero-width characters, the BOM and the soft hyphen
// (Cf), lone surrogates (Cs). The server refuses the same (webapp/push/service.py).
const HIDDEN_CHARACTER = /(?!\n)[\p{Cc}\p{Cf}\p{Cs}]/u;

/** Return the first hidden or control character of a text as `U+XXXX`, or null. */
export function hiddenCharacter(text) {
  const found = HIDDEN_CHARACTER.exec(String(text ?? ""));
  if (!found) return null;
  return `U+${found[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Check a crisis alert's message: `{message}` (null when empty) or `{error}` (a string key,
 * with `code` for a hidden character). */
export function checkAlertMessage(text) {
  const code = hiddenCharacter(text);
  if (code) return { error: "alert_hidden_character", code };
  const message = String(text ?? "").trim();
  if (!message) return { message: null };
  if ([...message].length > MAX_ALERT_MESSAGE) return { error: "alert_too_long" };
  return { message };
}

/** Return the characters left for an alert's message. */
export function alertCharsLeft(text) {
  return MAX_ALERT_MESSAGE - [...String(text ?? "").trim()].length;
}

/** Return whole minutes to wait from a Retry-After value in seconds (at least one). */
export function retryMinutes(seconds) {
  const value = Number(seconds);
  if (!Number.isFinite(value) || value <= 0) return 1;
  return Math.max(1, Math.ceil(value / 60));
}

/**
 * Say what became of a sent alert, from the server's count of devices it was queued for:
 * `{key, params, tone}`. Nobody's device (no other member has notifications on) is a warning,
 * not a success: the team still has to be called.
 */
export function alertResult(recipients) {
  const count = Number.isInteger(recipients) && recipients > 0 ? recipients : 0;
  if (count === 0) return { key: "alert_sent_none", params: {}, tone: "warn" };
  if (count === 1) return { key: "alert_sent_one", params: {}, tone: "ok" };
  return { key: "alert_sent_many", params: { count }, tone: "ok" };
}
