// The JS tests again, against the minified modules `make minify` wrote (build/static) in place
// of their sources, as the server sends them (webapp/wire.py):
//   node --import ./tests/js/minified/register.mjs --test tests/js/*.test.mjs
// A build older than a source stops here: the server would send that source as written, and
// this run would test nothing of it.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { register } from "node:module";

const STATIC = new URL("../../../static/", import.meta.url);
const BUILD = new URL("../../../build/static/", import.meta.url);
const manifestUrl = new URL("manifest.json", BUILD);
if (!existsSync(manifestUrl)) throw new Error("no build/static/manifest.json: run make minify");
const { files } = JSON.parse(readFileSync(manifestUrl, "utf8"));
const sha256 = (url) => createHash("sha256").update(readFileSync(url)).digest("hex");
const stale = Object.keys(files).filter((name) => sha256(new URL(name, STATIC)) !== files[name]);
if (stale.length) {
  throw new Error(`build/static is older than ${stale.join(", ")}: run make minify`);
}
register("./hooks.mjs", import.meta.url, {
  data: { staticUrl: STATIC.href, buildUrl: BUILD.href, built: Object.keys(files) },
});
