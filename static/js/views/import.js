// The Import screen (#import, editors and owners): choose a file, or pick the phone's contacts,
// see the preview grouped (needs fixing, new, already there), fix or leave out a row, apply.
// Render only: decisions in porting.js.

import { html } from "../../vendor/htm-preact.js";
import { EMPTY_IMPORT, fixValues, groupRows, rowProblems, rowSummary, rowTitle } from "../porting.js";

function Progress({ label }) {
  return html`<div class="import-progress" role="status" data-testid="import-progress">
    <progress aria-label=${label}></progress>
    <span>${label}</span>
  </div>`;
}

function FixForm({ row, actions, t }) {
  const values = fixValues(row);
  // One empty slot to add a number the file lacked.
  const phones = [...values.phones, { label: "", number: "" }];
  const emails = values.emails.length ? values.emails : [{ label: "", address: "" }];
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    actions.fixImportRow(row.row, {
      name: form.get("name"),
      organization: form.get("organization"),
      phones: phones.map((p, i) => ({ label: p.label, number: form.get(`phone-${i}`) })),
      emails: emails.map((e, i) => ({ label: e.label, address: form.get(`email-${i}`) })),
    });
  };
  const id = (name) => `fix-${row.row}-${name}`;
  return html`<form class="import-fix" onSubmit=${submit} data-testid="import-fix"
      aria-label=${t("import_fix_title", { row: row.row })}>
    <div class="field">
      <label for=${id("name")}>${t("field_name")}</label>
      <input id=${id("name")} name="name" value=${values.name} autocomplete="off" />
    </div>
    <div class="field">
      <label for=${id("org")}>${t("field_organization")}</label>
      <input id=${id("org")} name="organization" value=${values.organization} autocomplete="off" />
    </div>
    ${phones.map(
      (phone, i) => html`<div class="field" key=${`p${i}`}>
        <label for=${id(`phone-${i}`)}>${t("import_phone_n", { n: i + 1 })}${phone.label ? ` (${phone.label})` : ""}</label>
        <input id=${id(`phone-${i}`)} name=${`phone-${i}`} value=${phone.number} type="tel" autocomplete="off" />
      </div>`,
    )}
    ${emails.map(
      (email, i) => html`<div class="field" key=${`e${i}`}>
        <label for=${id(`email-${i}`)}>${t("import_email_n", { n: i + 1 })}</label>
        <input id=${id(`email-${i}`)} name=${`email-${i}`} value=${email.address} type="email" autocomplete="off" />
      </div>`,
    )}
    <div class="actions">
      <button class="primary" type="submit">${t("import_fix_save")}</button>
      <button type="button" onClick=${actions.cancelImportRow}>${t("cancel")}</button>
    </div>
  </form>`;
}

function Row({ row, importer, actions, t }) {
  const problems = rowProblems(row, t);
  const summary = rowSummary(row);
  const editing = importer.editing === row.row;
  const busy = importer.status !== "ready";
  return html`<li class=${`import-row import-${row.status}`} data-testid="import-row" data-row=${row.row}
      data-status=${row.status}>
    <div class="import-row-head">
      <strong>${rowTitle(row, t)}</strong>
      <span class="muted"> · ${t("import_row_n", { row: row.row })}</span>
    </div>
    ${summary && html`<div class="muted import-row-summary">${summary}</div>`}
    ${problems.length > 0 &&
    html`<ul class="import-problems">
      ${problems.map((p) => html`<li key=${p.path}><strong>${p.label}:</strong> ${p.message}</li>`)}
    </ul>`}
    ${row.status === "error" && !editing &&
    html`<div class="actions">
      <button type="button" disabled=${busy} onClick=${() => actions.editImportRow(row.row)}>${t("import_fix")}</button>
      <button type="button" disabled=${busy} onClick=${() => actions.skipImportRow(row.row)}>${t("import_skip")}</button>
    </div>`}
    ${row.status === "new" &&
    html`<div class="actions"><button type="button" class="link" disabled=${busy}
      onClick=${() => actions.skipImportRow(row.row)}>${t("import_skip")}</button></div>`}
    ${editing && html`<${FixForm} row=${row} actions=${actions} t=${t} />`}
  </li>`;
}

function Group({ name, rows, hint, importer, actions, t }) {
  if (!rows.length) return null;
  const title = t(`import_group_${name}`, { count: rows.length });
  return html`<section class="card import-group" data-testid=${`import-group-${name}`}
      aria-labelledby=${`import-group-${name}`}>
    <h2 id=${`import-group-${name}`}>${title}</h2>
    ${hint && html`<p class="hint">${hint}</p>`}
    <ul class="import-rows">
      ${rows.map((row) => html`<${Row} key=${row.row} row=${row} importer=${importer} actions=${actions} t=${t} />`)}
    </ul>
  </section>`;
}

