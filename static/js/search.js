// Search of the unlocked directory: MiniSearch in memory, forgiving of case, accents and typos
// (a swapped pair of letters is one typo), names first, phone numbers by any run of their digits,
// and what a contact or a playbook is for by the words people use for it (the vocabulary's
// names and SEARCH_WORDS). Made in the search worker (search-host.js); kept at rest only sealed
// (docs/ARCHITECTURE.md, 5.1).

import MiniSearch from "../vendor/minisearch.js";
import {
  AREA_LABELS,
  AREA_WORDS,
  CRISIS_KIND_LABELS,
  KIND_LABELS,
  SEARCH_WORDS,
  SERVICE_LABELS,
  SERVICE_TAG,
} from "./data/labels.js";

// The texts of a contact and of a playbook that a user would search, and how much a match in
// each weighs: a name match outranks the same match anywhere else, what the contact is for
// (`when_to_contact`) outranks a passing mention in the notes. `texts`: the long ones.
const CONTACT = {
  boost: {
    name: 4,
    role_title: 2,
    organization: 1.5,
    area: 1.5,
    tags: 1.5,
    city: 1,
    when_to_contact: 1,
    procedure: 0.5,
    notes: 0.5,
  },
  texts: ["when_to_contact", "procedure", "notes"],
  typos: true,
  anyWord: true,
};
// A playbook's own words are matched as written (and by their start): a typo ("maria") would
// find "marca" in the brand playbooks, above the people searched for. Its kind is still found
// with typos, through the vocabulary ("incendo"). All the words must match: none is any.
const PLAYBOOK = {
  boost: { name: 4, crisis_kind: 1.5, guidance: 0.75, steps: 0.5 },
  texts: ["guidance", "steps"],
  typos: false,
  anyWord: false,
};
// Long texts (notes, when to contact, a partner's procedure) are searched by whole words, never
// by the start of the word being typed, and only from the third letter: "a" and "la" are in every
// note, and at 50,000 contacts the prefixes of a word being typed ("re", "res", "reem") matched
// most notes at each keystroke (search p95 70 → 44 ms of CPU, realistic notes, a busy machine).
// The names, roles, tags and codes still find a word by its start as it is typed.
const TEXT_PREFIX = 3;
// A match through the codes a record is filed under (area, kind, emergency service; a
// playbook's crisis kind), named by a word of the vocabulary (see `named`): as much as an area.
const TOPIC_BOOST = 1.5;
// A match through a typo (a swapped pair of letters; a word of the vocabulary found by a typo or
// a prefix) weighs as MiniSearch weighs its own fuzzy matches (its default `weights.fuzzy`).
const TYPO_WEIGHT = 0.45;
const MAX_FUZZY = 3;
// How many words' matches an index remembers while nothing changes (see `matches`).
const RECENT_WORDS = 8;
// A word names codes of the vocabulary by a prefix from its third letter: "ab" names nothing,
// "abo" names legal (abogado). Two letters name half the vocabulary, and with it, the directory.
const VOCABULARY_PREFIX = 3;
// MiniSearch's BM25+ defaults (k, b, d), for the score of a code (`topicScore`).
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };

const SPACE_OR_PUNCTUATION = /[\n\r\p{Z}\p{P}\p{S}]+/u;
const PHONE_QUERY = /^[\d\s+\-().]+$/;
const DIGITS = /^\d+$/;
// One or two digits would match half the directory.
const MIN_PHONE_DIGITS = 3;
// Dropped from a query of several words: "jefa de finanzas" still finds "Jefa Finanzas"; and
// never kept of the long texts, where a tenth of the words at 50,000 contacts are these
// ("por", "para", "con", "que"), which no one looks a note up by.
const STOP_WORDS = new Set(
  ("a al de del el en la las los y con para por que sin sus una unas unos como pero desde hasta " +
    "entre cuando donde the of and for with from that this are was").split(" "),
);

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

function tokenize(text) {
  return text.split(SPACE_OR_PUNCTUATION);
}

