// Search timing for bench/app_bench.py: build the index over N generated contacts, then time
// each keystroke of typical queries (every prefix of each query), and print JSON.
import { createContactIndex } from "../../static/js/search.js";

const FIRST = ["Ana", "Luis", "María", "José", "Lucía", "Jorge", "Sofía", "Diego", "Elena", "Raúl",
  "Carmen", "Andrés", "Paola", "Hugo", "Isabel", "Tomás", "Valeria", "Iván", "Rocío", "Emilio"];
const LAST = ["Rodríguez", "Pérez", "Gómez", "Hernández", "López", "Martínez", "Sánchez", "Ramírez",
  "Flores", "Cruz", "Morales", "Ortiz", "Gutiérrez", "Chávez", "Ruiz", "Mendoza", "Vargas", "Castillo"];
const AREAS = ["finance", "customer_service", "quality", "leadership", "marketing", "operations"];
const ORGS = ["Comida Ya", "Taquería El Güero", "Farmacia Central", "Logística Norte", "Despacho Ortiz"];
const WORDS = ["reembolsos", "turno", "noche", "proveedor", "cocina", "entregas", "guardia",
  "quejas", "pagos", "almacén", "ruta", "sucursal", "urgencias", "contrato", "seguro"];

// A deterministic generator, so that runs compare.
let seed = 20261125;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (list) => list[Math.floor(rnd() * list.length)];

function contacts(count) {
  return Array.from({ length: count }, (_, i) => ({
    id: `c${i}`,
    name: `${pick(FIRST)} ${pick(LAST)} ${pick(LAST)}`,
    organization: rnd() < 0.3 ? pick(ORGS) : null,
    role_title: null,
    kind: rnd() < 0.1 ? "partner" : "internal",
    area: pick(AREAS),
    phones: [{ number: `+5255${String(10000000 + Math.floor(rnd() * 89999999))}` }],
    tags: [pick(WORDS)],
    notes: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${i}`,
  }));
}

const QUERIES = ["atencion", "finanzs", "rodriges", "maria lopez", "5512", "taqueria", "reembolso"];

function measure(count) {
  const list = contacts(count);
  let started = performance.now();
  const index = createContactIndex(list);
  const build = performance.now() - started;
  const times = [];
  for (let round = 0; round < 3; round++) {
    for (const query of QUERIES) {
      for (let end = 1; end <= query.length; end++) {
        started = performance.now();
        index.search(query.slice(0, end));
        times.push(performance.now() - started);
      }
    }
  }
  times.sort((a, b) => a - b);
  const p95 = times[Math.ceil(0.95 * times.length) - 1];
  return { count, build_ms: build, p95_ms: p95, keystrokes: times.length };
}

const sizes = process.argv.slice(2).map(Number);
console.log(JSON.stringify(sizes.map(measure)));
