// The contact and playbook forms' model: what a form starts with (a held record, or a new one
// pre-filled from a link such as readiness' "add an after-hours contact for operations"), how an
// input changes it (by path, `phones.0.number`, the same paths the server's errors use), and the
// values a save hands to edit.js. Plain data: no DOM, no storage.

import { VISIBILITY } from "./labels.js";

/** Tell whether the user may edit the open workspace's directory (owners and editors). */
export function canEdit({ workspaces, workspaceId }) {
  const role = (workspaces ?? []).find((w) => w.id === workspaceId)?.role;
  return role === "owner" || role === "editor";
}

/** Weekdays as ISO numbers (1 = Monday). */
export const WEEKDAYS = Object.freeze([1, 2, 3, 4, 5, 6, 7]);
const WORKDAYS = [1, 2, 3, 4, 5];

/**
 * Availability presets: office hours, and "after hours" (weekday evenings and nights, and the
 * weekend) — what the readiness checklist counts as an after-hours contact.
 */
export const AVAILABILITY_PRESETS = Object.freeze({
  office: Object.freeze([{ days: WORKDAYS, from: "09:00", to: "18:00" }]),
  after_hours: Object.freeze([
    { days: WORKDAYS, from: "18:00", to: "24:00" },
    { days: WORKDAYS, from: "00:00", to: "09:00" },
    { days: [6, 7], from: "00:00", to: "24:00" },
  ]),
});

/** Empty rows a form adds with its "Add" buttons. */
export const EMPTY = Object.freeze({
  phones: () => ({ label: "", number: "", whatsapp: false }),
  emails: () => ({ label: "", address: "" }),
  "availability.hours": () => ({ days: [...WORKDAYS], from: "09:00", to: "18:00" }),
  steps: () => "",
});

const CONTACT_DEFAULTS = {
  name: "",
  organization: "",
  role_title: "",
  kind: "internal",
  area: "",
  phones: [],
  emails: [],
  address: "",
  city: "",
  country: "",
  availability: null,
  backup_contact_id: null,
  when_to_contact: "",
  partner: null,
  notes: "",
  tags: [],
  visibility: VISIBILITY.TEAM,
};

const PLAYBOOK_DEFAULTS = {
  name: "",
  crisis_kind: "",
  severity: "medium",
  steps: [],
  contact_ids: [],
  guidance: "",
  visibility: VISIBILITY.TEAM,
};

const DEFAULTS = { contact: CONTACT_DEFAULTS, playbook: PLAYBOOK_DEFAULTS };

