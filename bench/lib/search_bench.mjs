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
const ROLES = ["Director de Finanzas", "Responsable de reembolsos", "Jefa de Atención a Clientes",
  "Supervisor de turno nocturno", "Gerente de Calidad", "Abogada de guardia", "Médico de empresa",
  "Encargado del local", "Coordinadora de Marketing", "Jefe de Operaciones", "Agente de enlace",
  "Community manager senior"];
const CITIES = ["Guadalajara", "Zapopan", "Ciudad de México", "Monterrey"];

// A deterministic generator (mulberry32), so that runs compare. (The linear one before it lost
// precision above 2^53 and cycled: 49 distinct notes among 5,000 contacts, names repeated.)
let seed = 20261125;
function rnd() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rnd() * list.length)];
const number = (from, to) => from + Math.floor(rnd() * (to - from + 1));

// Notes as people write them: about 200 characters of sentences whose names, places, numbers and
// subjects vary, so that every contact's note is its own (with 49 distinct notes, the index held
// a fraction of a real directory's terms).
const PLACES = ["Zapopan", "Tlaquepaque", "Providencia", "Chapultepec", "Coyoacán", "Polanco",
  "Roma Norte", "Santa Fe", "Tonalá", "Americana", "Del Valle", "Narvarte", "Condesa", "San Pedro",
  "Cumbres", "Satélite", "Lindavista", "Tlalpan", "Iztapalapa", "Chapalita"];
const DAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábados", "domingos"];
const LANGUAGES = ["inglés", "francés", "portugués", "alemán", "italiano", "japonés"];
const MONTHS = ["enero", "marzo", "abril", "junio", "agosto", "septiembre", "noviembre"];
const SENTENCES = [
  () => `Llamar primero al móvil de ${pick(FIRST)}; si no contesta en ${number(2, 20)} minutos, escribir por WhatsApp.`,
  () => `Atiende ${pick(WORDS)} fuera de horario y puede autorizar hasta ${number(1, 90) * 100} MXN.`,
  () => `Cubre la sucursal ${pick(PLACES)} los ${pick(DAYS)} y ${pick(DAYS)} de ${number(7, 11)}:00 a ${number(17, 22)}:00.`,
  () => `Extensión ${number(1000, 9999)}; suplente: ${pick(FIRST)} ${pick(LAST)}.`,
  () => `Contrato ${String.fromCharCode(65 + number(0, 25))}-${number(1000, 99999)} vence en ${pick(MONTHS)} de ${number(2026, 2029)}.`,
  () => `Prefiere un resumen de las ${pick(WORDS)} antes de llamar, con enlaces a las publicaciones.`,
  () => `Validó el plan de crisis de ${pick(PLACES)} el ${number(1, 28)}/${number(1, 12)}; confirmar el número cada ${number(2, 12)} meses.`,
  () => `No responder en redes sin hablar con ${pick(FIRST)} ${pick(LAST)}; ante amenazas, avisar a la policía de ${pick(PLACES)}.`,
  () => `Habla ${pick(LANGUAGES)} y español; atiende a medios solo con autorización de Dirección.`,
  () => `Responde en ${number(5, 60)} min entre semana y en ${number(30, 120)} min en fin de semana; ${pick(WORDS)} por correo.`,
];

function note() {
  let text = "";
  while (text.length < 180) text = `${text} ${pick(SENTENCES)()}`.trim();
  return text.slice(0, 220);
}

function contacts(count) {
  return Array.from({ length: count }, (_, i) => {
    const kind = pick(KINDS);
    const area = pick(AREAS);
    return {
      id: `c${i}`,
      name: `${pick(FIRST)} ${pick(LAST)} ${pick(LAST)}`,
      organization: rnd() < 0.3 ? pick(ORGS) : null,
      role_title: rnd() < 0.8 ? pick(ROLES) : null,
      kind,
      area,
      city: pick(CITIES),
      phones: [{ number: `+5255${String(10000000 + Math.floor(rnd() * 89999999))}` }],
      tags: [pick(WORDS)],
      notes: note(),
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

export { contacts, PLAYBOOKS };

/** Milliseconds of wall time and of this process's CPU time that `work()` took, and its value. */
function timed(work) {
  const started = performance.now();
  const used = process.cpuUsage();
  const value = work();
  const { user, system } = process.cpuUsage(used);
  return { value, ms: performance.now() - started, cpu: (user + system) / 1000 };
}

function measure(count) {
  const list = contacts(count);
  const directory = { contacts: new Map(list.map((c) => [c.id, c])), playbooks: PLAYBOOKS };
  // The app's index (contacts and playbooks); an older module had contacts only.
  const built = timed(() =>
    module.createDirectoryIndex
      ? module.createDirectoryIndex(directory)
      : module.createContactIndex(list),
  );
  const index = built.value;
  const times = [];
  const cpu = [];
  for (let round = 0; round < 3; round++) {
    for (const query of QUERIES) {
      for (let end = 1; end <= query.length; end++) {
        const { ms, cpu: used } = timed(() => {
          index.search(query.slice(0, end));
          index.searchPlaybooks?.(query.slice(0, end));
        });
        times.push(ms);
        cpu.push(used);
      }
    }
  }
  const p95 = (values) => values.sort((a, b) => a - b)[Math.ceil(0.95 * values.length) - 1];
  const figures = {
    count,
    build_ms: built.ms,
    build_cpu_ms: built.cpu,
    p95_ms: p95(times),
    cpu_p95_ms: p95(cpu),
    keystrokes: times.length,
  };
  if ("toJSON" in module.createContactIndex([])) {
    // The saved index (the worker seals and stores it): its JSON, and the index made from it
    // for the same contacts (what an unlock does when nothing changed since the save).
    const contactIndex = module.createContactIndex(list);
    const json = timed(() => JSON.stringify(contactIndex.toJSON()));
    const loaded = timed(() => module.createContactIndex(list, { saved: JSON.parse(json.value) }));
    Object.assign(figures, {
      saved_bytes: json.value.length,
      save_ms: json.ms,
      load_ms: loaded.ms,
      load_cpu_ms: loaded.cpu,
    });
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(sizes.map(measure)));
}
