// Search of the directory: accents, case and typos forgiven (a swapped pair of letters is one),
// names first, phones by digits, every text a user would search, the vocabulary's words for
// areas, kinds and crisis kinds, and playbooks.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  AREA_LABELS,
  CRISIS_KIND_LABELS,
  KIND_LABELS,
  SEARCH_WORDS,
} from "../../static/js/data/labels.js";
import {
  createContactIndex,
  createDirectoryIndex,
  createPlaybookIndex,
  fingerprint,
  fold,
  loadContactIndex,
  phoneDigits,
  searchable,
  searchNames,
  transpositions,
} from "../../static/js/search.js";

let next = 0;
const person = (name, fields = {}) => ({
  id: fields.id ?? `c${++next}`,
  name,
  organization: null,
  role_title: null,
  kind: "internal",
  area: null,
  phones: [],
  tags: [],
  notes: null,
  ...fields,
});

const atencion = person("Atención al cliente", { phones: [{ number: "+525512345678" }] });
const finanzas = person("Finanzas", { organization: "Comida Ya" });
const rodriguez = person("Ana Rodríguez", { area: "finance", role_title: "Tesorera" });
const inFinance = person("Beto Salas", { area: "finance", notes: "Aprueba reembolsos" });
const inService = person("Carla Méndez", { area: "customer_service" });
const calidadNotes = person("Diego Luna", { notes: "Habla con calidad cada lunes" });
const calidadArea = person("Elena Paz", { area: "quality" });
const calidadName = person("Calidad de producto");
const luis = person("Luis Peña", { phones: [{ number: "+525598765512", whatsapp: true }] });
const policia = person("Policía cibernética", { kind: "authority", phones: [{ number: "088" }] });
const SMALL = [
  atencion,
  finanzas,
  rodriguez,
  inFinance,
  inService,
  calidadNotes,
  calidadArea,
  calidadName,
  luis,
  policia,
];

const ids = (results) => results.map((r) => r.id);
const index = createContactIndex(SMALL);

test("'atencion' finds 'Atención al cliente' first, without the accent", () => {
  const results = index.search("atencion");
  assert.equal(results[0].id, atencion.id);
  assert.ok(ids(results).includes(inService.id), "the customer-service area matches too, lower");
  assert.equal(index.search("ATENCIÓN")[0].id, atencion.id);
});

test("typing without accents ranks exactly as typing them (folded, not a typo)", () => {
  assert.deepEqual(index.search("atencion"), index.search("Atención"));
  assert.deepEqual(index.search("pena"), index.search("peña"));
});

test("'finanzs' finds 'Finanzas' first despite the missing letter", () => {
  const results = index.search("finanzs");
  assert.equal(results[0].id, finanzas.id);
  assert.ok(ids(results).includes(inFinance.id));
});

test("'rodriges' finds 'Rodríguez' (two typos in a long word)", () => {
  assert.equal(index.search("rodriges")[0].id, rodriguez.id);
});

test("a match in the name ranks above the same word in area, tags or notes", () => {
  const results = ids(index.search("calidad"));
  assert.equal(results[0], calidadName.id);
  assert.ok(results.indexOf(calidadArea.id) > 0);
  assert.ok(results.indexOf(calidadNotes.id) > results.indexOf(calidadArea.id));
});

test("phone digits find the contact: '5512' finds +52 55 1234 5678, as typed with spaces too", () => {
  const byDigits = ids(index.search("5512"));
  assert.ok(byDigits.includes(atencion.id));
  assert.ok(byDigits.includes(luis.id), "the digits also end Luis's number");
  assert.deepEqual(ids(index.search("+52 55 1234")), [atencion.id]);
  assert.deepEqual(ids(index.search("55 9876")), [luis.id]);
  assert.deepEqual(ids(index.search("088")), [policia.id]);
});

test("a national number typed with its trunk prefix finds the stored international one", () => {
  const london = person("Oficina Londres", { phones: [{ number: "+442079460000" }] });
  const local = createContactIndex([...SMALL, london]);
  assert.deepEqual(ids(local.search("020 7946 0000")), [london.id]);
  assert.deepEqual(ids(local.search("088")), [policia.id], "a short number keeps its zero");
});

test("digits are never fuzzy: one wrong digit finds nothing", () => {
  assert.deepEqual(index.search("5513 4567"), []);
});

