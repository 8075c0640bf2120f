// The contact form: new or edit, every field of docs/ARCHITECTURE.md's contact, the server's errors next to
// their inputs. Its values live in `state.form` (app.js keeps them, and a sealed draft of them);
// every change goes through `actions`.

import { html } from "../../vendor/htm-preact.js";
import { availabilityMode, WEEKDAYS } from "../forms.js";
import { AREA_LABELS, KIND_LABELS, VISIBILITY, visibilityChoices } from "../labels.js";
import { Field, FieldError, FormErrors, inputId, Radios, SaveBar, Select, useFocusFirstError } from "./form-parts.js";

/** Every path an input of this form shows (others are said at the top). */
function shownPaths(values) {
  const paths = ["name", "organization", "role_title", "kind", "area", "address", "city", "country"];
  paths.push("when_to_contact", "notes", "tags", "visibility", "backup_contact_id");
  paths.push("partner.response_minutes", "partner.preparation_minutes", "partner.procedure");
  paths.push("availability.timezone");
  (values.phones ?? []).forEach((_, i) => paths.push(`phones.${i}.label`, `phones.${i}.number`, `phones.${i}`));
  (values.emails ?? []).forEach((_, i) => paths.push(`emails.${i}.label`, `emails.${i}.address`, `emails.${i}`));
  (values.availability?.hours ?? []).forEach((_, i) =>
    paths.push(`availability.hours.${i}.days`, `availability.hours.${i}.from`, `availability.hours.${i}.to`),
  );
  return paths;
}

function labelsOf(table, lang) {
  return Object.entries(table).map(([code, names]) => [code, names[lang] ?? names.es]);
}

function Phones(props) {
  const { form, actions, t } = props;
  const phones = form.values.phones ?? [];
  return html`<fieldset class="group-box" data-testid="phones">
    <legend>${t("phones")}</legend>
    ${phones.map(
      (_, i) => html`<div class="row-box" key=${i}>
        <${Field} ...${props} path=${`phones.${i}.number`} label=${t("phone_number")} type="tel"
          inputmode="tel" autocomplete="off" placeholder=${form.phoneExample || null}
          hint=${form.phoneExample ? t("phone_hint", { example: form.phoneExample }) : null} />
        <${Field} ...${props} path=${`phones.${i}.label`} label=${t("phone_label")}
          placeholder=${t("phone_label_example")} />
        <label class="check">
          <input type="checkbox" checked=${Boolean(phones[i].whatsapp)}
            onChange=${(e) => actions.formInput(`phones.${i}.whatsapp`, e.currentTarget.checked)} />
          WhatsApp
        </label>
        <${FieldError} form=${form} path=${`phones.${i}`} />
        <button type="button" class="link" onClick=${() => actions.formRemove("phones", i)}>
          ${t("remove_phone")}
        </button>
      </div>`,
    )}
    <button type="button" onClick=${() => actions.formAdd("phones")}>${t("add_phone")}</button>
    <${FieldError} form=${form} path="phones" />
  </fieldset>`;
}

function Emails(props) {
  const { form, actions, t } = props;
  return html`<fieldset class="group-box">
    <legend>${t("emails")}</legend>
    ${(form.values.emails ?? []).map(
      (_, i) => html`<div class="row-box" key=${i}>
        <${Field} ...${props} path=${`emails.${i}.address`} label=${t("email")} type="email"
          inputmode="email" autocomplete="off" />
        <${Field} ...${props} path=${`emails.${i}.label`} label=${t("phone_label")} />
        <button type="button" class="link" onClick=${() => actions.formRemove("emails", i)}>
          ${t("remove_email")}
        </button>
      </div>`,
    )}
    <button type="button" onClick=${() => actions.formAdd("emails")}>${t("add_email")}</button>
    <${FieldError} form=${form} path="emails" />
  </fieldset>`;
}

const DAY_KEYS = ["day_1", "day_2", "day_3", "day_4", "day_5", "day_6", "day_7"];

