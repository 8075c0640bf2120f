// What shows before the directory opens: quick dial (public numbers, also while locked and
// offline), choosing a PIN or passphrase, unlocking, and the notice after ten wrong PINs.

import { html } from "../../vendor/htm-preact.js";
import { useEffect, useRef } from "../../vendor/preact-hooks.js";
import { dialOrder } from "../dial-order.js";
import { telHref } from "../links.js";
import { MIN_PASSPHRASE, MIN_PIN, strongUnlockRequired } from "../pin-rules.js";
import { shownNumber } from "./format.js";

/** The workspace's public emergency numbers as big call buttons. */
export function QuickDial({ state, t, heading = false }) {
  const contacts = dialOrder(state.publicContacts, state.lang);
  const Title = heading ? "h1" : "h2";
  return html`<section class="quick-dial" data-testid="quick-dial" aria-labelledby="quick-dial-title">
    <${Title} id="quick-dial-title">${t("quick_dial")}<//>
    ${contacts.length === 0 && html`<p class="muted">${t("quick_dial_empty")}</p>`}
    <ul class="dial-list">
      ${contacts.flatMap((contact) =>
        (contact.phones ?? [])
          .filter((phone) => telHref(phone.number))
          .slice(0, 2)
          .map(
            (phone) => html`<li key=${contact.id + phone.number}>
              <a class="dial" href=${telHref(phone.number)}>
                <span class="dial-name">${contact.name}</span>
                <span class="dial-number">${shownNumber(phone)}</span>
              </a>
            </li>`,
          ),
      )}
    </ul>
  </section>`;
}

function readForm(event) {
  event.preventDefault();
  const form = new FormData(event.currentTarget);
  return [String(form.get("secret") ?? ""), String(form.get("confirm") ?? "")];
}

/**
 * Bring the refused field into view and focus it, each time a refusal is shown: its top near the
 * top of the screen, so that the error under it and the button stay above a phone's keyboard.
 */
function useRefusedFieldInView(error) {
  const ref = useRef(null);
  useEffect(() => {
    const box = error && ref.current?.querySelector(`[data-field="${error.field}"]`);
    if (!box) return;
    box.querySelector("input")?.focus({ preventScroll: true });
    box.scrollIntoView({ block: "start" });
  }, [error]);
  return ref;
}

/**
 * A PIN or passphrase input with its hint (said before typing) and the reason it was refused,
 * both read with it (aria-describedby).
 */
function SecretField({ name, label, hint, error, t, ...input }) {
  const refused = error?.field === name;
  const described = [hint && `${name}-hint`, refused && `${name}-error`].filter(Boolean).join(" ");
  return html`<div class="field secret-field ${refused ? "has-error" : ""}" data-field=${name}>
    <label for=${name}>${label}</label>
    <input id=${name} name=${name} type="password" aria-describedby=${described || null}
      aria-invalid=${refused ? "true" : null} ...${input} />
    ${hint && html`<p class="hint" id=${`${name}-hint`}>${hint}</p>`}
    ${refused &&
    html`<p class="error" id=${`${name}-error`} role="alert" data-testid="secret-error">
      ${t(error.key, error.params)}
    </p>`}
  </div>`;
}