test("typos are forgiven only from four letters; the last word matches as a prefix", () => {
  assert.deepEqual(index.search("lus"), []);
  assert.equal(index.search("luiz")[0].id, luis.id);
  assert.equal(index.search("polic")[0].id, policia.id);
  assert.equal(index.search("ciber")[0].id, policia.id);
});

test("several words narrow the list; words nobody has fall back to any word", () => {
  assert.deepEqual(ids(index.search("ana finanzas")), [rodriguez.id]);
  assert.equal(index.search("jefa de finanzas")[0].id, finanzas.id);
  assert.deepEqual(index.search("zzzqqq"), []);
  assert.deepEqual(index.search("   "), []);
});

test("kinds and areas are found by their names in either language", () => {
  assert.ok(ids(index.search("autoridad")).includes(policia.id));
  assert.ok(ids(index.search("customer service")).includes(inService.id));
});

test("put replaces a contact in the index, a tombstone or remove takes it out", () => {
  const live = createContactIndex([...SMALL, person("Borrado", { id: "gone", deleted: true })]);
  assert.equal(live.size, SMALL.length);
  live.put({ ...luis, name: "Luisa Ortega" });
  assert.equal(live.search("ortega")[0].id, luis.id);
  assert.deepEqual(live.search("peña"), []);
  live.put({ ...luis, deleted: true });
  assert.deepEqual(live.search("ortega"), []);
  live.remove(rodriguez.id);
  assert.ok(!ids(live.search("rodriguez")).includes(rodriguez.id));
  assert.equal(live.size, SMALL.length - 2);
});

test("fold and phoneDigits normalise as search does", () => {
  assert.equal(fold("Peña MÉNDEZ Ü"), "pena mendez u");
  assert.equal(phoneDigits("+52 (55) 1234-5678"), "525512345678");
});

// --- a directory of 5,000 -------------------------------------------------------------------

function generated(count) {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (list) => list[Math.floor(random() * list.length)];
  const first = [
    "Ana",
    "Luis",
    "María",
    "José",
    "Sofía",
    "Carlos",
    "Lucía",
    "Jorge",
    "Elena",
    "Rodrigo",
    "Inés",
    "Raúl",
  ];
  const last = [
    "Rodríguez",
    "García",
    "Hernández",
    "López",
    "Martínez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Gómez",
    "Núñez",
    "Ibáñez",
  ];
  const areas = [
    "finance",
    "customer_service",
    "quality",
    "leadership",
    "marketing",
    "operations",
    null,
  ];
  const orgs = [
    "Comida Ya",
    "Restaurante El Fogón",
    "Taquería Don Güero",
    "Hospital Ángeles",
    null,
  ];
  const tags = ["reembolsos", "guardia", "proveedor", "prensa", "legal"];
  return Array.from({ length: count }, (_, i) => ({
    id: `g${i}`,
    name: `${pick(first)} ${pick(last)} ${pick(last)}`,
    organization: pick(orgs),
    role_title: pick(["Gerente", "Jefa de turno", "Analista", "Director", null]),
    kind: pick(["internal", "partner", "medical"]),
    area: pick(areas),
    phones: [{ number: `+52${String(5500000000 + Math.floor(random() * 99999999))}` }],
    tags: [pick(tags)],
    notes: pick([
      "Llamar solo en emergencia",
      "Prefiere WhatsApp",
      null,
      "Atiende quejas de clientes",
    ]),
  }));
}

const big = generated(5000);
const planted = [
  person("Atención al cliente — guardia nocturna", {
    id: "t-atencion",
    phones: [{ number: "+525512349999" }],
  }),
  person("Finanzas corporativas", { id: "t-finanzas" }),
];
const bigIndex = createContactIndex([...big, ...planted]);

test("in 5,000 contacts the named examples still come first", () => {
  assert.equal(bigIndex.size, 5002);
  assert.equal(bigIndex.search("atencion")[0].id, "t-atencion");
  assert.equal(bigIndex.search("finanzs")[0].id, "t-finanzas");
});

test("in 5,000 contacts 'rodriges' finds every Rodríguez", () => {
  const found = new Set(ids(bigIndex.search("rodriges", { limit: 10_000 })));
  const expected = big.filter((c) => fold(c.name).includes("rodriguez"));
  assert.ok(expected.length > 100);
  for (const contact of expected) assert.ok(found.has(contact.id), contact.name);
  assert.match(fold(big.find((c) => c.id === bigIndex.search("rodriges")[0].id).name), /rodri/);
});

