// Which PINs the app refuses, and that each reason has words in both languages.
import { test } from "node:test";
import assert from "node:assert/strict";

import { COMMON_PINS } from "../../static/js/common-pins.js";
import { STRINGS } from "../../static/js/i18n.js";
import {
  passphraseProblem,
  pinProblem,
  secretProblem,
  strongUnlockRequired,
} from "../../static/js/pin-rules.js";

test("the PINs anyone tries first are refused, each with its reason", () => {
  const cases = {
    "000000": "repeated",
    "111111": "repeated",
    "121212": "pattern",
    "123123": "pattern",
    "123456": "sequence",
    "654321": "sequence",
    "890123": "sequence",
    "1234567": "sequence",
    "135791": "sequence",
    "246802": "sequence",
    "975319": "sequence",
    "147036": "sequence",
    "147258": "keypad",
    "159357": "keypad",
    "258369": "keypad",
    "123321": "keypad",
    "741963": "keypad",
    "580852": "keypad",
    "12341234": "pattern",
    "258025802580": "pattern",
    "199012": "year",
    "122024": "year",
    "112233": "common",
    "159753": "keypad",
    "135790": "common",
    "12345": "too_short",
    "12 456": "digits_only",
    "１２３４５６": "digits_only",
  };
  for (const [pin, reason] of Object.entries(cases)) assert.equal(pinProblem(pin), reason, pin);
});

test("ordinary PINs are accepted", () => {
  for (const pin of ["482913", "730561", "28461937", "305817", "258025", "147259"]) {
    assert.equal(pinProblem(pin), null, pin);
  }
});

test("this year and the next few are refused at either end, whenever the PIN is chosen", () => {
  const now = new Date(2026, 11, 3);
  for (const pin of ["202600", "002026", "203613", "192036"]) assert.equal(pinProblem(pin, now), "year", pin);
  assert.equal(pinProblem("203713", now), null);
  // Years move on: in 2031 the PIN that ends in 2041 is refused too.
  assert.equal(pinProblem("832041", now), null);
  assert.equal(pinProblem("832041", new Date(2031, 0, 1)), "year");
  // With no clock given, today's year is refused.
  const year = String(new Date().getFullYear());
  assert.equal(pinProblem(`${year}71`), "year");
  assert.equal(pinProblem(`84${year}`), "year");
});

test("the list of common PINs holds only what no rule refuses", () => {
  for (const pin of COMMON_PINS) assert.equal(pinProblem(pin), "common", pin);
});

test("a passphrase needs 8 characters and is not a weak PIN in disguise", () => {
  assert.equal(passphraseProblem("corto"), "too_short");
  assert.equal(passphraseProblem("12345678"), "common");
  assert.equal(passphraseProblem("cielo rojo tranvía"), null);
});

test("a workspace that asks for a passphrase refuses every PIN", () => {
  const workspaces = [{ id: "a", unlock_policy: "pin" }, { id: "b", unlock_policy: "passphrase" }];
  assert.equal(strongUnlockRequired(workspaces), true);
  assert.equal(strongUnlockRequired([{ id: "a", unlock_policy: "pin" }]), false);
  assert.equal(strongUnlockRequired([{ id: "a" }]), false);
  assert.equal(secretProblem("482913", "pin", true), "policy");
  assert.equal(secretProblem("482913", "pin", false), null);
  assert.equal(secretProblem("cielo rojo tranvía", "passphrase", true), null);
});

test("every reason the app can show has its words in Spanish and English", () => {
  const reasons = [
    "too_short", "digits_only", "repeated", "pattern", "sequence", "keypad", "year", "common", "policy",
  ];
  for (const lang of ["es", "en"]) {
    for (const reason of reasons) assert.ok(STRINGS[lang][`pin_${reason}`], `${lang} pin_${reason}`);
    for (const reason of ["too_short", "common"]) {
      assert.ok(STRINGS[lang][`passphrase_${reason}`], `${lang} passphrase_${reason}`);
    }
    // The length rule, said before the user types.
    for (const hint of ["pin_length_hint", "passphrase_length_hint"]) assert.match(STRINGS[lang][hint], /\{min\}/);
  }
});