function processTerm(term) {
  return fold(term) || null;
}

// --- the vocabulary: codes and the words for them ------------------------------------------

/**
 * The vocabulary as a small index of its own, a document per code: its names in every table and
 * language, its SEARCH_WORDS and the AREA_WORDS naming it; an emergency service's names under
 * `service:<code>`, as its tag. Built once, with the first index.
 */
let vocabulary = null;
function vocabularyIndex() {
  if (vocabulary) return vocabulary;
  const texts = new Map();
  const add = (code, text) => texts.set(code, `${texts.get(code) ?? ""} ${text}`);
  for (const table of [AREA_LABELS, KIND_LABELS, CRISIS_KIND_LABELS, SEARCH_WORDS]) {
    for (const [code, names] of Object.entries(table)) add(code, Object.values(names).join(" "));
  }
  for (const [words, code] of Object.entries(AREA_WORDS)) add(code, words);
  for (const [service, names] of Object.entries(SERVICE_LABELS)) {
    add(`${SERVICE_TAG}${service}`, Object.values(names).join(" "));
  }
  vocabulary = new MiniSearch({ fields: ["text"], tokenize, processTerm });
  vocabulary.addAll([...texts].map(([id, text]) => ({ id, text })));
  return vocabulary;
}

const areaCodes = new Map(); // area as typed → its code or null: a directory has a few areas

/**
 * Return the code of the vocabulary an area names, or null: its code, or words naming it
 * (`Finanzas`, `Customer service`, `Médico`), read as readiness reads them on the server
 * (`readiness.service.area_code`).
 */
function areaCode(area) {
  if (!area) return null;
  if (areaCodes.has(area)) return areaCodes.get(area);
  const words = fold(area).replace(/[-_]/g, " ").split(/\s+/).filter(Boolean).join(" ");
  const code = Object.hasOwn(AREA_WORDS, words) ? AREA_WORDS[words] : words.replaceAll(" ", "_");
  const found = vocabularyIndex().has(code) ? code : null;
  areaCodes.set(area, found);
  return found;
}

function isService(tag) {
  return typeof tag === "string" && tag.startsWith(SERVICE_TAG);
}

function contactTopics(contact) {
  const topics = [areaCode(contact.area), contact.kind];
  for (const tag of Array.isArray(contact.tags) ? contact.tags : []) {
    if (isService(tag)) topics.push(SERVICE_TAG + tag.slice(SERVICE_TAG.length).trim().toLowerCase());
  }
  return topics.filter(Boolean);
}

function playbookTopics(playbook) {
  const kind = playbook.crisis_kind;
  return kind && Object.hasOwn(CRISIS_KIND_LABELS, kind) ? [kind] : [];
}

// --- the query: words, their typo variants and the codes they name -------------------------

/** Typos forgiven from 4 letters, one per 5 letters (rounded: 1 from 4, 2 from 8); none in digits. */
function typos(term) {
  if (term.length < 4 || DIGITS.test(term)) return 0;
  return Math.min(MAX_FUZZY, Math.round(term.length * 0.2));
}

/**
 * The word with one pair of adjacent letters swapped, each way it can be ("rodirgo" → "ordirgo",
 * "rdoirgo", …, "rodrigo", …).
 *
 * MiniSearch's fuzzy matching (its documented `fuzzy` and `maxFuzzy` options) counts edits by
 * Levenshtein distance, for which a swap is two edits ("rodirgo" → "rodrigo"), and it has no
 * Damerau (transposition) option: a word of 4 to 7 letters, allowed one typo, would never find
 * its swap. So the query also asks for these variants as they are, the swap being the word's
 * typo (weighed as one): n − 1 exact lookups, or prefix ones for the word being typed, which cost
 * little. Not fuzzy themselves: a swap and another typo are not forgiven below 8 letters (from 8,
 * MiniSearch's distance 2 covers a swap alone, "rodirguez"; the variants find "rodirgue…" as it
 * is typed). From 4 letters, like every typo; never in digits.
 */
