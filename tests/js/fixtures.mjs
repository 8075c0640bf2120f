// The envelopes the Python code made (tests/unit/test_js_fixtures.py writes and checks them).
import { readFileSync } from "node:fs";

/** Read a fixture file of tests/js/fixtures as JSON. */
export const fixture = (name) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

export const FULL = fixture("full.json");
// The same snapshot with the compact plaintext (format 2); `plaintext` holds its records.
export const FULL_COMPACT = fixture("full-compact.json");
export const DELTA = fixture("delta.json");
export const OUTBOX = fixture("outbox.json");
// The same delta in the binary format (the whole answer body, base64url in `binary`).
export const DELTA_BINARY = fixture("delta-binary.json");
