// The screens behind the unlock: the directory, contacts, playbooks, incidents, status and
// settings. views/app.js loads this module when first needed (or when the browser is idle),
// so that the first screens of the app wait on fewer modules. Views only render.

import { html } from "../../vendor/htm-preact.js";
import { AccountView } from "./account.js";
import { EventsView } from "./activity.js";
import { ConflictsView } from "./conflicts.js";
import { ContactView } from "./contact.js";
import { ContactFormView } from "./contact-form.js";
import { MembersView } from "./members.js";
import { WorkspaceSettingsView } from "./workspace-settings.js";
import { PlaybookFormView } from "./playbook-form.js";
import { DirectoryView } from "./directory.js";
import { QuickDial } from "./lock.js";
import { PlaybooksView, PlaybookView } from "./playbooks.js";
import { IMPORT_VIEW } from "../porting.js";
import { ImportView } from "./import.js";
import { PosterChoicesView } from "./poster-choices.js";
import { ReadinessView } from "./readiness.js";
import { StatusView } from "./status.js";
import { IncidentsView, IncidentView, OpenIncidentBanner, ReportView } from "./incidents.js";

export { SyncBanner } from "./conflicts.js";

/** "Deleted — Undo" for the few seconds a delete waits before it is sent. */
export function UndoBar({ state, actions, t }) {
  if (!state.undo) return null;
  return html`<div class="notice notice-info undo-bar" role="status" data-testid="undo">
    <span>${t("deleted_name", { name: state.undo.name })}</span>
    <button type="button" onClick=${actions.undo}>${t("undo")}</button>
  </div>`;
}

export function MainView(props) {
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