test("in 5,000 contacts a run of digits finds exactly the numbers that contain it", () => {
  for (const query of ["5512", "551234", "12349999"]) {
    const found = ids(bigIndex.search(query, { limit: 10_000 })).sort();
    const expected = [...big, ...planted]
      .filter((c) => c.phones.some((p) => phoneDigits(p.number).includes(query)))
      .map((c) => c.id)
      .sort();
    assert.ok(expected.length > 0, query);
    assert.deepEqual(found, expected, query);
  }
});

test("in 5,000 contacts every result of a narrowed search holds every word", () => {
  const results = bigIndex.search("ana garcia", { limit: 10_000 });
  assert.ok(results.length > 10);
  for (const { id } of results) {
    const name = fold(big.find((c) => c.id === id).name);
    assert.match(name, /\bana\b/);
    assert.match(name, /garc/);
  }
});

test("syncIndex puts again only the records whose object changed, and drops the gone", async () => {
  const { createContactIndex, syncIndex } = await import("../../static/js/search.js");
  const a = { id: "a", name: "Ana Finanzas" };
  const b = { id: "b", name: "Bruno Calidad" };
  const c = { id: "c", name: "Carla Legal" };
  const index = createContactIndex([a, b, c]);
  const indexed = new Map([["a", a], ["b", b], ["c", c]]);
  const puts = [];
  const watched = { put: (x) => (puts.push(x.id), index.put(x)), remove: (id) => index.remove(id) };
  const b2 = { ...b, name: "Bruno Operaciones" };
  syncIndex(watched, indexed, new Map([["a", a], ["b", b2]]));
  assert.deepEqual(puts, ["b"], "only the changed record is indexed again");
  assert.deepEqual(index.search("operaciones").map((r) => r.id), ["b"]);
  assert.deepEqual(index.search("calidad"), []);
  assert.deepEqual(index.search("carla"), [], "a record gone is gone from search");
  assert.deepEqual([...indexed.keys()], ["a", "b"]);
});

// --- the problem, not only the department (issue 16) -----------------------------------------

// The demo's people (webapp/demo.py), as a new user's directory would hold them.
const laura = person("Laura Méndez", {
  role_title: "Líder de Finanzas",
  area: "finance",
  when_to_contact: "Reembolsos masivos, cobros duplicados, fallas de la pasarela de pago.",
});
const lawyer = person("Lic. Adriana Soto", { kind: "legal", organization: "Despacho Soto" });
const doctora = person("Dra. Inés Vela", { kind: "medical" });
const rodrigo = person("Rodrigo Salas", { role_title: "Guardia nocturna" });
const taqueria = person("Taquería El Güero", {
  kind: "partner",
  partner: { response_minutes: 25, procedure: "Quejas por WhatsApp con foto del pedido." },
  tags: ["vip"],
  city: "Guadalajara",
});
const mentions = person("Mario Paz", { notes: "Le avisan de los reembolsos por correo." });
const bomberos = person("Línea 068", { kind: "emergency", tags: ["service:fire"] });
const PEOPLE = [laura, lawyer, doctora, rodrigo, taqueria, mentions, bomberos, ...SMALL];
const people = createContactIndex(PEOPLE);

test("'reembolsos' finds the finance lead by what her card says to call her for", () => {
  const found = ids(people.search("reembolsos"));
  assert.equal(found[0], laura.id, "her when-to-contact says «Reembolsos masivos…»");
  assert.ok(found.includes(mentions.id), "a mention in the notes is found too");
  assert.ok(found.indexOf(mentions.id) > found.indexOf(laura.id));
  assert.equal(ids(people.search("cobros duplicados"))[0], laura.id);
});

test("'abogado' finds the lawyer by her kind, Legal, in both languages and their words", () => {
  for (const query of ["abogado", "Abogada", "jurídico", "juridico", "lawyer", "legal"]) {
    assert.equal(ids(people.search(query))[0], lawyer.id, query);
  }
  for (const query of ["médico", "medico", "doctor", "Médico", "medical"]) {
    assert.equal(ids(people.search(query))[0], doctora.id, query);
  }
  // A word of the vocabulary is forgiven a typo and found by its start, like any other.
  assert.equal(ids(people.search("abogdo"))[0], lawyer.id);
  assert.equal(ids(people.search("abog"))[0], lawyer.id);
  assert.deepEqual(ids(people.search("ab")), [], "two letters name no code of the vocabulary");
});

