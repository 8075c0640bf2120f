// The app's words: every key in both languages, every key the code uses defined.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";

import { LANGUAGES, STRINGS, pickLanguage, translator } from "../../static/js/i18n.js";

const JS = new URL("../../static/js/", import.meta.url);

test("every key has both Spanish and English, and neither is empty", () => {
  const es = Object.keys(STRINGS.es).sort();
  const en = Object.keys(STRINGS.en).sort();
  assert.deepEqual(es, en);
  for (const [lang] of LANGUAGES) {
    for (const [key, text] of Object.entries(STRINGS[lang])) assert.ok(text.trim(), `${lang}.${key}`);
  }
});

test("every key the app and its views ask for exists", () => {
  const files = ["app.js", "edit-controller.js", "team.js", ...readdirSync(new URL("views/", JS)).map((name) => `views/${name}`)];
  const used = new Set();
  for (const file of files) {
    const source = readFileSync(new URL(file, JS), "utf8");
    for (const match of source.matchAll(/\b(?:t|notice)\("([a-z_]+)"/g)) used.add(match[1]);
    for (const match of source.matchAll(/\bkey: "([a-z_]+)"/g)) used.add(match[1]);
  }
  for (const prefix of ["severity_", "role_"]) {
    assert.ok(Object.keys(STRINGS.en).some((key) => key.startsWith(prefix)), prefix);
  }
  assert.ok(used.size > 50, "the scan found the keys");
  const missing = [...used].filter((key) => !Object.hasOwn(STRINGS.en, key));
  assert.deepEqual(missing, []);
});

test("the user's locale wins, then the page's language, then Spanish", () => {
  assert.equal(pickLanguage("en", "es"), "en");
  assert.equal(pickLanguage(null, "en-US"), "en");
  assert.equal(pickLanguage("fr", "de"), "es");
});

test("parameters are filled in and a missing one stays visible", () => {
  const t = translator("en");
  assert.equal(t("call_name", { name: "Ana" }), "Call Ana");
  assert.equal(t("pin_wrong", { left: 3 }), "Wrong PIN. 3 attempts left before this device's data is erased.");
  assert.equal(translator("es")("call_name"), "Llamar a {name}");
});