/** Choose a PIN (6+ digits) or a passphrase after the first sign-in on this device. */
export function SetPinView({ state, actions, t }) {
  // A workspace of the user's may ask for a passphrase or a passkey: then no PIN is offered.
  const strong = strongUnlockRequired(state.workspaces);
  const pin = state.pinKind === "pin" && !strong;
  const ref = useRefusedFieldInView(state.secretError);
  const submit = (event) => {
    const [secret, confirm] = readForm(event);
    actions.setPin(secret, confirm, state.pinKind);
  };
  const input = {
    required: true,
    inputmode: pin ? "numeric" : "text",
    autocomplete: "new-password",
    minlength: pin ? MIN_PIN : MIN_PASSPHRASE,
    error: state.secretError,
    t,
  };
  const rule = pin
    ? t("pin_length_hint", { min: MIN_PIN })
    : t("passphrase_length_hint", { min: MIN_PASSPHRASE });
  return html`<section class="card" data-testid="set-pin" ref=${ref}>
    <h1>${pin ? t("set_pin_title") : t("set_passphrase_title")}</h1>
    <p>${t("set_pin_lead")}</p>
    ${strong
      ? html`<p class="hint" data-testid="unlock-policy">${t("policy_passphrase_hint")}</p>`
      : html`<p class="hint warn-text">${t("pin_warning")}</p>`}
    <form onSubmit=${submit} key=${state.pinKind}>
      <${SecretField} name="secret" label=${pin ? t("pin_label") : t("passphrase_label")}
        hint=${pin ? `${rule} ${t("pin_rules_hint")}` : rule} ...${input} />
      <${SecretField} name="confirm"
        label=${pin ? t("pin_confirm_label") : t("passphrase_confirm_label")} ...${input} />
      <button class="primary" type="submit" disabled=${state.busy}>
        ${pin ? t("set_pin_button") : t("set_passphrase_button")}
      </button>
    </form>
    ${!strong &&
    html`<p>
      <button type="button" class="link" onClick=${() => actions.choosePinKind(pin ? "passphrase" : "pin")}>
        ${pin ? t("use_passphrase") : t("use_pin")}
      </button>
    </p>`}
  </section>`;
}

/** The unlock form, under quick dial (which needs no PIN). */
export function UnlockView(props) {
  const { state, actions, t } = props;
  const pin = state.pinKind === "pin";
  const ref = useRefusedFieldInView(state.secretError);
  const submit = (event) => {
    const [secret] = readForm(event);
    event.currentTarget.reset();
    actions.unlock(secret);
  };
  return html`<${QuickDial} ...${props} />
    <section class=${state.secretError ? "card unlock refused" : "card unlock"} data-testid="unlock"
      ref=${ref}>
      <h1>${t("unlock_title")}</h1>
      <form onSubmit=${submit}>
        <${SecretField} name="secret" label=${pin ? t("pin_label") : t("passphrase_label")}
          autocomplete="current-password" inputmode=${pin ? "numeric" : "text"}
          error=${state.secretError} t=${t} />
        <button class="primary" type="submit" disabled=${state.busy}>${t("unlock_button")}</button>
      </form>
      ${state.hasPasskey &&
      html`<p><button type="button" onClick=${actions.unlockPasskey}>${t("unlock_passkey")}</button></p>`}
      <p><button type="button" class="link" onClick=${actions.forgotPin}>${t("forgot_pin")}</button></p>
    </section>`;
}

/** Said after ten wrong PINs erased this device's copy. */
export function WipedView({ state, t }) {
  return html`<section class="card empty-state" data-testid="wiped" role="alert">
    <h1>${t("wiped_title")}</h1>
    <p>${t("wiped_body")}</p>
    ${state.lostEdits > 0 &&
    html`<p data-testid="lost-edits">${t(state.lostEdits === 1 ? "lost_edits_one" : "lost_edits_many", { count: state.lostEdits })}</p>`}
    <a class="button primary" href="/login?next=/app">${t("sign_in_again")}</a>
  </section>`;
}

const REAUTH_TITLES = { setup: "reauth_title_setup", forgot: "reauth_title_forgot" };

/**
 * The account password, asked before a new PIN (a forgotten one, or a device whose local data
 * is gone) or to renew an unlocked device's token: a locked phone's cookie alone gives nothing.
 */
export function ReauthView({ state, actions, t }) {
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    event.currentTarget.reset();
    actions.confirmPassword(password);
  };
  const title = REAUTH_TITLES[state.reauth] ?? "reauth_title_token";
  return html`<section class="card" data-testid="reauth">
    <h1>${t(title)}</h1>
    <p>${t(`reauth_lead_${state.reauth === "forgot" ? "forgot" : "other"}`)}</p>
    <form onSubmit=${submit}>
      <input type="email" name="username" autocomplete="username" value=${state.user?.email ?? ""}
        hidden readonly />
      <div class="field">
        <label for="password">${t("password_label")}</label>
        <input id="password" name="password" type="password" required
          autocomplete="current-password" />
      </div>
      <button class="primary" type="submit" disabled=${state.busy}>${t("confirm_password")}</button>
    </form>
    <p><button type="button" class="link" onClick=${actions.signOut}>${t("reauth_sign_out")}</button></p>
  </section>`;
}
