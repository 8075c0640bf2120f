// The account password asked in place (password-gate.js): a change that needs a recent password
// waits under this card, then goes on. The app stays unlocked and on its screen.

import { html } from "../../vendor/htm-preact.js";
import { useEffect, useRef } from "../../vendor/preact-hooks.js";

function Prompt({ state, actions, t }) {
  const input = useRef(null);
  // The card appears above what the user tapped: the field takes the focus, so a screen reader
  // says why nothing happened yet.
  useEffect(() => input.current?.focus(), []);
  const submit = (event) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    event.currentTarget.reset();
    actions.submitPassword(password);
  };
  const { busy, error } = state.password;
  return html`<section class="card password-prompt" data-testid="password-prompt"
      aria-labelledby="password-prompt-title">
    <h2 id="password-prompt-title">${t("password_prompt_title")}</h2>
    <p class="hint">${t("password_prompt_why")}</p>
    <form onSubmit=${submit}>
      <input type="email" name="username" autocomplete="username" value=${state.user?.email ?? ""}
        hidden readonly />
      <div class="field">
        <label for="prompt-password">${t("password_label")}</label>
        <input id="prompt-password" name="password" type="password" ref=${input} required
          autocomplete="current-password" aria-describedby=${error ? "prompt-password-error" : null}
          aria-invalid=${error ? "true" : null} />
        ${error && html`<p class="field-error" id="prompt-password-error" role="alert">${t(error)}</p>`}
      </div>
      <div class="actions">
        <button class="primary" type="submit" disabled=${busy}>${t("confirm_password")}</button>
        <button type="button" onClick=${actions.cancelPassword}>${t("cancel")}</button>
      </div>
    </form>
  </section>`;
}

/** The prompt while a change waits for the password; nothing otherwise. */
export function PasswordPrompt(props) {
  return props.state.password ? html`<${Prompt} ...${props} />` : null;
}
