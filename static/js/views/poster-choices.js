// The office poster's contacts (`#poster`): the owner ticks who is printed beside the emergency
// numbers and saves; the print view stays a server page. Asked from the server each time the
// screen opens (poster-choice.js); offline it says it needs a connection.

import { html } from "../../vendor/htm-preact.js";
import { EMPTY_POSTER, hasChanges, rowsOf } from "../poster-choice.js";
import { safeUrl } from "../readiness.js";
import { ReauthView } from "./lock.js";

function Message({ message, t }) {
  if (!message) return null;
  const role = message.kind === "error" ? "alert" : "status";
  return html`<p class="notice notice-${message.kind ?? "info"}" role=${role} data-testid="poster-message">
    ${message.text ?? t(message.key, message.params)}
  </p>`;
}

function PrintLink({ state, t }) {
  const fallback = `/workspaces/${encodeURIComponent(state.workspaceId ?? "")}/poster`;
  const href = safeUrl((state.poster ?? EMPTY_POSTER).data?.print_url) ?? fallback;
  return html`<section class="card">
    <h2>${t("poster_print_title")}</h2>
    <p class="hint">${t("poster_print_hint")}</p>
    <a class="button" href=${href} data-testid="poster-print">${t("poster_print_open")}</a>
  </section>`;
}

function Row({ row, actions, t }) {
  const meta = [
    row.place && { text: row.place },
    row.afterHours && { text: t("poster_after_hours"), mark: "after-hours" },
    row.restricted && { text: t("poster_restricted"), mark: "restricted" },
  ].filter(Boolean);
  const described = row.changed ? `changed-${row.id}` : null;
  return html`<li class="poster-choice-row" data-contact=${row.id} data-changed=${row.changed ? "" : null}>
    <label class="choice">
      <input type="checkbox" checked=${row.checked} disabled=${row.disabled}
        aria-describedby=${described} onChange=${() => actions.posterToggle(row.id)} />
      <span class="poster-choice-text">
        <span class="poster-choice-name">${row.name}</span>
        ${meta.length > 0 &&
        html`<span class="poster-choice-meta" data-testid="poster-choice-meta">
          ${meta.map((part, i) => html`${i > 0 && " · "}<span data-mark=${part.mark ?? null}>${part.text}</span>`)}
        </span>`}
        ${row.changed &&
        html`<strong class="poster-choice-changed" id=${described}>${t("poster_changed")}</strong>`}
      </span>
    </label>
  </li>`;
}

function Chooser({ state, actions, t }) {
  const { data, selected, everyone, saving } = state.poster ?? EMPTY_POSTER;
  const rows = rowsOf(data, selected, state.lang);
  const changed = rows.filter((row) => row.changed).length;
  return html`<section class="card" data-testid="poster-chooser">
    <p class="poster-count" aria-live="polite" data-testid="poster-count">
      ${t("poster_count", { count: selected.length, max: data.max_chosen })}
    </p>
    ${changed > 0 && html`<p class="hint warning">${t("poster_changed_lead", { count: changed })}</p>`}
    ${rows.length > 0
      ? html`<fieldset class="choices">
          <legend class="visually-hidden">${t("poster_title")}</legend>
          <ul class="poster-choice-list">
            ${rows.map((row) => html`<${Row} key=${row.id} row=${row} actions=${actions} t=${t} />`)}
          </ul>
        </fieldset>`
      : html`<p class="empty">${t(everyone ? "poster_none_at_all" : "poster_none_after_hours")}</p>`}
    ${!everyone &&
    html`<p class="hint">${t("poster_listed")}</p>
      <p>
        <button type="button" class="link" onClick=${actions.posterShowAll} data-testid="poster-show-all">
          ${t("poster_show_all")}
        </button>
      </p>`}
    <button type="button" class="primary" onClick=${actions.posterSave}
      disabled=${saving || !hasChanges(data, selected)} data-testid="poster-save">
      ${saving ? t("poster_saving") : t("poster_save")}
    </button>
  </section>`;
}

/** The poster's screen: the owner's chooser, or what others may do (print it). */
export function PosterChoicesView(props) {
  const { state, actions, t } = props;
  const poster = state.poster ?? EMPTY_POSTER;
  if (poster.asking) {
    return html`<article data-testid="poster-choices">
      <${Message} message=${poster.message} t=${t} />
      <${ReauthView} state=${{ ...state, reauth: "poster", busy: poster.saving }}
        actions=${{ confirmPassword: actions.posterPassword }} t=${t}
        onCancel=${actions.posterCancelPassword} />
    </article>`;
  }
  const loading = poster.status === "idle" || poster.status === "loading";
  // The print link comes with the choices, not before them: they would push it down under a finger.
  return html`<article data-testid="poster-choices">
    <a class="back" href="#status">← ${t("tab_status")}</a>
    <h1>${t("poster_title")}</h1>
    <p class="lead">${t("poster_lead")}</p>
    <${Message} message=${poster.message} t=${t} />
    ${loading && html`<p class="muted" role="status">${t("poster_loading")}</p>`}
    ${poster.status === "not-owner" &&
    html`<section class="card" data-testid="poster-not-owner"><p>${t("poster_owner_only")}</p></section>`}
    ${poster.status === "offline" &&
    html`<section class="card" data-testid="poster-offline">
      <p>${t("poster_offline")}</p>
      <button type="button" onClick=${actions.posterRetry}>${t("try_again")}</button>
    </section>`}
    ${poster.status === "error" &&
    html`<section class="card" role="alert">
      <p>${t("poster_error")}</p>
      <button type="button" onClick=${actions.posterRetry}>${t("try_again")}</button>
    </section>`}
    ${poster.status === "ready" && html`<${Chooser} ...${props} />`}
    ${!loading && html`<${PrintLink} ...${props} />`}
  </article>`;
}
