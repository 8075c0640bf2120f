// Push messages in words and links, the switch's states, and the checks of what the app sends.
import { test } from "node:test";
import assert from "node:assert/strict";

import { b64urlEncode } from "../../static/js/crypto.js";
import {
  alertCharsLeft,
  alertResult,
  appUrl,
  applicationServerKey,
  checkAlertMessage,
  hiddenCharacter,
  isLevel,
  notificationFor,
  parsePayload,
  retryMinutes,
  subscriptionBody,
  switchState,
} from "../../static/js/push.js";

const WS = "0b7e4f2a-9c1d-4e8b-a6f3-5d2c1b0a9e8f";
const PLAYBOOK = "8d1c7a0e-0000-4000-8000-000000000002";
const changed = (fields = {}) =>
  JSON.stringify({ type: "directory-changed", workspace: WS, revision: 12, count: 3, ...fields });
const alert = (fields = {}) =>
  JSON.stringify({
    type: "crisis-alert",
    workspace: WS,
    alert: "a1",
    playbook: PLAYBOOK,
    message: "Fuga de datos: no respondan en redes",
    ...fields,
  });

test("the two pinned payloads are read, anything else is not", () => {
  assert.deepEqual(parsePayload(changed()), {
    type: "directory-changed",
    workspace: WS,
    revision: 12,
    count: 3,
  });
  assert.deepEqual(parsePayload(alert()), {
    type: "crisis-alert",
    workspace: WS,
    alert: "a1",
    playbook: PLAYBOOK,
    message: "Fuga de datos: no respondan en redes",
  });
  for (const text of [
    "",
    "not json",
    "null",
    "[]",
    JSON.stringify({ type: "other", workspace: WS }),
    changed({ workspace: "../../etc" }),
    changed({ revision: -1 }),
    changed({ revision: "12" }),
  ]) {
    assert.equal(parsePayload(text), null, text);
  }
  // A playbook id that is not an id leads nowhere; an empty message is no message.
  assert.equal(parsePayload(alert({ playbook: "#status" })).playbook, null);
  assert.equal(parsePayload(alert({ message: "   " })).message, null);
  assert.equal([...parsePayload(alert({ message: "é".repeat(300) })).message].length, 140);
});

test("a change says how many things changed, where, and whether the copy is current", () => {
  const es = notificationFor(parsePayload(changed()), {
    lang: "es",
    workspaceName: "Acme",
    refreshed: true,
  });
  assert.equal(es.title, "3 cambios en Acme");
  assert.equal(es.options.body, "Tu copia sin conexión ya está al día.");
  assert.equal(es.options.tag, `enlace-directory-${WS}`);
  assert.equal(es.options.lang, "es");
  assert.deepEqual(es.options.data, { workspace: WS, hash: "" });
  assert.ok(!es.options.requireInteraction);

  const en = notificationFor(parsePayload(changed({ count: 1 })), {
    lang: "en",
    workspaceName: "Acme",
    refreshed: false,
  });
  assert.equal(en.title, "1 change in Acme");
  assert.equal(en.options.body, "Open Enlace to update your offline copy.");
  const none = notificationFor(parsePayload(changed({ count: 0 })), { lang: "en", workspaceName: "Acme" });
  assert.equal(none.title, "The Acme directory changed");
  // A workspace the device does not hold is not named.
  const unknown = notificationFor(parsePayload(changed()), { lang: "en", workspaceName: null });
  assert.equal(unknown.title, "One of your directories changed");
});

test("a crisis alert stays until acted on, carries the message and opens the playbook", () => {
  const n = notificationFor(parsePayload(alert()), { lang: "en", workspaceName: "Acme" });
  assert.equal(n.title, "Crisis alert — Acme");
  assert.equal(n.options.body, "Fuga de datos: no respondan en redes");
  assert.equal(n.options.requireInteraction, true);
  assert.equal(n.options.tag, "enlace-alert-a1");
  assert.deepEqual(n.options.data, { workspace: WS, hash: `playbook/${PLAYBOOK}` });
  assert.equal(appUrl(n.options.data), `/app?workspace=${WS}#playbook/${PLAYBOOK}`);

  const bare = notificationFor(parsePayload(alert({ message: null, playbook: null })), {
    lang: "es",
    workspaceName: null,
  });
  assert.equal(bare.title, "Alerta de crisis");
  assert.equal(bare.options.body, "Abre Enlace ahora.");
  assert.equal(appUrl(bare.options.data), `/app?workspace=${WS}`);
  const noMessage = notificationFor(parsePayload(alert({ message: null })), { lang: "es" });
  assert.equal(noMessage.options.body, "Abre el protocolo ahora.");
  assert.equal(appUrl(), "/app");
});

test("the switch says what this browser allows", () => {
  assert.equal(switchState({ supported: false, install: "none" }), "unsupported");
  assert.equal(switchState({ supported: false, install: "ios" }), "ios-install");
  assert.equal(switchState({ supported: true, permission: "denied", subscribed: true }), "denied");
  assert.equal(switchState({ supported: true, permission: "default", subscribed: false }), "off");
  // A subscription without permission (revoked in the settings) is not "on".
  assert.equal(switchState({ supported: true, permission: "default", subscribed: true }), "off");
  assert.equal(switchState({ supported: true, permission: "granted", subscribed: true }), "on");
});

