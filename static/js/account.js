// The account and audit screens' decisions (docs/ARCHITECTURE.md, 4.12): what a form may send,
// how a refusal reads, how pages of events add up. No DOM: app.js calls the API and keeps state.

/** Name a device as the account page does: "Chrome on Android", else what is known. */
export function deviceName(device, t) {
  const { browser, platform } = device ?? {};
  if (browser && platform) return t("device_on", { browser, platform });
  return browser || platform || t("device_unknown");
}

/**
 * Check the password form before it is sent: `{field: key}` of what is missing, or null. The
 * length of the new password is the server's rule (its message comes back by field).
 */
export function passwordProblem({ current, next, confirm }) {
  const problems = {};
  if (!current) problems.current_password = "password_current_enter";
  if (!next) problems.new_password = "password_new_enter";
  else if (next !== confirm) problems.confirm = "password_mismatch";
  return Object.keys(problems).length ? problems : null;
}

/**
 * Say why the server refused a change: `{key, params, fields}` — `key` for the form as a whole
 * (or null), `fields` the server's messages by field, already in the user's language.
 */
export function refusal(error) {
  const fields = { ...(error?.errors ?? {}) };
  if (error?.offline) return { key: "account_offline", params: {}, fields };
  if (error?.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60));
    return { key: "account_limited", params: { minutes }, fields };
  }
  if (error?.code === "wrong_password") {
    return { key: null, params: {}, fields: { current_password: error.message, ...fields } };
  }
  if (error?.status === 400 && Object.keys(fields).length) return { key: null, params: {}, fields };
  return { key: "error_server", params: {}, fields };
}

/** What an events screen shows after a refused load: "offline", "locked", "forbidden" or "error". */
export function eventsFailure(error) {
  if (error?.offline) return "offline";
  if (error?.code === "locked" || error?.code === "reauthentication_required") return "locked";
  if (error?.status === 403) return "forbidden";
  return "error";
}

/** Add a page of events to those shown (newest first), once each; `next` is where more start. */
export function addPage(shown, page) {
  const seen = new Set((shown ?? []).map((event) => event.id));
  const events = [...(shown ?? []), ...(page?.events ?? []).filter((event) => !seen.has(event.id))];
  return { events, next: Number.isInteger(page?.next_before) ? page.next_before : null };
}
