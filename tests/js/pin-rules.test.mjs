// Which PINs the app refuses, and that each reason has words in both languages.
import { test } from "node:test";
import assert from "node:assert/strict";

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
    "199012": "year",
    "122024": "year",
    "112233": "common",
    "159753": "common",
    "12345": "too_short",
    "12 456": "digits_only",
    "１２３４５６": "digits_only",
  };
  for (const [pin, reason] of Object.entries(cases)) assert.equal(pinProblem(pin), reason, pin);
});

test("ordinary PINs are accepted", () => {
  for (const pin of ["482913", "730561", "28461937", "305817"]) assert.equal(pinProblem(pin), null, pin);
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
  const reasons = ["too_short", "digits_only", "repeated", "pattern", "sequence", "year", "common", "policy"];
  for (const lang of ["es", "en"]) {
    for (const reason of reasons) assert.ok(STRINGS[lang][`pin_${reason}`], `${lang} pin_${reason}`);
    for (const reason of ["too_short", "common"]) {
      assert.ok(STRINGS[lang][`passphrase_${reason}`], `${lang} passphrase_${reason}`);
    }
  }
});