test("an area typed in words is found by the words of the area it names", () => {
  const typed = createContactIndex([
    person("Olga Ruiz", { id: "juridico", area: "Jurídico" }),
    person("Pedro Gil", { id: "service", area: "Customer service" }),
    person("Ana Paz", { id: "kitchen", area: "Cocina central" }),
  ]);
  assert.deepEqual(ids(typed.search("abogado")), ["juridico"]);
  assert.deepEqual(ids(typed.search("quejas")), ["service"]);
  assert.deepEqual(ids(typed.search("cocina")), ["kitchen"], "an area of no code, as typed");
});

test("'rodirgo' (two letters swapped) finds Rodrigo: a swap counts as one typo", () => {
  assert.equal(ids(people.search("rodirgo"))[0], rodrigo.id);
  assert.equal(ids(people.search("rdorigo"))[0], rodrigo.id, "any adjacent pair");
  assert.equal(ids(people.search("ordrigo salas"))[0], rodrigo.id, "in any word of the query");
  assert.equal(ids(people.search("rodirg"))[0], rodrigo.id, "while it is still being typed");
  // From 8 letters MiniSearch's distance 2 covers a swap; the variants cover it while typing.
  assert.equal(ids(people.search("ana rodirguez"))[0], rodriguez.id);
  assert.equal(ids(people.search("rodirgue"))[0], rodriguez.id);
  // A swap is the one typo a word of up to 7 letters is allowed: not a swap and another typo,
  // and not two swaps.
  assert.deepEqual(ids(people.search("rodirgp")), []);
  assert.deepEqual(ids(people.search("ordirgo")), []);
  // Swapped digits are a wrong number, not a typo.
  assert.deepEqual(ids(people.search("5521 3456")), []);
});

test("transpositions: each adjacent pair swapped once, none in digits or short words", () => {
  assert.deepEqual(transpositions("rodirgo"), [
    "ordirgo",
    "rdoirgo",
    "roidrgo",
    "rodrigo",
    "rodigro",
    "rodirog",
  ]);
  assert.deepEqual(transpositions("llama"), ["lalma", "llmaa", "llaam"], "a double letter swaps to itself");
  assert.deepEqual(transpositions("5512"), []);
});

test("a swap ranks below the word spelt right, like any typo", () => {
  const ana = person("Ana Rodrigo Luna", { id: "exact" });
  const swapped = person("Ana Rodirgo Luna", { id: "swapped" });
  const local = createContactIndex([ana, swapped]);
  assert.deepEqual(ids(local.search("rodrigo")), ["exact", "swapped"]);
  assert.deepEqual(ids(local.search("rodirgo")), ["swapped", "exact"]);
});

test("every text a user reads on a card is searched: procedure, tags, city, role, organization", () => {
  assert.equal(ids(people.search("foto del pedido"))[0], taqueria.id);
  assert.equal(ids(people.search("vip"))[0], taqueria.id);
  assert.equal(ids(people.search("guadalajara"))[0], taqueria.id);
  assert.equal(ids(people.search("despacho"))[0], lawyer.id);
  assert.equal(ids(people.search("nocturna"))[0], rodrigo.id);
  assert.equal(ids(people.search("proveedor"))[0], taqueria.id, "a partner by the words for its kind");
});

test("an emergency service is found by its service's names in both languages", () => {
  for (const query of ["bomberos", "fire", "Bomberos"]) {
    assert.equal(ids(people.search(query))[0], bomberos.id, query);
  }
});

test("accents are forgiven both ways in the vocabulary's words too", () => {
  assert.deepEqual(people.search("juridico"), people.search("jurídico"));
  assert.deepEqual(people.search("medico"), people.search("MÉDICO"));
  assert.deepEqual(people.search("reembolsos"), people.search("reembólsos"));
});

test("a match in the name ranks above what the card says, which ranks above the notes", () => {
  const named = person("Reembolsos Express", { id: "named" });
  const when = person("Olga Ruiz", { id: "when", when_to_contact: "Reembolsos de clientes." });
  const notes = person("Pedro Gil", { id: "notes", notes: "Reembolsos de clientes." });
  const local = createContactIndex([notes, when, named]);
  assert.deepEqual(ids(local.search("reembolsos")), ["named", "when", "notes"]);
});