export function transpositions(word) {
  if (word.length < 4 || DIGITS.test(word)) return [];
  const variants = new Set();
  for (let i = 0; i < word.length - 1; i++) {
    if (word[i] === word[i + 1]) continue;
    variants.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  }
  return [...variants];
}

function queryWords(query) {
  const words = tokenize(query).map(processTerm).filter(Boolean);
  const meaningful = words.filter((word) => !STOP_WORDS.has(word));
  return meaningful.length ? meaningful : words;
}

// The query's words are split and folded already: MiniSearch takes each as it is.
const AS_GIVEN = { tokenize: (text) => [text], processTerm: (term) => term };

/**
 * The spellings of one word, as a MiniSearch query: as typed (prefix if it is the last word,
 * still being typed, from its second letter; fuzzy from four letters), or, when the word is
 * allowed a typo, with a swapped pair of letters (`transpositions`, weighed as a typo).
 */
function spellings(word, last, { prefixFrom = 2, forgiving = true } = {}) {
  const prefix = last && word.length >= prefixFrom;
  const fuzzy = forgiving ? typos(word) : 0;
  const queries = [{ queries: [word], prefix, fuzzy }];
  if (fuzzy > 0) {
    const swapped = transpositions(word);
    queries.push({ queries: swapped, prefix, fuzzy: false, boostTerm: () => TYPO_WEIGHT });
  }
  return { combineWith: "OR", queries };
}

/**
 * The codes a word names, searched in the vocabulary as the directory is (typos; a prefix from
 * VOCABULARY_PREFIX letters): `[{code, weight}]`, weight 1 when a name or word of the code is
 * the word itself, TYPO_WEIGHT when it is found through a typo or a prefix ("abogdo", "abog").
 */
function named(word, last) {
  const spelt = spellings(word, last, { prefixFrom: VOCABULARY_PREFIX });
  const found = vocabularyIndex().search(spelt, AS_GIVEN);
  return found.map(({ id, match }) => ({
    code: id,
    weight: Object.hasOwn(match, word) ? 1 : TYPO_WEIGHT,
  }));
}

/**
 * The score of a match through a code that `filed` of `total` records are filed under: what
 * MiniSearch's BM25+ gives one term, once, in a field of average length.
 */
function topicScore(filed, total) {
  const { k, d } = BM25;
  return Math.log(1 + (total - filed + 0.5) / (filed + 0.5)) * (d + (k + 1) / (1 + k));
}

// --- the indexes ---------------------------------------------------------------------------

/**
 * MiniSearch's options for records whose text fields are `boost`'s, read by `extract`; the long
 * `texts` among them keep no word shorter than TEXT_PREFIX, which is never looked for there
 * (`wordQuery`): a third of the words of notes ("a", "la", "de"), and none of the STOP_WORDS,
 * dropped from a query of several words ("por", "para"): left out of the build and the saved
 * index. A field's length for scoring still counts them (MiniSearch counts the words before
 * `processTerm`).
 */
function miniSearchOptions({ boost, texts }, extract) {
  const long = new Set(texts);
  return {
    fields: Object.keys(boost),
    idField: "id",
    // Each field's text is folded whole, then split; an empty one is left out (MiniSearch skips
    // a field that is null, not one that is empty: most contacts have no procedure).
    extractField: (record, field) => {
      if (field === "id") return record.id;
      const text = extract(record, field);
      return text ? fold(text) : null;
    },
    tokenize,
    processTerm: (term, field) =>
      term && !(long.has(field) && (term.length < TEXT_PREFIX || STOP_WORDS.has(term)))
        ? term
        : null,
    searchOptions: { boost, maxFuzzy: MAX_FUZZY },
  };
}

