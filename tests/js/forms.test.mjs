// The forms' model: what a form starts with, how inputs change it, what a save hands on.
import { test } from "node:test";
import assert from "node:assert/strict";

import { describeValue, fieldLabelKey } from "../../static/js/conflicts.js";
import { buildPut } from "../../static/js/edit.js";
import {
  addItem,
  availabilityFor,
  canEdit,
  formValues,
  moveItem,
  openForm,
  parseMinutes,
  parseTags,
  prefillFromQuery,
  rejectedValues,
  removeItem,
  setPath,
  valuesToSave,
  withInput,
} from "../../static/js/forms.js";

const HELD = {
  id: "c1",
  version: 3,
  name: "Lucía",
  kind: "internal",
  area: "finance",
  phones: [{ label: "Móvil", number: "+525512345678", display: "55 1234 5678", whatsapp: true }],
  tags: ["finanzas"],
  visibility: "team",
};

test("a new contact starts empty with one phone row; a held one shows numbers as people read them", () => {
  const fresh = formValues("contact", null);
  assert.equal(fresh.name, "");
  assert.deepEqual(fresh.phones, [{ label: "", number: "", whatsapp: false }]);
  const held = formValues("contact", HELD);
  assert.equal(held.phones[0].number, "55 1234 5678");
  assert.equal(held.phones[0].display, undefined);
});

test("an untouched form of a held record saves nothing", () => {
  const values = valuesToSave("contact", formValues("contact", HELD), HELD);
  assert.equal(buildPut("contact", HELD, values), null);
});

test("an input changes one path; its error goes, the others stay", () => {
  const form = { ...openForm({ type: "contact", held: HELD }), errors: { "phones.0.number": "x", name: "y" } };
  const next = withInput(form, "phones.0.number", "55 9999 0000");
  assert.equal(next.values.phones[0].number, "55 9999 0000");
  assert.deepEqual(next.errors, { name: "y" });
  assert.equal(form.values.phones[0].number, "55 1234 5678", "the old state is not changed");
  const put = buildPut("contact", HELD, valuesToSave("contact", next.values, HELD));
  assert.deepEqual(Object.keys(put.fields), ["phones"]);
});

test("lists: rows are added, removed and moved; empty rows are dropped on save", () => {
  let values = formValues("playbook", null);
  values = addItem(values, "steps");
  values = setPath(values, "steps.0", "Avisar a finanzas");
  values = addItem(values, "steps");
  values = setPath(values, "steps.1", "Publicar aviso");
  values = addItem(values, "steps");
  values = moveItem(values, "steps", 1, -1);
  assert.deepEqual(values.steps, ["Publicar aviso", "Avisar a finanzas", ""]);
  assert.deepEqual(valuesToSave("playbook", values).steps, ["Publicar aviso", "Avisar a finanzas"]);
  assert.deepEqual(removeItem(values, "steps", 0).steps, ["Avisar a finanzas", ""]);
  assert.equal(moveItem(values, "steps", 0, -1), values, "the first cannot move up");
});

test("after hours is weekday nights and the weekend, as readiness counts it", () => {
  const after = availabilityFor("after_hours", null, "America/Mexico_City");
  assert.equal(after.timezone, "America/Mexico_City");
  assert.ok(after.hours.some((h) => h.days.includes(6) && h.from === "00:00" && h.to === "24:00"));
  assert.ok(after.hours.some((h) => h.to === "24:00" && h.from === "18:00"));
  assert.deepEqual(availabilityFor("always", after), { timezone: "America/Mexico_City", always: true, hours: [] });
  assert.equal(availabilityFor("unset", after), null);
  // "Set hours" keeps what was typed.
  assert.deepEqual(availabilityFor("hours", after).hours, after.hours);
});

test("a readiness link pre-fills only known fields", () => {
  const prefill = prefillFromQuery("contact", "kind=internal&area=operations&hours=after_hours&evil=1");
  assert.equal(prefill.kind, "internal");
  assert.equal(prefill.area, "operations");
  assert.ok(prefill.availability.hours.length > 0);
  assert.equal(prefill.evil, undefined);
  const values = formValues("contact", null, prefill);
  assert.equal(values.area, "operations");
});

test("tags and minutes are read from what is typed", () => {
  assert.deepEqual(parseTags(" turno noche, , guardia "), ["turno noche", "guardia"]);
  assert.equal(parseMinutes(""), null);
  assert.equal(parseMinutes(" 25 "), 25);
  assert.equal(parseMinutes("25 min"), "25 min", "kept as typed: the check says it is wrong");
});

test("a rejected edit reopens with everything the user typed", () => {
  const mutation = { fields: { phones: [{ label: "", number: "12", whatsapp: false }], notes: "x" } };
  const values = rejectedValues("contact", HELD, mutation);
  assert.equal(values.phones[0].number, "12");
  assert.equal(values.notes, "x");
  assert.equal(values.name, "Lucía");
});

test("only owners and editors may edit", () => {
  const workspaces = [{ id: "w", role: "viewer" }, { id: "x", role: "editor" }];
  assert.equal(canEdit({ workspaces, workspaceId: "w" }), false);
  assert.equal(canEdit({ workspaces, workspaceId: "x" }), true);
});

test("a conflict's values read as text", () => {
  const t = (key) => key;
  assert.equal(describeValue(null, t), "empty_value");
  assert.equal(describeValue([{ label: "Móvil", number: "+52", display: "55" }], t), "Móvil 55");
  assert.equal(describeValue({ always: true }, t), "availability_always");
  assert.equal(fieldLabelKey("phones.0.number"), "phones");
  assert.equal(fieldLabelKey("made_up"), "field_record");
});
