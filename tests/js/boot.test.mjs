import assert from "node:assert/strict";
import { test } from "node:test";

import { inUse, SIGN_IN } from "../../static/js/boot.js";

const page = (dataset) => ({ dataset });
const worker = (controller) => ({ serviceWorker: { controller } });

test("a page that came with a session starts the app", () => {
  assert.equal(inUse(page({ session: "" }), worker(null)), true);
  assert.equal(inUse(page({ session: "" }), {}), true); // no service workers in this browser
});

test("a device whose worker controls the page starts the app (it handles a 401 itself)", () => {
  assert.equal(inUse(page({}), worker({ state: "activated" })), true);
});

test("a visitor with no session and no worker is sent to sign in, back to the app", () => {
  assert.equal(inUse(page({}), worker(null)), false);
  assert.equal(inUse(page({}), {}), false);
  assert.equal(SIGN_IN, "/login?next=/app");
});
