// One contact: Call, SMS, WhatsApp, email, copy, maps, its week's hours, the backup, when to
// contact, partner times and procedure, last verified. Every href comes from links.js, built
// from the E.164 `number`; the numbers shown are the server's `display` (format.js).

import { html } from "../../vendor/htm-preact.js";
import { areaLabel, kindLabel } from "../labels.js";
import { dialable, mailtoHref, mapsHref, smsHref, telHref, whatsappHref } from "../links.js";
import { weeklySchedule } from "../schedule.js";
import { canEdit, ConfirmDelete } from "./confirm-delete.js";
import { availabilityNote, dateTime, duration, shownNumber } from "./format.js";

function Phone({ phone, contact, actions, t }) {
  const number = dialable(phone.number);
  if (!number) return html`<li class="phone"><span>${shownNumber(phone)}</span></li>`;
  const wa = phone.whatsapp ? whatsappHref(number) : null;
  return html`<li class="phone">
    <a class="button primary call-big" href=${telHref(number)}
      aria-label=${t("call_name", { name: contact.name })}>
      ${t("call")} <span class="number">${shownNumber(phone)}</span>
    </a>
    ${phone.label && html`<span class="muted small">${phone.label}</span>`}
    <div class="phone-actions">
      <a class="button" href=${smsHref(number)}>${t("sms")}</a>
      ${wa && html`<a class="button" href=${wa} rel="noopener noreferrer" target="_blank">WhatsApp</a>`}
      <button type="button" onClick=${() => actions.copy(number)}>${t("copy_number")}</button>
    </div>
  </li>`;
}

function Section({ title, children }) {
  return html`<section class="detail"><h2>${title}</h2>${children}</section>`;
}

/** A partner's response and preparation times, each on its own line, then its procedure. */
function PartnerDetails({ partner, t }) {
  const times = [
    ["response_time", partner.response_minutes, "response-time"],
    ["preparation_time", partner.preparation_minutes, "preparation-time"],
  ].filter(([, minutes]) => duration(minutes));
  if (!times.length && !partner.procedure) return null;
  return html`<${Section} title=${t("partner_section")}>
    ${times.length > 0 &&
    html`<dl class="partner-times">
      ${times.map(
        ([label, minutes, id]) => html`<div key=${id} data-testid=${id}>
          <dt>${t(label)}</dt><dd>${duration(minutes)}</dd>
        </div>`,
      )}
    </dl>`}
    ${partner.procedure &&
    html`<h3 class="small">${t("procedure")}</h3><p class="pre">${partner.procedure}</p>`}
  <//>`;
}

/** The contact screen. */
export function ContactView(props) {
  const { state, actions, t } = props;
  const contact = state.directory?.contacts.get(state.route.id);
  if (!state.directory) return html`<p class="muted" role="status">${t("opening_directory")}</p>`;
  if (!contact) {
    return html`<section class="card empty-state">
      <h1>${t("contact_missing")}</h1>
      <a class="button" href="#">${t("back_to_directory")}</a>
    </section>`;
  }
  const note = availabilityNote(contact, state.directory, state.now, t, state.lang);
  const schedule = weeklySchedule(contact.availability, {
    lang: state.lang,
    t,
    timeZone: state.directory.workspace?.timezone,
  });
  const backupId = contact.backup_contact_id;
  const backup = backupId ? state.directory.contacts.get(backupId) : null;
  const favourite = state.favourites.includes(contact.id);
  const detail = [contact.role_title, contact.organization].filter(Boolean).join(" · ");
  const where = [kindLabel(contact.kind, state.lang), areaLabel(contact.area, state.lang)]
    .filter(Boolean)
    .join(" · ");
  const emails = (contact.emails ?? []).filter((email) => mailtoHref(email.address));
  const place = [contact.address, contact.city].filter(Boolean).join(", ");
  const partner = contact.partner;
  return html`<article class="contact" data-testid="contact">
    <a class="back" href="#">← ${t("back_to_directory")}</a>
    <h1>${contact.name}</h1>
    ${contact.pending && html`<p class="pending-mark" data-testid="pending">${t("pending_mark")}</p>`}
    ${detail && html`<p class="muted">${detail}</p>`}
    <p class="muted small">${where}</p>
    ${note && html`<p class="availability ${note.tone}">${note.text}</p>`}
    ${schedule &&
    html`<p class="schedule" data-testid="schedule">
      <span class="muted">${t("schedule")}:</span> ${schedule}
    </p>`}
    <ul class="phones">
      ${(contact.phones ?? []).map(
        (phone, i) => html`<${Phone} key=${i} phone=${phone} contact=${contact} ...${props} />`,
      )}
    </ul>
    ${(contact.phones ?? []).length === 0 && html`<p class="empty">${t("no_phone")}</p>`}
    <p>
      <button type="button" aria-pressed=${favourite ? "true" : "false"}
        onClick=${() => actions.toggleFavourite(contact.id)}>
        ${favourite ? `★ ${t("favourite_remove")}` : `☆ ${t("favourite_add")}`}
      </button>
    </p>
    ${backupId &&
    html`<${Section} title=${t("backup")}>
      ${backup
        ? html`<a class="button" href=${`#contact/${encodeURIComponent(backup.id)}`}>${backup.name}</a>`
        : html`<p class="muted">${t("restricted")}</p>`}
    <//>`}
    ${contact.when_to_contact &&
    html`<${Section} title=${t("when_to_contact")}><p class="pre">${contact.when_to_contact}</p><//>`}
    ${partner && html`<${PartnerDetails} partner=${partner} t=${t} />`}
    ${emails.length > 0 &&
    html`<${Section} title=${t("email")}>
      ${emails.map(
        (email) =>
          html`<p><a class="button" href=${mailtoHref(email.address)}>${email.address.trim()}</a></p>`,
      )}
    <//>`}
    ${place &&
    html`<${Section} title=${t("address")}>
      <p class="pre">${place}</p>
      <a class="button" href=${mapsHref(place)} rel="noopener noreferrer" target="_blank">
        ${t("open_in_maps")}
      </a>
    <//>`}
    ${contact.notes && html`<${Section} title=${t("notes")}><p class="pre">${contact.notes}</p><//>`}
    ${(contact.tags ?? []).length > 0 &&
    html`<p class="tags">${contact.tags.map((tag) => html`<span class="tag">${tag}</span>`)}</p>`}
    <p class="muted small" data-testid="last-verified">
      ${contact.last_verified_at
        ? t("last_verified", { when: dateTime(contact.last_verified_at, state.lang) })
        : t("never_verified")}
    </p>
    ${canEdit(state) &&
    html`<div class="actions edit-actions" data-testid="edit-actions">
      <button type="button" onClick=${() => actions.checkedToday(contact.id)}>${t("checked_today")}</button>
      <a class="button primary" href=${`#edit/contact/${encodeURIComponent(contact.id)}`}>${t("edit")}</a>
      <button type="button" class="danger-outline" onClick=${() => actions.askDelete("contact", contact.id)}>
        ${t("delete")}
      </button>
    </div>`}
    ${state.confirmDelete?.id === contact.id && html`<${ConfirmDelete} ...${props} />`}
  </article>`;
}
