// Resolve hooks for register.mjs: a module under static/ that `make minify` built resolves to
// its minified copy; the copies' imports of anything not built (static/vendor/) back to static/.
let staticUrl;
let buildUrl;
let built;

export function initialize(data) {
  staticUrl = data.staticUrl;
  buildUrl = data.buildUrl;
  built = new Set(data.built);
}

export async function resolve(specifier, context, nextResolve) {
  // A copy's imports are resolved as its source's (the build holds no vendor/ folder).
  const parentURL = context.parentURL?.startsWith(buildUrl)
    ? staticUrl + context.parentURL.slice(buildUrl.length)
    : context.parentURL;
  const found = await nextResolve(specifier, { ...context, parentURL });
  if (!found.url.startsWith(staticUrl)) return found;
  const name = found.url.slice(staticUrl.length);
  return built.has(name) ? { ...found, url: buildUrl + name } : found;
}