/**
 * A search index of records: a MiniSearch index of their text `boost` fields (read by
 * `extract(record, field)`), and the records filed under each code (`topics(record)`).
 *
 * The codes are kept beside MiniSearch, not as one more field of it: a code is shared by
 * thousands of records at 50,000 (a sixth of them are in finance), and MiniSearch scores every
 * posting of a term one by one, which made "reembolsos" (a word of finance) cost 60 ms. Every
 * record of a code scores the same, so a code's match is one number added to each of its records.
 *
 * `saved`: `{index, ids, current}`, a MiniSearch index loaded from a saved one, the ids it holds,
 * and those of the records whose text it holds as they are now: those are filed under their
 * codes without indexing their text again; every other record is indexed, and what the saved
 * index holds of records gone is discarded.
 *
 * Returns `{search(words, limit), add(record), remove(id), size, toJSON()}`.
 */
function createIndex(kind, { extract, topics }, records, saved) {
  const { boost, texts, typos: forgiving, anyWord } = kind;
  const index = saved ? saved.index : new MiniSearch(miniSearchOptions(kind, extract));
  vocabularyIndex();
  const filed = new Map(); // code → Set of ids
  const codesOf = new Map(); // id → codes
  const recent = new Map(); // the last words searched → what they matched, until a change

  function add(record) {
    recent.clear();
    index.add(record);
    file(record);
  }

  function file(record) {
    const codes = topics(record);
    codesOf.set(record.id, codes);
    for (const code of codes) {
      if (!filed.has(code)) filed.set(code, new Set());
      filed.get(code).add(record.id);
    }
  }

  function remove(id) {
    if (!index.has(id)) return;
    recent.clear();
    index.discard(id);
    for (const code of codesOf.get(id)) filed.get(code).delete(id);
    codesOf.delete(id);
  }

  const names = Object.keys(boost).filter((field) => !texts.includes(field));

  /**
   * The MiniSearch query of one word: its spellings in the names (the short fields), by their
   * start too if it is the word being typed; in the long texts, the word whole (typos forgiven),
   * from TEXT_PREFIX letters.
   */
  function wordQuery(word, last) {
    const named = { ...spellings(word, last, { forgiving }), fields: names };
    if (word.length < TEXT_PREFIX) return named;
    const written = { ...spellings(word, false, { forgiving }), fields: texts };
    return { combineWith: "OR", queries: [named, written] };
  }

  /**
   * What one word matches: `text`, MiniSearch's results for its spellings (best first), and
   * `topics`, the records filed under each code it names (`ids`) with the `score` of that match.
   */
  function matches(word, last) {
    // The words before the one being typed are the same at each keystroke ("maria l", "maria lo").
    const key = `${last ? "+" : "="}${word}`;
    if (recent.has(key)) return recent.get(key);
    const text = index.search(wordQuery(word, last), AS_GIVEN);
    const topics = [];
    for (const { code, weight } of named(word, last)) {
      const ids = filed.get(code);
      if (!ids?.size) continue;
      topics.push({ ids, score: TOPIC_BOOST * weight * topicScore(ids.size, codesOf.size) });
    }
    const found = { text, topics };
    recent.set(key, found);
    if (recent.size > RECENT_WORDS) recent.delete(recent.keys().next().value);
    return found;
  }

  /** Search for words (folded): `[{id, score}]`, best first. */
  function search(words, limit) {
    const each = words.map((word, i) => matches(word, i === words.length - 1));
    if (each.length === 1) return bestOfOne(each[0], limit);
    // Every word must match while the list narrows; if none matches them all, any word will,
    // a record matching more of them first (as MiniSearch multiplies by the terms matched).
    let found = every(each);
    if (found.size || !anyWord) return best(found, limit);
    // Marked, so that the results of several indexes (search-client.js) keep every word's first.
    found = any(each.map(scoresOf));
    return best(found, limit).map((result) => ({ ...result, some: true }));
  }

  if (saved) {
    const ids = new Set();
    for (const record of records) {
      ids.add(record.id);
      if (saved.current.has(record.id)) file(record);
      else {
        if (index.has(record.id)) index.discard(record.id);
        add(record);
      }
    }
    const gone = [];
    for (const id of saved.ids) if (!ids.has(id) && index.has(id)) gone.push(id);
    if (gone.length) index.discardAll(gone);
  } else {
    buildAll(index, () => {
      for (const record of records) add(record);
    });
  }

  return {
    search,
    add,
    remove,
    toJSON: () => index.toJSON(),
    get size() {
      return index.documentCount;
    },
  };
}

