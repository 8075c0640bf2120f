// Pieces every form is made of: a labelled input bound to a path of the form's values, with its
// error (the server's, by the same path) and hint; radio groups; the save bar. Views only render:
// every change goes through `actions`.

import { html } from "../../vendor/htm-preact.js";
import { useEffect } from "../../vendor/preact-hooks.js";
import { getPath } from "../forms.js";

/** Return the id of a path's input (`phones.0.number` → `f-phones-0-number`). */
export function inputId(path) {
  return `f-${path.replaceAll(".", "-")}`;
}

/** The error under an input, if the form has one for its path. */
export function FieldError({ form, path }) {
  const error = form.errors?.[path];
  if (!error) return null;
  return html`<p class="field-error" id=${`${inputId(path)}-error`}>${error}</p>`;
}

function describedBy(form, path, hint) {
  if (form.errors?.[path]) return `${inputId(path)}-error`;
  return hint ? `${inputId(path)}-hint` : null;
}

/**
 * A labelled text input (or textarea with `rows`) bound to `path`. `parse` turns the typed text
 * into the value kept (numbers), `shown` the kept value into text.
 */
export function Field({ form, actions, path, label, hint, rows, parse, shown, ...attrs }) {
  const id = inputId(path);
  const value = getPath(form.values, path);
  const text = shown ? shown(value) : (value ?? "");
  const onInput = (event) => {
    const typed = event.currentTarget.value;
    actions.formInput(path, parse ? parse(typed) : typed);
  };
  const common = {
    id,
    name: path,
    value: text,
    onInput,
    "aria-invalid": form.errors?.[path] ? "true" : null,
    "aria-describedby": describedBy(form, path, hint),
    ...attrs,
  };
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${rows ? html`<textarea rows=${rows} ...${common}></textarea>` : html`<input type="text" ...${common} />`}
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    <${FieldError} form=${form} path=${path} />
  </div>`;
}

/** A select bound to `path`, from `[value, label]` options. */
export function Select({ form, actions, path, label, options, hint }) {
  const id = inputId(path);
  const value = getPath(form.values, path) ?? "";
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <select id=${id} name=${path} value=${value}
      aria-invalid=${form.errors?.[path] ? "true" : null}
      aria-describedby=${describedBy(form, path, hint)}
      onChange=${(event) => actions.formInput(path, event.currentTarget.value)}>
      ${options.map(([code, text]) => html`<option key=${code} value=${code}>${text}</option>`)}
    </select>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    <${FieldError} form=${form} path=${path} />
  </div>`;
}

/** Radio buttons bound to `path`, each `[value, label, explanation]`. */
export function Radios({ form, actions, path, legend, options }) {
  const value = getPath(form.values, path);
  return html`<fieldset class="radios" aria-describedby=${form.errors?.[path] ? `${inputId(path)}-error` : null}>
    <legend>${legend}</legend>
    ${options.map(
      ([code, text, explanation]) => html`<label class="radio" key=${code}>
        <input type="radio" name=${path} value=${code} checked=${value === code}
          onChange=${() => actions.formInput(path, code)} />
        <span><strong>${text}</strong>${explanation && html`<span class="hint">${explanation}</span>`}</span>
      </label>`,
    )}
    <${FieldError} form=${form} path=${path} />
  </fieldset>`;
}

/** Errors the form has for paths no input shows (`_`, a whole list): said at the top. */
export function FormErrors({ form, shownPaths, t }) {
  const other = Object.entries(form.errors ?? {}).filter(
    ([path]) => !shownPaths.some((shown) => path === shown),
  );
  if (!other.length) return null;
  return html`<div class="notice notice-error" role="alert" data-testid="form-errors">
    <p>${t("form_has_errors")}</p>
    <ul>${other.map(([path, text]) => html`<li key=${path}>${text}</li>`)}</ul>
  </div>`;
}

/** Move the focus to the first input with an error each time the form's errors change. */
export function useFocusFirstError(form) {
  useEffect(() => {
    if (!form.errorsShownAt) return;
    const first = document.querySelector('[aria-invalid="true"]');
    (first ?? document.querySelector("[data-testid=form-errors]"))?.focus?.();
    first?.scrollIntoView?.({ block: "center" });
  }, [form.errorsShownAt]);
}

/** Save and Cancel, at the bottom of every form. */
export function SaveBar({ form, actions, t }) {
  return html`<div class="actions form-actions">
    <button type="button" onClick=${actions.formCancel}>${t("cancel")}</button>
    <button type="submit" class="primary" disabled=${form.saving}>${t("save")}</button>
  </div>`;
}
