import assert from "node:assert/strict";
import { test } from "node:test";

import { installState, onInstallChange, promptInstall, watchInstall } from "../../static/js/install.js";

function fakeWindow({ userAgent = "", standalone = false, maxTouchPoints = 0 } = {}) {
  const handlers = {};
  return {
    navigator: { userAgent, maxTouchPoints },
    matchMedia: () => ({ matches: standalone }),
    addEventListener: (type, handler) => (handlers[type] = handler),
    fire: (type, event) => handlers[type](event),
  };
}

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15";
const IPAD = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15";
const ANDROID = "Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 Chrome/156.0 Mobile";

test("an iPhone or iPad that is not installed gets the Share → Add to Home Screen steps", () => {
  assert.equal(installState(fakeWindow({ userAgent: IPHONE })), "ios");
  assert.equal(installState(fakeWindow({ userAgent: IPAD, maxTouchPoints: 5 })), "ios");
  assert.equal(installState(fakeWindow({ userAgent: IPAD })), "none"); // a real Mac
});

test("an app opened from the home screen offers nothing", () => {
  assert.equal(installState(fakeWindow({ userAgent: IPHONE, standalone: true })), "installed");
});

test("the browser's prompt is kept, offered from our button, and used once", async () => {
  const win = fakeWindow({ userAgent: ANDROID });
  assert.equal(installState(win), "none");
  let changes = 0;
  const stop = onInstallChange(() => changes++);
  watchInstall(win);
  let prevented = false;
  let prompted = 0;
  win.fire("beforeinstallprompt", {
    preventDefault: () => (prevented = true),
    prompt: () => prompted++,
    userChoice: Promise.resolve({ outcome: "accepted" }),
  });
  assert.equal(prevented, true);
  assert.equal(installState(win), "prompt");
  assert.equal(await promptInstall(), true);
  assert.equal(prompted, 1);
  assert.equal(await promptInstall(), false); // a prompt can be shown once
  win.fire("appinstalled", {});
  assert.equal(installState(win), "installed");
  assert.ok(changes >= 3);
  stop();
});
