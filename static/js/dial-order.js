// The order of quick dial's buttons: the general emergency number first, then police, fire,
// ambulance or medical, then the other national services, then other public contacts. No DOM.
// The order and the tag are the server's (webapp/emergency_numbers, `make labels`).

import { QUICK_DIAL_RANKED, SERVICE_ORDER, SERVICE_TAG } from "./data/labels.js";

const FIRST = SERVICE_ORDER.slice(0, QUICK_DIAL_RANKED);

function rank(contact) {
  const tag = (contact?.tags ?? []).find((t) => typeof t === "string" && t.startsWith(SERVICE_TAG));
  if (!tag) return FIRST.length + 1; // not a seeded national number
  const index = FIRST.indexOf(tag.slice(SERVICE_TAG.length));
  return index === -1 ? FIRST.length : index;
}

/** Return the public contacts in quick dial order (a new array); ties keep their order. */
export function dialOrder(contacts, lang) {
  const collator = new Intl.Collator(lang, { sensitivity: "base" });
  return (contacts ?? [])
    .map((contact, index) => ({ contact, index, rank: rank(contact) }))
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        (a.rank > FIRST.length ? collator.compare(a.contact.name ?? "", b.contact.name ?? "") : 0) ||
        a.index - b.index,
    )
    .map((item) => item.contact);
}
