// The members and workspace screens' controller: what the screen holds after each answer, the
// password asked in place, and what goes back to the app (wipes, the session to read again).
import { test } from "node:test";
import assert from "node:assert/strict";

import { ApiError } from "../../static/js/api.js";
import { createPasswordGate } from "../../static/js/password-gate.js";
import { createTeam, withInvitation, withMember } from "../../static/js/team.js";

const WS = "w1";
const OLGA = { user_id: "u1", name: "Olga", email: "olga@example.com", role: "owner", you: true, sole_owner: true };
const VERA = { user_id: "u2", name: "Vera", email: "vera@example.com", role: "viewer", you: false, sole_owner: false };
const LINK = { id: 7, role: "editor", note: "Ana", expires_at: "2027-01-08T10:00:00Z", link: "https://x/invite/abc" };
const STALE = () => new ApiError(403, "reauthentication_required", "Enter your password again.");

/** The controller over a fake API; `calls` records every API call, `events` what went to the app. */
function harness(overrides = {}) {
  let state = { workspaceId: WS, lang: "es", online: true, team: null, workspaceSettings: null, password: null };
  const calls = [];
  const events = [];
  let fresh = false; // a recent password
  let people = [OLGA, VERA]; // the server's members
  const needsFresh = async () => {
    if (!fresh) throw STALE();
  };
  const api = {
    async members(workspaceId, lang) {
      calls.push(["members", workspaceId, lang]);
      return { members: people, invitations: fresh ? [LINK] : [{ ...LINK, link: null }], links_shown: fresh };
    },
    async invite(workspaceId, body, lang) {
      calls.push(["invite", workspaceId, body, lang]);
      await needsFresh();
      return { ...LINK, id: 8, role: body.role, note: body.note };
    },
    async revokeInvitation(workspaceId, id) {
      calls.push(["revoke", workspaceId, id]);
      await needsFresh();
    },
    async changeRole(workspaceId, userId, role) {
      calls.push(["role", workspaceId, userId, role]);
      await needsFresh();
      if (userId === OLGA.user_id) throw new ApiError(409, "conflict", "Un espacio necesita al menos un propietario.");
      people = people.map((m) => (m.user_id === userId ? { ...m, role } : m));
      return people.find((m) => m.user_id === userId);
    },
    async removeMember(workspaceId, userId) {
      calls.push(["remove", workspaceId, userId]);
      await needsFresh();
      people = people.filter((m) => m.user_id !== userId);
    },
    async workspaceSettings(workspaceId, lang) {
      calls.push(["settings", workspaceId, lang]);
      return { id: WS, name: "Brand", role: "owner", unlock_policy: "pin" };
    },
    async updateWorkspaceSettings(workspaceId, changes) {
      calls.push(["update", workspaceId, changes]);
      await needsFresh();
      return { id: WS, name: "Brand", role: "owner", unlock_policy: changes.unlock_policy };
    },
    ...overrides,
  };
  const update = (patch) => {
    state = { ...state, ...patch };
  };
  const gate = createPasswordGate({
    reauth: async (password) => {
      if (password !== "secret") throw new ApiError(403, "wrong_password");
      fresh = true;
    },
    onChange: (password) => update({ password }),
  });
  const team = createTeam({
    api,
    gate,
    getState: () => state,
    update,
    notice: (key, kind) => events.push(["notice", key, kind]),
    handleApiError: async (error) => events.push(["handled", error.code]),
    sessionChanged: async () => events.push(["session"]),
    fail: (error) => events.push(["fail", error]),
  });
  return {
    team,
    gate,
    calls,
    events,
    get state() {
      return state;
    },
    set: update,
    fresh: () => {
      fresh = true;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("the members screen holds the list; without a recent password, the links stay hidden", async () => {
  const h = harness();
  await h.team.loadMembers();
  assert.deepEqual(h.calls, [["members", WS, "es"]]);
  assert.equal(h.state.team.status, "ok");
  assert.deepEqual(h.state.team.members.map((m) => m.name), ["Olga", "Vera"]);
  assert.equal(h.state.team.linksShown, false);
  assert.equal(h.state.team.invitations[0].link, null);

  // "Show links": the password first, then the list again, with them.
  const shown = h.team.actions.showLinks();
  await tick();
  assert.deepEqual(h.state.password, { busy: false, error: null });
  await h.team.actions.submitPassword("secret");
  await shown;
  assert.equal(h.state.password, null);
  assert.equal(h.state.team.linksShown, true);
  assert.equal(h.state.team.invitations[0].link, LINK.link);
});

test("an invitation asks for the password in place, then appears first with its link", async () => {
  const h = harness();
  await h.team.loadMembers();
  const made = h.team.actions.invite("editor", "  para Ana  ");
  await tick();
  assert.ok(h.state.password, "the prompt shows");
  assert.equal(h.state.team.busy, true);
  await h.team.actions.submitPassword("wrong");
  assert.deepEqual(h.state.password, { busy: false, error: "password_wrong" });
  await h.team.actions.submitPassword("secret");
  await made;
  const invites = h.calls.filter(([name]) => name === "invite");
  assert.equal(invites.length, 2, "sent again after the password");
  assert.deepEqual(invites[1][2], { role: "editor", note: "para Ana" });
  assert.equal(h.state.team.invitations[0].id, 8);
  assert.equal(h.state.team.created, 8);
  assert.equal(h.state.team.busy, false);
  assert.deepEqual(h.events, [["notice", "invite_created", "ok"]]);
});

test("closing the prompt leaves everything as it was", async () => {
  const h = harness();
  await h.team.loadMembers();
  const before = h.state.team.invitations;
  const made = h.team.actions.invite("owner", "");
  await tick();
  h.team.actions.cancelPassword();
  await made;
  assert.equal(h.state.team.invitations, before);
  assert.equal(h.state.team.busy, false);
  assert.deepEqual(h.events, []);
});

test("the server's refusal is shown on the screen and nothing changes", async () => {
  const h = harness();
  h.fresh();
  await h.team.loadMembers();
  await h.team.actions.changeRole(OLGA.user_id, "viewer");
  assert.equal(h.state.team.error, "Un espacio necesita al menos un propietario.");
  assert.equal(h.state.team.members[0].role, "owner");
  // The same role again, or one that does not exist, sends nothing.
  const sent = h.calls.length;
  await h.team.actions.changeRole(VERA.user_id, "viewer");
  await h.team.actions.changeRole(VERA.user_id, "admin");
  assert.equal(h.calls.length, sent);
});

test("another member's new role reloads the list; the user's own change reads the session", async () => {
  const h = harness();
  h.fresh();
  await h.team.loadMembers();
  await h.team.actions.changeRole(VERA.user_id, "editor");
  assert.equal(h.state.team.members[1].role, "editor");
  assert.deepEqual(h.calls.at(-1), ["members", WS, "es"]);
  assert.deepEqual(h.events, [["notice", "role_changed", "ok"]]);

  await h.team.actions.removeMember(VERA.user_id);
  assert.deepEqual(h.events.at(-1), ["notice", "member_removed", "ok"]);
  await h.team.actions.removeMember(OLGA.user_id);
  assert.deepEqual(h.events.slice(-2), [["notice", "workspace_left", "ok"], ["session"]]);
});

test("revoking takes the invitation off the list", async () => {
  const h = harness();
  h.fresh();
  await h.team.loadMembers();
  await h.team.actions.revokeInvitation(7);
  assert.deepEqual(h.state.team.invitations, []);
  assert.deepEqual(h.events, [["notice", "invite_revoked", "ok"]]);
});

test("offline, forbidden and a removed membership are told apart", async () => {
  const offline = harness();
  offline.set({ online: false });
  await offline.team.loadMembers();
  assert.equal(offline.state.team.status, "offline");
  assert.deepEqual(offline.calls, []);

  const editor = harness({
    members: async () => Promise.reject(new ApiError(403, "forbidden", "Not allowed.")),
  });
  await editor.team.loadMembers();
  assert.equal(editor.state.team.status, "forbidden");
  assert.deepEqual(editor.events, []);

  for (const [status, code] of [[404, "not_found"], [403, "locked"], [401, "unauthorized"]]) {
    const gone = harness({ members: async () => Promise.reject(new ApiError(status, code)) });
    await gone.team.loadMembers();
    assert.deepEqual(gone.events, [["handled", code]], code);
  }
  const noNet = harness({ invite: async () => Promise.reject(new ApiError(0, "offline")) });
  await noNet.team.loadMembers();
  await noNet.team.actions.invite("viewer", "");
  assert.deepEqual(noNet.events, [["notice", "team_offline", "error"]]);
});

test("an answer for a workspace the user left meanwhile is dropped", async () => {
  let release;
  const h = harness({
    members: () => new Promise((resolve) => {
      release = () => resolve({ members: [OLGA], invitations: [], links_shown: true });
    }),
  });
  const loading = h.team.loadMembers();
  h.set({ workspaceId: "w2" });
  release();
  await loading;
  assert.equal(h.state.team.workspaceId, WS);
  assert.equal(h.state.team.status, "loading");
});

test("the unlock rule is saved after the password, and the session is read again", async () => {
  const h = harness();
  await h.team.loadSettings();
  assert.equal(h.state.workspaceSettings.data.unlock_policy, "pin");
  await h.team.actions.setUnlockPolicy("weak");
  assert.equal(h.calls.filter(([name]) => name === "update").length, 0);
  const saving = h.team.actions.setUnlockPolicy("passphrase");
  await tick();
  await h.team.actions.submitPassword("secret");
  await saving;
  assert.equal(h.state.workspaceSettings.data.unlock_policy, "passphrase");
  assert.deepEqual(h.events, [["notice", "unlock_policy_saved", "ok"], ["session"]]);
});

test("locking forgets the members and closes the prompt", async () => {
  const h = harness();
  await h.team.loadMembers();
  const waiting = h.team.actions.showLinks();
  await tick();
  h.team.forget();
  await waiting;
  assert.equal(h.state.team, null);
  assert.equal(h.state.password, null);
});

test("list helpers: a new invitation first, once; a member's new role in place", () => {
  assert.deepEqual(withInvitation([{ id: 1 }, { id: 2 }], { id: 2 }), [{ id: 2 }, { id: 1 }]);
  assert.deepEqual(withMember([OLGA, VERA], { ...VERA, role: "editor" }).map((m) => m.role), ["owner", "editor"]);
});
