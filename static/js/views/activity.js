// The events screens: the user's own account activity (#activity) and the workspace's audit log
// for its owners (#audit). The server sends each event's label in the app's language; times are
// shown in this device's time zone (views/format.js). Views only render.

import { html } from "../../vendor/htm-preact.js";
import { useEffect } from "../../vendor/preact-hooks.js";
import { dateTime } from "./format.js";

const SCREENS = {
  account: { title: "activity_title", lead: "activity_lead", back: "#account", backLabel: "account" },
  workspace: { title: "audit_log", lead: "audit_lead", back: "#status", backLabel: "tab_status" },
};

function Event({ event, scope, lang, t }) {
  return html`<li class="event" data-action=${event.action}>
    <time datetime=${event.at} class="muted small">${dateTime(event.at, lang)}</time>
    <p class="event-what">
      <strong>${event.label}</strong>${event.detail && html` · <span>${event.detail}</span>`}
    </p>
    ${scope === "workspace" &&
    html`<p class="small">
      ${t("audit_who")}: ${event.actor ?? "—"}
      ${event.subject && html` · ${t("audit_affected")}: ${event.subject}`}
    </p>`}
    ${event.ip && html`<p class="muted small">${t("audit_ip")}: ${event.ip}</p>`}
  </li>`;
}

/** The account's activity (`scope` "account") or the workspace's audit log ("workspace"). */
export function EventsView({ state, actions, t, scope }) {
  const { workspaceId, lang, online } = state;
  useEffect(() => {
    actions.openEvents(scope);
  }, [scope, workspaceId, lang, online]);
  const screen = SCREENS[scope];
  const shown = state.events?.scope === scope ? state.events : null;
  const status = shown?.status ?? "loading";
  const workspace = state.workspaces.find((w) => w.id === workspaceId);
  return html`<article data-testid=${scope === "workspace" ? "audit" : "activity"}>
    <a class="back" href=${screen.back}>← ${t(screen.backLabel)}</a>
    <h1>${t(screen.title)}</h1>
    ${scope === "workspace" && workspace && html`<p class="muted">${workspace.name}</p>`}
    <p class="hint">${t(screen.lead)}</p>
    ${status === "loading" && html`<p class="muted" role="status">${t("events_loading")}</p>`}
    ${status === "offline" && html`<p class="card">${t("events_offline")}</p>`}
    ${status === "forbidden" && html`<p class="card" role="alert">${t("audit_owners_only")}</p>`}
    ${status === "locked" &&
    html`<section class="card" role="alert" data-testid="events-locked">
      <p>${t("audit_locked")}</p>
      <button type="button" class="primary" onClick=${actions.confirmIdentity}>${t("confirm_password")}</button>
    </section>`}
    ${status === "error" &&
    html`<section class="card" role="alert">
      <p>${t("error_server")}</p>
      <button type="button" onClick=${() => actions.openEvents(scope)}>${t("try_again")}</button>
    </section>`}
    ${status === "ok" && shown.events.length === 0 && html`<p class="card">${t("events_none")}</p>`}
    ${status === "ok" &&
    shown.events.length > 0 &&
    html`<ol class="events card" data-testid="events">
      ${shown.events.map((event) => html`<${Event} key=${event.id} event=${event} scope=${scope} lang=${lang} t=${t} />`)}
    </ol>`}
    ${status === "ok" &&
    shown.next &&
    html`<button type="button" onClick=${actions.moreEvents} disabled=${shown.more}>${t("events_older")}</button>`}
  </article>`;
}
