// The readiness checklist's client: offline, errors, and links that stay on this site.
import { test } from "node:test";
import assert from "node:assert/strict";

import { loadReadiness, safeUrl, tidy } from "../../static/js/readiness.js";

const BODY = {
  score: 40,
  checks: [
    { id: "legal", ok: false, title: "A legal contact", weight: 1, fix: { text: "Add it", url: "/app#directory" } },
    { id: "national_numbers", ok: false, title: "Numbers", weight: 2, fix: { text: "Check", url: "https://evil.example/" } },
    { id: "fresh", ok: true, title: "Fresh", weight: 1, fix: null },
  ],
};

test("the checklist puts the heaviest gaps first and keeps only links on this site", async () => {
  const seen = [];
  const answer = await loadReadiness("w 1", "es", async (path) => {
    seen.push(path);
    return new Response(JSON.stringify(BODY), { status: 200 });
  });
  assert.deepEqual(seen, ["/api/v1/workspaces/w%201/readiness?lang=es"]);
  assert.equal(answer.kind, "ok");
  assert.equal(answer.data.score, 40);
  assert.deepEqual(answer.data.gaps.map((g) => [g.id, g.url]), [["national_numbers", null], ["legal", "/app#directory"]]);
  assert.deepEqual(answer.data.done.map((c) => c.id), ["fresh"]);
});

test("no connection and server errors are told apart", async () => {
  assert.deepEqual(await loadReadiness("w", "en", async () => { throw new TypeError("Failed to fetch"); }), { kind: "offline" });
  assert.deepEqual(await loadReadiness("w", "en", async () => new Response("{}", { status: 404 })), { kind: "error", status: 404 });
  assert.deepEqual(await loadReadiness("w", "en", async () => new Response("<html>", { status: 200 })), { kind: "error", status: 200 });
});

test("links: a path on this site, never another host or scheme", () => {
  assert.equal(safeUrl("/app#contact/1"), "/app#contact/1");
  for (const url of ["//evil.example/x", "javascript:alert(1)", "https://x", null, 3]) assert.equal(safeUrl(url), null);
  assert.deepEqual(tidy(null), { score: 0, gaps: [], done: [] });
});