test("every word of the vocabulary finds what it is the word for", () => {
  const records = [];
  const contacts = [];
  for (const code of Object.keys(AREA_LABELS)) contacts.push(person(`A ${code}`, { id: `area:${code}`, area: code }));
  for (const code of Object.keys(KIND_LABELS)) contacts.push(person(`K ${code}`, { id: `kind:${code}`, kind: code }));
  for (const code of Object.keys(CRISIS_KIND_LABELS)) {
    records.push({ id: `crisis:${code}`, name: `P ${code}`, crisis_kind: code, steps: [] });
  }
  const byContact = createContactIndex(contacts);
  const byPlaybook = createPlaybookIndex(records);
  let checked = 0;
  for (const [code, words] of Object.entries(SEARCH_WORDS)) {
    const filed = [`area:${code}`, `kind:${code}`, `crisis:${code}`];
    assert.ok(
      filed.some((id) => contacts.some((c) => c.id === id) || records.some((r) => r.id === id)),
      `${code} is a code of the vocabulary`,
    );
    for (const phrase of [words.es, words.en].flatMap((list) => list.split(", "))) {
      const found = [
        ...ids(byContact.search(phrase, { limit: 100 })),
        ...ids(byPlaybook.search(phrase, { limit: 100 })),
      ];
      assert.ok(filed.some((id) => found.includes(id)), `«${phrase}» finds ${code}`);
      checked++;
    }
  }
  assert.ok(checked > 200, `${checked} words`);
});

// --- playbooks --------------------------------------------------------------------------------

// As the default playbooks are seeded in a Spanish workspace (webapp/toolkit/playbooks.py).
const illegal = {
  id: "p-illegal",
  name: "Contenido ilegal (incluido abuso sexual infantil)",
  crisis_kind: "illegal_content",
  severity: "critical",
  guidance: "Nunca lo manejes tú: no lo descargues, no lo reenvíes y no hagas capturas de pantalla.",
  steps: ["Copia solo el enlace (URL), el usuario que lo publicó y la hora."],
};
const hacked = {
  id: "p-hacked",
  name: "Cuenta de la marca hackeada",
  crisis_kind: "account_takeover",
  severity: "high",
  guidance: "Recupera la cuenta por los canales oficiales de la plataforma.",
  steps: ["Cambia la contraseña y cierra las sesiones abiertas."],
};
const payments = {
  id: "p-payments",
  name: "Fallas de pago",
  crisis_kind: "payments",
  severity: "high",
  guidance: null,
  steps: [],
};
const custom = { id: "p-custom", name: "Plan de lluvias", crisis_kind: "inundación", steps: [] };
const playbooks = createPlaybookIndex([illegal, hacked, payments, custom]);

test("'abuso sexual infantil' finds the illegal-content playbook", () => {
  assert.deepEqual(ids(playbooks.search("abuso sexual infantil")), [illegal.id]);
  assert.deepEqual(ids(playbooks.search("child abuse")), [illegal.id], "by its kind's English words");
  assert.deepEqual(ids(playbooks.search("contenido ilegal")), [illegal.id]);
});

test("playbooks are found by name, crisis kind (names and words) and guidance or steps", () => {
  assert.deepEqual(ids(playbooks.search("hackeada")), [hacked.id]);
  assert.deepEqual(ids(playbooks.search("hacked account")), [hacked.id], "the kind's English name");
  assert.deepEqual(ids(playbooks.search("phishing")), [hacked.id], "a word of the kind");
  assert.deepEqual(ids(playbooks.search("capturas de pantalla")), [illegal.id], "the guidance");
  assert.deepEqual(ids(playbooks.search("contraseña")), [hacked.id], "a step");
  assert.deepEqual(ids(playbooks.search("reembolsos")), [payments.id], "the kind's name");
  assert.deepEqual(ids(playbooks.search("inundacion")), [custom.id], "a kind typed by a user");
  assert.deepEqual(playbooks.search("5512"), [], "a phone number finds no playbook");
});

