// Status and settings: connection, how fresh the copy is, the workspace switcher, the server
// pages (account, members, audit, new workspace), lock delay, language, PIN, sign out.

import { html } from "../../vendor/htm-preact.js";
import { LANGUAGES } from "../i18n.js";
import { LEVELS } from "../push.js";
import { dateTime } from "./format.js";

const LOCK_CHOICES = [1, 5, 15, 60];
// What the notification switch's state means for the user (push.js switchState).
const PUSH_HELP = {
  on: "push_on_hint",
  off: "push_on_hint",
  denied: "push_denied",
  unsupported: "push_unsupported",
  "ios-install": "push_ios_install",
};

/** The notifications card: this device's switch, and the user's choice for all devices. */
function NotificationsCard({ state, actions, t }) {
  const usable = state.push === "on" || state.push === "off";
  const levelKnown = LEVELS.includes(state.pushLevel);
  return html`<section class="card" data-testid="notifications">
    <h2>${t("notifications")}</h2>
    <div class="toggle">
      <input type="checkbox" role="switch" id="push-switch" aria-describedby="push-help"
        checked=${state.push === "on"} disabled=${!usable || state.pushBusy}
        onChange=${(e) => actions.togglePush(e.currentTarget.checked)} />
      <label for="push-switch">${t("push_switch")}</label>
    </div>
    <p class=${state.push === "denied" ? "hint warning" : "hint"} id="push-help" data-testid="push-help">
      ${t(PUSH_HELP[state.push] ?? "push_on_hint")}
    </p>
    <fieldset class="choices" disabled=${!levelKnown || !state.online}>
      <legend>${t("push_level")}</legend>
      ${LEVELS.map(
        (level) => html`<label class="choice" key=${level}>
          <input type="radio" name="push-level" value=${level} checked=${state.pushLevel === level}
            onChange=${() => actions.setPushLevel(level)} />
          ${t(`push_level_${level}`)}
        </label>`,
      )}
      ${!levelKnown && html`<p class="hint">${t("push_level_unknown")}</p>`}
    </fieldset>
  </section>`;
}

/** The status screen. */
export function StatusView({ state, actions, t }) {
  const workspace = state.workspaces.find((w) => w.id === state.workspaceId);
  const owner = workspace?.role === "owner";
  const base = workspace ? `/workspaces/${encodeURIComponent(workspace.id)}` : "";
  const asOf = state.directory?.generatedAt;
  // The line is there before the first check too, so that the links below do not move under a
  // finger when it arrives.
  const checked = state.syncedAt ? t("checked_at", { when: dateTime(state.syncedAt, state.lang) }) : "\u00a0";
  return html`<h1>${t("tab_status")}</h1>
    <section class="card" data-testid="status">
      <p><strong>${state.online ? t("online") : t("offline")}</strong></p>
      <p>${asOf ? t("data_as_of", { when: dateTime(asOf, state.lang) }) : t("no_data_yet")}</p>
      <p class="muted small">${checked}</p>
      <p data-testid="outbox-state">${t("outbox_state", {
        pending: state.sync?.pending ?? 0,
        unsettled: (state.sync?.conflict ?? 0) + (state.sync?.rejected ?? 0),
      })}</p>
      <button type="button" onClick=${actions.refresh} disabled=${!state.online}>${t("check_now")}</button>
    </section>
    <section class="card">
      <h2>${t("workspace")}</h2>
      <ul class="switch-list">
        ${state.workspaces.map(
          (w) => html`<li key=${w.id}>
            <button type="button" class=${w.id === state.workspaceId ? "current" : ""}
              aria-pressed=${w.id === state.workspaceId ? "true" : "false"}
              onClick=${() => actions.switchWorkspace(w.id)}>
              ${w.name} <span class="muted small">· ${t(`role_${w.role}`)}</span>
            </button>
          </li>`,
        )}
      </ul>
      <nav class="actions" aria-label=${t("server_pages")}>
        ${workspace && html`<a class="button" href="#readiness" data-testid="open-readiness">${t("readiness")}</a>`}
        ${workspace && html`<a class="button" href="#workspace" data-testid="open-workspace">${t("workspace_settings")}</a>`}
        ${workspace && html`<a class="button" href="#poster" data-testid="open-poster">${t("office_poster")}</a>`}
        ${owner && html`<a class="button" href="#members" data-testid="open-members">${t("members")}</a>`}
        ${owner && html`<a class="button" href="#audit" data-testid="open-audit">${t("audit_log")}</a>`}
        <a class="button" href="/workspaces/new">${t("new_workspace")}</a>
        <a class="button" href="#account" data-testid="open-account">${t("account")}</a>
      </nav>
    </section>
    ${state.install === "prompt" &&
    html`<section class="card" data-testid="install">
      <h2>${t("install_title")}</h2>
      <p class="hint">${t("install_why")}</p>
      <button type="button" class="primary" onClick=${actions.install}>${t("install_button")}</button>
    </section>`}
    ${state.install === "ios" &&
    html`<section class="card" data-testid="install">
      <h2>${t("install_title")}</h2>
      <p class="hint">${t("install_why")}</p>
      <p>${t("install_ios")}</p>
    </section>`}
    <${NotificationsCard} state=${state} actions=${actions} t=${t} />
    <section class="card">
      <h2>${t("settings")}</h2>
      <div class="field">
        <label for="lock-delay">${t("lock_delay")}</label>
        <select id="lock-delay" onChange=${(e) => actions.setLockMinutes(Number(e.currentTarget.value))}>
          ${LOCK_CHOICES.map(
            (m) => html`<option value=${m} selected=${m === state.lockMinutes}>${t("minutes", { minutes: m })}</option>`,
          )}
        </select>
      </div>
      <div class="field">
        <label for="language">${t("language")}</label>
        <select id="language" onChange=${(e) => actions.setLanguage(e.currentTarget.value)}>
          ${LANGUAGES.map(
            ([code, name]) => html`<option value=${code} selected=${code === state.lang}>${name}</option>`,
          )}
        </select>
      </div>
      <div class="actions">
        <button type="button" onClick=${actions.changePin}>${t("change_pin")}</button>
        ${state.passkeys &&
        html`<button type="button" onClick=${actions.addPasskey}>
          ${state.hasPasskey ? t("passkey_replace") : t("passkey_add")}
        </button>`}
        <button type="button" onClick=${actions.lock}>${t("lock_now")}</button>
        <button type="button" class="danger" onClick=${() => actions.signOut()} data-testid="sign-out">
          ${t("sign_out")}
        </button>
      </div>
      <p class="hint">${t("sign_out_wipes")}</p>
      ${state.confirmSignOut &&
      html`<div class="notice notice-error confirm-sign-out" role="alert" data-testid="confirm-sign-out">
        <p>${t("sign_out_unsent", { count: state.confirmSignOut.count })}</p>
        <div class="actions">
          <button type="button" onClick=${actions.cancelSignOut}>${t("sign_out_keep")}</button>
          <button type="button" class="danger" onClick=${() => actions.signOut(true)}>${t("sign_out_anyway")}</button>
        </div>
      </div>`}
    </section>`;
}
