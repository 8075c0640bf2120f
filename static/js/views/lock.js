// What shows before the directory opens: quick dial (public numbers, also while locked and
// offline), choosing a PIN or passphrase, unlocking, and the notice after ten wrong PINs.

import { html } from "../../vendor/htm-preact.js";
import { dialOrder } from "../dial-order.js";
import { dialable, telHref } from "../links.js";

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
                <span class="dial-number">${dialable(phone.number)}</span>
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

/** Choose a PIN (6+ digits) or a passphrase after the first sign-in on this device. */
export function SetPinView({ state, actions, t }) {
  const pin = state.pinKind === "pin";
  const submit = (event) => {
    const [secret, confirm] = readForm(event);
    actions.setPin(secret, confirm, state.pinKind);
  };
  const field = (name, label) => html`<div class="field">
    <label for=${name}>${label}</label>
    <input id=${name} name=${name} type="password" required
      inputmode=${pin ? "numeric" : "text"} autocomplete="new-password"
      minlength=${pin ? 6 : 8} />
  </div>`;
  return html`<section class="card" data-testid="set-pin">
    <h1>${pin ? t("set_pin_title") : t("set_passphrase_title")}</h1>
    <p>${t("set_pin_lead")}</p>
    <p class="hint warn-text">${t("pin_warning")}</p>
    <form onSubmit=${submit} key=${state.pinKind}>
      ${field("secret", pin ? t("pin_label") : t("passphrase_label"))}
      ${field("confirm", pin ? t("pin_confirm_label") : t("passphrase_confirm_label"))}
      <button class="primary" type="submit" disabled=${state.busy}>
        ${pin ? t("set_pin_button") : t("set_passphrase_button")}
      </button>
    </form>
    <p>
      <button type="button" class="link" onClick=${() => actions.choosePinKind(pin ? "passphrase" : "pin")}>
        ${pin ? t("use_passphrase") : t("use_pin")}
      </button>
    </p>
  </section>`;
}

/** The unlock form, under quick dial (which needs no PIN). */
export function UnlockView(props) {
  const { state, actions, t } = props;
  const pin = state.pinKind === "pin";
  const submit = (event) => {
    const [secret] = readForm(event);
    event.currentTarget.reset();
    actions.unlock(secret);
  };
  return html`<${QuickDial} ...${props} />
    <section class="card" data-testid="unlock">
      <h1>${t("unlock_title")}</h1>
      <form onSubmit=${submit}>
        <div class="field">
          <label for="secret">${pin ? t("pin_label") : t("passphrase_label")}</label>
          <input id="secret" name="secret" type="password" autocomplete="current-password"
            inputmode=${pin ? "numeric" : "text"} />
        </div>
        <button class="primary" type="submit" disabled=${state.busy}>${t("unlock_button")}</button>
      </form>
      ${state.hasPasskey &&
      html`<p><button type="button" onClick=${actions.unlockPasskey}>${t("unlock_passkey")}</button></p>`}
      <p><button type="button" class="link" onClick=${actions.forgotPin}>${t("forgot_pin")}</button></p>
    </section>`;
}

/** Said after ten wrong PINs erased this device's copy. */
export function WipedView({ t }) {
  return html`<section class="card empty-state" data-testid="wiped" role="alert">
    <h1>${t("wiped_title")}</h1>
    <p>${t("wiped_body")}</p>
    <a class="button primary" href="/login?next=/app">${t("sign_in_again")}</a>
  </section>`;
}