function Hours({ form, actions, t, index, hours }) {
  const base = `availability.hours.${index}`;
  const toggle = (day) => {
    const days = new Set(hours.days ?? []);
    if (days.has(day)) days.delete(day);
    else days.add(day);
    actions.formInput(`${base}.days`, [...days].sort());
  };
  return html`<div class="row-box hours-row">
    <fieldset class="days">
      <legend class="visually-hidden">${t("days")}</legend>
      ${WEEKDAYS.map(
        (day) => html`<label class="day" key=${day}>
          <input type="checkbox" checked=${(hours.days ?? []).includes(day)} onChange=${() => toggle(day)} />
          <span>${t(DAY_KEYS[day - 1])}</span>
        </label>`,
      )}
    </fieldset>
    <${FieldError} form=${form} path=${`${base}.days`} />
    <div class="time-pair">
      <${Field} form=${form} actions=${actions} path=${`${base}.from`} label=${t("from")}
        inputmode="numeric" placeholder="09:00" maxlength="5" autocomplete="off" />
      <${Field} form=${form} actions=${actions} path=${`${base}.to`} label=${t("to")}
        inputmode="numeric" placeholder="18:00" maxlength="5" autocomplete="off"
        hint=${hours.to === "24:00" ? t("until_midnight") : null} />
    </div>
    <button type="button" class="link" onClick=${() => actions.formRemove("availability.hours", index)}>
      ${t("remove_hours")}
    </button>
  </div>`;
}

function Availability(props) {
  const { form, actions, t } = props;
  const availability = form.values.availability;
  const mode = availabilityMode(availability);
  const modes = [
    ["unset", t("availability_unset")],
    ["always", t("availability_always")],
    ["hours", t("availability_hours")],
  ];
  return html`<fieldset class="group-box" data-testid="availability">
    <legend>${t("availability")}</legend>
    <div class="segmented" role="group">
      ${modes.map(
        ([code, text]) => html`<button type="button" key=${code} aria-pressed=${mode === code ? "true" : "false"}
          onClick=${() => actions.formAvailability(code)}>${text}</button>`,
      )}
    </div>
    <p class="actions">
      <button type="button" onClick=${() => actions.formAvailability("office")}>${t("preset_office")}</button>
      <button type="button" data-testid="preset-after-hours"
        onClick=${() => actions.formAvailability("after_hours")}>${t("preset_after_hours")}</button>
    </p>
    <p class="hint">${t("after_hours_hint")}</p>
    ${mode === "hours" &&
    html`${availability.hours.map(
        (hours, i) => html`<${Hours} key=${i} index=${i} hours=${hours} form=${form} actions=${actions} t=${t} />`,
      )}
      <button type="button" onClick=${() => actions.formAdd("availability.hours")}>${t("add_hours")}</button>`}
    ${mode !== "unset" &&
    html`<${Field} ...${props} path="availability.timezone" label=${t("timezone")}
      hint=${t("timezone_hint")} autocomplete="off" />`}
    <${FieldError} form=${form} path="availability" />
  </fieldset>`;
}

function Backup({ form, actions, t, state }) {
  const chosen = form.values.backup_contact_id;
  const contact = chosen ? state.directory?.contacts.get(chosen) : null;
  const id = inputId("backup_contact_id");
  return html`<fieldset class="group-box" data-testid="backup-picker">
    <legend>${t("backup")}</legend>
    <p class="hint">${t("backup_hint")}</p>
    ${chosen &&
    html`<p class="chosen">
      <strong>${contact ? contact.name : t("restricted")}</strong>
      <button type="button" class="link" onClick=${() => actions.formInput("backup_contact_id", null)}>
        ${t("remove_backup")}
      </button>
    </p>`}
    <label for=${id}>${t("backup_search")}</label>
    <input id=${id} type="search" autocomplete="off" value=${form.backupQuery ?? ""}
      aria-invalid=${form.errors?.backup_contact_id ? "true" : null}
      onInput=${(e) => actions.backupSearch(e.currentTarget.value)} />
    ${(form.backupResults ?? []).length > 0 &&
    html`<ul class="pick-list">
      ${form.backupResults.map(
        (option) => html`<li key=${option.id}>
          <button type="button" onClick=${() => actions.formBackup(option.id)}>
            ${option.name}${option.role_title ? html`<span class="muted small"> · ${option.role_title}</span>` : null}
          </button>
        </li>`,
      )}
    </ul>`}
    <${FieldError} form=${form} path="backup_contact_id" />
  </fieldset>`;
}

