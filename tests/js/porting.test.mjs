// The Import screen's and Export section's decisions: rows grouped, errors in words (never
// codes), files refused before sending, failures that say what to do, a row fixed or left out,
// the apply, the Contact Picker's contacts as a vCard, an export behind the password gate.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, createApi } from "../../static/js/api.js";
import { createPasswordGate } from "../../static/js/password-gate.js";
import { translator } from "../../static/js/i18n.js";
import {
  EMPTY_IMPORT,
  createPorting,
  fileProblem,
  fixedFields,
  fixValues,
  groupRows,
  importFailure,
  pickedToVcard,
  rowProblems,
} from "../../static/js/porting.js";

const WS = "7d3f9a52-0000-4000-8000-000000000001";
const BASE = `/api/v1/workspaces/${WS}`;

const PREVIEW = {
  id: "0c5e0000-0000-4000-8000-0000000000aa",
  format: "vcard",
  expires_at: "2026-12-04T01:00:00Z",
  applied: null,
  rows: [
    { row: 1, status: "new", fields: { name: "Ana", phones: [{ label: "", number: "+34600123456", display: "+34 600 12 34 56" }] }, errors: {}, duplicate_of: null },
    { row: 2, status: "error", fields: { name: "Beto", phones: [{ label: "", number: "12" }] }, errors: { "phones.0.number": "Not a phone number." }, duplicate_of: null },
    { row: 3, status: "duplicate", fields: { name: "Carla" }, errors: {}, duplicate_of: "x" },
  ],
  counts: { new: 1, duplicate: 1, error: 1 },
};

test("rows are grouped: those needing the user first, then new, then already there", () => {
  const groups = groupRows(PREVIEW);
  assert.deepEqual(groups.error.map((r) => r.row), [2]);
  assert.deepEqual(groups.new.map((r) => r.row), [1]);
  assert.deepEqual(groups.duplicate.map((r) => r.row), [3]);
  assert.deepEqual(groupRows(null), { error: [], new: [], duplicate: [] });
});

test("a row's errors name the field in words in both languages, never its path", () => {
  for (const lang of ["es", "en"]) {
    const t = translator(lang);
    const [problem] = rowProblems(PREVIEW.rows[1], t);
    assert.equal(problem.message, "Not a phone number.");
    assert.equal(problem.label, t("import_field_phone", { n: 1 }));
    assert.match(problem.label, /1$/);
    assert.doesNotMatch(problem.label, /phones\.0|number/);
  }
  const t = translator("es");
  assert.equal(rowProblems({ errors: { _: "x" } }, t)[0].label, t("import_row_whole"));
  assert.equal(rowProblems({ errors: { name: { _: "code" } } }, t)[0].message, t("import_row_unreadable"));
});

test("files that cannot be contacts are refused before sending", () => {
  assert.equal(fileProblem(null).key, "import_choose_file");
  assert.equal(fileProblem({ name: "a.vcf", size: 6 * 1024 * 1024, type: "text/vcard" }).key, "import_too_big");
  assert.equal(fileProblem({ name: "photo.jpg", size: 100, type: "image/jpeg" }).key, "import_wrong_type");
  assert.equal(fileProblem({ name: "a.csv", size: 0, type: "text/csv" }).key, "import_empty");
  assert.equal(fileProblem({ name: "Contactos.VCF", size: 100, type: "" }), null);
  assert.equal(fileProblem({ name: "x", size: 100, type: "text/x-vcard" }), null);
});

test("each failure says what to do next", () => {
  assert.equal(importFailure(new ApiError(0, "offline")).key, "import_offline");
  assert.equal(importFailure(new ApiError(413, "too_large")).key, "import_too_big");
  const expired = importFailure(new ApiError(410, "import_expired"));
  assert.equal(expired.key, "import_expired");
  assert.equal(expired.again, true);
  const refused = importFailure(new ApiError(400, "bad_request", "Send a vCard or a CSV file."));
  assert.deepEqual(refused, { key: "import_refused", message: "Send a vCard or a CSV file." });
  assert.equal(importFailure(new ApiError(403, "locked")).key, "import_locked");
  assert.equal(importFailure(new ApiError(403, "forbidden")).key, "import_not_allowed");
  assert.equal(importFailure(new ApiError(500, "internal_error")).key, "error_server");
});

