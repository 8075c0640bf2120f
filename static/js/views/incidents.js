// Incidents (issue 17): the list, one incident with the playbook runner and its log, the banner
// of an open incident above the directory, and the report for the authorities (print view).
// Views only render: decisions are in runner.js, incidents.js and incident-controller.js.

import { html } from "../../vendor/htm-preact.js";
import { useEffect, useRef } from "../../vendor/preact-hooks.js";
import { canEdit } from "../forms.js";
import { incidentList, isOpen, localTime, openIncident, reportModel, timeline } from "../incidents.js";
import { smsHref, telHref, whatsappHref } from "../links.js";
import { OUTCOMES, authorities, callOrder, runnerState, stepsDone } from "../runner.js";
import { availabilityNote, firstPhone, shownNumber } from "./format.js";
import { AlertDialog } from "./playbooks.js";

function Loading({ t }) {
  return html`<p class="muted" role="status">${t("opening_directory")}</p>`;
}

function zoneOf(state) {
  return state.directory?.workspace?.timezone || undefined;
}

function when(value, state) {
  return localTime(value, { lang: state.lang, timeZone: zoneOf(state) }).dateTime;
}

/** Above the directory: the newest open incident, so whoever opens the app lands in it. */
export function OpenIncidentBanner({ state, t }) {
  const incident = state.directory && openIncident(state.directory);
  if (!incident) return null;
  return html`<a class="incident-banner" href=${`#incident/${encodeURIComponent(incident.id)}`}
    data-testid="open-incident">
    <span>${t("incident_open_banner", { title: incident.title })}</span>
    <span class="incident-banner-go">${t("incident_open_go")} →</span>
  </a>`;
}

/** The list of incidents, open first. */
export function IncidentsView({ state, t }) {
  if (!state.directory) return html`<${Loading} t=${t} />`;
  const items = incidentList(state.directory);
  return html`<h1>${t("incidents_title")}</h1>
    ${items.length === 0 && html`<p class="empty">${t("incidents_none")}</p>`}
    <ul class="contact-list" data-testid="incident-list">
      ${items.map(
        ({ incident, open, entries }) => html`<li class="contact-row" key=${incident.id}>
          <a class="contact-link" href=${`#incident/${encodeURIComponent(incident.id)}`}>
            <span class="contact-name">${incident.title}</span>
            <span class="small">
              <span class=${`status-badge ${open ? "is-open" : ""}`}>
                ${t(`incident_status_${incident.status ?? "open"}`)}
              </span>
              ${" "}${t(`severity_${incident.severity ?? "medium"}`)}
            </span>
            <span class="muted small">
              ${t("incident_started_at", { when: when(incident.started_at, state) })} ·
              ${" "}${t("incident_entries_count", { count: entries })}
            </span>
            ${incident.pending && html`<span class="pending-mark small">${t("pending_mark")}</span>`}
          </a>
        </li>`,
      )}
    </ul>`;
}

/** "How did it go?": one tap logs the call. */
function OutcomeQuestion({ contact, state, actions, t }) {
  const ref = useRef(null);
  const asking = state.runner?.asking;
  useEffect(() => {
    ref.current?.querySelector("button")?.focus();
  }, [asking]);
  return html`<section class="card outcome" ref=${ref} role="group" aria-labelledby="outcome-title"
    data-testid="outcome">
    <h2 id="outcome-title">${t("runner_how_did_it_go", { name: contact.name })}</h2>
    <div class="outcome-buttons">
      ${OUTCOMES.map(
        (outcome) => html`<button type="button" key=${outcome} data-outcome=${outcome}
          class=${outcome === "answered" ? "primary" : ""} onClick=${() => actions.logCall(outcome)}>
          ${t(`outcome_${outcome}`)}
        </button>`,
      )}
    </div>
    <button type="button" class="link" onClick=${actions.cancelCall}>${t("cancel")}</button>
  </section>`;
}

/** The contact to call now, large: one-tap Call, SMS and WhatsApp where they have them. */
function CallCard({ item, state, actions, t, label }) {
  const { contact } = item;
  const phone = firstPhone(contact);
  const tel = phone && telHref(phone.number);
  const sms = phone && smsHref(phone.number);
  const whatsapp = phone?.whatsapp && whatsappHref(phone.number);
  const note = availabilityNote(contact, state.directory, state.now, t, state.lang);
  const detail = [contact.role_title, contact.organization].filter(Boolean).join(" · ");
  return html`<section class="card call-card" data-testid="current-contact">
    <p class="muted small">${label}</p>
    <p class="call-card-name">${contact.name}</p>
    ${detail && html`<p class="muted">${detail}</p>`}
    ${note
      ? html`<p class="availability ${note.tone}">${note.text}</p>`
      : html`<p class="availability ok">${t("available_now")}</p>`}
    ${tel &&
    html`<a class="button primary call-big" href=${tel} data-testid="call-now"
      onClick=${() => actions.dialed(contact.id)}>
      ${t("call_name", { name: contact.name })} <span class="number">${shownNumber(phone)}</span>
    </a>`}
    <div class="phone-actions">
      ${sms && html`<a class="button" href=${sms}>${t("runner_sms")}</a>`}
      ${whatsapp &&
      html`<a class="button" href=${whatsapp} target="_blank" rel="noopener noreferrer">${t("runner_whatsapp")}</a>`}
    </div>
  </section>`;
}

function CallList({ order, status, actions, t }) {
  return html`<section class="detail">
    <h2>${t("runner_order")}</h2>
    <ol class="contact-list ordered call-order" data-testid="call-order">
      ${order.map((item, index) => {
        const { contact } = item;
        const outcome = status.outcomes.get(contact.id);
        const phone = firstPhone(contact);
        const tel = phone && telHref(phone.number);
        return html`<li class=${`contact-row ${index === status.index && status.current ? "is-current" : ""}`}
          key=${contact.id}>
          <span class="contact-link">
            <span class="contact-name">${contact.name}</span>
            ${outcome && html`<span class="small">${t("runner_called", { outcome: t(`outcome_${outcome}`) })}</span>`}
            ${!item.available && html`<span class="availability warn">${t("runner_off_hours")}</span>`}
          </span>
          ${tel &&
          html`<a class="call" href=${tel} aria-label=${t("call_name", { name: contact.name })}
            onClick=${() => actions.dialed(contact.id)}>${t("call")}</a>`}
        </li>`;
      })}
    </ol>
  </section>`;
}

/** The runner: whom to call now, the steps, a note, a report, the alert, closing. */
function Runner(props) {
  const { state, actions, t, incident, playbook, entries } = props;
  const runner = state.runner?.incidentId === incident.id ? state.runner : {};
  const order = playbook ? callOrder(state.directory, playbook, state.now) : [];
  const status = runnerState(order, entries, { since: runner.since ?? null });
  const pending = runner.pendingCall && state.directory.contacts.get(runner.pendingCall.contactId);
  const done = stepsDone(entries);
  const steps = playbook?.steps ?? [];
  const report = runner.report ?? {};
  return html`<div class="runner" data-testid="runner">
    ${pending && html`<${OutcomeQuestion} contact=${pending} ...${props} />`}
    ${!pending && status.current &&
    html`<${CallCard} item=${status.current} label=${t("runner_call_now")} ...${props} />`}
    ${!pending && status.offer &&
    html`<section class="card" data-testid="backup-offer">
      <p>${t("runner_backup_offer", { name: status.offer.of.name, backup: status.offer.backup.name })}</p>
      <${CallCard} item=${{ contact: status.offer.backup }} label=${t("backup")} ...${props} />
    </section>`}
    ${status.reached &&
    html`<p class="notice notice-ok" role="status" data-testid="reached">
      ${t("runner_reached", { name: status.reached.name })}
    </p>`}
    ${status.exhausted &&
    html`<section class="card" data-testid="exhausted">
      <p class="warn-text">${t("runner_exhausted")}</p>
      <div class="actions">
        <button type="button" onClick=${actions.startOver}>${t("runner_start_over")}</button>
      </div>
    </section>`}
    ${playbook && order.length === 0 && html`<p class="muted">${t("runner_no_contacts")}</p>`}
    ${playbook &&
    html`<button type="button" class="danger alert-from-runner" data-testid="alert-team"
      onClick=${() => actions.openAlert(playbook.id)}>${t("alert_team")}</button>`}
    ${playbook && state.alert?.playbookId === playbook.id && html`<${AlertDialog} ...${props} />`}
    ${order.length > 0 && html`<${CallList} order=${order} status=${status} ...${props} />`}
    ${steps.length > 0 &&
    html`<section class="detail">
      <h2>${t("steps")}</h2>
      <ul class="checklist" data-testid="steps">
        ${steps.map(
          (step, i) => html`<li key=${i}>
            <label class="check">
              <input type="checkbox" checked=${done.has(i)} disabled=${done.has(i)}
                onChange=${() => actions.tickStep(i, step)} />
              <span>${step}</span>
            </label>
          </li>`,
        )}
      </ul>
    </section>`}
    <section class="detail">
      <form onSubmit=${(e) => { e.preventDefault(); actions.addNote(); }}>
        <div class="field">
          <label for="incident-note">${t("note_label")}</label>
          <textarea id="incident-note" rows="3" value=${runner.note ?? ""}
            onInput=${(e) => actions.runnerInput("note", e.currentTarget.value)}></textarea>
        </div>
        <button type="submit" data-testid="add-note">${t("note_add")}</button>
      </form>
    </section>
    <details class="detail" data-testid="report-form">
      <summary>${t("report_title")}</summary>
      <form onSubmit=${(e) => { e.preventDefault(); actions.logReport(); }}>
        <div class="field">
          <label for="report-agency">${t("report_agency")}</label>
          <select id="report-agency" value=${report.agency ?? ""}
            onChange=${(e) => actions.reportInput("agency", e.currentTarget.value)}>
            <option value="">${t("report_agency_other")}</option>
            ${authorities(state.directory, state.lang).map(
              (contact) => html`<option key=${contact.id} value=${contact.id}>${contact.name}</option>`,
            )}
          </select>
        </div>
        <div class="field">
          <label for="report-reference">${t("report_reference")}</label>
          <input id="report-reference" type="text" maxlength="100" value=${report.reference ?? ""}
            onInput=${(e) => actions.reportInput("reference", e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="report-when">${t("report_when")}</label>
          <input id="report-when" type="datetime-local" value=${report.when ?? ""}
            onInput=${(e) => actions.reportInput("when", e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="report-note">${t("report_note")}</label>
          <input id="report-note" type="text" value=${report.note ?? ""}
            onInput=${(e) => actions.reportInput("note", e.currentTarget.value)} />
        </div>
        <button type="submit">${t("report_add")}</button>
      </form>
    </details>
    <details class="detail" data-testid="close-form">
      <summary>${t("close_title")}</summary>
      <form onSubmit=${(e) => { e.preventDefault(); actions.closeIncident(); }}>
        <div class="field">
          <label for="incident-summary">${t("close_summary")}</label>
          <textarea id="incident-summary" rows="3" value=${runner.summary ?? ""}
            onInput=${(e) => actions.runnerInput("summary", e.currentTarget.value)}></textarea>
        </div>
        <button type="submit" class="danger">${t("close_button")}</button>
      </form>
    </details>
  </div>`;
}

/** One line of the log, as the timeline shows it. */
function Entry({ entry, state, t }) {
  const time = localTime(entry.at, { lang: state.lang, timeZone: zoneOf(state) });
  const contact = entry.contact_id ? state.directory.contacts.get(entry.contact_id) : null;
  return html`<li class="entry" key=${entry.id} data-kind=${entry.kind}>
    <span class="entry-time">${time.time}</span>
    <span class="entry-body">
      <strong>${t(`entry_kind_${entry.kind ?? "note"}`)}</strong>
      ${entry.step !== null && entry.step !== undefined && html` · ${t("incident_step", { n: entry.step + 1 })}`}
      ${" "}<span class="pre">${entry.kind === "call" && contact ? contact.name : entry.text}</span>
      ${entry.outcome && html` — <em>${t(`outcome_${entry.outcome}`)}</em>`}
      ${entry.kind === "report" && contact && entry.text !== contact.name && html` (${contact.name})`}
      ${entry.reference && html` · ${t("report_col_reference")}: <strong>${entry.reference}</strong>`}
      <span class="muted small entry-who">
        ${time.date}${entry.author ? ` · ${t("entry_by", { name: entry.author })}` : ""}
      </span>
      ${entry.pending && html`<span class="pending-mark small">${t("pending_mark")}</span>`}
    </span>
  </li>`;
}

/** One incident: the runner while it is open (editors, owners), and its log. */
export function IncidentView(props) {
  const { state, t } = props;
  if (!state.directory) return html`<${Loading} t=${t} />`;
  const incident = state.directory.incidents.get(state.route.id);
  if (!incident) {
    return html`<section class="card empty-state">
      <h1>${t("incident_missing")}</h1>
      <a class="button" href="#incidents">${t("incidents_title")}</a>
    </section>`;
  }
  const entries = timeline(state.directory, incident.id);
  const open = isOpen(incident);
  const playbook = incident.playbook_id ? state.directory.playbooks.get(incident.playbook_id) : null;
  const editable = open && canEdit(state);
  const zone = zoneOf(state) ?? "UTC";
  return html`<article data-testid="incident">
    <a class="back" href="#incidents">← ${t("incidents_title")}</a>
    <h1>${incident.title}</h1>
    <p class="small">
      <span class=${`status-badge ${open ? "is-open" : ""}`}>${t(`incident_status_${incident.status ?? "open"}`)}</span>
      ${" "}${t(`severity_${incident.severity ?? "medium"}`)}
    </p>
    <p class="muted small">
      ${t("incident_started_at", { when: when(incident.started_at, state) })}
      ${incident.closed_at && html` · ${t("incident_closed_at", { when: when(incident.closed_at, state) })}`}
      ${" "}· ${t("report_times_in", { zone })}
    </p>
    <p><a class="button" href=${`#report/${encodeURIComponent(incident.id)}`} data-testid="open-report">
      ${t("report_open")}
    </a></p>
    ${incident.summary && html`<p class="pre">${incident.summary}</p>`}
    ${editable && html`<${Runner} ...${props} incident=${incident} playbook=${playbook} entries=${entries} />`}
    ${open && !canEdit(state) && html`<p class="muted">${t("runner_viewer")}</p>`}
    <section class="detail">
      <h2>${t("timeline_title")}</h2>
      ${entries.length === 0 && html`<p class="empty">${t("timeline_empty")}</p>`}
      <ol class="timeline" data-testid="timeline">
        ${entries.map((entry) => html`<${Entry} key=${entry.id} entry=${entry} ...${props} />`)}
      </ol>
    </section>
  </article>`;
}

function Table({ caption, head, rows, t, testid }) {
  return html`<section class="report-section">
    <h3>${caption}</h3>
    ${rows.length === 0
      ? html`<p>${t("report_none")}</p>`
      : html`<table class="report-table" data-testid=${testid}>
          <thead><tr>${head.map((cell) => html`<th scope="col">${cell}</th>`)}</tr></thead>
          <tbody>
            ${rows.map((row, i) => html`<tr key=${i}>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}
          </tbody>
        </table>`}
  </section>`;
}

/** The report for the authorities: a print view made on this device from the copy in memory. */
export function ReportView({ state, actions, t }) {
  if (!state.directory) return html`<${Loading} t=${t} />`;
  const id = state.route.id;
  const model = reportModel(state.directory, id, { lang: state.lang, t, now: state.now });
  if (!model) {
    return html`<section class="card empty-state"><h1>${t("incident_missing")}</h1></section>`;
  }
  const { workspace, incident } = model;
  const what = (line) =>
    [
      line.step !== null ? t("incident_step", { n: line.step + 1 }) : null,
      line.kind === "call" ? line.contact : line.text,
      line.outcomeLabel,
      line.reference ? `${t("report_col_reference")}: ${line.reference}` : null,
    ]
      .filter(Boolean)
      .join(" · ");
  return html`<article class="report" data-testid="report">
    <div class="report-tools no-print">
      <a class="back" href=${`#incident/${encodeURIComponent(id)}`}>← ${t("back_to_incident")}</a>
      <div class="actions">
        <button type="button" class="primary" onClick=${actions.printReport} data-testid="print">
          ${t("report_print")}
        </button>
        <button type="button" onClick=${() => actions.downloadReport(id)} data-testid="download">
          ${t("report_download")}
        </button>
      </div>
    </div>
    <header class="report-head">
      <p class="report-workspace">
        ${[workspace.name, workspace.city, workspace.country].filter(Boolean).join(" · ")}
      </p>
      <h1>${t("report_heading")}</h1>
      <h2>${incident.title}</h2>
      <dl class="report-facts">
        <dt>${t("report_status")}</dt><dd>${incident.statusLabel}</dd>
        <dt>${t("report_severity")}</dt><dd>${incident.severityLabel}</dd>
        ${incident.playbook && html`<dt>${t("report_playbook")}</dt><dd>${incident.playbook}</dd>`}
        <dt>${t("incident_started_at", { when: "" }).replace(/[:\s]+$/, "")}</dt><dd>${incident.started}</dd>
        ${incident.closed && html`<dt>${t("incident_closed_at", { when: "" }).replace(/[:\s]+$/, "")}</dt><dd>${incident.closed}</dd>`}
        <dt>${t("report_times_in", { zone: "" }).trim()}</dt><dd>${workspace.timezone}</dd>
      </dl>
    </header>
    ${incident.summary &&
    html`<section class="report-section"><h3>${t("report_summary")}</h3><p class="pre">${incident.summary}</p></section>`}
    <${Table} caption=${t("timeline_title")} t=${t} testid="report-timeline"
      head=${[t("report_col_time"), t("report_col_what"), t("report_col_who")]}
      rows=${model.timeline.map((line) => [
        html`<span class="nowrap">${line.date}</span> <span class="nowrap">${line.time}</span>`,
        html`<strong>${line.kindLabel}</strong> ${what(line)}`,
        line.author ?? "—",
      ])} />
    <${Table} caption=${t("report_calls")} t=${t} testid="report-calls"
      head=${[t("report_col_time"), t("report_col_contact"), t("report_col_outcome"), t("report_col_who")]}
      rows=${model.calls.map((line) => [html`<span class="nowrap">${line.time}</span>`, line.contact ?? "—", line.outcomeLabel ?? "—", line.author ?? "—"])} />
    <${Table} caption=${t("report_reports")} t=${t} testid="report-reports"
      head=${[t("report_col_time"), t("report_agency"), t("report_col_reference"), t("report_col_who")]}
      rows=${model.reports.map((line) => [
        html`<span class="nowrap">${line.date}</span> <span class="nowrap">${line.time}</span>`,
        line.contact ?? line.text,
        line.reference ?? "—",
        line.author ?? "—",
      ])} />
    <p class="muted small report-foot">
      ${t("report_generated", { when: model.generated })} · ${t("report_private")}
    </p>
  </article>`;
}