test("the VAPID key must be an uncompressed P-256 point", () => {
  const point = new Uint8Array(65);
  point[0] = 4;
  point[64] = 9;
  const bytes = applicationServerKey(b64urlEncode(point));
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual([...bytes], [...point]);
  assert.throws(() => applicationServerKey(b64urlEncode(point.subarray(0, 33))), TypeError);
  const compressed = point.slice();
  compressed[0] = 2;
  assert.throws(() => applicationServerKey(b64urlEncode(compressed)), TypeError);
  assert.throws(() => applicationServerKey("not base64!"));
});

test("a subscription is sent as endpoint and keys only", () => {
  const subscription = {
    toJSON: () => ({
      endpoint: "https://push.example/abc",
      expirationTime: null,
      keys: { p256dh: "BPk", auth: "xyz" },
    }),
  };
  assert.deepEqual(subscriptionBody(subscription), {
    endpoint: "https://push.example/abc",
    keys: { p256dh: "BPk", auth: "xyz" },
  });
  assert.throws(() => subscriptionBody({ endpoint: "https://push.example/abc" }), TypeError);
  assert.throws(() => subscriptionBody(null), TypeError);
});

test("an alert's message is optional and at most 140 characters", () => {
  assert.deepEqual(checkAlertMessage("  "), { message: null });
  assert.deepEqual(checkAlertMessage(" Reúnanse en sala 2 "), { message: "Reúnanse en sala 2" });
  assert.deepEqual(checkAlertMessage("🚨".repeat(140)), { message: "🚨".repeat(140) });
  assert.deepEqual(checkAlertMessage("a".repeat(141)), { error: "alert_too_long" });
  assert.equal(alertCharsLeft(""), 140);
  assert.equal(alertCharsLeft("🚨ab"), 137);
});

test("an alert's message refuses hidden and control characters, as the server does", () => {
  // Finding 8 of issue 13: bidi controls, zero-width characters, the BOM, the soft hyphen and
  // C0/C1 controls make a lock-screen notification read differently from what was sent.
  const hidden = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
    "\u0000", "\u0009", "\u000d", "\u001b", "\u007f", "\u0085", "\u009b", "\ud800",
  ];
  for (const char of hidden) {
    const code = `U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    assert.deepEqual(checkAlertMessage(`Evacuad${char} la planta 3`), {
      error: "alert_hidden_character",
      code,
    });
    // At either end too: trimming must not hide a BOM or a tab from the check.
    assert.equal(hiddenCharacter(`${char}Evacuad`), code);
  }
  assert.equal(hiddenCharacter("¡Evacuad!\nSalida norte 🚨 — ñandú"), null);
  assert.deepEqual(checkAlertMessage("Salida\nnorte"), { message: "Salida\nnorte" });
});

test("levels and Retry-After in whole minutes", () => {
  assert.ok(isLevel("all") && isLevel("urgent") && isLevel("none"));
  assert.ok(!isLevel("some") && !isLevel(null));
  assert.equal(retryMinutes(30), 1);
  assert.equal(retryMinutes(600), 10);
  assert.equal(retryMinutes(601), 11);
  assert.equal(retryMinutes(null), 1);
  assert.equal(retryMinutes("x"), 1);
});

test("an incident started and the stale-contacts notice are read, worded, and lead to their screens", () => {
  const started = parsePayload(JSON.stringify({ type: "incident-started", workspace: WS, revision: 40 }));
  assert.deepEqual(started, { type: "incident-started", workspace: WS, revision: 40 });
  assert.equal(parsePayload(JSON.stringify({ type: "incident-started", workspace: WS })), null);
  const shown = notificationFor(started, { lang: "es", workspaceName: "Comida Ya" });
  assert.equal(shown.title, "Incidente iniciado — Comida Ya");
  assert.equal(shown.options.requireInteraction, true);
  assert.deepEqual(shown.options.data, { workspace: WS, hash: "incident/latest" });
  assert.equal(appUrl(shown.options.data), `/app?workspace=${WS}#incident/latest`);
  assert.equal(notificationFor(started, { lang: "en" }).title, "Incident started");

  const stale = parsePayload(JSON.stringify({ type: "stale-contacts", workspace: WS, count: 7 }));
  assert.deepEqual(stale, { type: "stale-contacts", workspace: WS, count: 7 });
  assert.equal(parsePayload(JSON.stringify({ type: "stale-contacts", workspace: WS, count: 0 })), null);
  const notice = notificationFor(stale, { lang: "en", workspaceName: "Comida Ya" });
  assert.equal(notice.title, "7 contacts not checked — Comida Ya");
  assert.equal(notice.options.data.hash, "readiness");
});

test("an alert that reached no device is a warning; one that reached some is a success", () => {
  assert.deepEqual(alertResult(0), { key: "alert_sent_none", params: {}, tone: "warn" });
  assert.deepEqual(alertResult(1), { key: "alert_sent_one", params: {}, tone: "ok" });
  assert.deepEqual(alertResult(3), { key: "alert_sent_many", params: { count: 3 }, tone: "ok" });
  // An answer without a count cannot claim success.
  for (const odd of [undefined, null, -1, 1.5, "2"]) assert.equal(alertResult(odd).tone, "warn");
});