test("a correction keeps the row's other fields and drops empty numbers and display", () => {
  const row = { row: 2, fields: { name: "Beto", tags: ["x"], phones: [{ label: "m", number: "12", whatsapp: true, display: "12" }] } };
  const values = fixValues(row);
  assert.deepEqual(values.phones, [{ label: "m", number: "12" }]);
  values.phones = [{ label: "m", number: " +34 600 000 001 " }, { label: "", number: "" }];
  values.emails = [{ label: "", address: "b@example.com" }];
  const fields = fixedFields(row, values);
  assert.deepEqual(fields.phones, [{ label: "m", number: "+34 600 000 001", whatsapp: true }]);
  assert.deepEqual(fields.emails, [{ label: "", address: "b@example.com" }]);
  assert.deepEqual(fields.tags, ["x"]);
  assert.equal("organization" in fields, false);
});

test("picked phone contacts become one vCard, escaped, the empty ones left out", () => {
  const text = pickedToVcard([
    { name: ["Ana; Pérez"], tel: ["+34 600 12 34 56", " "], email: ["ana@example.com"] },
    { name: [], tel: [], email: [] },
    { name: ["Solo, Nombre"], tel: [], email: [] },
  ]);
  const cards = text.split("END:VCARD\r\n").filter(Boolean);
  assert.equal(cards.length, 2);
  assert.match(cards[0], /^BEGIN:VCARD\r\nVERSION:4\.0\r\nFN:Ana\\; Pérez\r\n/);
  assert.match(cards[0], /\r\nTEL:\+34 600 12 34 56\r\nEMAIL:ana@example\.com\r\n$/);
  assert.match(cards[1], /FN:Solo\\, Nombre/);
  assert.equal(pickedToVcard([]), "");
});

// --- the controller against a fake server -----------------------------------------------------

function fakeServer(routes) {
  const calls = [];
  async function fetch(url, init = {}) {
    const path = url.split("?")[0];
    calls.push({ method: init.method ?? "GET", path, url, body: init.body, headers: init.headers });
    if (path === "/api/v1/session") {
      return Response.json({ user: { id: "u" }, csrf_token: "t", workspaces: [] });
    }
    const route = routes[`${init.method ?? "GET"} ${path}`];
    if (!route) return Response.json({ error: "not_found" }, { status: 404 });
    return route(init);
  }
  return { fetch, calls };
}

function harness(routes, extra = {}) {
  const server = fakeServer(routes);
  const api = createApi({ fetch: server.fetch });
  let state = { workspaceId: WS, lang: "es", importer: null, exporting: null, password: null };
  const saved = [];
  let refreshed = 0;
  const update = (patch) => {
    state = { ...state, ...patch };
  };
  const gate = createPasswordGate({ reauth: (p) => api.reauth(p), onChange: (password) => update({ password }) });
  const porting = createPorting({
    api,
    gate,
    getState: () => state,
    update,
    handleApiError: (e) => {
      throw e;
    },
    save: (blob, name) => saved.push({ blob, name }),
    refresh: async () => {
      refreshed += 1;
    },
    fail: (e) => {
      throw e;
    },
    ...extra,
  });
  return { porting, server, saved, state: () => state, refreshed: () => refreshed, gate };
}

test("a file goes up, a row is fixed, another left out, and the rest applied", async () => {
  const fixed = { ...PREVIEW, rows: [PREVIEW.rows[0], { ...PREVIEW.rows[1], status: "new", errors: {} }, PREVIEW.rows[2]] };
  const h = harness({
    [`POST ${BASE}/imports`]: () => Response.json(PREVIEW, { status: 201 }),
    [`PATCH ${BASE}/imports/${PREVIEW.id}/rows/2`]: () => Response.json(fixed),
    [`DELETE ${BASE}/imports/${PREVIEW.id}/rows/3`]: () => Response.json({ ...fixed, rows: fixed.rows.slice(0, 2) }),
    [`POST ${BASE}/imports/${PREVIEW.id}/apply`]: () => Response.json({ applied: 2, skipped: 0, revision: 9 }),
  });
  await h.porting.upload(new Blob(["BEGIN:VCARD"], { type: "text/vcard" }), "c.vcf");
  assert.equal(h.state().importer.status, "ready");
  const upload = h.server.calls.find((c) => c.path === `${BASE}/imports`);
  assert.ok(upload.body instanceof FormData);
  assert.equal(upload.headers["X-CSRFToken"], "t");
  assert.match(upload.url, /lang=es/);

  await h.porting.fixRow(2, { name: "Beto", organization: "", phones: [{ label: "", number: "+34600000002" }], emails: [] });
  const patch = h.server.calls.find((c) => c.method === "PATCH");
  assert.deepEqual(JSON.parse(patch.body).fields.phones, [{ label: "", number: "+34600000002" }]);
  assert.equal(h.state().importer.preview.counts.error, 1); // as the server answered
  await h.porting.skipRow(3);
  assert.equal(h.state().importer.preview.rows.length, 2);

  await h.porting.apply();
  const apply = h.server.calls.find((c) => c.path.endsWith("/apply"));
  assert.deepEqual(JSON.parse(apply.body), { skip_errors: false, duplicates: "skip" });
  assert.equal(h.state().importer.status, "applied");
  assert.deepEqual(h.state().importer.result, { applied: 2, skipped: 0, revision: 9 });
  assert.equal(h.refreshed(), 1);
});

