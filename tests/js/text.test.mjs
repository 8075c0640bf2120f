import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { LINE, PARAGRAPHS, textProblem } from "../../static/js/text.js";

// The server's cases (tests/unit/test_text.py reads the same file): one rule on both sides.
const { cases } = JSON.parse(
  readFileSync(new URL("./fixtures/text.json", import.meta.url), "utf8"),
);

test("the app reads each typed text as the server does", () => {
  for (const { text, multiline, reason, code } of cases) {
    const expected = reason ? { reason, code } : null;
    assert.deepEqual(textProblem(text, multiline ? PARAGRAPHS : LINE), expected, JSON.stringify(text));
  }
});

test("a right-to-left override is named by its code point", () => {
  assert.deepEqual(textProblem("Police \u202e119 call"), { reason: "hidden", code: "U+202E" });
});

test("long text keeps tabs and line breaks; one line does not", () => {
  assert.equal(textProblem("1.\tGuardia\r\n2.\tJefa", PARAGRAPHS), null);
  assert.deepEqual(textProblem("Ana\nBeto", LINE), { reason: "layout", code: "U+000A" });
});