test("a playbook's own words are matched as written, its kind with typos, every word", () => {
  const brand = { id: "brand", name: "Cuenta de la marca hackeada", crisis_kind: null, steps: [] };
  const fire = { id: "fire", name: "Evacuar la bodega", crisis_kind: "fire", steps: [] };
  const local = createPlaybookIndex([brand, fire, illegal]);
  assert.deepEqual(ids(local.search("maria")), [], "a name searched for is not «marca»");
  assert.deepEqual(ids(local.search("incendo")), ["fire"], "the kind's name, one letter missing");
  assert.deepEqual(ids(local.search("contenido ilegl")), [illegal.id]);
  assert.deepEqual(ids(local.search("abuso zzz")), [], "not any one word of several");
});

test("a playbook's name outranks its guidance", () => {
  const named = { id: "named", name: "Plataforma caída", crisis_kind: null, steps: [] };
  const local = createPlaybookIndex([illegal, hacked, named]);
  assert.equal(ids(local.search("plataforma"))[0], "named");
});

test("the directory's index searches contacts and playbooks and follows the directory", () => {
  const directory = {
    contacts: new Map([laura, lawyer].map((c) => [c.id, c])),
    playbooks: new Map([illegal, payments].map((p) => [p.id, p])),
  };
  const index = createDirectoryIndex(directory);
  assert.equal(ids(index.search("reembolsos"))[0], laura.id);
  assert.deepEqual(ids(index.searchPlaybooks("reembolsos")), [payments.id]);
  const renamed = { ...payments, name: "Cobros", crisis_kind: null };
  index.sync({
    contacts: new Map([[lawyer.id, lawyer]]),
    playbooks: new Map([
      [illegal.id, illegal],
      [payments.id, renamed],
    ]),
  });
  assert.deepEqual(ids(index.search("reembolsos")), [], "a contact gone is gone");
  assert.deepEqual(ids(index.searchPlaybooks("reembolsos")), []);
  assert.deepEqual(ids(index.searchPlaybooks("cobros")), [payments.id], "a changed playbook");
  assert.equal(index.size, 1);
});

// --- issue 20: search at 50,000 contacts ------------------------------------------------------

test("long texts match whole words (a typo forgiven), never the start of the word being typed", () => {
  const noted = person("Pedro Gil", { id: "noted", notes: "Le avisan de los reembolsos por correo." });
  const named = person("Reembolsos Express", { id: "named" });
  const local = createContactIndex([noted, named]);
  assert.deepEqual(ids(local.search("reemb")), ["named"], "a name is found by its start");
  assert.deepEqual(ids(local.search("reembolsos")), ["named", "noted"]);
  assert.deepEqual(ids(local.search("reembolso")), ["named", "noted"], "one letter short: a typo");
  assert.deepEqual(ids(local.search("correo")), ["noted"]);
  // One or two letters are the start of a name, never a word of every note ("a", "la").
  assert.deepEqual(ids(createContactIndex([noted]).search("lo")), []);
  assert.deepEqual(ids(createContactIndex([noted]).search("de")), []);
});

test("a saved index, loaded, answers as the one it was saved from", () => {
  const saved = loadContactIndex(JSON.parse(JSON.stringify(people.toJSON())));
  const loaded = createContactIndex(PEOPLE, { saved });
  assert.equal(loaded.reindexed, 0, "nothing indexed again");
  assert.equal(loaded.size, people.size);
  for (const query of ["reembolsos", "abogado", "rodirgo", "foto del pedido", "bomberos", "5512"]) {
    assert.deepEqual(loaded.search(query), people.search(query), query);
  }
});

test("a saved index of an older copy indexes again only the contacts changed, added or gone", () => {
  const before = [laura, lawyer, rodrigo, mentions];
  const saved = loadContactIndex(JSON.parse(JSON.stringify(createContactIndex(before).toJSON())));
  const renamed = { ...rodrigo, name: "Rodrigo Fuentes" };
  const added = person("Nora Vidal", { notes: "Pasarela de pagos" });
  const now = [laura, lawyer, renamed, added]; // mentions is gone
  const loaded = createContactIndex(now, { saved });
  assert.equal(loaded.reindexed, 2, "the renamed and the added");
  assert.equal(loaded.size, 4);
  assert.deepEqual(ids(loaded.search("fuentes")), [rodrigo.id]);
  assert.deepEqual(ids(loaded.search("salas")), [], "the old name is gone");
  assert.deepEqual(ids(loaded.search("correo")), [], "the contact gone is gone");
  assert.deepEqual(ids(loaded.search("pasarela")), [laura.id, added.id], "when to contact, then notes");
  assert.deepEqual(ids(loaded.search("abogado")), [lawyer.id]);
  // The same answers as an index built from the contacts as they are now.
  const built = createContactIndex(now);
  for (const query of ["rodrigo", "pasarela", "reembolsos", "nora"]) {
    assert.deepEqual(ids(loaded.search(query)), ids(built.search(query)), query);
  }
});