function Chooser({ state, actions, t }) {
  const submit = (event) => {
    event.preventDefault();
    const file = event.currentTarget.elements.file.files?.[0] ?? null;
    actions.importFile(file);
  };
  const template = `/api/v1/workspaces/${encodeURIComponent(state.workspaceId)}/imports/template.csv?lang=${state.lang}`;
  return html`<section class="card" data-testid="import-chooser">
    <form onSubmit=${submit}>
      <div class="field">
        <label for="import-file">${t("import_file_label")}</label>
        <input id="import-file" name="file" type="file" data-testid="import-file"
          accept=".vcf,.vcard,.csv,.json,text/vcard,text/x-vcard,text/csv,application/json" />
      </div>
      <div class="actions">
        <button class="primary" type="submit" data-testid="import-upload">${t("import_upload")}</button>
        ${state.canPickContacts &&
        html`<button type="button" data-testid="import-from-phone" onClick=${actions.pickFromPhone}>
          ${t("import_from_phone")}</button>`}
      </div>
    </form>
    <p><a href=${template} download>${t("import_template")}</a></p>
  </section>`;
}

/** The Import screen. */
export function ImportView({ state, actions, t }) {
  const importer = state.importer?.workspaceId === state.workspaceId ? state.importer : EMPTY_IMPORT;
  const { preview, status, error, result } = importer;
  const groups = groupRows(preview);
  const toApply = groups.new.length;
  const role = state.workspaces.find((w) => w.id === state.workspaceId)?.role;
  if (role === "viewer") {
    return html`<article data-testid="import-screen">
      <a class="back" href="#workspace">← ${t("workspace")}</a>
      <h1>${t("import_title")}</h1>
      <p class="notice notice-info">${t("import_not_allowed")}</p>
    </article>`;
  }
  return html`<article data-testid="import-screen" aria-busy=${status === "uploading" || status === "applying" ? "true" : null}>
    <a class="back" href="#workspace">← ${t("workspace")}</a>
    <h1>${t("import_title")}</h1>
    ${!preview && status !== "applied" && html`<p>${t("import_intro")}</p>`}
    ${error &&
    html`<div class="notice notice-error" role="alert" data-testid="import-error">
      <p>${t(error.key)}</p>
      ${error.message && html`<p>${error.message}</p>`}
    </div>`}
    ${status === "uploading" && html`<${Progress} label=${t("import_uploading")} />`}
    ${status === "applying" && html`<${Progress} label=${t("import_applying")} />`}
    ${status === "saving" && html`<${Progress} label=${t("import_saving")} />`}
    ${status === "applied" && result &&
    html`<section class="card" role="status" data-testid="import-done">
      <p>${t("import_applied", { applied: result.applied, skipped: result.skipped })}</p>
      <div class="actions">
        <a class="button primary" href="#">${t("import_see_directory")}</a>
        <button type="button" onClick=${actions.resetImport}>${t("import_another")}</button>
      </div>
    </section>`}
    ${!preview && status !== "uploading" && status !== "applied" && html`<${Chooser} state=${state} actions=${actions} t=${t} />`}
    ${preview &&
    html`<p class="import-counts" data-testid="import-counts">
        ${t("import_counts", preview.counts)}
      </p>
      <${Group} name="error" rows=${groups.error} importer=${importer} actions=${actions} t=${t} />
      <${Group} name="new" rows=${groups.new} importer=${importer} actions=${actions} t=${t} />
      <${Group} name="duplicate" rows=${groups.duplicate} hint=${t("import_group_duplicate_hint")}
        importer=${importer} actions=${actions} t=${t} />
      <section class="card import-apply" data-testid="import-apply">
        ${groups.error.length > 0 &&
        html`<label class="choice">
          <input type="checkbox" checked=${importer.skipErrors} data-testid="import-skip-errors"
            onChange=${(event) => actions.setSkipErrors(event.currentTarget.checked)} />
          <span>${t("import_skip_errors")}</span>
        </label>`}
        ${toApply === 0 && html`<p class="hint">${t("import_apply_none")}</p>`}
        <div class="actions">
          <button class="primary" type="button" data-testid="import-apply-button"
            disabled=${status !== "ready" || toApply === 0} onClick=${actions.applyImport}>
            ${toApply === 1 ? t("import_apply_one") : t("import_apply", { count: toApply })}</button>
          <button type="button" onClick=${actions.resetImport}>${t("import_another")}</button>
        </div>
      </section>`}
  </article>`;
}
