// Vendored files are what VENDOR.md says, and no module needs an import map.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

const root = new URL("../../static/", import.meta.url);
const read = (path) => readFileSync(new URL(path, root));
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"']+)\1/g;

test("every vendored file has the SHA-256 that VENDOR.md records, and every file is listed", () => {
  const listed = new Map(
    [
      ...read("vendor/VENDOR.md")
        .toString()
        .matchAll(/^\| `([^`]+\.js)` \|.*\| `([0-9a-f]{64})` \|$/gm),
    ].map(([, file, sum]) => [file, sum]),
  );
  const present = readdirSync(new URL("vendor/", root)).filter((name) => name.endsWith(".js"));
  assert.deepEqual([...listed.keys()].sort(), present.sort());
  for (const [file, sum] of listed) assert.equal(sha256(read(`vendor/${file}`)), sum, file);
});

test("every licence text VENDOR.md lists is there with its checksum", () => {
  const licences = [
    ...read("vendor/VENDOR.md")
      .toString()
      .matchAll(/`(licenses\/[^`]+)` — SHA-256 `([0-9a-f]{64})`/g),
  ];
  assert.ok(licences.length >= 4);
  for (const [, path, sum] of licences) assert.equal(sha256(read(`vendor/${path}`)), sum, path);
});

test("modules import only relative paths (no import map, so script-src 'self' holds)", () => {
  for (const dir of ["vendor/", "js/"]) {
    for (const name of readdirSync(new URL(dir, root)).filter((n) => n.endsWith(".js"))) {
      for (const [, , spec] of read(dir + name)
        .toString()
        .matchAll(IMPORT)) {
        assert.match(spec, /^\.\.?\//, `${dir}${name} imports "${spec}"`);
      }
    }
  }
});
