// The readiness checklist: the score and, for each gap, what to do and a link to do it. Asked
// from the server each time the screen opens; offline it says it needs a connection.

import { html } from "../../vendor/htm-preact.js";
import { useEffect, useState } from "../../vendor/preact-hooks.js";
import { loadReadiness } from "../readiness.js";

/** The readiness screen. */
export function ReadinessView({ state, actions, t }) {
  const { workspaceId, lang, online } = state;
  const [result, setResult] = useState(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!workspaceId || !online) return undefined;
    let current = true;
    setResult(null);
    loadReadiness(workspaceId, lang, actions.apiFetch).then((answer) => current && setResult(answer));
    return () => {
      current = false;
    };
  }, [workspaceId, lang, online, attempt]);

  const offline = !online || result?.kind === "offline";
  // A viewer's score counts only what a viewer sees (webapp/readiness/service.py): say so.
  const viewer = state.workspaces?.find((w) => w.id === workspaceId)?.role === "viewer";
  return html`<article data-testid="readiness">
    <a class="back" href="#status">← ${t("tab_status")}</a>
    <h1>${t("readiness_title")}</h1>
    ${offline &&
    html`<section class="card" data-testid="readiness-offline">
      <p>${t("readiness_offline")}</p>
    </section>`}
    ${!offline && !result && html`<p class="muted" role="status">${t("readiness_loading")}</p>`}
    ${!offline &&
    result?.kind === "locked" &&
    html`<section class="card" role="alert" data-testid="readiness-locked">
      <p>${t("readiness_locked")}</p>
      <button type="button" class="primary" onClick=${actions.confirmIdentity}>${t("confirm_password")}</button>
    </section>`}
    ${!offline &&
    result?.kind === "error" &&
    html`<section class="card" role="alert">
      <p>${t("readiness_error")}</p>
      <button type="button" onClick=${() => setAttempt((n) => n + 1)}>${t("try_again")}</button>
    </section>`}
    ${!offline && result?.kind === "ok" && html`<${Checklist} data=${result.data} viewer=${viewer} t=${t} />`}
  </article>`;
}

function Checklist({ data, viewer, t }) {
  return html`<section class="card readiness">
      <p class="readiness-score">
        <strong data-testid="readiness-score">${data.score}</strong><span class="muted"> / 100</span>
      </p>
      <p class="hint">${t("readiness_about")}</p>
      ${viewer && html`<p class="hint" data-testid="readiness-viewer">${t("readiness_viewer")}</p>`}
    </section>
    ${data.gaps.length > 0
      ? html`<h2>${t("readiness_missing")}</h2>
          <ul class="gaps" data-testid="readiness-gaps">
            ${data.gaps.map(
              (gap) => html`<li key=${gap.id} class="card" data-check=${gap.id}>
                <h3>${gap.title}</h3>
                <p>${gap.text}</p>
                ${gap.url &&
                html`<a class="button" href=${gap.url}>
                  ${t("readiness_go")}<span class="visually-hidden">: ${gap.title}</span>
                </a>`}
              </li>`,
            )}
          </ul>`
      : html`<p class="card">${t("readiness_all_done")}</p>`}
    ${data.done.length > 0 &&
    html`<details class="card">
      <summary>${t("readiness_done", { count: data.done.length })}</summary>
      <ul class="done">
        ${data.done.map((check) => html`<li key=${check.id} data-check=${check.id}>✓ ${check.title}</li>`)}
      </ul>
    </details>`}`;
}
