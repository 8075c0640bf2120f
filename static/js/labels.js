// Names of the directory's areas and kinds in the app's languages. The server stores codes
// (`finance`, `customer_service`, `medical`); the views show these names and search finds them.
// The tables come from the server's vocabulary (webapp/directory/vocabulary.py, `make labels`).

import { AREA_LABELS, CRISIS_KIND_LABELS, KIND_LABELS, VISIBILITY } from "./data/labels.js";

export { AREA_LABELS, CRISIS_KIND_LABELS, KIND_LABELS, VISIBILITY };

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

/** Return a crisis kind's name in a language. */
export function crisisKindLabel(kind, lang = "es") {
  return label(CRISIS_KIND_LABELS, kind, lang);
}

/**
 * Return the choices of a form's visibility field, in the order given: `[level, name, about]`,
 * the name and its explanation translated by `t` (`visibility_team`, `visibility_team_about`…).
 */
export function visibilityChoices(levels, t) {
  return levels.map((level) => [level, t(`visibility_${level}`), t(`visibility_${level}_about`)]);
}