function Partner(props) {
  const { t } = props;
  const minutes = { parse: props.parseMinutes, shown: (v) => (v ?? "") };
  return html`<fieldset class="group-box">
    <legend>${t("partner_details")}</legend>
    <${Field} ...${props} ...${minutes} path="partner.preparation_minutes"
      label=${t("preparation_minutes")} inputmode="numeric" />
    <${Field} ...${props} ...${minutes} path="partner.response_minutes"
      label=${t("response_minutes_label")} inputmode="numeric" />
    <${Field} ...${props} path="partner.procedure" label=${t("procedure")} rows="4"
      hint=${t("procedure_hint")} />
  </fieldset>`;
}

/** The contact form screen. */
export function ContactFormView(props) {
  const { state, actions, t } = props;
  const form = state.form;
  useFocusFirstError(form ?? {});
  if (!form) return html`<p class="muted" role="status">${t("opening_directory")}</p>`;
  const lang = state.lang;
  const values = form.values;
  const submit = (event) => {
    event.preventDefault();
    actions.formSave();
  };
  const visibility = visibilityChoices([VISIBILITY.TEAM, VISIBILITY.RESTRICTED, VISIBILITY.PUBLIC], t);
  const p = { form, actions, t, state };
  return html`<article class="edit-form" data-testid="contact-form">
    <h1>${form.isNew ? t("new_contact") : t("edit_contact")}</h1>
    ${form.restored && html`<p class="notice notice-info" role="status">${t("draft_restored")}</p>`}
    <form onSubmit=${submit} novalidate>
      <${FormErrors} form=${form} shownPaths=${shownPaths(values)} t=${t} />
      <${Field} ...${p} path="name" label=${t("field_name")} required autocomplete="off" />
      <${Field} ...${p} path="role_title" label=${t("field_role_title")} autocomplete="off" />
      <${Field} ...${p} path="organization" label=${t("field_organization")} autocomplete="off" />
      <${Select} ...${p} path="kind" label=${t("field_kind")} options=${labelsOf(KIND_LABELS, lang)} />
      <${Select} ...${p} path="area" label=${t("field_area")}
        options=${[["", t("area_none")], ...labelsOf(AREA_LABELS, lang)]} />
      <${Phones} ...${p} />
      <${Availability} ...${p} />
      <${Backup} ...${p} />
      <${Field} ...${p} path="when_to_contact" label=${t("when_to_contact")} rows="3"
        hint=${t("when_to_contact_hint")} />
      ${values.kind === "partner" && html`<${Partner} ...${p} parseMinutes=${actions.parseMinutes} />`}
      <${Emails} ...${p} />
      <${Field} ...${p} path="address" label=${t("address")} rows="2" />
      <${Field} ...${p} path="city" label=${t("field_city")} autocomplete="off" />
      <${Field} ...${p} path="country" label=${t("field_country")} maxlength="2"
        hint=${t("country_hint")} autocomplete="off" />
      <${Field} ...${p} path="notes" label=${t("notes")} rows="4" />
      <div class="field">
        <label for=${inputId("tags")}>${t("field_tags")}</label>
        <input id=${inputId("tags")} type="text" value=${form.tagsText ?? ""} autocomplete="off"
          aria-invalid=${form.errors?.tags ? "true" : null}
          onInput=${(e) => actions.formTags(e.currentTarget.value)} />
        <p class="hint">${t("tags_hint")}</p>
        <${FieldError} form=${form} path="tags" />
      </div>
      <${Radios} ...${p} path="visibility" legend=${t("field_visibility")} options=${visibility} />
      <${SaveBar} ...${p} />
    </form>
  </article>`;
}
