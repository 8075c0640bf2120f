// The workspace's people and settings as screens of the app (issue 16): members with their
// roles, invitations with their links, the unlock policy. The server decides everything (roles,
// the sole owner, audit); this module asks, keeps the answer for the screen, and asks for the
// password in place when a change needs it (password-gate.js). No DOM: everything is passed in.

import { ApiError, WIPE_USER } from "./api.js";
import { CANCELLED } from "./password-gate.js";

/** The roles an owner may give, least powerful first (the order of the choices). */
export const ROLES = Object.freeze(["viewer", "editor", "owner"]);
/** The unlock policies (webapp/workspaces/models.py UnlockPolicy), the quickest first. */
export const POLICIES = Object.freeze(["pin", "passphrase"]);

/** A server answer that changes nothing and says why in words for the user (400, 404, 409). */
function refusal(error) {
  return error instanceof ApiError && [400, 404, 409].includes(error.status) && error.code !== "csrf";
}

/** Put a newly made invitation first, once. */
export function withInvitation(invitations, created) {
  return [created, ...invitations.filter((i) => i.id !== created.id)];
}

/** The members list after one member's new role (the server's answer for that member). */
export function withMember(members, changed) {
  return members.map((m) => (m.user_id === changed.user_id ? { ...m, ...changed } : m));
}

/**
 * Return the controller. `ctx`: `api` (api.js), `gate` (password-gate.js), `getState`,
 * `update`, `notice(key, kind)`, `handleApiError(error)` (the app's: wipes, an unlock token to
 * renew, offline), `sessionChanged()` (the user's own role or membership changed: read the
 * session again).
 */
