// Minify the app's own modules for the wire: `make minify` (docs/ARCHITECTURE.md, `webapp/wire.py`).
//
//   node tools/minify/modules.mjs <terser's folder> [static folder] [output folder]
//
// Every .js under static/ except static/vendor/ (minified at vendoring, tools/vendor.sh) is
// written, minified with terser, to build/static/<same path>, and build/static/manifest.json
// names each source's SHA-256 with the terser version. The server (webapp/wire.py) serves the
// minified file only while the manifest's hash is the source's: a module edited after the build
// is served as written, never an older minified copy. Sources stay the truth; nothing minified
// is committed (build/ is ignored), and a server without node serves the sources.
//
// What terser may change: whitespace, comments, local names, constant folding. Exported and
// top-level names stay (module: true keeps exports; the modules import each other by name), and
// template literals are kept byte for byte (htm reads them).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";

const [minifier, staticDir = "static", outDir = "build/static"] = process.argv.slice(2);
if (!minifier) throw new Error("usage: modules.mjs <terser's folder> [static] [output]");
const require = createRequire(resolve(minifier, "package.json"));
const { minify } = require("terser");
const terserVersion = require("terser/package.json").version;

function* modules(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (relative(staticDir, path) !== "vendor") yield* modules(path);
    } else if (entry.name.endsWith(".js")) {
      yield path;
    }
  }
}

const OPTIONS = {
  module: true,
  ecma: 2020,
  compress: { passes: 2 },
  mangle: true,
  // Error messages and stack traces keep the names people read.
  keep_classnames: true,
  keep_fnames: true,
  format: { comments: false },
};

rmSync(outDir, { recursive: true, force: true });
const files = {};
let before = 0;
let after = 0;
for (const path of [...modules(staticDir)].sort()) {
  const source = readFileSync(path, "utf8");
  const name = relative(staticDir, path).split(sep).join("/");
  let result;
  try {
    result = await minify(source, OPTIONS);
  } catch (error) {
    throw new Error(`${path}: ${error.message} (line ${error.line}, column ${error.col})`);
  }
  const target = join(outDir, name);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, result.code);
  files[name] = createHash("sha256").update(source).digest("hex");
  before += Buffer.byteLength(source);
  after += Buffer.byteLength(result.code);
}
const manifest = { terser: terserVersion, files };
writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 1)}\n`);
const count = Object.keys(files).length;
console.log(`minified ${count} modules: ${before} -> ${after} bytes into ${outDir}`);
