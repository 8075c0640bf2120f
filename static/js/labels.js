// Names of the directory's areas and kinds in the app's languages. The server stores codes
// (`finance`, `customer_service`, `medical`); the views show these names and search finds them.

/** Area codes and their names, Spanish and English. */
export const AREA_LABELS = Object.freeze({
  finance: { es: "Finanzas", en: "Finance" },
  customer_service: { es: "Atención al cliente", en: "Customer service" },
  quality: { es: "Calidad", en: "Quality" },
  leadership: { es: "Dirección", en: "Leadership" },
  marketing: { es: "Marketing", en: "Marketing" },
  operations: { es: "Operaciones", en: "Operations" },
  legal: { es: "Legal", en: "Legal" },
  security: { es: "Seguridad", en: "Security" },
  human_resources: { es: "Recursos humanos", en: "Human resources" },
  communications: { es: "Comunicación", en: "Communications" },
  it: { es: "Sistemas", en: "IT" },
});

/** Contact kinds and their names, Spanish and English. */
export const KIND_LABELS = Object.freeze({
  internal: { es: "Interno", en: "Internal" },
  partner: { es: "Socio o proveedor", en: "Partner or supplier" },
  legal: { es: "Legal", en: "Legal" },
  medical: { es: "Médico", en: "Medical" },
  authority: { es: "Autoridad", en: "Authority" },
  emergency: { es: "Emergencias", en: "Emergency services" },
});

/** Return a code's name from a table in a language; a code not in it is shown as typed. */
function label(table, code, lang) {
  if (!code) return "";
  const labels = Object.hasOwn(table, code) ? table[code] : null;
  return labels ? (labels[lang] ?? labels.es) : code;
}

/** Return an area's name in a language. */
export function areaLabel(area, lang = "es") {
  return label(AREA_LABELS, area, lang);
}

/** Return a kind's name in a language. */
export function kindLabel(kind, lang = "es") {
  return label(KIND_LABELS, kind, lang);
}

/** The default playbooks' crisis kinds (webapp/toolkit/playbooks.py) and their names. */
export const CRISIS_KIND_LABELS = Object.freeze({
  payments: { es: "Pagos y reembolsos", en: "Payments and refunds" },
  outage: { es: "Caída del servicio", en: "Service outage" },
  quality: { es: "Calidad", en: "Quality" },
  campaign: { es: "Campaña", en: "Campaign" },
  operations: { es: "Operaciones", en: "Operations" },
  partner: { es: "Socio", en: "Partner" },
  medical: { es: "Emergencia médica", en: "Medical emergency" },
  legal: { es: "Legal", en: "Legal" },
  fire: { es: "Incendio o evacuación", en: "Fire or evacuation" },
  road_accident: { es: "Accidente de tránsito", en: "Road accident" },
  safety_threat: { es: "Amenaza a la seguridad", en: "Threat to safety" },
  illegal_content: { es: "Contenido ilegal", en: "Illegal content" },
  account_takeover: { es: "Cuenta hackeada", en: "Hacked account" },
});

/** Return a crisis kind's name in a language. */
export function crisisKindLabel(kind, lang = "es") {
  return label(CRISIS_KIND_LABELS, kind, lang);
}
