// When the app locks itself: after the lock time without any interaction, whether the page is
// visible (a phone left on a desk, unlocked) or hidden (the user switched apps or is on a call).
// No DOM: the page reports interactions and visibility; timers and the clock are passed in, so
// `node --test` drives it without waiting.

/**
 * Return `{touch, hidden, visible, setMinutes, stop}`. `onLock` runs once the lock time passed
 * since the last interaction or since the page was hidden; background pages' timers are
 * throttled, so `visible()` checks the time too.
 */
export function createIdleLock({
  minutes,
  onLock,
  now = () => Date.now(),
  setTimer = (fn, ms) => setTimeout(fn, ms),
  clearTimer = (id) => clearTimeout(id),
}) {
  let lockMs = minutes * 60_000;
  let lastActive = now();
  let timer = null;

  function check() {
    timer = null;
    const idle = now() - lastActive;
    if (idle >= lockMs) return onLock();
    timer = setTimer(check, lockMs - idle);
  }

  function schedule() {
    if (timer !== null) clearTimer(timer);
    timer = setTimer(check, lockMs);
  }

  return {
    /** An interaction: the idle time starts again. */
    touch() {
      lastActive = now();
      // Reschedule lazily: the pending timer checks the time itself and waits on.
      if (timer === null) schedule();
    },
    /** The page went to the background: the lock time counts from now. */
    hidden() {
      lastActive = now();
      schedule();
    },
    /** The page came back: lock at once if the time passed meanwhile. */
    visible() {
      if (timer !== null) clearTimer(timer);
      check();
    },
    /** A new lock time (a setting). */
    setMinutes(value) {
      lockMs = value * 60_000;
      schedule();
    },
    /** Stop timing (locked: nothing to protect until the next unlock). */
    stop() {
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
    /** Start timing from now (after an unlock). */
    start() {
      lastActive = now();
      schedule();
    },
  };
}
