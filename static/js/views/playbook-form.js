// The playbook form: name, crisis kind, severity, the steps (added, removed and moved with
// buttons), the contacts in calling order (picked with search, moved with buttons), guidance
// and visibility. Its values live in `state.form`; every change goes through `actions`.

import { html } from "../../vendor/htm-preact.js";
import { CRISIS_KIND_LABELS, VISIBILITY, visibilityChoices } from "../labels.js";
import { Field, FieldError, FormErrors, inputId, Radios, SaveBar, Select, useFocusFirstError } from "./form-parts.js";

function MoveButtons({ actions, path, index, count, t, name }) {
  return html`<span class="move">
    <button type="button" aria-label=${t("move_up", { name })} disabled=${index === 0}
      onClick=${() => actions.formMove(path, index, -1)}>↑</button>
    <button type="button" aria-label=${t("move_down", { name })} disabled=${index === count - 1}
      onClick=${() => actions.formMove(path, index, 1)}>↓</button>
    <button type="button" aria-label=${t("remove_item", { name })}
      onClick=${() => actions.formRemove(path, index)}>✕</button>
  </span>`;
}

function Steps({ form, actions, t }) {
  const steps = form.values.steps ?? [];
  return html`<fieldset class="group-box" data-testid="steps">
    <legend>${t("steps")}</legend>
    <ol class="edit-list">
      ${steps.map(
        (step, i) => html`<li key=${i}>
          <${Field} form=${form} actions=${actions} path=${`steps.${i}`} rows="2"
            label=${t("step_n", { n: i + 1 })} />
          <${MoveButtons} actions=${actions} path="steps" index=${i} count=${steps.length} t=${t}
            name=${t("step_n", { n: i + 1 })} />
        </li>`,
      )}
    </ol>
    <button type="button" onClick=${() => actions.formAdd("steps")}>${t("add_step")}</button>
    <${FieldError} form=${form} path="steps" />
  </fieldset>`;
}

function Contacts({ form, actions, t, state }) {
  const ids = form.values.contact_ids ?? [];
  const id = inputId("contact-search");
  return html`<fieldset class="group-box" data-testid="playbook-contacts">
    <legend>${t("whom_to_call")}</legend>
    <ol class="edit-list">
      ${ids.map((contactId, i) => {
        const contact = state.directory?.contacts.get(contactId);
        const name = contact ? contact.name : t("restricted");
        return html`<li key=${contactId}>
          <span class="contact-name">${name}</span>
          <${MoveButtons} actions=${actions} path="contact_ids" index=${i} count=${ids.length}
            t=${t} name=${name} />
        </li>`;
      })}
    </ol>
    ${ids.length === 0 && html`<p class="muted">${t("no_playbook_contacts")}</p>`}
    <label for=${id}>${t("add_contact_search")}</label>
    <input id=${id} type="search" autocomplete="off" value=${form.backupQuery ?? ""}
      onInput=${(e) => actions.backupSearch(e.currentTarget.value)} />
    ${(form.backupResults ?? []).length > 0 &&
    html`<ul class="pick-list">
      ${form.backupResults
        .filter((option) => !ids.includes(option.id))
        .map(
          (option) => html`<li key=${option.id}>
            <button type="button" onClick=${() => actions.formPickContact(option.id)}>
              ${option.name}${option.role_title ? html`<span class="muted small"> · ${option.role_title}</span>` : null}
            </button>
          </li>`,
        )}
    </ul>`}
    <${FieldError} form=${form} path="contact_ids" />
  </fieldset>`;
}

function shownPaths(values) {
  const paths = ["name", "crisis_kind", "severity", "guidance", "visibility", "steps", "contact_ids"];
  (values.steps ?? []).forEach((_, i) => paths.push(`steps.${i}`));
  return paths;
}

/** The playbook form screen. */
export function PlaybookFormView(props) {
  const { state, actions, t } = props;
  const form = state.form;
  useFocusFirstError(form ?? {});
  if (!form) return html`<p class="muted" role="status">${t("opening_directory")}</p>`;
  const p = { form, actions, t, state };
  const kinds = [
    ["", t("crisis_kind_none")],
    ...Object.entries(CRISIS_KIND_LABELS).map(([code, names]) => [code, names[state.lang] ?? names.es]),
  ];
  const severities = ["low", "medium", "high", "critical"].map((s) => [s, t(`severity_${s}`)]);
  // Public means "on the public list and the poster", which hold contacts only: a playbook is
  // offered that level only when it already has it, so that editing it changes nothing else.
  const levels = [VISIBILITY.TEAM, VISIBILITY.RESTRICTED];
  if (form.values.visibility === VISIBILITY.PUBLIC) levels.push(VISIBILITY.PUBLIC);
  const visibility = visibilityChoices(levels, t);
  const submit = (event) => {
    event.preventDefault();
    actions.formSave();
  };
  return html`<article class="edit-form" data-testid="playbook-form">
    <h1>${form.isNew ? t("new_playbook") : t("edit_playbook")}</h1>
    ${form.restored && html`<p class="notice notice-info" role="status">${t("draft_restored")}</p>`}
    <form onSubmit=${submit} novalidate>
      <${FormErrors} form=${form} shownPaths=${shownPaths(form.values)} t=${t} />
      <${Field} ...${p} path="name" label=${t("field_name")} required autocomplete="off" />
      <${Select} ...${p} path="crisis_kind" label=${t("field_crisis_kind")} options=${kinds} />
      <${Select} ...${p} path="severity" label=${t("field_severity")} options=${severities} />
      <${Steps} ...${p} />
      <${Contacts} ...${p} />
      <${Field} ...${p} path="guidance" label=${t("guidance")} rows="5" hint=${t("guidance_hint")} />
      <${Radios} ...${p} path="visibility" legend=${t("field_visibility")} options=${visibility} />
      <${SaveBar} ...${p} />
    </form>
  </article>`;
}
