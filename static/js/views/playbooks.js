// Playbooks, read only: the list, then one playbook: whom to call in order first (its first Call
// on the first screen of a phone, issue 16), then its steps and guidance.

import { html } from "../../vendor/htm-preact.js";
import { playbookContacts } from "../snapshot.js";
import { canEdit, ConfirmDelete } from "./confirm-delete.js";
import { ContactRow, PlaybookRow } from "./directory.js";
// The crisis alert dialog (issue 8).
import { useEffect, useRef } from "../../vendor/preact-hooks.js";
import { alertCharsLeft, alertResult, MAX_ALERT_MESSAGE } from "../push.js";

/** The list of the workspace's playbooks. */
export function PlaybooksView({ state, t }) {
  const { directory } = state;
  if (!directory) return html`<p class="muted" role="status">${t("opening_directory")}</p>`;
  const playbooks = [...directory.playbooks.values()].sort((a, b) =>
    a.name.localeCompare(b.name, state.lang),
  );
  return html`<h1>${t("tab_playbooks")}</h1>
    <p><a class="button" href="#incidents" data-testid="incidents-link">${t("incidents_title")}</a></p>
    ${canEdit(state) &&
    html`<p><a class="button" href="#new/playbook" data-testid="new-playbook">${t("new_playbook")}</a></p>`}
    ${playbooks.length === 0 && html`<p class="empty">${t("no_playbooks")}</p>`}
    <ul class="contact-list">
      ${playbooks.map((playbook) => html`<${PlaybookRow} key=${playbook.id} playbook=${playbook} state=${state} t=${t} />`)}
    </ul>`;
}

/** What became of a sent alert: a success, or a warning when it reached no device. */
function AlertResult({ result, t }) {
  return html`<p class=${`notice notice-${result.tone}`} role=${result.tone === "warn" ? "alert" : "status"}
    data-testid="alert-result">${t(result.key, result.params)}</p>`;
}

/** The confirmation before a crisis alert goes to every member, then its result. */
export function AlertDialog({ state, actions, t }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.open && dialog.close();
  }, []);
  const { alert } = state;
  const sending = alert.status === "sending";
  const cancel = (event) => {
    event.preventDefault(); // Escape: the state closes it, not the browser
    actions.closeAlert();
  };
  return html`<dialog ref=${ref} class="alert-dialog" aria-labelledby="alert-title"
    onCancel=${cancel} data-testid="alert-dialog">
    <h2 id="alert-title">${t("alert_title")}</h2>
    ${alert.status === "sent"
      ? html`<${AlertResult} result=${alertResult(alert.recipients)} t=${t} />
          <div class="actions">
            <button type="button" class="primary" onClick=${actions.closeAlert}>${t("alert_close")}</button>
          </div>`
      : html`<form onSubmit=${(e) => { e.preventDefault(); actions.sendAlert(); }}>
          <p>${t("alert_explain")}</p>
          <div class="field">
            <label for="alert-message">${t("alert_message")}</label>
            <textarea id="alert-message" rows="3" maxlength=${MAX_ALERT_MESSAGE} value=${alert.message}
              disabled=${sending} aria-describedby="alert-left"
              onInput=${(e) => actions.alertMessage(e.currentTarget.value)}></textarea>
            <p class="hint" id="alert-left">
              ${t("alert_chars_left", { count: alertCharsLeft(alert.message) })}
            </p>
          </div>
          ${alert.error &&
          html`<p class="notice notice-error" role="alert">${t(alert.error.key, alert.error.params)}</p>`}
          <div class="actions">
            <button type="button" onClick=${actions.closeAlert}>${t("cancel")}</button>
            <button type="submit" class="primary" disabled=${sending}>
              ${sending ? t("alert_sending") : t("alert_send")}
            </button>
          </div>
        </form>`}
  </dialog>`;
}

/** One playbook. */
export function PlaybookView(props) {
  const { state, t } = props;
  const playbook = state.directory?.playbooks.get(state.route.id);
  if (!state.directory) return html`<p class="muted" role="status">${t("opening_directory")}</p>`;
  if (!playbook) {
    return html`<section class="card empty-state">
      <h1>${t("playbook_missing")}</h1>
      <a class="button" href="#playbooks">${t("tab_playbooks")}</a>
    </section>`;
  }
  const steps = playbook.steps ?? [];
  const role = state.workspaces.find((w) => w.id === state.workspaceId)?.role;
  const canAlert = role === "owner" || role === "editor";
  return html`<article data-testid="playbook">
    <a class="back" href="#playbooks">← ${t("tab_playbooks")}</a>
    <h1>${playbook.name}</h1>
    ${playbook.pending && html`<p class="pending-mark" data-testid="pending">${t("pending_mark")}</p>`}
    <p class="muted">${t(`severity_${playbook.severity}`)}</p>
    ${canAlert &&
    html`<button type="button" class="primary start-incident" data-testid="start-incident"
      onClick=${() => props.actions.startIncident(playbook.id)}>${t("incident_start")}</button>`}
    ${canAlert &&
    html`<button type="button" class="danger" data-testid="alert-team"
      onClick=${() => props.actions.openAlert(playbook.id)}>${t("alert_team")}</button>`}
    ${state.alert?.playbookId === playbook.id && html`<${AlertDialog} ...${props} />`}
    <section class="detail" data-testid="whom-to-call">
      <h2>${t("whom_to_call")}</h2>
      <ol class="contact-list ordered">
        ${playbookContacts(state.directory, playbook).map(({ id, contact }) =>
          contact
            ? html`<${ContactRow} key=${id} contact=${contact} ...${props} />`
            : html`<li class="contact-row restricted" key=${id}>
                <span class="muted">${t("restricted")}</span>
              </li>`,
        )}
      </ol>
    </section>
    ${steps.length > 0 &&
    html`<section class="detail"><h2>${t("steps")}</h2>
      <ol class="steps">${steps.map((step, i) => html`<li key=${i}>${step}</li>`)}</ol>
    </section>`}
    ${playbook.guidance &&
    html`<section class="detail"><h2>${t("guidance")}</h2><p class="pre">${playbook.guidance}</p></section>`}
    ${canEdit(state) &&
    html`<div class="actions edit-actions" data-testid="edit-actions">
      <a class="button primary" href=${`#edit/playbook/${encodeURIComponent(playbook.id)}`}>${t("edit")}</a>
      <button type="button" class="danger-outline" onClick=${() => props.actions.askDelete("playbook", playbook.id)}>
        ${t("delete")}
      </button>
    </div>`}
    ${state.confirmDelete?.id === playbook.id && html`<${ConfirmDelete} ...${props} />`}
  </article>`;
}
