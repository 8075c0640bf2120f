// The directory: search on top (results as you type: the playbooks found, then the contacts),
// favourites pinned, then every contact grouped by kind and area, each with whom to call now.

import { html } from "../../vendor/htm-preact.js";
import { useEffect, useRef, useState } from "../../vendor/preact-hooks.js";
import { areaLabel, crisisKindLabel, kindLabel } from "../labels.js";
import { dialOrder } from "../dial-order.js";
import { telHref } from "../links.js";
import { canEdit } from "./confirm-delete.js";
import { availabilityNote, firstPhone, shownNumber } from "./format.js";

/** One contact in a list: name and role (a link to the contact), whom to call, and Call with
 * the number as people read it. */
export function ContactRow({ contact, state, t }) {
  const note = availabilityNote(contact, state.directory, state.now, t, state.lang);
  const phone = firstPhone(contact);
  const href = phone && telHref(phone.number);
  const detail = [contact.role_title, contact.organization].filter(Boolean).join(" · ");
  return html`<li class="contact-row" key=${contact.id}>
    <a class="contact-link" href=${`#contact/${encodeURIComponent(contact.id)}`}>
      <span class="contact-name">${contact.name}</span>
      ${contact.pending && html`<span class="pending-mark small">${t("pending_mark")}</span>`}
      ${detail && html`<span class="muted small">${detail}</span>`}
      ${note && html`<span class="availability ${note.tone}">${note.text}</span>`}
    </a>
    ${href &&
    html`<a class="call" href=${href} aria-label=${t("call_name", { name: contact.name })}>
      ${t("call")}
      <span class="call-number" data-testid="row-number">${shownNumber(phone)}</span>
    </a>`}
  </li>`;
}

// Emergency services first: the numbers a crisis needs before anyone's name.
const FIRST_KIND = "emergency";

function groups(contacts, lang) {
  const byKind = new Map();
  for (const contact of contacts) {
    const kind = contact.kind ?? "";
    const area = areaLabel(contact.area, lang);
    if (!byKind.has(kind)) byKind.set(kind, new Map());
    const areas = byKind.get(kind);
    if (!areas.has(area)) areas.set(area, []);
    areas.get(area).push(contact);
  }
  const byName = ([a], [b]) => a.localeCompare(b, lang);
  const kinds = [...byKind.entries()].map(([kind, areas]) => [kindLabel(kind, lang), areas, kind]);
  kinds.sort((a, b) => (b[2] === FIRST_KIND) - (a[2] === FIRST_KIND) || byName(a, b));
  return kinds.map(([label, areas]) => [
    label,
    [...areas.entries()]
      .sort(byName)
      // By name, except that national numbers come in quick dial's order (911 first).
      .map(([area, list]) => [area, dialOrder(list, lang)]),
  ]);
}

function List({ contacts, props }) {
  return html`<ul class="contact-list">
    ${contacts.map((contact) => html`<${ContactRow} key=${contact.id} contact=${contact} ...${props} />`)}
  </ul>`;
}

// Rows drawn at first, and added each time the end of the list comes near: 5,000 rows drawn at
// once took seconds on unlock, and a phone shows a dozen.
const FIRST_ROWS = 120;
const MORE_ROWS = 300;

/** Draw a long list a screenful at a time: `take(list)` gives what to draw now. */
function useGrowingLimit(total) {
  const [limit, setLimit] = useState(FIRST_ROWS);
  const sentinel = useRef(null);
  useEffect(() => {
    const node = sentinel.current;
    if (!node || limit >= total || typeof IntersectionObserver === "undefined") return undefined;
    const observer = new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && setLimit((n) => n + MORE_ROWS),
      { rootMargin: "600px" },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [limit, total]);
  return { limit, more: () => setLimit((n) => n + MORE_ROWS), sentinel };
}

/** The end of a partly drawn list: drawn on scroll, or at once with the button. */
function More({ growing, left, t }) {
  if (left <= 0) return null;
  return html`<div ref=${growing.sentinel} class="more-rows">
    <button type="button" onClick=${growing.more}>${t("show_more", { count: left })}</button>
  </div>`;
}

/** The directory screen. */
export function DirectoryView(props) {
  const { state, actions, t } = props;
  const { directory } = state;
  const search = html`<form class="search" role="search" onSubmit=${(e) => e.preventDefault()}>
    <label for="search" class="visually-hidden">${t("search_label")}</label>
    <input id="search" type="search" autocomplete="off" enterkeyhint="search"
      placeholder=${t("search_placeholder")} value=${state.query}
      autofocus=${state.route.view === "search"}
      onInput=${(event) => actions.search(event.currentTarget.value)} />
  </form>`;
  if (!directory) {
    return html`${search}<p class="muted" role="status">${t("opening_directory")}</p>`;
  }
  if (state.results) {
    return html`${search}<${Results} results=${state.results} props=${props} />`;
  }
  const contacts = [...directory.contacts.values()];
  const add = canEdit(state)
    ? html`<p class="add-row"><a class="button primary" href="#new/contact" data-testid="new-contact">
        ${t("new_contact")}</a></p>`
    : null;
  if (!contacts.length) {
    return html`${search}${add}
      <section class="card empty-state" data-testid="directory">
        <h2>${t("no_contacts_title")}</h2>
        <p>${t(canEdit(state) ? "no_contacts_body_editor" : "no_contacts_body")}</p>
      </section>`;
  }
  const favourites = state.favourites.map((id) => directory.contacts.get(id)).filter(Boolean);
  return html`${search}${add}
    <div data-testid="directory">
    ${favourites.length > 0 &&
    html`<section class="group" data-testid="favourites">
      <h2>${t("favourites")}</h2>
      <${List} contacts=${favourites} props=${props} />
    </section>`}
    <${Groups} contacts=${contacts} props=${props} />
    </div>`;
}

/** One playbook in a list: its name (a link to it), severity and crisis kind. */
export function PlaybookRow({ playbook, state, t }) {
  const detail = [t(`severity_${playbook.severity}`), crisisKindLabel(playbook.crisis_kind, state.lang)]
    .filter(Boolean)
    .join(" · ");
  return html`<li class="contact-row" key=${playbook.id}>
    <a class="contact-link" href=${`#playbook/${encodeURIComponent(playbook.id)}`}>
      <span class="contact-name">${playbook.name}</span>
      <span class="muted small">${detail}</span>
    </a>
  </li>`;
}

/**
 * Search results: the playbooks found (a crisis's playbook first), then the contacts. While the
 * search index is being made (`partial`), names only, said as such rather than "nothing matches".
 */
function Results({ results, props }) {
  const { t } = props;
  const { contacts, playbooks, partial } = results;
  const growing = useGrowingLimit(contacts.length);
  const count = contacts.length + playbooks.length;
  // Headed only when both kinds are found; contacts alone look as they always have.
  const headed = playbooks.length > 0;
  return html`<div data-testid="results" data-partial=${partial ? "true" : "false"}>
    <p class="muted small" role="status">
      ${t(count === 1 ? "results_one" : "results", { count })}${partial && ` · ${t("results_names_only")}`}
    </p>
    ${headed &&
    html`<section class="group" data-testid="playbook-results">
      <h2>${t("results_playbooks")}</h2>
      <ul class="contact-list">
        ${playbooks.map((playbook) => html`<${PlaybookRow} key=${playbook.id} playbook=${playbook} ...${props} />`)}
      </ul>
    </section>`}
    ${contacts.length > 0 &&
    html`<section class="group" data-testid="contact-results">
      ${headed && html`<h2>${t("results_contacts")}</h2>`}
      <${List} contacts=${contacts.slice(0, growing.limit)} props=${props} />
      <${More} growing=${growing} left=${contacts.length - growing.limit} t=${t} />
    </section>`}
    ${count === 0 && !partial && html`<p class="empty">${t("no_results")}</p>`}
  </div>`;
}

function Groups({ contacts, props }) {
  const { state, t } = props;
  const growing = useGrowingLimit(contacts.length);
  let room = growing.limit;
  const sections = [];
  for (const [kind, areas] of groups(contacts, state.lang)) {
    if (room <= 0) break;
    const parts = [];
    for (const [area, list] of areas) {
      if (room <= 0) break;
      const shown = list.slice(0, room);
      room -= shown.length;
      parts.push(html`${area && html`<h3>${area}</h3>`}<${List} contacts=${shown} props=${props} />`);
    }
    sections.push(html`<section class="group" key=${kind}><h2>${kind}</h2>${parts}</section>`);
  }
  return html`${sections}<${More} growing=${growing} left=${contacts.length - growing.limit} t=${t} />`;
}