function copy(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** Return a phone as a form edits it: the number people read (`display`), never the key. */
function editablePhone(phone) {
  const { display, ...rest } = phone;
  return { ...rest, number: display || phone.number };
}

/**
 * Return the values a form starts with: the held record's editable fields (null for a new
 * record, with `prefill` from a link), with empty text for absent values and one empty phone
 * row for a new contact.
 */
export function formValues(type, held, prefill = {}) {
  const defaults = DEFAULTS[type];
  if (!defaults) throw new TypeError(`no form for type ${type}`);
  const values = {};
  for (const [name, empty] of Object.entries(defaults)) {
    const value = held ? held[name] : prefill[name];
    values[name] = value === undefined || value === null ? copy(empty) : copy(value);
  }
  if (type === "contact") {
    values.phones = values.phones.map(editablePhone);
    if (!held && values.phones.length === 0) values.phones.push(EMPTY.phones());
  }
  return values;
}

function parsePath(path) {
  return path.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Return a copy of `values` with the value at a dotted path replaced (objects made as needed). */
export function setPath(values, path, value) {
  const parts = parsePath(path);
  const root = Array.isArray(values) ? [...values] : { ...values };
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node[parts[i]];
    const child = Array.isArray(next)
      ? [...next]
      : next && typeof next === "object"
        ? { ...next }
        : typeof parts[i + 1] === "number"
          ? []
          : {};
    node[parts[i]] = child;
    node = child;
  }
  node[parts.at(-1)] = value;
  return root;
}

/** Return the value at a dotted path, or undefined. */
export function getPath(values, path) {
  return parsePath(path).reduce((node, part) => (node == null ? undefined : node[part]), values);
}

/** Return a copy with an item added at the end of the list at `path`. */
export function addItem(values, path, item = EMPTY[path]?.()) {
  const list = getPath(values, path) ?? [];
  return setPath(values, path, [...list, item]);
}

/** Return a copy with the item at `index` of the list at `path` removed. */
export function removeItem(values, path, index) {
  const list = getPath(values, path) ?? [];
  return setPath(
    values,
    path,
    list.filter((_, i) => i !== index),
  );
}

/** Return a copy with the item at `index` moved by `delta` places (−1 up, +1 down). */
export function moveItem(values, path, index, delta) {
  const list = [...(getPath(values, path) ?? [])];
  const target = index + delta;
  if (target < 0 || target >= list.length) return values;
  [list[index], list[target]] = [list[target], list[index]];
  return setPath(values, path, list);
}

/** Return how a contact's availability reads in the form: "unset", "always" or "hours". */
export function availabilityMode(availability) {
  if (!availability) return "unset";
  return availability.always ? "always" : "hours";
}

/**
 * Return the availability for a mode or preset ("unset", "always", "hours", "office",
 * "after_hours"), keeping the time zone and, for "hours", the hours already typed.
 */
export function availabilityFor(mode, current, timezone = null) {
  const zone = current?.timezone ?? timezone ?? null;
  if (mode === "unset") return null;
  if (mode === "always") return { timezone: zone, always: true, hours: [] };
  if (Object.hasOwn(AVAILABILITY_PRESETS, mode)) {
    return { timezone: zone, always: false, hours: copy(AVAILABILITY_PRESETS[mode]) };
  }
  const hours = current?.hours?.length ? current.hours : [EMPTY["availability.hours"]()];
  return { timezone: zone, always: false, hours: copy(hours) };
}

/** Return tags typed as text ("a, b") as a list; the text is kept apart while typing. */
export function parseTags(text) {
  return String(text ?? "")
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** Read a minutes input: a whole number, null when empty, or the text as typed (an error). */
export function parseMinutes(text) {
  const value = String(text ?? "").trim();
  if (value === "") return null;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function isEmpty(value) {
  return value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/**
 * Return the values to save: rows the user left empty dropped (a phone without a number, an
 * e-mail without an address, a step without text), so that an untouched blank row is no error;
 * and a field the held record lacks, left empty, left out (it is no change).
 */
export function valuesToSave(type, values, held = null) {
  const out = { ...values };
  if (type === "contact") {
    out.phones = (values.phones ?? []).filter((p) => String(p.number ?? "").trim() !== "");
    out.emails = (values.emails ?? []).filter((e) => String(e.address ?? "").trim() !== "");
    const partner = values.partner;
    if (partner && Object.values(partner).every((v) => v === null || v === "")) out.partner = null;
  }
  if (type === "playbook") {
    out.steps = (values.steps ?? []).filter((step) => String(step).trim() !== "");
  }
  if (held) {
    for (const [name, value] of Object.entries(out)) {
      if (held[name] === undefined && isEmpty(value)) delete out[name];
    }
  }
  return out;
}

/**
 * Return what a link asks a new form to start with (`#new/contact?kind=internal&area=operations
 * &hours=after_hours`): only known fields and values, as text.
 */
export function prefillFromQuery(type, query) {
  const params = new URLSearchParams(query ?? "");
  const prefill = {};
  const allowed = type === "contact" ? ["name", "kind", "area", "visibility"] : ["name", "crisis_kind"];
  for (const name of allowed) {
    const value = params.get(name);
    if (value) prefill[name] = value.slice(0, 200);
  }
  const hours = params.get("hours");
  if (type === "contact" && hours && (hours === "always" || Object.hasOwn(AVAILABILITY_PRESETS, hours))) {
    prefill.availability = availabilityFor(hours, null);
  }
  return prefill;
}

/** Return the errors whose path is `path` or inside it (for a group of inputs), in order. */
export function errorsUnder(errors, path) {
  return Object.entries(errors ?? {}).filter(([key]) => key === path || key.startsWith(`${path}.`));
}

/** Return the first error path in the form's order of `paths` (to move the focus there). */
export function firstErrorPath(errors, paths) {
  const keys = Object.keys(errors ?? {});
  for (const path of paths) {
    const found = keys.find((key) => key === path || key.startsWith(`${path}.`));
    if (found) return found;
  }
  return keys[0] ?? null;
}

// --- the open form's state (app.js keeps it in `state.form`) -----------------------------------

/** Return the draft id of a form: one per record, one for a new record of each type. */
export function draftIdOf(type, entityId) {
  return `${type}:${entityId ?? "new"}`;
}

/**
 * Return the state of a form opening: `held` (the record as the user sees it, or null),
 * `prefill` (a link's), `draft` (values kept from before a lock or a closed tab, or null).
 */
export function openForm({ type, held, prefill = {}, draft = null, phoneExample = "" }) {
  const values = draft?.values ?? formValues(type, held, prefill);
  return {
    type,
    entityId: held?.id ?? null,
    isNew: !held,
    held,
    values,
    tagsText: draft?.tagsText ?? (values.tags ?? []).join(", "),
    errors: draft?.errors ?? {},
    errorsShownAt: 0,
    draftId: draftIdOf(type, held?.id),
    restored: Boolean(draft),
    rejectedId: draft?.rejectedId ?? null,
    phoneExample,
    backupQuery: "",
    backupResults: [],
    saving: false,
  };
}

/** Return what a draft keeps of a form (enough to open it again as it was). */
export function draftOf(form) {
  const { type, entityId, values, tagsText, errors, rejectedId } = form;
  return { type, entityId, values, tagsText, errors, rejectedId };
}

/** Return the form after an input changed: the value set, that input's error gone. */
export function withInput(form, path, value) {
  const errors = { ...form.errors };
  delete errors[path];
  return { ...form, values: setPath(form.values, path, value), errors, restored: false };
}

/** Return the form with errors to show (the focus moves to the first). */
export function withErrors(form, errors, at = Date.now()) {
  return { ...form, errors, errorsShownAt: at, saving: false };
}

/**
 * Return the values of a form that reopens a rejected edit: the record as held with the
 * edit's fields on top, so that nothing the user typed is lost.
 */
export function rejectedValues(type, held, mutation) {
  const values = formValues(type, held);
  for (const [name, value] of Object.entries(mutation.fields ?? {})) {
    values[name] = name === "phones" && Array.isArray(value) ? value.map((p) => ({ ...p })) : value;
  }
  return values;
}