/**
 * Run `build`, which adds records to a new MiniSearch `index` and removes none, with each word's
 * postings gathered in lists and handed to MiniSearch once, at the end.
 *
 * MiniSearch files each word of each record as it comes (`addTerm`): it finds the word's
 * postings by walking its radix tree (`SearchableMap#fetch`), looking through each node's keys one
 * by one, then counts the record in a Map of record → count per field, one lookup and one
 * store for each of 2.7 million words at 50,000 contacts (7,175 distinct). Here a word's postings
 * are found by a Map from the word, and a record's words come one record after another, so its
 * count is the last of a list: the tree and the Maps MiniSearch searches are made once per
 * word and per record, at the end. Half the first build's time at 50,000 went to `addTerm`.
 * MiniSearch has no option for this; its `addTerm` is replaced on this one index while it is
 * built (a node test compares the index with one built without). Only while nothing is removed:
 * a removal (or a vacuum) would need the postings filed already.
 */
function buildAll(index, build) {
  const postings = new Map(); // word → [{fieldId, documents, counts}], fields as first seen
  index.addTerm = (fieldId, documentId, term) => {
    let fields = postings.get(term);
    if (fields === undefined) postings.set(term, (fields = []));
    let field;
    for (const candidate of fields) if (candidate.fieldId === fieldId) field = candidate;
    if (field === undefined) fields.push({ fieldId, documents: [documentId], counts: [1] });
    else if (field.documents.at(-1) === documentId) field.counts[field.counts.length - 1]++;
    else {
      field.documents.push(documentId);
      field.counts.push(1);
    }
  };
  try {
    build();
  } finally {
    delete index.addTerm;
    const newPostings = () => new Map();
    for (const [term, fields] of postings) {
      const held = index._index.fetch(term, newPostings);
      for (const { fieldId, documents, counts } of fields) {
        const filed = held.get(fieldId) ?? new Map();
        for (let i = 0; i < documents.length; i++) {
          filed.set(documents[i], (filed.get(documents[i]) ?? 0) + counts[i]);
        }
        held.set(fieldId, filed);
      }
    }
  }
}

/** Keep `{id, score}` in `kept`, the `limit` best so far, best first, if it is one of them. */
function keep(kept, limit, id, score) {
  if (kept.length === limit && score <= kept[limit - 1].score) return;
  let at = kept.length;
  while (at > 0 && kept[at - 1].score < score) at--;
  kept.splice(at, 0, { id, score });
  if (kept.length > limit) kept.pop();
}

/**
 * The `limit` best of id → score, best first, as `[{id, score}]`: one pass that keeps the best
 * so far (tens of thousands of records match two letters at 50,000; sorting them all cost more
 * than finding them).
 */
function best(scores, limit) {
  const kept = [];
  for (const [id, score] of scores) keep(kept, limit, id, score);
  return kept;
}

/** What the codes a word names (`matches`) add to a record's score. */
function filedScore(topics, id) {
  let score = 0;
  for (const topic of topics) if (topic.ids.has(id)) score += topic.score;
  return score;
}

/**
 * The `limit` best records one word matches (`matches`), without a map of them all: a word of
 * finance matches a sixth of 50,000 contacts through its code and a third through notes. A record
 * filed under the codes and matching no text scores at most the codes' sum: they are looked for
 * only when that could still enter the list.
 */
function bestOfOne({ text, topics }, limit) {
  if (!topics.length) return text.slice(0, limit).map(({ id, score }) => ({ id, score }));
  const kept = [];
  for (const { id, score } of text) keep(kept, limit, id, score + filedScore(topics, id));
  const most = topics.reduce((sum, topic) => sum + topic.score, 0);
  if (kept.length === limit && kept[limit - 1].score >= most) return kept;
  const seen = new Set(text.map(({ id }) => id));
  for (const { ids } of topics) {
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      keep(kept, limit, id, filedScore(topics, id));
    }
  }
  return kept;
}

