// The workspace's screen: what it is (name, city, country, the user's role), where its people are
// managed, and how members unlock the app (owners choose). The unlock rule needs the password in
// place: a weaker rule would let a guessed PIN open members' phones.

import { html } from "../../vendor/htm-preact.js";
import { useEffect } from "../../vendor/preact-hooks.js";
import { POLICIES } from "../team.js";
import { countryName } from "./format.js";
import { PasswordPrompt } from "./password-prompt.js";

function PolicyCard({ data, busy, actions, t }) {
  const submit = (event) => {
    event.preventDefault();
    actions.setUnlockPolicy(String(new FormData(event.currentTarget).get("unlock_policy") ?? ""));
  };
  return html`<section class="card" data-testid="unlock-policy" aria-labelledby="unlock-policy-title">
    <h2 id="unlock-policy-title">${t("unlock_policy_title")}</h2>
    <form onSubmit=${submit} key=${data.unlock_policy}>
      <fieldset class="choices">
        <legend>${t("unlock_policy_legend")}</legend>
        ${POLICIES.map(
          (policy) => html`<label class="choice policy" key=${policy}>
            <input type="radio" name="unlock_policy" value=${policy} checked=${data.unlock_policy === policy}
              aria-describedby=${`policy-${policy}-hint`} />
            <span><strong>${t(`unlock_policy_${policy}`)}</strong>
              <span class="hint" id=${`policy-${policy}-hint`}>${t(`unlock_policy_${policy}_hint`)}</span></span>
          </label>`,
        )}
      </fieldset>
      <button class="primary" type="submit" disabled=${busy}>${t("save")}</button>
    </form>
  </section>`;
}

const EXPORTS = [
  ["vcard", null, "export_vcard", "export_vcard_hint"],
  ["vcard", "3.0", "export_vcard3", null],
  ["csv", null, "export_csv", "export_csv_hint"],
  ["json", null, "export_json", "export_json_hint"],
];

/** Exports (owners, editors): what each file is for, and that it leaves Enlace's protection. */
function ExportCard({ state, actions, t }) {
  const exporting = state.exporting;
  const busy = Boolean(exporting?.busy);
  return html`<section class="card" data-testid="export-section" aria-labelledby="export-title">
    <h2 id="export-title">${t("export_title")}</h2>
    <p>${t("export_intro")}</p>
    <p class="notice notice-warn" data-testid="export-warning">${t("export_warning")}</p>
    <ul class="export-formats">
      ${EXPORTS.map(
        ([format, version, label, hint]) => html`<li key=${label}>
          <button type="button" data-testid=${`export-${format}${version ? `-${version}` : ""}`}
            disabled=${busy || !state.online} onClick=${() => actions.exportAs(format, version)}>
            ${t(label)}</button>
          ${hint && html`<p class="hint">${t(hint)}</p>`}
        </li>`,
      )}
    </ul>
    ${busy && html`<p role="status">${t("export_busy")}</p>`}
    ${!state.online && html`<p class="hint">${t("export_offline")}</p>`}
    ${exporting?.error && html`<p class="notice notice-error" role="alert">${t(exporting.error)}</p>`}
    ${exporting?.done && html`<p role="status" data-testid="export-done">${t("export_done", { name: exporting.done })}</p>`}
  </section>`;
}

/** The workspace screen. */
export function WorkspaceSettingsView(props) {
  const { state, actions, t } = props;
  const { workspaceId, lang, online } = state;
  useEffect(() => {
    actions.loadSettings();
  }, [workspaceId, lang, online]);
  const held = state.workspaceSettings?.workspaceId === workspaceId ? state.workspaceSettings : null;
  // Until the server answers, the session already knows the name and the role.
  const known = state.workspaces.find((w) => w.id === workspaceId);
  const data = held?.data ?? null;
  const role = data?.role ?? known?.role;
  const owner = role === "owner";
  const editor = role === "owner" || role === "editor";
  // Nothing that arrives with the server's answer may push a control down under a finger: the
  // details line is written from the copy until then (its city and country, the session's role),
  // and the unlock rule comes after the export buttons.
  const copy = state.directory?.workspace?.id === workspaceId ? state.directory.workspace : null;
  const place = [data?.city ?? copy?.city, data?.country_name ?? countryName(copy?.country, lang)];
  const details =
    [place.filter(Boolean).join(", "), role && t(`role_${role}`)].filter(Boolean).join(" · ") || "\u00a0";
  return html`<article data-testid="workspace-screen">
    <a class="back" href="#status">← ${t("tab_status")}</a>
    <h1>${data?.name ?? known?.name ?? t("workspace")}</h1>
    <p class="muted" data-testid="workspace-details">${details}</p>
    <${PasswordPrompt} ...${props} />
    ${held?.error && html`<p class="notice notice-error" role="alert" data-testid="team-error">${held.error}</p>`}
    <nav class="actions workspace-links" aria-label=${t("workspace_settings")}>
      ${owner && html`<a class="button" href="#members" data-testid="open-members">${t("members")}</a>`}
      <a class="button" href="#readiness">${t("readiness")}</a>
      ${editor && html`<a class="button" href="#import" data-testid="open-import">${t("import_open")}</a>`}
    </nav>
    ${!data && held?.status === "offline" && html`<section class="card"><p>${t("team_offline")}</p></section>`}
    ${!data && held?.status === "error" &&
    html`<section class="card" role="alert">
      <p>${t("error_server")}</p>
      <button type="button" onClick=${actions.loadSettings}>${t("try_again")}</button>
    </section>`}
    ${editor && html`<${ExportCard} state=${state} actions=${actions} t=${t} />`}
    ${data && owner && html`<${PolicyCard} data=${data} busy=${Boolean(held.busy)} actions=${actions} t=${t} />`}
    ${data && !owner &&
    html`<section class="card" data-testid="unlock-policy">
      <h2>${t("unlock_policy_title")}</h2>
      <p><strong>${t(`unlock_policy_${data.unlock_policy}`)}</strong></p>
      <p class="hint">${t(`unlock_policy_${data.unlock_policy}_hint`)}</p>
    </section>`}
  </article>`;
}
