// The app's frame: top bar, the screen the state names, the tab bar. Views only render.

import { html } from "../../vendor/htm-preact.js";
import { AccountView } from "./account.js";
import { EventsView } from "./activity.js";
import { ConflictsView, SyncBanner } from "./conflicts.js";
import { ContactView } from "./contact.js";
import { ContactFormView } from "./contact-form.js";
import { MembersView } from "./members.js";
import { WorkspaceSettingsView } from "./workspace-settings.js";
import { PlaybookFormView } from "./playbook-form.js";
import { DirectoryView } from "./directory.js";
import { QuickDial, ReauthView, SetPinView, UnlockView, WipedView } from "./lock.js";
import { PlaybooksView, PlaybookView } from "./playbooks.js";
import { IMPORT_VIEW } from "../porting.js";
import { ImportView } from "./import.js";
import { PosterChoicesView } from "./poster-choices.js";
import { ReadinessView } from "./readiness.js";
import { StatusView } from "./status.js";
import { IncidentsView, IncidentView, OpenIncidentBanner, ReportView } from "./incidents.js";

function Topbar({ state, t }) {
  const workspace = state.workspaces.find((w) => w.id === state.workspaceId);
  return html`<header class="topbar">
    <span class="brand">Enlace</span>
    ${workspace && html`<span class="topbar-workspace" data-testid="workspace-name">${workspace.name}</span>`}
    <span class="connection ${state.online ? "is-online" : "is-offline"}" data-testid="connection">
      ${state.online ? t("online") : t("offline")}
    </span>
  </header>`;
}

function Notice({ state, actions, t }) {
  const { notice } = state;
  if (!notice) return null;
  const role = notice.kind === "error" ? "alert" : "status";
  return html`<div class="notice notice-${notice.kind}" role=${role} data-testid="notice">
    <span>${t(notice.key, notice.params)}</span>
    <button type="button" class="notice-close" aria-label=${t("dismiss")} onClick=${actions.dismiss}>
      ×
    </button>
  </div>`;
}

const TABS = [
  ["directory", "#", "tab_directory"],
  ["quick-dial", "#quick-dial", "tab_quick_dial"],
  ["playbooks", "#playbooks", "tab_playbooks"],
  ["status", "#status", "tab_status"],
];

function Tabs({ state, t }) {
  const view = state.route.view;
  const current = (name) =>
    name === view ||
    (name === "directory" && (view === "contact" || view === "search")) ||
    (name === "playbooks" && view === "playbook") ||
    (name === "playbooks" && ["incidents", "incident", "report", "run"].includes(view)) ||
    (name === "status" &&
      ["readiness", "members", "workspace", "poster", IMPORT_VIEW, "account", "activity", "audit"].includes(view));
  return html`<nav class="tabs" aria-label=${t("sections")}>
    ${TABS.map(
      ([name, href, label]) =>
        html`<a href=${href} aria-current=${current(name) ? "page" : null}>${t(label)}</a>`,
    )}
  </nav>`;
}

function Card({ title, children, testid }) {
  return html`<section class="card empty-state" data-testid=${testid}>
    <h1>${title}</h1>
    ${children}
  </section>`;
}

/** "Deleted — Undo" for the few seconds a delete waits before it is sent. */
function UndoBar({ state, actions, t }) {
  if (!state.undo) return null;
  return html`<div class="notice notice-info undo-bar" role="status" data-testid="undo">
    <span>${t("deleted_name", { name: state.undo.name })}</span>
    <button type="button" onClick=${actions.undo}>${t("undo")}</button>
  </div>`;
}

function MainView(props) {
  const { state } = props;
  switch (state.route.view) {
    case "form":
      return state.route.type === "playbook"
        ? html`<${PlaybookFormView} ...${props} />`
        : html`<${ContactFormView} ...${props} />`;
    case "conflicts":
      return html`<${ConflictsView} ...${props} />`;
    case "contact":
      return html`<${ContactView} ...${props} />`;
    case "playbooks":
      return html`<${PlaybooksView} ...${props} />`;
    case "playbook":
      return html`<${PlaybookView} ...${props} />`;
    case "status":
      return html`<${StatusView} ...${props} />`;
    case "readiness":
      return html`<${ReadinessView} ...${props} />`;
    case "members":
      return html`<${MembersView} ...${props} />`;
    case "workspace":
      return html`<${WorkspaceSettingsView} ...${props} />`;
    case "poster":
      return html`<${PosterChoicesView} ...${props} />`;
    case IMPORT_VIEW:
      return html`<${ImportView} ...${props} />`;
    case "account":
      return html`<${AccountView} ...${props} />`;
    case "activity":
      return html`<${EventsView} ...${props} scope="account" />`;
    case "audit":
      return html`<${EventsView} ...${props} scope="workspace" />`;
    case "quick-dial":
      return html`<${QuickDial} ...${props} heading=${true} />`;
    case "incidents":
      return html`<${IncidentsView} ...${props} />`;
    case "incident":
    case "run":
      return html`<${IncidentView} ...${props} />`;
    case "report":
      return html`<${ReportView} ...${props} />`;
    default:
      return html`<${OpenIncidentBanner} ...${props} /><${DirectoryView} ...${props} />`;
  }
}

function Screen(props) {
  const { state, t } = props;
  switch (state.screen) {
    case "loading":
      return html`<p class="muted" role="status">${t("opening")}</p>`;
    case "first-use-offline":
      return html`<${Card} title=${t("first_use_title")} testid="first-use">
        <p>${t("first_use_body")}</p>
        <a class="button primary" href="/app">${t("try_again")}</a>
      <//>`;
    case "no-workspace":
      return html`<${Card} title=${t("welcome_title")} testid="no-workspace">
        <p>${t("welcome_body")}</p>
        <p><a class="button primary" href="/workspaces/new">${t("create_workspace")}</a></p>
        <p class="actions center">
          <a class="button" href="/account">${t("account")}</a>
          <button type="button" onClick=${() => props.actions.signOut()}>${t("sign_out")}</button>
        </p>
      <//>`;
    case "set-pin":
      return html`<${SetPinView} ...${props} />`;
    case "locked":
      return html`<${UnlockView} ...${props} />`;
    case "reauth":
      return html`<${ReauthView} ...${props} />`;
    case "wiped":
      return html`<${WipedView} ...${props} />`;
    default:
      return html`<${MainView} ...${props} />`;
  }
}

/** Render the whole app for a state. */
export function App(props) {
  const main = props.state.screen === "main";
  return html`<${Topbar} ...${props} />
    <main id="main" class=${main ? "with-tabs" : ""}>
      ${main && html`<${SyncBanner} ...${props} />`}
      <${Notice} ...${props} />
      ${main && html`<${UndoBar} ...${props} />`}
      <${Screen} ...${props} />
    </main>
    ${main && html`<${Tabs} ...${props} />`}`;
}