/** Return id → score of what a word matches (`matches`): text and codes summed. */
function scoresOf({ text, topics }) {
  const scores = new Map();
  for (const { id, score } of text) scores.set(id, score);
  for (const { ids, score } of topics) {
    for (const id of ids) scores.set(id, (scores.get(id) ?? 0) + score);
  }
  return scores;
}

/**
 * The records every word matches (`matches` of each), their scores summed: the word that matches
 * fewest first, then each other word only looked up for the records still in.
 */
function every(each) {
  const size = ({ text, topics }) => topics.reduce((sum, { ids }) => sum + ids.size, text.length);
  const [fewest, ...rest] = [...each].sort((a, b) => size(a) - size(b));
  let found = scoresOf(fewest);
  for (const { text, topics } of rest) {
    const next = new Map();
    for (const { id, score } of text) {
      const sum = found.get(id);
      if (sum !== undefined) next.set(id, sum + score);
    }
    for (const { ids, score } of topics) {
      for (const [id, sum] of found) if (ids.has(id)) next.set(id, (next.get(id) ?? sum) + score);
    }
    found = next;
    if (!found.size) break;
  }
  return found;
}

/** The records in any map, their scores summed and multiplied by how many maps hold them. */
function any(maps) {
  const found = new Map();
  for (const map of maps) {
    for (const [id, score] of map) {
      const seen = found.get(id);
      found.set(id, seen ? { score: seen.score + score, count: seen.count + 1 } : { score, count: 1 });
    }
  }
  return new Map([...found].map(([id, { score, count }]) => [id, score * count]));
}

function contactText(contact, field) {
  switch (field) {
    case "area":
      // An area of the vocabulary is found by its names and words (`topics`); another as typed.
      return areaCode(contact.area) ? "" : (contact.area ?? "");
    case "tags":
      return Array.isArray(contact.tags) ? contact.tags.filter((tag) => !isService(tag)).join(" ") : "";
    case "procedure":
      return contact.partner?.procedure ?? "";
    default:
      return contact[field] ?? "";
  }
}

function playbookText(playbook, field) {
  switch (field) {
    case "crisis_kind":
      // A crisis kind of the vocabulary is found by its names and words; another as typed.
      return playbookTopics(playbook).length ? "" : (playbook.crisis_kind ?? "");
    case "steps":
      return Array.isArray(playbook.steps) ? playbook.steps.join("\n") : "";
    default:
      return playbook[field] ?? "";
  }
}

function digitsOf(contact) {
  return Array.isArray(contact.phones) ? contact.phones.map((p) => phoneDigits(p?.number)) : [];
}

/** Split a query: `{digits}` for a phone number being typed, `{words}` otherwise, or null. */
function parseQuery(query) {
  const text = String(query ?? "").trim();
  if (!text) return null;
  // "+52 55 12" is one number being typed, not three words; one or two digits are too few.
  if (PHONE_QUERY.test(text)) {
    const digits = phoneDigits(text);
    return digits.length >= MIN_PHONE_DIGITS ? { digits } : null;
  }
  const words = queryWords(text);
  return words.length ? { words } : null;
}

/**
 * What search reads of a contact (`contactText`, `contactTopics`, `digitsOf`): the page sends
 * only this to the search worker, and a saved index is checked against it (`fingerprint`).
 */
export function searchable(contact) {
  return {
    id: contact.id,
    deleted: contact.deleted || undefined,
    name: contact.name,
    role_title: contact.role_title,
    organization: contact.organization,
    area: contact.area,
    kind: contact.kind,
    tags: contact.tags,
    city: contact.city,
    when_to_contact: contact.when_to_contact,
    partner: contact.partner?.procedure ? { procedure: contact.partner.procedure } : undefined,
    notes: contact.notes,
    phones: Array.isArray(contact.phones) ? contact.phones.map((p) => ({ number: p?.number })) : [],
  };
}

