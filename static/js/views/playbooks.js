// Playbooks, read only: the list, then one playbook's steps, guidance and contacts in order.

import { html } from "../../vendor/htm-preact.js";
import { crisisKindLabel } from "../labels.js";
import { playbookContacts } from "../snapshot.js";
import { ContactRow } from "./directory.js";

/** The list of the workspace's playbooks. */
export function PlaybooksView({ state, t }) {
  const { directory } = state;
  if (!directory) return html`<p class="muted" role="status">${t("opening_directory")}</p>`;
  const playbooks = [...directory.playbooks.values()].sort((a, b) =>
    a.name.localeCompare(b.name, state.lang),
  );
  return html`<h1>${t("tab_playbooks")}</h1>
    ${playbooks.length === 0 && html`<p class="empty">${t("no_playbooks")}</p>`}
    <ul class="contact-list">
      ${playbooks.map(
        (playbook) => html`<li class="contact-row" key=${playbook.id}>
          <a class="contact-link" href=${`#playbook/${encodeURIComponent(playbook.id)}`}>
            <span class="contact-name">${playbook.name}</span>
            <span class="muted small">
              ${[t(`severity_${playbook.severity}`), crisisKindLabel(playbook.crisis_kind, state.lang)]
                .filter(Boolean)
                .join(" · ")}
            </span>
          </a>
        </li>`,
      )}
    </ul>`;
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
  return html`<article data-testid="playbook">
    <a class="back" href="#playbooks">← ${t("tab_playbooks")}</a>
    <h1>${playbook.name}</h1>
    <p class="muted">${t(`severity_${playbook.severity}`)}</p>
    ${steps.length > 0 &&
    html`<section class="detail"><h2>${t("steps")}</h2>
      <ol class="steps">${steps.map((step, i) => html`<li key=${i}>${step}</li>`)}</ol>
    </section>`}
    ${playbook.guidance &&
    html`<section class="detail"><h2>${t("guidance")}</h2><p class="pre">${playbook.guidance}</p></section>`}
    <section class="detail">
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
  </article>`;
}
