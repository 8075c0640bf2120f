// The account and audit screens' decisions: device names, the password form, refusals, pages.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../../static/js/api.js";
import { addPage, deviceName, eventsFailure, passwordProblem, refusal } from "../../static/js/account.js";
import { translator } from "../../static/js/i18n.js";

const t = translator("es");

test("a device reads as its browser on its platform, or what is known of it", () => {
  assert.equal(deviceName({ browser: "Chrome", platform: "Android" }, t), "Chrome en Android");
  assert.equal(deviceName({ browser: "", platform: "iOS" }, t), "iOS");
  assert.equal(deviceName({ browser: "", platform: "" }, t), t("device_unknown"));
  assert.notEqual(t("device_unknown"), "device_unknown");
});

test("the password form needs the current password, a new one, and the same one twice", () => {
  assert.deepEqual(passwordProblem({ current: "", next: "", confirm: "" }), {
    current_password: "password_current_enter",
    new_password: "password_new_enter",
  });
  assert.deepEqual(passwordProblem({ current: "old one", next: "a new one!", confirm: "a new one" }), {
    confirm: "password_mismatch",
  });
  // The length is the server's rule: a short one goes, and its message comes back by field.
  assert.equal(passwordProblem({ current: "old one", next: "short", confirm: "short" }), null);
});

test("a wrong current password lands under its field, with the server's words", () => {
  const error = new ApiError(403, "wrong_password", "La contraseña actual no es correcta.");
  error.errors = {};
  assert.deepEqual(refusal(error), {
    key: null,
    params: {},
    fields: { current_password: "La contraseña actual no es correcta." },
  });
});

test("a refused field, offline, too many attempts and anything else each read differently", () => {
  const bad = new ApiError(400, "bad_request", "Revisa los campos.");
  bad.errors = { new_password: "Usa al menos 10 caracteres." };
  assert.deepEqual(refusal(bad).fields, { new_password: "Usa al menos 10 caracteres." });
  assert.equal(refusal(bad).key, null);
  assert.equal(refusal(new ApiError(0, "offline")).key, "account_offline");
  const limited = new ApiError(429, "rate_limited");
  limited.retryAfter = 61;
  assert.deepEqual(refusal(limited), { key: "account_limited", params: { minutes: 2 }, fields: {} });
  assert.equal(refusal(new ApiError(500, "internal_error")).key, "error_server");
  for (const { key } of [refusal(limited), refusal(new ApiError(0, "offline"))]) {
    assert.notEqual(t(key), key);
  }
});

test("an events screen says why it shows nothing", () => {
  assert.equal(eventsFailure(new ApiError(0, "offline")), "offline");
  assert.equal(eventsFailure(new ApiError(403, "locked")), "locked");
  assert.equal(eventsFailure(new ApiError(403, "forbidden")), "forbidden");
  assert.equal(eventsFailure(new ApiError(500, "internal_error")), "error");
});

test("older pages add up below, once each, until the last", () => {
  const first = addPage([], { events: [{ id: 9 }, { id: 8 }], next_before: 8 });
  assert.deepEqual(first, { events: [{ id: 9 }, { id: 8 }], next: 8 });
  const second = addPage(first.events, { events: [{ id: 8 }, { id: 7 }], next_before: null });
  assert.deepEqual(second, { events: [{ id: 9 }, { id: 8 }, { id: 7 }], next: null });
});