/** What search reads of a playbook (`playbookText`, `playbookTopics`). */
export function searchablePlaybook(playbook) {
  const { id, deleted, name, crisis_kind, guidance, steps } = playbook;
  return { id, deleted: deleted || undefined, name, crisis_kind, guidance, steps };
}

/**
 * A 32-bit FNV-1a hash of the texts search reads of a contact (`searchable`): a saved index
 * holds a contact's text as it is now when the hashes are equal (a change that collides, one in
 * four billion, is indexed at the contact's next change).
 */
export function fingerprint(contact) {
  const { partner, phones, tags } = searchable(contact);
  const texts = [contact.name, contact.role_title, contact.organization, contact.area, contact.kind,
    contact.city, contact.when_to_contact, partner?.procedure, contact.notes];
  if (Array.isArray(tags)) texts.push(...tags.map(String));
  for (const phone of phones) texts.push(phone.number);
  return hashTexts(texts);
}

/** A 32-bit FNV-1a hash of a list of texts (null as ""), each ended by a separator. */
export function hashTexts(texts) {
  let hash = 0x811c9dc5;
  for (const text of texts) {
    const value = text == null ? "" : String(text);
    for (let i = 0; i < value.length; i++) {
      hash ^= value.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    // A separator, so that "ab" + "c" and "a" + "bc" differ.
    hash ^= 0x1f;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// A saved index is read only by the code that wrote it: bump when what is indexed or how it is
// split and folded changes (CONTACT, contactText, tokenize, fold), or MiniSearch's format.
const SAVED_FORMAT = 3;

/**
 * Load a contact index saved by `toJSON` (its JSON parsed): the costly part of making the index
 * from it, which needs no contacts (the search worker does it while the page opens the copy).
 * Returns what `createContactIndex` takes as `saved`, or null for another format.
 */
export function loadContactIndex(saved) {
  if (saved?.format !== SAVED_FORMAT) return null;
  const index = MiniSearch.loadJS(saved.index, miniSearchOptions(CONTACT, contactText));
  return { index, fingerprints: saved.fingerprints };
}

/**
 * Create the search index of a directory's contacts, from `saved` (`loadContactIndex`: an index
 * saved for this copy or an older one) when given: only the contacts changed since are indexed
 * again.
 *
 * Returns `{search(query, {limit}), put(contact), remove(id), size, reindexed, toJSON()}`;
 * `search` gives `[{id, score}]`, best first; `reindexed`: how many contacts were indexed (not
 * loaded) since the index was made or loaded. Deleted contacts are never indexed.
 */
export function createContactIndex(contacts = [], { saved = null } = {}) {
  const live = contacts.filter((contact) => contact && !contact.deleted);
  const records = new Map(live.map((contact) => [contact.id, contact]));
  let loaded = null;
  if (saved) {
    const current = new Set();
    for (const contact of live) {
      if (saved.fingerprints[contact.id] === fingerprint(contact)) current.add(contact.id);
    }
    loaded = { index: saved.index, ids: Object.keys(saved.fingerprints), current };
  }
  const index = createIndex(CONTACT, { extract: contactText, topics: contactTopics }, live, loaded);
  let reindexed = loaded ? live.length - loaded.current.size : live.length;
  // Phone numbers are matched by any run of their digits with a scan: a few milliseconds at
  // 50,000 contacts, where indexing every suffix doubled the time to build the index.
  const phones = new Map();
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
    const parsed = parseQuery(query);
    if (!parsed) return [];
    if (parsed.digits) return searchPhones(parsed.digits).slice(0, limit);
    return index.search(parsed.words, limit);
  }

  function remove(id) {
    index.remove(id);
    phones.delete(id);
    records.delete(id);
  }

  function put(contact) {
    remove(contact.id);
    if (contact.deleted) return;
    index.add(contact);
    phones.set(contact.id, digitsOf(contact));
    records.set(contact.id, contact);
    reindexed++;
  }

  /** The index as plain data (JSON), with what it holds of each contact (`fingerprint`). */
  function toJSON() {
    const fingerprints = {};
    for (const [id, contact] of records) fingerprints[id] = fingerprint(contact);
    reindexed = 0;
    return { format: SAVED_FORMAT, index: index.toJSON(), fingerprints };
  }

  return {
    search,
    put,
    remove,
    toJSON,
    get reindexed() {
      return reindexed;
    },
    get size() {
      return index.size;
    },
  };
}

const foldedNames = new WeakMap(); // contact → its name folded, for `searchNames`

/**
 * Find contacts by name, or a phone number by its digits, with a scan: what search answers
 * while the index is being made (after an unlock, in the search worker). `[{id, score}]`,
 * best first: a name that begins with the first word typed, then one holding every word.
 */
export function searchNames(contacts, query, { limit = 50 } = {}) {
  const parsed = parseQuery(query);
  if (!parsed) return [];
  const kept = [];
  for (const contact of contacts) {
    if (!contact || contact.deleted) continue;
    let score = 0;
    if (parsed.digits) {
      if (digitsOf(contact).some((number) => number.includes(parsed.digits))) score = 1;
    } else {
      let name = foldedNames.get(contact);
      if (name === undefined) foldedNames.set(contact, (name = fold(contact.name ?? "")));
      if (parsed.words.every((word) => name.includes(word))) {
        score = name.startsWith(parsed.words[0]) || name.includes(` ${parsed.words[0]}`) ? 2 : 1;
      }
    }
    if (score) keep(kept, limit, contact.id, score);
  }
  return kept;
}

/**
 * Create the search index of a directory's playbooks: by name, crisis kind (its names and
 * words) and guidance and steps. The same interface as `createContactIndex`; a phone number
 * finds no playbook.
 */
export function createPlaybookIndex(playbooks = []) {
  const live = playbooks.filter((playbook) => playbook && !playbook.deleted);
  const index = createIndex(PLAYBOOK, { extract: playbookText, topics: playbookTopics }, live);
  return {
    // A few: they head the results, above the contacts (a crisis's playbook, its people below).
    search(query, { limit = 5 } = {}) {
      const parsed = parseQuery(query);
      return parsed?.words ? index.search(parsed.words, limit) : [];
    },
    put(playbook) {
      index.remove(playbook.id);
      if (!playbook.deleted) index.add(playbook);
    },
    remove: index.remove,
    get size() {
      return index.size;
    },
  };
}

/**
 * Bring an index in line with a directory's records, putting again only the records whose
 * object changed since `indexed` (id → the object last put; updated here) and removing the
 * records gone. The directory's unchanged records keep their objects (snapshot.js applyDelta,
 * edit.js applyPending), so a delta or a save costs what it changed.
 */
export function syncIndex(index, indexed, records) {
  for (const [id, record] of records) {
    if (indexed.get(id) === record) continue;
    index.put(record);
    indexed.set(id, record);
  }
  for (const id of [...indexed.keys()]) {
    if (records.has(id)) continue;
    index.remove(id);
    indexed.delete(id);
  }
}

/**
 * The search of a whole directory (`{contacts, playbooks}`, Maps by id): `search(query)` finds
 * contacts as `createContactIndex` does (the backup pickers use it), `searchPlaybooks(query)`
 * playbooks; `sync(directory)` follows a changed directory by the records that changed.
 */
export function createDirectoryIndex(directory) {
  const contacts = createContactIndex([...directory.contacts.values()]);
  const playbooks = createPlaybookIndex([...(directory.playbooks?.values() ?? [])]);
  const indexedContacts = new Map(directory.contacts);
  const indexedPlaybooks = new Map(directory.playbooks ?? []);
  return {
    search: contacts.search,
    searchPlaybooks: playbooks.search,
    sync(next) {
      syncIndex(contacts, indexedContacts, next.contacts);
      syncIndex(playbooks, indexedPlaybooks, next.playbooks ?? new Map());
    },
    get size() {
      return contacts.size;
    },
  };
}
