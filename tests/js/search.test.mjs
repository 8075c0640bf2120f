// Search of the directory: accents, case and typos forgiven, names first, phones by digits.
import { test } from "node:test";
import assert from "node:assert/strict";

import { createContactIndex, fold, phoneDigits } from "../../static/js/search.js";

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
