// Members and invitations (owners): each member's role, removal, invitation links with Copy and
// Share, revoking. Everything is asked from the server when the screen opens (team.js); changes
// that need the password ask for it in place (password-prompt.js).

import { html } from "../../vendor/htm-preact.js";
import { useEffect } from "../../vendor/preact-hooks.js";
import { ROLES } from "../team.js";
import { dateTime } from "./format.js";
import { PasswordPrompt } from "./password-prompt.js";

function formValue(event, name) {
  event.preventDefault();
  return String(new FormData(event.currentTarget).get(name) ?? "");
}

function RoleSelect({ id, value, label, disabled, t }) {
  return html`<label class="visually-hidden" for=${id}>${label}</label>
    <select id=${id} name="role" disabled=${disabled}>
      ${ROLES.map((role) => html`<option key=${role} value=${role} selected=${role === value}>${t(`role_${role}`)}</option>`)}
    </select>`;
}

function MemberRow({ member, team, actions, t }) {
  const id = `role-${member.user_id}`;
  const busy = Boolean(team.busy);
  const confirming = team.confirmRemove === member.user_id;
  const submit = (event) => actions.changeRole(member.user_id, formValue(event, "role"));
  return html`<li class="member" data-testid="member" data-email=${member.email}>
    <div class="member-who">
      <span><strong>${member.name}</strong>${member.you && html` <span class="muted">(${t("you")})</span>`}</span>
      <span class="muted small member-email">${member.email}</span>
      <span class="badge role-badge" data-testid="member-role">${t(`role_${member.role}`)}</span>
    </div>
    ${member.sole_owner
      ? html`<p class="hint">${t("sole_owner_hint")}</p>`
      : html`<form class="member-actions" onSubmit=${submit}>
          <${RoleSelect} id=${id} value=${member.role} label=${t("role_of", { name: member.name })} disabled=${busy} t=${t} />
          <button type="submit" disabled=${busy}>${t("change_role")}</button>
          <button type="button" class="danger" disabled=${busy}
            onClick=${() => actions.askRemove(member.user_id)}>${member.you ? t("leave_workspace") : t("remove")}</button>
        </form>`}
    ${confirming &&
    html`<div class="notice notice-error confirm-remove" role="alert" data-testid="confirm-remove">
      <p>${member.you ? t("leave_confirm") : t("remove_confirm", { name: member.name })}</p>
      <div class="actions">
        <button type="button" onClick=${actions.cancelRemove}>${t("cancel")}</button>
        <button type="button" class="danger" disabled=${busy} onClick=${() => actions.removeMember(member.user_id)}>
          ${member.you ? t("leave_workspace") : t("remove")}
        </button>
      </div>
    </div>`}
  </li>`;
}