test("an expired preview asks for the file again; a refused file says the server's words", async () => {
  const h = harness({
    [`POST ${BASE}/imports`]: () => Response.json(PREVIEW, { status: 201 }),
    [`POST ${BASE}/imports/${PREVIEW.id}/apply`]: () =>
      Response.json({ error: "import_expired", message: "Expired." }, { status: 410 }),
  });
  await h.porting.upload(new Blob(["x"], { type: "text/vcard" }), "c.vcf");
  await h.porting.apply();
  assert.equal(h.state().importer.preview, null);
  assert.equal(h.state().importer.error.key, "import_expired");
  assert.equal(h.state().importer.status, "idle");

  const bad = harness({
    [`POST ${BASE}/imports`]: () => Response.json({ error: "bad_request", message: "Not contacts." }, { status: 400 }),
  });
  await bad.porting.upload(new Blob(["x"], { type: "text/csv" }), "c.csv");
  assert.deepEqual(bad.state().importer.error, { key: "import_refused", message: "Not contacts." });
  await bad.porting.upload({ name: "big.vcf", size: 6e6, type: "text/vcard" });
  assert.equal(bad.state().importer.error.key, "import_too_big");
  assert.equal(bad.server.calls.filter((c) => c.path.endsWith("/imports")).length, 1);
});

test("the phone's contacts are picked into the same preview as a vCard file", async () => {
  const contacts = {
    getProperties: async () => ["name", "tel"],
    select: async (props, options) => {
      assert.deepEqual(props, ["name", "tel"]);
      assert.equal(options.multiple, true);
      return [{ name: ["Ana"], tel: ["600 12 34 56"] }];
    },
  };
  const h = harness({ [`POST ${BASE}/imports`]: () => Response.json(PREVIEW, { status: 201 }) }, { contacts });
  await h.porting.pickFromPhone();
  const upload = h.server.calls.find((c) => c.path === `${BASE}/imports`);
  const file = upload.body.get("file");
  assert.equal(file.name, "contacts.vcf");
  assert.match(await file.text(), /FN:Ana\r\nN:;Ana;;;\r\nTEL:600 12 34 56/);
  assert.equal(h.state().importer.status, "ready");
});

test("an export asks for the password in place, then downloads the file", async () => {
  let fresh = false;
  const h = harness({
    [`GET ${BASE}/export`]: () =>
      fresh
        ? new Response("BEGIN:VCARD", {
            headers: { "Content-Disposition": 'attachment; filename="enlace-brand-2026-12-03.vcf"' },
          })
        : Response.json({ error: "reauthentication_required" }, { status: 403 }),
    "POST /api/v1/session/reauth": () => {
      fresh = true;
      return new Response(null, { status: 204 });
    },
  });
  const done = h.porting.download("vcard", "3.0");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(h.state().password, { busy: false, error: null });
  await h.gate.submit("secret");
  await done;
  assert.equal(h.saved.length, 1);
  assert.equal(h.saved[0].name, "enlace-brand-2026-12-03.vcf");
  assert.equal(await h.saved[0].blob.text(), "BEGIN:VCARD");
  const get = h.server.calls.filter((c) => c.path === `${BASE}/export`).at(-1);
  assert.match(get.url, /format=vcard&version=3\.0&lang=es/);
  assert.equal(h.state().exporting.done, "enlace-brand-2026-12-03.vcf");
});

test("the screen starts empty for each workspace", () => {
  assert.equal(EMPTY_IMPORT.status, "idle");
});
