// The app's frame: top bar, the screen the state names, the tab bar, and the loading of the
// screens behind the unlock (views/main.js). Views only render.

import { html } from "../../vendor/htm-preact.js";
import { useEffect, useState } from "../../vendor/preact-hooks.js";
import { QuickDial, ReauthView, SetPinView, UnlockView, WipedView } from "./lock.js";
import { IMPORT_VIEW } from "../porting.js";

function Topbar({ state, t }) {
  const workspace = state.workspaces.find((w) => w.id === state.workspaceId);
  return html`<header class="topbar">
    <span class="brand">Enlace</span>
    ${workspace && html`<span class="topbar-workspace" data-testid="workspace-name">${workspace.name}</span>`}
    <span class="connection ${state.online ? "is-online" : "is-offline"}" data-testid="connection">
      ${state.online ? t("online") : t("offline")}
    </span>
  </header>`;
}

function Notice({ state, actions, t }) {
  const { notice } = state;
  if (!notice) return null;
  const role = notice.kind === "error" ? "alert" : "status";
  return html`<div class="notice notice-${notice.kind}" role=${role} data-testid="notice">
    <span>${t(notice.key, notice.params)}</span>
    <button type="button" class="notice-close" aria-label=${t("dismiss")} onClick=${actions.dismiss}>
      ×
    </button>
  </div>`;
}

const TABS = [
  ["directory", "#", "tab_directory"],
  ["quick-dial", "#quick-dial", "tab_quick_dial"],
  ["playbooks", "#playbooks", "tab_playbooks"],
  ["status", "#status", "tab_status"],
];

function Tabs({ state, t }) {
  const view = state.route.view;
  const current = (name) =>
    name === view ||
    (name === "directory" && (view === "contact" || view === "search")) ||
    (name === "playbooks" && view === "playbook") ||
    (name === "playbooks" && ["incidents", "incident", "report", "run"].includes(view)) ||
    (name === "status" &&
      ["readiness", "members", "workspace", "poster", IMPORT_VIEW, "account", "activity", "audit"].includes(view));
  return html`<nav class="tabs" aria-label=${t("sections")}>
    ${TABS.map(
      ([name, href, label]) =>
        html`<a href=${href} aria-current=${current(name) ? "page" : null}>${t(label)}</a>`,
    )}
  </nav>`;
}

function Card({ title, children, testid }) {
  return html`<section class="card empty-state" data-testid=${testid}>
    <h1>${title}</h1>
    ${children}
  </section>`;
}

/**
 * The screens behind the unlock (views/main.js and the ~20 modules it imports), loaded when
 * first needed or when the browser is idle: a new device's "choose a PIN" and the unlock
 * screen wait on none of them (docs/PERFORMANCE.md, "Lighthouse signed in"). The worker's
 * precache holds them all, so offline they load from there.
 */
let mainViews = null;
let loadingMain = null;

function loadMainViews() {
  loadingMain ??= import("./main.js").then(
    (module) => (mainViews = module),
    (error) => {
      loadingMain = null; // tried again at the next render
      throw error;
    },
  );
  return loadingMain;
}

/**
 * Return `{views, failed, retry}`: views/main.js's exports once loaded (null before), loaded at
 * once when `wanted`, or when the browser is idle once `settled` (a first screen is shown, so
 * the load never delays it); `failed` when a wanted load failed (no connection and no cached
 * copy yet), and `retry()` to load again.
 */
function useMainViews(wanted, settled) {
  const [, setLoaded] = useState(Boolean(mainViews));
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (mainViews) return undefined;
    let live = true;
    const load = () =>
      loadMainViews().then(
        () => live && setLoaded(true),
        (error) => {
          console.error(error);
          if (live && wanted) setFailed(true);
        },
      );
    if (wanted) load();
    else if (!settled) return undefined;
    else if (globalThis.requestIdleCallback) requestIdleCallback(load, { timeout: 5000 });
    else setTimeout(load, 1000);
    return () => {
      live = false;
    };
  }, [wanted, settled, attempt]);
  const retry = () => {
    setFailed(false);
    setAttempt(attempt + 1);
  };
  return { views: mainViews, failed: failed && !mainViews, retry };
}

function Screen(props) {
  const { state, t } = props;
  switch (state.screen) {
    case "loading":
      return html`<p class="muted" role="status">${t("opening")}</p>`;
    case "first-use-offline":
      return html`<${Card} title=${t("first_use_title")} testid="first-use">
        <p>${t("first_use_body")}</p>
        <a class="button primary" href="/app">${t("try_again")}</a>
      <//>`;
    case "no-workspace":
      return html`<${Card} title=${t("welcome_title")} testid="no-workspace">
        <p>${t("welcome_body")}</p>
        <p><a class="button primary" href="/workspaces/new">${t("create_workspace")}</a></p>
        <p class="actions center">
          <a class="button" href="/account">${t("account")}</a>
          <button type="button" onClick=${() => props.actions.signOut()}>${t("sign_out")}</button>
        </p>
      <//>`;
    case "set-pin":
      return html`<${SetPinView} ...${props} />`;
    case "locked":
      return html`<${UnlockView} ...${props} />`;
    case "reauth":
      return html`<${ReauthView} ...${props} />`;
    case "wiped":
      return html`<${WipedView} ...${props} />`;
    default:
      if (props.views) return html`<${props.views.MainView} ...${props} />`;
      if (!props.viewsFailed) return html`<p class="muted" role="status">${t("opening")}</p>`;
      return html`<${Card} title=${t("screen_load_failed_title")} testid="screen-failed">
        <p>${t("screen_load_failed")}</p>
        <button type="button" class="primary" onClick=${props.retryViews}>${t("try_again")}</button>
      <//>
      <${QuickDial} ...${props} heading=${true} />`;
  }
}

/** Render the whole app for a state. */
export function App(props) {
  const main = props.state.screen === "main";
  const { views, failed, retry } = useMainViews(main, props.state.screen !== "loading");
  const shown = main && views;
  return html`<${Topbar} ...${props} />
    <main id="main" class=${main ? "with-tabs" : ""}>
      ${shown && html`<${views.SyncBanner} ...${props} />`}
      <${Notice} ...${props} />
      ${shown && html`<${views.UndoBar} ...${props} />`}
      <${Screen} ...${props} views=${views} viewsFailed=${failed} retryViews=${retry} />
    </main>
    ${main && html`<${Tabs} ...${props} />`}`;
}
