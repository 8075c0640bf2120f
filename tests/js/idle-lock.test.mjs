// The idle lock: after the lock time without interaction, visible or hidden.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createIdleLock } from "../../static/js/idle-lock.js";

/** A clock and timers the test moves by hand. */
function fakeTime() {
  let now = 0;
  let timers = [];
  let next = 1;
  return {
    now: () => now,
    setTimer: (fn, ms) => {
      const id = next++;
      timers.push({ id, at: now + ms, fn });
      return id;
    },
    clearTimer: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    /** Move the clock, firing the timers due (as a visible page's timers fire). */
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = end;
    },
    /** Move the clock without firing anything (a background page's throttled timers). */
    jump(ms) {
      now += ms;
    },
  };
}

function setUp(minutes = 5) {
  const time = fakeTime();
  let locks = 0;
  const idle = createIdleLock({ minutes, onLock: () => locks++, ...time });
  idle.start();
  return { time, idle, locks: () => locks };
}

test("a visible page left alone locks after the lock time", () => {
  const { time, locks } = setUp(5);
  time.advance(4 * 60_000 + 59_000);
  assert.equal(locks(), 0);
  time.advance(1_000);
  assert.equal(locks(), 1);
});

test("each interaction starts the idle time again", () => {
  const { time, idle, locks } = setUp(5);
  for (let i = 0; i < 10; i++) {
    time.advance(4 * 60_000);
    idle.touch();
  }
  assert.equal(locks(), 0);
  time.advance(5 * 60_000);
  assert.equal(locks(), 1);
});

test("a page back from the background after the lock time locks at once", () => {
  const { time, idle, locks } = setUp(5);
  idle.hidden();
  time.jump(6 * 60_000); // timers in the background may never fire
  assert.equal(locks(), 0);
  idle.visible();
  assert.equal(locks(), 1);
});

test("a short time in the background does not lock, and the timer goes on", () => {
  const { time, idle, locks } = setUp(5);
  idle.hidden();
  time.jump(60_000);
  idle.visible();
  assert.equal(locks(), 0);
  time.advance(4 * 60_000);
  assert.equal(locks(), 1);
});

test("a new lock time applies from now; a stopped lock never fires", () => {
  const { time, idle, locks } = setUp(5);
  idle.setMinutes(1);
  time.advance(60_000);
  assert.equal(locks(), 1);
  idle.start();
  idle.stop();
  time.advance(10 * 60_000);
  assert.equal(locks(), 1);
});
