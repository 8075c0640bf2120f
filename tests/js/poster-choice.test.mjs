// The poster's chooser: labels instead of codes, ticks within the sheet's limit, the save with
// the password asked in place and the save sent again, a contact changed meanwhile.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, createApi } from "../../static/js/api.js";
import {
  EMPTY_POSTER,
  createPosterChooser,
  entriesOf,
  hasChanges,
  placeOf,
  rowsOf,
} from "../../static/js/poster-choice.js";
import { AREA_LABELS, KIND_LABELS } from "../../static/js/labels.js";

const WS = "7d3f9a52-0000-4000-8000-000000000001";
const PATH = `/api/v1/workspaces/${WS}/poster/choice`;
const FP = (n) => String(n).repeat(64).slice(0, 64);

function contact(id, fields = {}) {
  return {
    id,
    name: `Contact ${id}`,
    area: null,
    kind: "internal",
    visibility: "team",
    version: 1,
    fingerprint: FP(id.length),
    after_hours: false,
    confirmed: false,
    changed: false,
    ...fields,
  };
}

function chooser(contacts, fields = {}) {
  return { max_chosen: 8, everyone: false, contacts, print_url: `/workspaces/${WS}/poster`, ...fields };
}

test("rows show area and kind names in the app's language, never their codes", () => {
  const data = chooser([
    contact("a", { area: "finance", after_hours: true }),
    contact("b", { area: "customer_service", visibility: "restricted" }),
    contact("c", { kind: "legal" }),
    contact("d", { area: "medical" }), // an area typed as a kind's code
    contact("e", { area: "Bodega norte" }), // typed by a person: shown as typed
    contact("f"),
  ]);
  const es = rowsOf(data, [], "es");
  assert.deepEqual(
    es.map((r) => r.place),
    ["Finanzas", "Atención al cliente", "Legal", "Médico", "Bodega norte", ""],
  );
  assert.deepEqual(
    rowsOf(data, [], "en").map((r) => r.place).slice(0, 4),
    ["Finance", "Customer service", "Legal", "Medical"],
  );
  const codes = [...Object.keys(AREA_LABELS), ...Object.keys(KIND_LABELS)].filter(
    (code) => !["legal", "marketing"].includes(code), // the same word in Spanish
  );
  for (const row of es) for (const code of codes) assert.notEqual(row.place, code);
  assert.equal(es[0].afterHours, true);
  assert.equal(es[1].afterHours, false);
  assert.equal(es[1].restricted, true);
  assert.equal(placeOf({ area: null, kind: "internal" }, "es"), "");
});

test("unticked rows are disabled once the sheet is full, and saving sends what was shown", () => {
  const contacts = Array.from({ length: 10 }, (_, n) => contact(`c${n}`, { version: n + 1 }));
  const data = chooser(contacts);
  const nine = contacts.map((c) => c.id).slice(0, 8);
  const rows = rowsOf(data, nine, "es");
  assert.deepEqual(rows.filter((r) => r.disabled).map((r) => r.id), ["c8", "c9"]);
  assert.ok(rows.filter((r) => r.checked).every((r) => !r.disabled));
  // In the list's order, whatever order they were ticked in.
  assert.deepEqual(entriesOf(data, ["c3", "c1"]), [
    { id: "c1", version: 2, fingerprint: contacts[1].fingerprint },
    { id: "c3", version: 4, fingerprint: contacts[3].fingerprint },
  ]);
  const printed = chooser([contact("a", { confirmed: true }), contact("b")]);
  assert.equal(hasChanges(printed, ["a"]), false);
  assert.equal(hasChanges(printed, ["a", "b"]), true);
  assert.equal(hasChanges(printed, []), true);
});

/** The app's state around a chooser, over a fake api. */
function harness(api, { role = "owner", online = true } = {}) {
  let state = {
    workspaceId: WS,
    workspaces: [{ id: WS, role }],
    online,
    lang: "es",
    poster: EMPTY_POSTER,
  };
  const handled = [];
  const poster = createPosterChooser({
    api,
    getState: () => state,
    update: (patch) => {
      state = { ...state, ...patch };
    },
    handleApiError: async (error) => handled.push(error),
  });
  return { poster, handled, get state() { return state; } };
}

test("opening ticks what the poster prints; a non-owner or offline app asks nothing", async () => {
  const calls = [];
  const api = {
    posterChoice: async (id, options) => {
      calls.push([id, options]);
      return chooser([contact("a", { confirmed: true }), contact("b", { changed: true })]);
    },
  };
  const h = harness(api);
  await h.poster.open();
  assert.equal(h.state.poster.status, "ready");
  assert.deepEqual(h.state.poster.selected, ["a"]); // a changed one waits for the owner's tick
  assert.deepEqual(calls, [[WS, { everyone: false }]]);

  const viewer = harness(api, { role: "viewer" });
  await viewer.poster.open();
  assert.equal(viewer.state.poster.status, "not-owner");
  const offline = harness(api, { online: false });
  await offline.poster.open();
  assert.equal(offline.state.poster.status, "offline");
  assert.equal(calls.length, 1);
});

test("showing every contact keeps the owner's ticks", async () => {
  const api = {
    posterChoice: async (_id, { everyone }) =>
      chooser(everyone ? [contact("a"), contact("day")] : [contact("a")], { everyone }),
  };
  const h = harness(api);
  await h.poster.open();
  h.poster.actions.posterToggle("a");
  await h.poster.actions.posterShowAll();
  assert.equal(h.state.poster.everyone, true);
  assert.deepEqual(h.state.poster.selected, ["a"]);
  h.poster.actions.posterToggle("day");
  h.poster.actions.posterToggle("a");
  assert.deepEqual(h.state.poster.selected, ["day"]);
});

