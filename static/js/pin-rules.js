// Which PINs and passphrases the app refuses, and why (docs/ARCHITECTURE.md, 4.4). A 6-digit PIN
// has a million values, but people pick few of them: the first guesses of anyone holding a lost
// phone are refused here, each with a reason the user can act on. No DOM.

import { COMMON_PINS } from "./common-pins.js";

/** The shortest PIN (digits) and passphrase (characters) accepted. */
export const MIN_PIN = 6;
export const MIN_PASSPHRASE = 8;
// Years people pick (births, weddings, this year, the next few): a PIN that starts or ends with
// one is guessed early.
const FIRST_YEAR = 1940;
const YEARS_AHEAD = 10;

const COMMON = new Set(COMMON_PINS);

function isYear(digits, now) {
  const year = Number(digits);
  return digits.length === 4 && year >= FIRST_YEAR && year <= now.getFullYear() + YEARS_AHEAD;
}

/** Tell whether each digit is the one before plus the same step (mod 10): 123456, 987654, 135791. */
function isSequence(pin) {
  const step = (Number(pin[1]) - Number(pin[0]) + 10) % 10;
  if (step === 0) return false; // one digit repeated: its own reason
  for (let i = 1; i < pin.length; i++) {
    if ((Number(pin[i - 1]) + step) % 10 !== Number(pin[i])) return false;
  }
  return true;
}

/** Tell whether the PIN repeats a shorter block (111111, 121212, 123123, 12341234); its size. */
function isRepeatedBlock(pin) {
  for (let size = 1; size <= pin.length / 2; size++) {
    const block = pin.slice(0, size);
    if (pin.length % size === 0 && block.repeat(pin.length / size) === pin) return size;
  }
  return 0;
}

// Straight lines of three keys on a phone's keypad (1 2 3 / 4 5 6 / 7 8 9 / _ 0 _), both ways:
// rows, columns (2-5-8-0 too), diagonals. Two of them make a PIN drawn with the thumb: 147258.
const KEYPAD_LINES = new Set(
  ["123", "456", "789", "147", "258", "369", "580", "159", "357"].flatMap((line) => [
    line,
    [...line].reverse().join(""),
  ]),
);

/** Tell whether the PIN is drawn on the keypad as straight lines of three keys (147258, 159357). */
function isKeypadLines(pin) {
  if (pin.length % 3 !== 0) return false;
  for (let i = 0; i < pin.length; i += 3) if (!KEYPAD_LINES.has(pin.slice(i, i + 3))) return false;
  return true;
}

/**
 * Return why a PIN is refused, or null when it is accepted: "too_short", "digits_only",
 * "repeated" (one digit), "pattern" (a repeated block), "sequence" (the same step each digit),
 * "keypad" (straight lines on the keypad), "year", "common".
 */
export function pinProblem(pin, now = new Date()) {
  if (typeof pin !== "string" || !/^\d*$/.test(pin)) return "digits_only";
  if (pin.length < MIN_PIN) return "too_short";
  const block = isRepeatedBlock(pin);
  if (block === 1) return "repeated";
  if (block) return "pattern";
  if (isSequence(pin)) return "sequence";
  if (isKeypadLines(pin)) return "keypad";
  if (isYear(pin.slice(0, 4), now) || isYear(pin.slice(-4), now)) return "year";
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
