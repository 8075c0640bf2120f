// Which PINs and passphrases the app refuses, and why (docs/ARCHITECTURE.md, 4.4). A 6-digit PIN
// has a million values, but people pick few of them: the first guesses of anyone holding a lost
// phone are refused here, each with a reason the user can act on. No DOM.

import { COMMON_PINS } from "./common-pins.js";

/** The shortest PIN (digits) and passphrase (characters) accepted. */
export const MIN_PIN = 6;
export const MIN_PASSPHRASE = 8;
// Years people pick (births, weddings, now): a PIN that starts or ends with one is guessed early.
const FIRST_YEAR = 1940;
const LAST_YEAR = 2039;

const COMMON = new Set(COMMON_PINS);

function isYear(digits) {
  const year = Number(digits);
  return digits.length === 4 && year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** Tell whether each digit is one more (or one less) than the one before: 123456, 987654. */
function isSequence(pin) {
  for (const step of [1, -1]) {
    let ok = true;
    for (let i = 1; i < pin.length && ok; i++) ok = (Number(pin[i - 1]) + step + 10) % 10 === Number(pin[i]);
    if (ok) return true;
  }
  return false;
}

/** Tell whether the PIN repeats a block of 1 to 3 digits (111111, 121212, 123123). */
function isRepeatedBlock(pin) {
  for (let size = 1; size <= 3; size++) {
    const block = pin.slice(0, size);
    if (pin.length % size === 0 && block.repeat(pin.length / size) === pin) return size;
  }
  return 0;
}

/**
 * Return why a PIN is refused, or null when it is accepted: "too_short", "digits_only",
 * "repeated" (one digit), "pattern" (a repeated block), "sequence", "year", "common".
 */
export function pinProblem(pin) {
  if (typeof pin !== "string" || !/^\d*$/.test(pin)) return "digits_only";
  if (pin.length < MIN_PIN) return "too_short";
  const block = isRepeatedBlock(pin);
  if (block === 1) return "repeated";
  if (block) return "pattern";
  if (isSequence(pin)) return "sequence";
  if (isYear(pin.slice(0, 4)) || isYear(pin.slice(-4))) return "year";
  if (COMMON.has(pin)) return "common";
  return null;
}

/** Return why a passphrase is refused ("too_short", "common"), or null. */
export function passphraseProblem(passphrase) {
  if (typeof passphrase !== "string" || [...passphrase].length < MIN_PASSPHRASE) return "too_short";
  if (/^\d+$/.test(passphrase) && pinProblem(passphrase)) return "common";
  return null;
}

/**
 * Return why an unlock secret of `kind` ("pin" | "passphrase") is refused under the workspace
 * policies the user is bound by, or null: "policy" when a workspace asks for a passphrase or a
 * passkey, else the reason of pinProblem or passphraseProblem.
 */
export function secretProblem(secret, kind, strongRequired = false) {
  if (kind === "pin") return strongRequired ? "policy" : pinProblem(secret);
  return passphraseProblem(secret);
}

/** Tell whether any of the user's workspaces asks for a passphrase or a passkey. */
export function strongUnlockRequired(workspaces) {
  return (workspaces ?? []).some((w) => w.unlock_policy === "passphrase");
}