test("a ninth tick is refused with the sheet's limit", async () => {
  const contacts = Array.from({ length: 9 }, (_, n) => contact(`c${n}`));
  const h = harness({ posterChoice: async () => chooser(contacts) });
  await h.poster.open();
  for (const c of contacts) h.poster.actions.posterToggle(c.id);
  assert.equal(h.state.poster.selected.length, 8);
  assert.deepEqual(h.state.poster.message, { key: "poster_full", params: { max: 8 }, kind: "error" });
});

/** A fake server for the real api.js: the chooser, the save (needing a recent password), reauth. */
function fakeServer({ password = "right", conflictOnce = false, recent = false } = {}) {
  let fresh = recent;
  let conflicts = conflictOnce ? 1 : 0;
  let stored = [];
  const seen = [];
  const list = () =>
    chooser([
      contact("a", { confirmed: stored.includes("a"), version: conflicts ? 1 : 2 }),
      contact("b", { confirmed: stored.includes("b") }),
    ]);
  const json = (body, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const fetch = async (url, init) => {
    seen.push({ url, ...init });
    const [path] = url.split("?");
    if (path === "/api/v1/session") return json({ csrf_token: "t1", user: {}, workspaces: [] });
    if (path === "/api/v1/session/reauth") {
      if (JSON.parse(init.body).password !== password) {
        return json({ error: "wrong_password", message: "x" }, 403);
      }
      fresh = true;
      return new Response(null, { status: 204 });
    }
    if (path === PATH && init.method === "GET") return json(list());
    if (path === PATH && init.method === "PUT") {
      if (!fresh) return json({ error: "reauthentication_required", message: "x" }, 403);
      if (conflicts) {
        conflicts -= 1;
        return json({ error: "conflict", message: "«a» cambió mientras elegías." }, 409);
      }
      stored = JSON.parse(init.body).contacts.map((c) => c.id);
      return json(list());
    }
    throw new TypeError("Failed to fetch");
  };
  return { fetch, seen, stored: () => stored };
}

test("a save without a recent password asks for it in place, then is sent again", async () => {
  const server = fakeServer();
  const h = harness(createApi({ fetch: server.fetch }));
  await h.poster.open();
  h.poster.actions.posterToggle("b");
  await h.poster.actions.posterSave();
  assert.equal(h.state.poster.asking, true);
  assert.deepEqual(server.stored(), []);

  await h.poster.actions.posterPassword("wrong");
  assert.equal(h.state.poster.asking, true);
  assert.equal(h.state.poster.message.key, "password_wrong");

  await h.poster.actions.posterPassword("right");
  assert.equal(h.state.poster.asking, false);
  assert.deepEqual(server.stored(), ["b"]);
  assert.deepEqual(h.state.poster.selected, ["b"]);
  assert.equal(h.state.poster.message.key, "poster_saved");
  const put = server.seen.filter((r) => r.method === "PUT").at(-1);
  assert.equal(put.headers["X-CSRFToken"], "t1");
  assert.match(put.url, /[?&]lang=es(&|$)/);
  assert.deepEqual(JSON.parse(put.body), {
    contacts: [{ id: "b", version: 1, fingerprint: FP(1) }],
  });
  assert.deepEqual(h.handled, []); // nothing for the app to settle: it never locked
});

test("cancelling the password saves nothing and says so", async () => {
  const server = fakeServer();
  const h = harness(createApi({ fetch: server.fetch }));
  await h.poster.open();
  h.poster.actions.posterToggle("a");
  await h.poster.actions.posterSave();
  h.poster.actions.posterCancelPassword();
  assert.equal(h.state.poster.asking, false);
  assert.equal(h.state.poster.message.key, "poster_not_saved");
  assert.deepEqual(h.state.poster.selected, ["a"]); // the ticks stay for another try
  assert.deepEqual(server.stored(), []);
});

test("a contact changed meanwhile: the list comes again with the ticks, and the server's reason", async () => {
  const server = fakeServer({ conflictOnce: true, recent: true });
  const h = harness(createApi({ fetch: server.fetch }));
  await h.poster.open();
  h.poster.actions.posterToggle("a");
  await h.poster.actions.posterSave();
  assert.deepEqual(server.stored(), []);
  assert.deepEqual(h.state.poster.message, { text: "«a» cambió mientras elegías.", kind: "error" });
  assert.deepEqual(h.state.poster.selected, ["a"]);
  assert.equal(h.state.poster.data.contacts[0].version, 2); // what the owner now sees
  await h.poster.actions.posterSave();
  assert.deepEqual(server.stored(), ["a"]);
  const puts = server.seen.filter((r) => r.method === "PUT").map((r) => JSON.parse(r.body));
  assert.equal(puts.at(-1).contacts[0].version, 2);
});

test("what only the app can settle goes to it; offline says nothing changed", async () => {
  const gone = new ApiError(404, "not_found", "", "workspace");
  const h = harness({ posterChoice: async () => { throw gone; } });
  await h.poster.open();
  assert.equal(h.state.poster.status, "error");
  assert.deepEqual(h.handled, [gone]);

  const offline = harness({
    posterChoice: async () => chooser([contact("a")]),
    setPosterChoice: async () => { throw new ApiError(0, "offline"); },
  });
  await offline.poster.open();
  offline.poster.actions.posterToggle("a");
  await offline.poster.actions.posterSave();
  assert.equal(offline.state.poster.message.key, "poster_save_offline");
  assert.equal(offline.state.poster.saving, false);
  assert.deepEqual(offline.handled, []);
});