function InviteCard({ team, actions, t }) {
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    actions.invite(String(form.get("role") ?? "viewer"), String(form.get("note") ?? ""));
    event.currentTarget.reset();
  };
  return html`<section class="card" data-testid="invite" aria-labelledby="invite-title">
    <h2 id="invite-title">${t("invite_title")}</h2>
    <p class="hint">${t("invite_hint")}</p>
    <form onSubmit=${submit}>
      <div class="field">
        <label for="invite-role">${t("role")}</label>
        <select id="invite-role" name="role">
          ${ROLES.map((role) => html`<option key=${role} value=${role}>${t(`role_${role}`)}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="invite-note">${t("invite_note")}</label>
        <input id="invite-note" name="note" type="text" maxlength="200" autocomplete="off" />
      </div>
      <button class="primary" type="submit" disabled=${team.busy}>${t("invite_create")}</button>
    </form>
  </section>`;
}

function InvitationRow({ invitation, state, actions, t }) {
  const { team } = state;
  const workspace = state.workspaces.find((w) => w.id === state.workspaceId);
  const linkId = `invite-link-${invitation.id}`;
  const share = () =>
    actions.share({
      title: t("invite_share_title", { workspace: workspace?.name ?? "" }),
      text: t("invite_share_text", { workspace: workspace?.name ?? "", role: t(`role_${invitation.role}`) }),
      url: invitation.link,
    });
  return html`<li class="invitation" data-testid="invitation" data-created=${team.created === invitation.id ? "true" : null}>
    <div>
      <strong>${t(`role_${invitation.role}`)}</strong>${invitation.note && html` · ${invitation.note}`}
      <br /><span class="muted small">${t("invite_expires", { when: dateTime(invitation.expires_at, state.lang) })}</span>
    </div>
    ${invitation.link &&
    html`<div class="field invite-link">
      <label for=${linkId}>${t("invite_link")}</label>
      <input id=${linkId} type="text" readonly value=${invitation.link} data-testid="invite-link"
        onFocus=${(event) => event.currentTarget.select()} />
    </div>`}
    ${!invitation.link && team.linksShown && html`<p class="hint">${t("invite_link_lost")}</p>`}
    <div class="actions invite-actions">
      ${invitation.link &&
      html`<button type="button" onClick=${() => actions.copy(invitation.link, "link_copied")}>${t("copy_link")}</button>`}
      ${invitation.link && state.canShare && html`<button type="button" onClick=${share}>${t("share_link")}</button>`}
      <button type="button" class="danger" disabled=${team.busy}
        onClick=${() => actions.revokeInvitation(invitation.id)}>${t("revoke")}</button>
    </div>
  </li>`;
}

function PendingCard(props) {
  const { state, actions, t } = props;
  const { team } = state;
  const hidden = team.invitations.length > 0 && !team.linksShown;
  return html`<section class="card" data-testid="invitations" aria-labelledby="pending-title">
    <h2 id="pending-title">${t("invites_pending")}</h2>
    ${team.invitations.length === 0 && html`<p class="empty">${t("invites_none")}</p>`}
    ${hidden &&
    html`<p class="hint">${t("invite_links_hidden")}</p>
      <button type="button" onClick=${actions.showLinks} data-testid="show-links">${t("invite_show_links")}</button>`}
    <ul class="rows">
      ${team.invitations.map((invitation) => html`<${InvitationRow} key=${invitation.id} invitation=${invitation} ...${props} />`)}
    </ul>
  </section>`;
}

/** The members screen. */
export function MembersView(props) {
  const { state, actions, t } = props;
  const { workspaceId, lang, online } = state;
  useEffect(() => {
    actions.loadMembers();
  }, [workspaceId, lang, online]);
  const team = state.team?.workspaceId === workspaceId ? state.team : null;
  const status = team?.status ?? "loading";
  return html`<article data-testid="members-screen">
    <a class="back" href="#workspace">← ${t("workspace_settings")}</a>
    <h1>${t("members")}</h1>
    <${PasswordPrompt} ...${props} />
    ${team?.error && html`<p class="notice notice-error" role="alert" data-testid="team-error">${team.error}</p>`}
    ${status === "loading" && html`<p class="muted" role="status">${t("opening")}</p>`}
    ${status === "offline" && html`<section class="card"><p>${t("team_offline")}</p></section>`}
    ${status === "forbidden" && html`<section class="card"><p>${t("owners_only")}</p></section>`}
    ${status === "error" &&
    html`<section class="card" role="alert">
      <p>${t("error_server")}</p>
      <button type="button" onClick=${actions.loadMembers}>${t("try_again")}</button>
    </section>`}
    ${status === "ok" &&
    html`<section class="card" aria-labelledby="members-title">
        <h2 id="members-title">${t("members_title")}</h2>
        <ul class="rows" data-testid="members">
          ${team.members.map((member) => html`<${MemberRow} key=${member.user_id} member=${member} team=${team} actions=${actions} t=${t} />`)}
        </ul>
      </section>
      <${InviteCard} team=${team} actions=${actions} t=${t} />
      <${PendingCard} ...${{ ...props, state: { ...state, team } }} />`}
  </article>`;
}
