// The notification switch from the page: permission asked only when turned on, the server told
// of each subscription, and "off" that works even when the server cannot be told.
import { test } from "node:test";
import assert from "node:assert/strict";

import { ApiError } from "../../static/js/api.js";
import { readSwitch, turnOff, turnOn } from "../../static/js/push-device.js";

const KEY = Buffer.from(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : i))).toString(
  "base64url",
);

/** A browser with push: permission as given, a pushManager that records what it did. */
function browser({ permission = "default", answer = "granted", subscribed = false } = {}) {
  const log = [];
  let current = subscribed ? makeSubscription("https://push.example/kept") : null;
  function makeSubscription(endpoint) {
    return {
      endpoint,
      toJSON: () => ({ endpoint, keys: { p256dh: "BPk", auth: "au" } }),
      async unsubscribe() {
        log.push(["unsubscribe", endpoint]);
        current = null;
        return true;
      },
    };
  }
  const pushManager = {
    getSubscription: async () => current,
    async subscribe(options) {
      log.push(["subscribe", options.userVisibleOnly, options.applicationServerKey.length]);
      current = makeSubscription("https://push.example/new");
      return current;
    },
  };
  const registration = { pushManager };
  const Notification = {
    permission,
    async requestPermission() {
      log.push(["permission"]);
      Notification.permission = answer;
      return answer;
    },
  };
  const env = {
    serviceWorker: { getRegistration: async () => registration, ready: Promise.resolve(registration) },
    PushManager: function PushManager() {},
    Notification,
    install: "none",
  };
  return { env, log };
}

function api({ fail = null } = {}) {
  const calls = [];
  return {
    calls,
    async vapidKey() {
      calls.push(["vapidKey"]);
      return KEY;
    },
    async addSubscription(body) {
      calls.push(["add", body]);
      if (fail) throw fail;
    },
    async removeSubscription(endpoint) {
      calls.push(["remove", endpoint]);
      if (fail) throw fail;
    },
  };
}

test("nothing is asked until the switch is turned on", async () => {
  const { env, log } = browser();
  assert.equal(await readSwitch(env), "off");
  assert.deepEqual(log, []);
});

test("turned on: permission, a subscription with the server's key, the server told", async () => {
  const { env, log } = browser();
  const server = api();
  assert.equal(await turnOn(server, env), "on");
  assert.deepEqual(log, [["permission"], ["subscribe", true, 65]]);
  assert.deepEqual(server.calls[1], [
    "add",
    { endpoint: "https://push.example/new", keys: { p256dh: "BPk", auth: "au" } },
  ]);
  assert.equal(await readSwitch(env), "on");
});

test("permission refused: no subscription, and the switch says blocked", async () => {
  const { env, log } = browser({ answer: "denied" });
  const server = api();
  assert.equal(await turnOn(server, env), "denied");
  assert.deepEqual(log, [["permission"]]);
  assert.deepEqual(server.calls, []);
  assert.equal(await readSwitch(env), "denied");
});

test("a subscription the server did not keep is dropped here too", async () => {
  const { env, log } = browser();
  const server = api({ fail: new ApiError(400, "invalid", "endpoint not allowed") });
  await assert.rejects(turnOn(server, env), ApiError);
  assert.deepEqual(log.at(-1), ["unsubscribe", "https://push.example/new"]);
  assert.equal(await readSwitch(env), "off");
});

test("turned off: the server forgets it, then the browser; offline the browser still does", async () => {
  for (const fail of [null, new ApiError(0, "offline")]) {
    const { env, log } = browser({ permission: "granted", subscribed: true });
    const server = api({ fail });
    assert.equal(await readSwitch(env), "on");
    assert.equal(await turnOff(server, env), "off");
    assert.deepEqual(server.calls, [["remove", "https://push.example/kept"]]);
    assert.deepEqual(log, [["unsubscribe", "https://push.example/kept"]]);
    assert.equal(await readSwitch(env), "off");
  }
});

test("a browser without push says so; on iPhone, install first", async () => {
  assert.equal(await readSwitch({ install: "none" }), "unsupported");
  assert.equal(await readSwitch({ install: "ios" }), "ios-install");
  assert.equal(await turnOn(api(), { install: "ios" }), "ios-install");
});

test("without a service worker the switch fails instead of waiting forever", async () => {
  const { env } = browser();
  env.serviceWorker = { getRegistration: async () => undefined, ready: new Promise(() => {}) };
  const server = api();
  await assert.rejects(turnOn(server, env), /no service worker/);
  assert.deepEqual(server.calls, [["vapidKey"]]);
});