export function createTeam(ctx) {
  const { api, gate, getState, update, notice, handleApiError, sessionChanged } = ctx;

  const current = () => {
    const { workspaceId, lang } = getState();
    return { workspaceId, lang };
  };
  const team = () => getState().team;
  const settings = () => getState().workspaceSettings;
  const patchTeam = (patch) => update({ team: { ...team(), ...patch } });
  const patchSettings = (patch) => update({ workspaceSettings: { ...settings(), ...patch } });

  /** A read that failed: the app's own handling for wipes and the lock, else a status. */
  async function readFailed(error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.offline) return "offline";
    if (error.status === 403 && error.code === "forbidden") return "forbidden";
    if (error.status === 401 || error.status === 404 || error.code === "locked") {
      await handleApiError(error);
      return "error";
    }
    return "error";
  }

  /**
   * A change that failed: the server's reason shown on the screen (nothing changed), or the
   * app's handling. Returns the error text to show, or null.
   */
  async function changeFailed(error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.offline) {
      notice("team_offline", "error");
      return null;
    }
    if (refusal(error)) return error.message;
    if (error.status === 403 && error.code === "forbidden") return error.message;
    if (error.wipe === WIPE_USER || error.code === "locked") {
      await handleApiError(error);
      return null;
    }
    notice("error_server", "error");
    return null;
  }

  async function loadMembers() {
    const { workspaceId, lang } = current();
    if (!workspaceId) return;
    const held = team()?.workspaceId === workspaceId ? team() : null;
    if (!getState().online) {
      return update({ team: { ...(held ?? {}), workspaceId, status: held?.status === "ok" ? "ok" : "offline" } });
    }
    update({ team: { ...(held ?? { members: [], invitations: [] }), workspaceId, status: held ? held.status : "loading" } });
    let answer;
    try {
      answer = await api.members(workspaceId, lang);
    } catch (error) {
      const status = await readFailed(error);
      if (current().workspaceId === workspaceId) patchTeam({ status });
      return;
    }
    if (current().workspaceId !== workspaceId) return;
    patchTeam({
      status: "ok",
      members: answer.members,
      invitations: answer.invitations,
      linksShown: answer.links_shown,
    });
  }

  /** Run a change: busy while it runs, the password asked if needed, its error shown. */
  async function change(task, done) {
    const { workspaceId } = current();
    patchTeam({ busy: true, error: null });
    let result;
    try {
      result = await gate.run(task);
    } catch (error) {
      const message = await changeFailed(error);
      if (team()?.workspaceId === workspaceId) patchTeam({ busy: false, error: message });
      return;
    }
    if (team()?.workspaceId !== workspaceId) return;
    patchTeam({ busy: false });
    if (result === CANCELLED) return;
    await done(result);
  }

  async function invite(role, note) {
    const { workspaceId, lang } = current();
    const trimmed = (note ?? "").trim();
    await change(
      () => api.invite(workspaceId, { role, note: trimmed || null }, lang),
      async (created) => {
        patchTeam({ invitations: withInvitation(team().invitations, created), created: created.id });
        notice("invite_created", "ok");
      },
    );
  }

  async function revoke(invitationId) {
    const { workspaceId, lang } = current();
    await change(
      () => api.revokeInvitation(workspaceId, invitationId, lang),
      async () => {
        patchTeam({ invitations: team().invitations.filter((i) => i.id !== invitationId) });
        notice("invite_revoked", "ok");
      },
    );
  }

  async function changeRole(userId, role) {
    const { workspaceId, lang } = current();
    const member = team()?.members.find((m) => m.user_id === userId);
    if (!member || member.role === role || !ROLES.includes(role)) return;
    await change(
      () => api.changeRole(workspaceId, userId, role, lang),
      async (changed) => {
        patchTeam({ members: withMember(team().members, changed) });
        notice("role_changed", "ok");
        // The user's own role changes what they see (and may rotate their key); who is the
        // sole owner may have changed. An owner no more is told so by the list's 403.
        if (changed.you) await sessionChanged();
        await loadMembers();
      },
    );
  }

  async function removeMember(userId) {
    const { workspaceId, lang } = current();
    const member = team()?.members.find((m) => m.user_id === userId);
    if (!member) return;
    await change(
      () => api.removeMember(workspaceId, userId, lang),
      async () => {
        patchTeam({ members: team().members.filter((m) => m.user_id !== userId), confirmRemove: null });
        notice(member.you ? "workspace_left" : "member_removed", "ok");
        if (member.you) await sessionChanged();
        else await loadMembers();
      },
    );
  }

  /** Ask for the password, then read the list again with its links. */
  async function showLinks() {
    const { workspaceId, lang } = current();
    let answer;
    try {
      answer = await gate.ask(() => api.members(workspaceId, lang));
    } catch (error) {
      const message = await changeFailed(error);
      return patchTeam({ error: message });
    }
    if (answer === CANCELLED || current().workspaceId !== workspaceId) return;
    patchTeam({ invitations: answer.invitations, linksShown: answer.links_shown, members: answer.members });
  }

  async function loadSettings() {
    const { workspaceId, lang } = current();
    if (!workspaceId) return;
    const held = settings()?.workspaceId === workspaceId ? settings() : null;
    if (!getState().online && !held?.data) return update({ workspaceSettings: { workspaceId, status: "offline" } });
    update({ workspaceSettings: { ...(held ?? {}), workspaceId, status: held?.data ? "ok" : "loading" } });
    let data;
    try {
      data = await api.workspaceSettings(workspaceId, lang);
    } catch (error) {
      const status = await readFailed(error);
      if (current().workspaceId === workspaceId && !held?.data) patchSettings({ status });
      return;
    }
    if (current().workspaceId === workspaceId) patchSettings({ status: "ok", data });
  }

  async function setUnlockPolicy(policy) {
    const { workspaceId, lang } = current();
    if (!POLICIES.includes(policy)) return;
    patchSettings({ busy: true, error: null });
    let result;
    try {
      result = await gate.run(() => api.updateWorkspaceSettings(workspaceId, { unlock_policy: policy }, lang));
    } catch (error) {
      const message = await changeFailed(error);
      return patchSettings({ busy: false, error: message });
    }
    if (result === CANCELLED) return patchSettings({ busy: false });
    patchSettings({ busy: false, data: result });
    notice("unlock_policy_saved", "ok");
    // Every device reads the policy from the session; this one too.
    await sessionChanged();
  }

  /** Forget what the screens hold (on lock: member names and emails need an unlocked app). */
  function forget() {
    gate.cancel();
    update({ team: null, workspaceSettings: null });
  }

  return {
    forget,
    loadMembers,
    loadSettings,
    actions: {
      // The screens ask from an effect, while Preact renders: the first update waits for the
      // render to end (an update inside it renders again and runs the same effect again).
      loadMembers: () => Promise.resolve().then(loadMembers).catch(ctx.fail),
      loadSettings: () => Promise.resolve().then(loadSettings).catch(ctx.fail),
      invite: (role, note) => invite(role, note).catch(ctx.fail),
      revokeInvitation: (id) => revoke(id).catch(ctx.fail),
      changeRole: (userId, role) => changeRole(userId, role).catch(ctx.fail),
      askRemove: (userId) => patchTeam({ confirmRemove: userId, error: null }),
      cancelRemove: () => patchTeam({ confirmRemove: null }),
      removeMember: (userId) => removeMember(userId).catch(ctx.fail),
      showLinks: () => showLinks().catch(ctx.fail),
      setUnlockPolicy: (policy) => setUnlockPolicy(policy).catch(ctx.fail),
      submitPassword: (password) => gate.submit(password).catch(ctx.fail),
      cancelPassword: () => gate.cancel(),
    },
  };
}
