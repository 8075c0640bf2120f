// The readiness checklist from the server (GET /api/v1/workspaces/<id>/readiness). No DOM:
// `fetch` is passed in, so `node --test` drives it with a fake server. Never kept offline: the
// checklist is about now, and a stale score would mislead.

/**
 * Fetch the checklist: `{kind: "ok", data}`, `{kind: "offline"}`, `{kind: "locked"}` (the
 * server wants the unlock token) or `{kind: "error", status}`.
 */
export async function loadReadiness(workspaceId, lang, fetchImpl = globalThis.fetch.bind(globalThis)) {
  const path = `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/readiness?lang=${encodeURIComponent(lang)}`;
  let response;
  try {
    response = await fetchImpl(path, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    return { kind: "offline" };
  }
  // A device without its unlock token (docs/ARCHITECTURE.md, 4.4): the password renews it.
  if (response.status === 403) return { kind: "locked" };
  if (!response.ok) return { kind: "error", status: response.status };
  try {
    return { kind: "ok", data: tidy(await response.json()) };
  } catch {
    return { kind: "error", status: response.status };
  }
}

/** Return a link of the server's fix only when it stays on this site (a path, not `//host`). */
export function safeUrl(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : null;
}

/** Split the checks into gaps (heaviest first) and those done; keep only safe links. */
export function tidy(body) {
  const checks = Array.isArray(body?.checks) ? body.checks : [];
  const gaps = checks
    .filter((c) => !c.ok)
    .map((c) => ({ ...c, url: safeUrl(c.fix?.url), text: c.fix?.text ?? "" }))
    .sort((a, b) => (b.weight ?? 1) - (a.weight ?? 1));
  const done = checks.filter((c) => c.ok);
  const score = Number.isInteger(body?.score) ? Math.min(100, Math.max(0, body.score)) : 0;
  return { score, gaps, done };
}
