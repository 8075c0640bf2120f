// The password asked in place: a change refused for want of a recent password waits, the prompt
// shows, and the same change goes again after the right password.
import { test } from "node:test";
import assert from "node:assert/strict";

import { ApiError } from "../../static/js/api.js";
import { CANCELLED, createPasswordGate, reauthProblem } from "../../static/js/password-gate.js";

const STALE = () => new ApiError(403, "reauthentication_required", "Enter your password again.");

/** A gate over a fake reauth whose right password is "secret"; records what the screen shows. */
function harness() {
  const shown = [];
  const sent = [];
  const gate = createPasswordGate({
    reauth: async (password) => {
      sent.push(password);
      if (password === "offline") throw new ApiError(0, "offline");
      if (password === "boom") throw new ApiError(401, "unauthorized");
      if (password !== "secret") throw new ApiError(403, "wrong_password");
    },
    onChange: (prompt) => shown.push(prompt),
  });
  return { gate, shown, sent };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("a task that needs no password runs once, and no prompt shows", async () => {
  const { gate, shown } = harness();
  assert.equal(await gate.run(async () => 42), 42);
  assert.deepEqual(shown, []);
  assert.equal(gate.open, false);
});

test("a refused task waits for the password, then runs again and resolves with its result", async () => {
  const { gate, shown, sent } = harness();
  let calls = 0;
  const result = gate.run(async () => {
    calls += 1;
    if (calls === 1) throw STALE();
    return "saved";
  });
  await tick();
  assert.equal(gate.open, true);
  assert.deepEqual(shown.at(-1), { busy: false, error: null });

  await gate.submit("");
  assert.deepEqual(shown.at(-1), { busy: false, error: "password_enter" });
  await gate.submit("guess");
  assert.deepEqual(shown.at(-1), { busy: false, error: "password_wrong" });
  assert.equal(calls, 1, "nothing is sent again before the right password");

  await gate.submit("secret");
  assert.equal(await result, "saved");
  assert.equal(calls, 2);
  assert.equal(shown.at(-1), null);
  assert.deepEqual(sent, ["guess", "secret"]);
});

test("closing the prompt resolves the task as cancelled and sends nothing", async () => {
  const { gate, shown } = harness();
  let calls = 0;
  const result = gate.run(async () => {
    calls += 1;
    throw STALE();
  });
  await tick();
  gate.cancel();
  assert.equal(await result, CANCELLED);
  assert.equal(calls, 1);
  assert.equal(shown.at(-1), null);
  gate.cancel(); // nothing waits: nothing happens
  assert.equal(shown.at(-1), null);
});

test("other errors pass through; a signed-out reauth rejects the waiting task", async () => {
  const { gate } = harness();
  const conflict = new ApiError(409, "conflict", "A workspace needs at least one owner.");
  await assert.rejects(gate.run(async () => Promise.reject(conflict)), (error) => error === conflict);

  const waiting = gate.run(async () => Promise.reject(STALE()));
  await tick();
  await gate.submit("offline");
  assert.equal(gate.open, true, "offline: the prompt stays, with its message");
  await gate.submit("boom");
  await assert.rejects(waiting, (error) => error.status === 401);
  assert.equal(gate.open, false);
});

test("a newer request replaces the one waiting", async () => {
  const { gate } = harness();
  const first = gate.run(async () => Promise.reject(STALE()));
  await tick();
  const second = gate.ask(async () => "links");
  assert.equal(await first, CANCELLED);
  await gate.submit("secret");
  assert.equal(await second, "links");
});

test("the prompt's messages for a refused password", () => {
  assert.equal(reauthProblem(new ApiError(0, "offline")), "reauth_offline");
  assert.equal(reauthProblem(new ApiError(403, "wrong_password")), "password_wrong");
  assert.equal(reauthProblem(new ApiError(429, "rate_limited")), "password_limited");
  assert.equal(reauthProblem(new ApiError(500, "internal_error")), null);
});
