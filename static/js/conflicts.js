// How a conflict's values read for the person settling it: a field's label, a value as text.
// No DOM: views/conflicts.js shows what these return.

// Field paths and the i18n key of their label (the form's own labels where it has one).
const LABELS = {
  name: "field_name",
  organization: "field_organization",
  role_title: "field_role_title",
  kind: "field_kind",
  area: "field_area",
  phones: "phones",
  emails: "emails",
  address: "address",
  city: "field_city",
  country: "field_country",
  availability: "availability",
  backup_contact_id: "backup",
  when_to_contact: "when_to_contact",
  partner: "partner",
  notes: "notes",
  tags: "field_tags",
  visibility: "field_visibility",
  last_verified_at: "field_last_verified",
  crisis_kind: "field_crisis_kind",
  severity: "field_severity",
  steps: "steps",
  contact_ids: "whom_to_call",
  guidance: "guidance",
  _: "field_record",
};

/** Return the i18n key of a field's label, from its path (`phones.0.number` → phones). */
export function fieldLabelKey(path) {
  const top = String(path).split(".")[0];
  return Object.hasOwn(LABELS, top) ? LABELS[top] : "field_record";
}

/** Return a value as short text: lists joined, phones by number, nothing as "(empty)". */
export function describeValue(value, t) {
  if (value === null || value === undefined || value === "") return t("empty_value");
  if (Array.isArray(value)) {
    if (value.length === 0) return t("empty_value");
    return value.map((item) => describeValue(item, t)).join(", ");
  }
  if (typeof value === "object") {
    if ("number" in value) return [value.label, value.display ?? value.number].filter(Boolean).join(" ");
    if ("address" in value) return value.address;
    if ("always" in value) {
      if (value.always) return t("availability_always");
      return (value.hours ?? []).map((h) => `${(h.days ?? []).join(",")} ${h.from}–${h.to}`).join("; ");
    }
    return Object.values(value).filter((v) => v !== null && v !== "").join(" · ");
  }
  if (typeof value === "boolean") return t(value ? "yes" : "no");
  return String(value);
}
