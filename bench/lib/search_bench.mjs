// Search timing for bench/app_bench.py: build the index over N generated contacts (and the
// default playbooks' worth of playbooks), then time each keystroke of typical queries (every
// prefix of each query, contacts and playbooks searched as the app does), and print JSON.
// SEARCH_MODULE=<path> times another copy of static/js/search.js (an older one, to compare).
import { pathToFileURL } from "node:url";

const module = process.env.SEARCH_MODULE
  ? await import(pathToFileURL(process.env.SEARCH_MODULE).href)
  : await import("../../static/js/search.js");

const FIRST = ["Ana", "Luis", "María", "José", "Lucía", "Jorge", "Sofía", "Diego", "Elena", "Raúl",
  "Carmen", "Andrés", "Paola", "Hugo", "Isabel", "Tomás", "Valeria", "Iván", "Rocío", "Emilio"];
const LAST = ["Rodríguez", "Pérez", "Gómez", "Hernández", "López", "Martínez", "Sánchez", "Ramírez",
  "Flores", "Cruz", "Morales", "Ortiz", "Gutiérrez", "Chávez", "Ruiz", "Mendoza", "Vargas", "Castillo"];
const AREAS = ["finance", "customer_service", "quality", "leadership", "marketing", "operations"];
const KINDS = ["internal", "internal", "internal", "internal", "internal", "internal", "partner",
  "partner", "legal", "medical", "authority"];
const ORGS = ["Comida Ya", "Taquería El Güero", "Farmacia Central", "Logística Norte", "Despacho Ortiz"];
const WORDS = ["reembolsos", "turno", "noche", "proveedor", "cocina", "entregas", "guardia",
  "quejas", "pagos", "almacén", "ruta", "sucursal", "urgencias", "contrato", "seguro"];
// What each area is called for (`when_to_contact`), as the demo's cards say it.
const WHEN = {
  finance: "Reembolsos masivos, cobros duplicados, fallas de la pasarela de pago.",
  customer_service: "Quejas fuera de horario; puede emitir cupones y reembolsos pequeños.",
  quality: "Producto en mal estado, objetos extraños, empaques dañados.",
  leadership: "Aprueba disculpas públicas y posturas de la marca.",
  marketing: "Pausar o cambiar campañas; administra las cuentas de redes.",
  operations: "Entregas atrasadas, pedidos perdidos, fallas de logística.",
};
const PROCEDURE = "Preparación: 25 min. Quejas por WhatsApp a la cocina con foto del pedido y " +
  "número de orden; si no responde en 10 min, llamar a la encargada.";
const CITIES = ["Guadalajara", "Zapopan", "Ciudad de México", "Monterrey"];

// A deterministic generator, so that runs compare.
let seed = 20261125;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (list) => list[Math.floor(rnd() * list.length)];

function contacts(count) {
  return Array.from({ length: count }, (_, i) => {
    const kind = pick(KINDS);
    const area = pick(AREAS);
    return {
      id: `c${i}`,
      name: `${pick(FIRST)} ${pick(LAST)} ${pick(LAST)}`,
      organization: rnd() < 0.3 ? pick(ORGS) : null,
      role_title: null,
      kind,
      area,
      city: pick(CITIES),
      phones: [{ number: `+5255${String(10000000 + Math.floor(rnd() * 89999999))}` }],
      tags: [pick(WORDS)],
      notes: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${i}`,
      when_to_contact: rnd() < 0.4 ? WHEN[area] : null,
      partner: kind === "partner" ? { response_minutes: 25, procedure: PROCEDURE } : null,
    };
  });
}

// As many playbooks as the defaults (webapp/toolkit/playbooks.py), with guidance and steps.
const CRISIS = ["payments", "outage", "quality", "campaign", "operations", "partner", "medical",
  "legal", "fire", "road_accident", "safety_threat", "illegal_content", "account_takeover"];
const PLAYBOOKS = new Map(CRISIS.map((kind, i) => [`p${i}`, {
  id: `p${i}`,
  name: `Protocolo ${i}: ${kind.replace("_", " ")}`,
  crisis_kind: kind,
  guidance: `${WHEN[AREAS[i % AREAS.length]]} ${WHEN[AREAS[(i + 1) % AREAS.length]]}`,
  steps: AREAS.map((area, n) => `Paso ${n + 1}: ${WHEN[area]}`),
}]));

const QUERIES = ["atencion", "finanzs", "rodriges", "maria lopez", "5512", "taqueria", "reembolso",
  "abogado", "rodirgo"];

function measure(count) {
  const list = contacts(count);
  let started = performance.now();
  const directory = { contacts: new Map(list.map((c) => [c.id, c])), playbooks: PLAYBOOKS };
  // The app's index (contacts and playbooks); an older module had contacts only.
  const index = module.createDirectoryIndex
    ? module.createDirectoryIndex(directory)
    : module.createContactIndex(list);
  const build = performance.now() - started;
  const times = [];
  const cpu = [];
  for (let round = 0; round < 3; round++) {
    for (const query of QUERIES) {
      for (let end = 1; end <= query.length; end++) {
        started = performance.now();
        const used = process.cpuUsage();
        index.search(query.slice(0, end));
        index.searchPlaybooks?.(query.slice(0, end));
        const { user, system } = process.cpuUsage(used);
        times.push(performance.now() - started);
        cpu.push((user + system) / 1000);
      }
    }
  }
  const p95 = (values) => values.sort((a, b) => a - b)[Math.ceil(0.95 * values.length) - 1];
  return { count, build_ms: build, p95_ms: p95(times), cpu_p95_ms: p95(cpu), keystrokes: times.length };
}

const sizes = process.argv.slice(2).map(Number);
console.log(JSON.stringify(sizes.map(measure)));
