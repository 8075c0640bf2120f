// The account screen: name and language, the password, the signed-in devices, "sign out
// everywhere". What the server page /account does, inside the app so that it stays unlocked.
// Views only render: every change goes through `actions`; passwords are read from the form
// when it is sent and never kept in the state.

import { html } from "../../vendor/htm-preact.js";
import { useEffect } from "../../vendor/preact-hooks.js";
import { deviceName } from "../account.js";
import { LANGUAGES } from "../i18n.js";
import { dateTime } from "./format.js";

function said(error, t) {
  if (!error) return null;
  return typeof error === "string" ? error : t(error.key, error.params);
}

/** An input with its label and, when refused, its error (read out with it). */
function Input({ id, name, label, error, t, ...attrs }) {
  const message = said(error, t);
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} name=${name} aria-invalid=${message ? "true" : null}
      aria-describedby=${message ? `${id}-error` : null} ...${attrs} />
    ${message && html`<p class="field-error" id=${`${id}-error`}>${message}</p>`}
  </div>`;
}

/** The refusal of a whole form (`on` names which), e.g. offline or too many attempts. */
function FormError({ errors, on, t }) {
  if (errors?.on !== on) return null;
  const message = said(errors.form, t);
  return message && html`<p class="notice notice-error" role="alert">${message}</p>`;
}

function Profile({ state, actions, t }) {
  const { account, saving, errors } = state.account;
  const fields = errors?.on === "profile" ? errors.fields : {};
  const submit = (event) => {
    event.preventDefault();
    actions.saveName(new FormData(event.currentTarget).get("name"));
  };
  return html`<section class="card" data-testid="account-profile">
    <p class="muted">${account.email}</p>
    <form onSubmit=${submit} novalidate key=${account.name}>
      <${Input} id="account-name" name="name" label=${t("account_name")} t=${t}
        error=${fields.name} defaultValue=${account.name} autocomplete="name" maxlength="200" required />
      <${FormError} errors=${errors} on="profile" t=${t} />
      <div class="actions">
        <button type="submit" class="primary" disabled=${saving === "profile"}>${t("save")}</button>
      </div>
    </form>
    <div class="field">
      <label for="account-language">${t("language")}</label>
      <select id="account-language" aria-describedby="account-language-hint"
        onChange=${(e) => actions.setLanguage(e.currentTarget.value)}>
        ${LANGUAGES.map(
          ([code, name]) => html`<option value=${code} selected=${code === state.lang}>${name}</option>`,
        )}
      </select>
      <p class="hint" id="account-language-hint">${t("account_language_hint")}</p>
    </div>
  </section>`;
}

function Password({ state, actions, t }) {
  const { saving, errors, account, passwordChanged } = state.account;
  const fields = errors?.on === "password" ? errors.fields : {};
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    actions.changePassword({
      current: form.get("current_password"),
      next: form.get("new_password"),
      confirm: form.get("confirm"),
    });
  };
  // A new key after each change empties the form (`key`): no password stays on screen.
  return html`<section class="card" data-testid="account-password">
    <h2>${t("password_change")}</h2>
    <p class="hint">${t("password_change_hint")}</p>
    <form onSubmit=${submit} novalidate key=${passwordChanged ?? 0}>
      <input type="text" name="username" value=${account.email} autocomplete="username" hidden />
      <${Input} id="current-password" name="current_password" type="password" t=${t}
        label=${t("password_current")} error=${fields.current_password} autocomplete="current-password" />
      <${Input} id="new-password" name="new_password" type="password" t=${t}
        label=${t("password_new")} error=${fields.new_password} autocomplete="new-password" />
      <${Input} id="confirm-password" name="confirm" type="password" t=${t}
        label=${t("password_repeat")} error=${fields.confirm} autocomplete="new-password" />
      <${FormError} errors=${errors} on="password" t=${t} />
      <button type="submit" disabled=${saving === "password"}>${t("password_change")}</button>
    </form>
  </section>`;
}

function Devices({ state, actions, t }) {
  const { devices } = state.account;
  return html`<section class="card" data-testid="devices">
    <h2>${t("devices_title")}</h2>
    <p class="hint">${t("devices_hint")}</p>
    <ul class="devices">
      ${devices.map(
        (device) => html`<li class="device" key=${device.id} data-current=${device.current ? "true" : null}>
          <div class="device-info">
            <strong>${deviceName(device, t)}</strong>
            ${device.current && html`<span class="badge">${t("device_this")}</span>`}
            <span class="muted">${t("device_signed_in", { when: dateTime(device.created_at, state.lang) })}</span>
            <span class="muted">
              ${t("device_last_used", { when: dateTime(device.last_seen_at, state.lang) })}
              ${device.ip && ` · ${device.ip}`}
            </span>
          </div>
          <button type="button" onClick=${() => actions.endDevice(device.id)}>
            ${t("sign_out")}<span class="visually-hidden">: ${deviceName(device, t)}</span>
          </button>
        </li>`,
      )}
    </ul>
    <p><a href="#activity" data-testid="open-activity">${t("activity_link")}</a></p>
  </section>`;
}

function Everywhere({ state, actions, t }) {
  const { everywhere } = state.account;
  return html`<section class="card" data-testid="sign-out-everywhere">
    <h2>${t("lost_phone")}</h2>
    <p class="hint">${t("everywhere_hint")}</p>
    <${FormError} errors=${state.account.errors} on="everywhere" t=${t} />
    ${everywhere
      ? html`<div class="notice notice-error confirm-sign-out" role="alert">
          <p>${t("everywhere_confirm")}</p>
          ${everywhere.count > 0 && html`<p>${t("sign_out_unsent", { count: everywhere.count })}</p>`}
          <div class="actions">
            <button type="button" onClick=${actions.cancelSignOutEverywhere}>${t("cancel")}</button>
            <button type="button" class="danger" onClick=${actions.signOutEverywhere}>
              ${t("everywhere_button")}
            </button>
          </div>
        </div>`
      : html`<button type="button" class="danger" onClick=${actions.askSignOutEverywhere}>
          ${t("everywhere_button")}
        </button>`}
  </section>`;
}

/** The account screen. */
export function AccountView({ state, actions, t }) {
  useEffect(() => {
    actions.openAccount();
  }, []);
  const status = state.account?.status ?? "loading";
  return html`<article data-testid="account">
    <a class="back" href="#status">← ${t("tab_status")}</a>
    <h1>${t("account")}</h1>
    ${status === "loading" && html`<p class="muted" role="status">${t("account_loading")}</p>`}
    ${status === "offline" && html`<p class="card">${t("account_offline")}</p>`}
    ${status === "error" &&
    html`<section class="card" role="alert">
      <p>${t("error_server")}</p>
      <button type="button" onClick=${actions.openAccount}>${t("try_again")}</button>
    </section>`}
    ${status === "ok" &&
    html`<${Profile} state=${state} actions=${actions} t=${t} />
      <${Password} state=${state} actions=${actions} t=${t} />
      <${Devices} state=${state} actions=${actions} t=${t} />
      <${Everywhere} state=${state} actions=${actions} t=${t} />`}
  </article>`;
}
