// Search of the unlocked directory: MiniSearch in memory, forgiving of case, accents and typos,
// names first, phone numbers by any run of their digits. Never persisted (docs/ARCHITECTURE.md).

import MiniSearch from "../vendor/minisearch.js";
import { AREA_LABELS, KIND_LABELS } from "./labels.js";

const FIELDS = ["name", "role_title", "organization", "area", "kind", "tags", "notes"];
// A name match outranks the same match anywhere else.
const BOOST = {
  name: 4,
  role_title: 2,
  organization: 1.5,
  area: 1.5,
  kind: 1,
  tags: 1.5,
  notes: 0.5,
};
const SPACE_OR_PUNCTUATION = /[\n\r\p{Z}\p{P}\p{S}]+/u;
const PHONE_QUERY = /^[\d\s+\-().]+$/;
// One or two digits would match half the directory.
const MIN_PHONE_DIGITS = 3;
// Dropped from a query of several words: "jefa de finanzas" still finds "Jefa Finanzas".
const STOP_WORDS = new Set("a al de del el en la las los y the of and".split(" "));

/** Fold text for matching: lower case, accents and other combining marks removed. */
export function fold(text) {
  return String(text)
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** Return only the digits of a phone number. */
export function phoneDigits(number) {
  return String(number ?? "").replace(/\D+/g, "");
}

function labelsOf(table, code) {
  const labels = code && Object.hasOwn(table, code) ? table[code] : null;
  return labels ? Object.values(labels).join(" ") : "";
}

function extractField(contact, field) {
  switch (field) {
    case "area":
      return `${contact.area ?? ""} ${labelsOf(AREA_LABELS, contact.area)}`;
    case "kind":
      return labelsOf(KIND_LABELS, contact.kind);
    case "tags":
      return Array.isArray(contact.tags) ? contact.tags.join(" ") : "";
    case "id":
      return contact.id;
    default:
      return contact[field] ?? "";
  }
}

function tokenize(text) {
  return text.split(SPACE_OR_PUNCTUATION);
}

function digitsOf(contact) {
  return Array.isArray(contact.phones) ? contact.phones.map((p) => phoneDigits(p?.number)) : [];
}

function processTerm(term) {
  const folded = fold(term);
  return folded || null;
}

/** Typos forgiven from 4 letters, one per 5 letters (rounded: 1 from 4, 2 from 8); none in digits. */
function fuzzy(term) {
  if (term.length < 4 || /^\d+$/.test(term)) return false;
  return 0.2;
}

/** Prefix matching on the last word only (it is still being typed), from its second letter. */
function prefix(term, index, terms) {
  // One letter would match most of the directory and rank it by nothing useful.
  return index === terms.length - 1 && term.length >= 2;
}

function queryTerms(query) {
  const terms = tokenize(query).map(processTerm).filter(Boolean);
  const meaningful = terms.filter((term) => !STOP_WORDS.has(term));
  return meaningful.length ? meaningful : terms;
}

/**
 * Create the search index of a directory's contacts.
 *
 * Returns `{search(query, {limit}), put(contact), remove(id), size}`; `search` gives
 * `[{id, score}]`, best first. Deleted contacts are never indexed.
 */
export function createContactIndex(contacts = []) {
  const index = new MiniSearch({
    fields: FIELDS,
    idField: "id",
    extractField,
    tokenize,
    processTerm,
    searchOptions: { boost: BOOST, fuzzy, prefix, maxFuzzy: 3 },
  });
  // Phone numbers are matched by any run of their digits with a scan: a few milliseconds at
  // 50,000 contacts, where indexing every suffix doubled the time to build the index.
  const phones = new Map();
  const live = contacts.filter((contact) => contact && !contact.deleted);
  index.addAll(live);
  for (const contact of live) phones.set(contact.id, digitsOf(contact));

  function searchPhones(digits) {
    // A national number typed with its trunk prefix ("020 7946…") is stored without it (+44 20…).
    const runs =
      digits.length > 4 && digits.startsWith("0") ? [digits, digits.replace(/^0+/, "")] : [digits];
    const found = [];
    for (const [id, numbers] of phones) {
      let best = -1;
      for (const number of numbers) {
        for (const run of runs) {
          const at = number.indexOf(run);
          if (at >= 0 && (best < 0 || at < best)) best = at;
        }
      }
      // Earlier in the number ranks higher: "5512" typed from the start of +52 55 12…
      if (best >= 0) found.push({ id, score: 1 / (1 + best) });
    }
    return found.sort((a, b) => b.score - a.score);
  }

  function search(query, { limit = 50 } = {}) {
    const text = String(query ?? "").trim();
    if (!text) return [];
    const digits = phoneDigits(text);
    let results;
    if (PHONE_QUERY.test(text)) {
      // "+52 55 12" is one number being typed, not three words; one or two digits are too few.
      if (digits.length < MIN_PHONE_DIGITS) return [];
      results = searchPhones(digits);
    } else {
      const terms = queryTerms(text);
      if (!terms.length) return [];
      // The terms are already split and folded: hand them over as they are.
      const asTyped = { tokenize: () => terms, processTerm: (term) => term };
      // Every word must match while the list narrows; if none matches them all, any word will.
      results = index.search(text, { ...asTyped, combineWith: "AND" });
      if (!results.length && terms.length > 1) {
        results = index.search(text, { ...asTyped, combineWith: "OR" });
      }
    }
    return results.slice(0, limit).map(({ id, score }) => ({ id, score }));
  }

  function remove(id) {
    if (index.has(id)) index.discard(id);
    phones.delete(id);
  }

  function put(contact) {
    remove(contact.id);
    if (contact.deleted) return;
    index.add(contact);
    phones.set(contact.id, digitsOf(contact));
  }

  return {
    search,
    put,
    remove,
    get size() {
      return index.documentCount;
    },
  };
}

/**
 * Bring an index in line with a directory's contacts, putting again only the records whose
 * object changed since `indexed` (id → the object last put; updated here) and removing the
 * records gone. The directory's unchanged records keep their objects (snapshot.js applyDelta,
 * edit.js applyPending), so a delta or a save costs what it changed.
 */
export function syncIndex(index, indexed, contacts) {
  for (const [id, contact] of contacts) {
    if (indexed.get(id) === contact) continue;
    index.put(contact);
    indexed.set(id, contact);
  }
  for (const id of [...indexed.keys()]) {
    if (contacts.has(id)) continue;
    index.remove(id);
    indexed.delete(id);
  }
}
