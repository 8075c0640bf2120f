// The password asked in place: a request the server refuses with 403
// `reauthentication_required` (a change that needs a recent password, not only an unlocked app)
// waits while the screen asks for the password, then goes again. The app stays unlocked and on
// its screen. No DOM: `reauth` (api.js) and `onChange` (the app's update) are passed in.

/** What a task resolves to when the user closed the password prompt instead. */
export const CANCELLED = Symbol("cancelled");

/** Tell whether an API error asks for the password again. */
export function needsPassword(error) {
  return error?.code === "reauthentication_required";
}

/**
 * The message key for a refused password entry (api.js `reauth`), or null when the error is
 * not about the password (signed out, a server error): the caller handles those.
 */
export function reauthProblem(error) {
  if (error?.offline) return "reauth_offline";
  if (error?.code === "wrong_password") return "password_wrong";
  if (error?.status === 429) return "password_limited";
  return null;
}

/**
 * Return the gate: `run(task)` runs it, and when the server wants the password, shows the
 * prompt (`onChange({busy, error})`; `onChange(null)` hides it) and runs it again after
 * `submit(password)`. Resolves to the task's result, or CANCELLED after `cancel()`.
 */
export function createPasswordGate({ reauth, onChange }) {
  let waiting = null; // {task, resolve, reject} while the prompt shows

  function ask(task) {
    waiting?.resolve(CANCELLED); // one prompt at a time: the newest request wins
    return new Promise((resolve, reject) => {
      waiting = { task, resolve, reject };
      onChange({ busy: false, error: null });
    });
  }

  async function run(task) {
    try {
      return await task();
    } catch (error) {
      if (!needsPassword(error)) throw error;
    }
    return ask(task);
  }

  function settle() {
    const current = waiting;
    waiting = null;
    onChange(null);
    return current;
  }

  async function submit(password) {
    if (!waiting) return;
    if (!password) return onChange({ busy: false, error: "password_enter" });
    onChange({ busy: true, error: null });
    try {
      await reauth(password);
    } catch (error) {
      const problem = reauthProblem(error);
      if (problem) return onChange({ busy: false, error: problem });
      return settle().reject(error);
    }
    const current = settle();
    try {
      current.resolve(await current.task());
    } catch (error) {
      current.reject(error);
    }
  }

  function cancel() {
    if (waiting) settle().resolve(CANCELLED);
  }

  return {
    run,
    ask,
    submit,
    cancel,
    get open() {
      return waiting !== null;
    },
  };
}