test("a directory indexed at once is the index of its contacts put one by one", () => {
  // The first build gathers each word's postings and files them at the end (search.js
  // `buildAll`); a put files them as it goes.
  const radio = person("Rita Solis", { id: "radio", notes: "Llamar por radio para confirmar con la guardia." });
  const contacts = [...big.slice(0, 800), radio];
  const atOnce = createContactIndex(contacts);
  const oneByOne = createContactIndex([]);
  for (const contact of contacts) oneByOne.put(contact);
  assert.deepEqual(atOnce.toJSON(), oneByOne.toJSON());
  // The short words of the long texts are never looked for there, and not kept; the names' are.
  const { fieldIds, index } = atOnce.toJSON().index;
  const long = new Set(["when_to_contact", "procedure", "notes"].map((field) => String(fieldIds[field])));
  const fieldsOf = (word) => Object.keys(index.find(([term]) => term === word)?.[1] ?? {});
  assert.ok(contacts.some((contact) => /\b(de|la)\b/i.test(contact.notes ?? "")), "notes say 'de' or 'la'");
  assert.ok(index.every(([word, fields]) => word.length >= 3 || !Object.keys(fields).some((f) => long.has(f))));
  const named = oneByOne.toJSON().index.index.filter(([word]) => word.length < 3);
  assert.ok(named.length > 0, "short words of names are kept");
  assert.ok(fieldsOf(named[0][0]).every((field) => !long.has(field)));
  // Nor the words a query of several words drops ("por", "para"): none is kept of the long texts.
  for (const word of ["por", "para", "con"]) {
    assert.ok(fieldsOf(word).every((field) => !long.has(field)), `"${word}" in a long text`);
  }
});

test("a note is found by its words, whatever small words the query has between them", () => {
  const note = person("Rita Solis", { id: "note", notes: "Sin respuesta en 10 minutos, llamar por radio." });
  const other = person("Raul Mena", { id: "other", notes: "Llamar por teléfono fijo." });
  const local = createContactIndex([note, other]);
  assert.deepEqual(ids(local.search("sin respuesta")), ["note"]);
  assert.deepEqual(ids(local.search("llamar por radio")), ["note"]);
  assert.deepEqual(ids(local.search("llamar por")).sort(), ["note", "other"]);
});

test("a saved index of another format is not used", () => {
  assert.equal(loadContactIndex({ ...people.toJSON(), format: -1 }), null);
  assert.equal(loadContactIndex(null), null);
});

test("a fingerprint changes with what search reads, not with the rest of a contact", () => {
  const base = person("Ana Paz", { id: "fp", notes: "Turno de noche" });
  assert.equal(fingerprint(base), fingerprint({ ...base, visibility: "team", version: 7 }));
  assert.equal(fingerprint(base), fingerprint(searchable(base)));
  for (const change of [{ name: "Ana Paz Ruiz" }, { notes: "Turno de día" }, { tags: ["vip"] },
    { phones: [{ number: "+525512345678" }] }, { partner: { procedure: "Llamar" } }]) {
    assert.notEqual(fingerprint(base), fingerprint({ ...base, ...change }), JSON.stringify(change));
  }
});

test("searchNames: every word in the name, a name that begins with the first word first", () => {
  const contacts = [
    person("Omar Ruiz", { id: "omar" }),
    person("Mario Paz", { id: "mario" }),
    person("María López", { id: "maria" }),
    person("Deleted Mar", { id: "gone", deleted: true }),
    person("Ana Vidal", { id: "ana", phones: [{ number: "+525512345678" }], notes: "maria" }),
  ];
  assert.deepEqual(ids(searchNames(contacts, "mar")), ["mario", "maria", "omar"]);
  assert.deepEqual(ids(searchNames(contacts, "MARIA lopez")), ["maria"]);
  assert.deepEqual(ids(searchNames(contacts, "5512")), ["ana"], "a number by its digits");
  assert.deepEqual(ids(searchNames(contacts, "  ")), []);
  assert.equal(searchNames(contacts, "a", { limit: 2 }).length, 2);
});
