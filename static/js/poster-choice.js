// The owner's choice of the office poster's contacts, for the app's screen (`#poster`): load the
// chooser, tick and untick, save. Saving publishes numbers on the office wall, so the server
// wants a recently entered password: it is asked for in place and the save sent again, without
// leaving or locking the app. No DOM: the api, the state and `update` are passed in, so
// `node --test` drives it with a fake server.

import { ApiError } from "./api.js";
import { AREA_LABELS, KIND_LABELS, VISIBILITY, areaLabel, kindLabel } from "./labels.js";

/**
 * The screen's state (`state.poster`): `status` is "idle", "loading", "ready", "offline",
 * "error" or "not-owner"; `selected` the ticked ids; `asking` while the password is asked;
 * `message` `{key, params, kind}` (the app's words) or `{text, kind}` (the server's).
 */
export const EMPTY_POSTER = Object.freeze({
  status: "idle",
  workspaceId: null,
  everyone: false,
  data: null,
  selected: [],
  saving: false,
  asking: false,
  message: null,
});

/**
 * Return where a contact sits, in a language: its area's name, or its kind's when the area is a
 * kind's code (`medical`) or when it has none (legal, medical…); never a code the labels name.
 */
export function placeOf(contact, lang) {
  const { area, kind } = contact;
  if (area) {
    const kindCode = !Object.hasOwn(AREA_LABELS, area) && Object.hasOwn(KIND_LABELS, area);
    return kindCode ? kindLabel(area, lang) : areaLabel(area, lang);
  }
  return kind && kind !== "internal" ? kindLabel(kind, lang) : "";
}

/** Return the ids an owner's save would confirm as the chooser opens: those printed now. */
export function printedIds(data) {
  return (data?.contacts ?? []).filter((c) => c.confirmed).map((c) => c.id);
}

/**
 * Return the rows the screen shows, in the server's order (area, name): `{id, name, place,
 * afterHours, restricted, changed, checked, disabled}`; unticked rows are disabled once the sheet
 * is full.
 */
export function rowsOf(data, selected, lang) {
  const ticked = new Set(selected);
  const full = ticked.size >= (data?.max_chosen ?? 0);
  return (data?.contacts ?? []).map((c) => ({
    id: c.id,
    name: c.name,
    place: placeOf(c, lang),
    afterHours: c.after_hours === true,
    restricted: c.visibility === VISIBILITY.RESTRICTED,
    changed: c.changed === true,
    checked: ticked.has(c.id),
    disabled: full && !ticked.has(c.id),
  }));
}

/** Return what saving sends: the ticked contacts as the chooser showed them, in its order. */
export function entriesOf(data, selected) {
  const ticked = new Set(selected);
  return (data?.contacts ?? [])
    .filter((c) => ticked.has(c.id))
    .map(({ id, version, fingerprint }) => ({ id, version, fingerprint }));
}

/** Return whether what is ticked differs from what the poster prints (something to save). */
export function hasChanges(data, selected) {
  const printed = printedIds(data);
  const ticked = new Set(selected);
  return printed.length !== ticked.size || printed.some((id) => !ticked.has(id));
}

/**
 * Return the chooser's actions over the app's state: `open` (when the screen opens) and the
 * view's `actions`. `ctx`: `{api, getState, update, handleApiError, fail}` — `handleApiError`
 * takes what only the app can settle (signed out, removed from the workspace, a refused unlock
 * token); `fail` what nobody expected (the actions catch into it).
 */
export function createPosterChooser({ api, getState, update, handleApiError, fail = null }) {
  const slice = () => getState().poster ?? EMPTY_POSTER;
  const set = (patch) => update({ poster: { ...slice(), ...patch } });
  const current = (workspaceId) => getState().workspaceId === workspaceId;

  function isOwner() {
    const { workspaces = [], workspaceId } = getState();
    return workspaces.find((w) => w.id === workspaceId)?.role === "owner";
  }

  /**
   * Load the chooser: `everyone` lists every contact, `keep` keeps the ticks (else those the
   * poster prints are ticked).
   */
  async function open({ everyone = false, keep = false } = {}) {
    const { workspaceId, online } = getState();
    const kept = keep && slice().workspaceId === workspaceId ? slice().selected : null;
    if (!isOwner()) return update({ poster: { ...EMPTY_POSTER, status: "not-owner", workspaceId } });
    if (!online) return update({ poster: { ...EMPTY_POSTER, status: "offline", workspaceId } });
    set({ status: "loading", workspaceId, everyone, asking: false, saving: false });
    let data;
    try {
      data = await api.posterChoice(workspaceId, { everyone });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (!current(workspaceId)) return undefined;
      if (error.offline) return set({ status: "offline" });
      if (error.code === "forbidden") return set({ status: "not-owner" });
      set({ status: "error" });
      return handleApiError(error);
    }
    if (!current(workspaceId)) return undefined;
    const ids = new Set(data.contacts.map((c) => c.id));
    const selected = kept ? kept.filter((id) => ids.has(id)) : printedIds(data);
    return set({ status: "ready", data, everyone: data.everyone, selected });
  }

  function toggle(id) {
    const { data, selected } = slice();
    if (!data) return;
    if (selected.includes(id)) {
      set({ selected: selected.filter((s) => s !== id), message: null });
    } else if (selected.length < data.max_chosen) {
      set({ selected: [...selected, id], message: null });
    } else {
      set({ message: { key: "poster_full", params: { max: data.max_chosen }, kind: "error" } });
    }
  }

  async function save() {
    const { data, selected, everyone, workspaceId, saving } = slice();
    if (!data || saving || !current(workspaceId)) return undefined;
    if (!getState().online) return set({ message: { key: "poster_save_offline", kind: "error" } });
    set({ saving: true, message: null });
    let saved;
    try {
      saved = await api.setPosterChoice(workspaceId, entriesOf(data, selected), {
        everyone,
        lang: getState().lang,
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return refused(error);
    }
    return set({
      saving: false,
      data: saved,
      selected: printedIds(saved),
      message: { key: "poster_saved", kind: "ok" },
    });
  }

  /** Settle a refused save: ask the password, show the list again, or say why. */
  async function refused(error) {
    if (error.code === "reauthentication_required") return set({ saving: false, asking: true });
    if (error.offline) return set({ saving: false, message: { key: "poster_save_offline", kind: "error" } });
    if (error.code === "forbidden") return set({ saving: false, status: "not-owner" });
    if (error.status === 409) {
      // A contact changed meanwhile: the list again (ticks kept), for the owner to look at.
      const message = { text: error.message, kind: "error" };
      await open({ everyone: slice().everyone, keep: true });
      return set({ message });
    }
    if (error.status === 400) return set({ saving: false, message: { text: error.message, kind: "error" } });
    set({ saving: false, message: { key: "error_server", kind: "error" } });
    return handleApiError(error);
  }

  /** The password, asked in place: proved, then the save is sent again. */
  async function confirmPassword(password) {
    if (!password) return set({ message: { key: "password_enter", kind: "error" } });
    set({ saving: true, message: null });
    try {
      await api.reauth(password);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const key = error.offline
        ? "reauth_offline"
        : error.code === "wrong_password"
          ? "password_wrong"
          : error.status === 429
            ? "password_limited"
            : null;
      set({ saving: false, message: { key: key ?? "error_server", kind: "error" } });
      return key ? undefined : handleApiError(error);
    }
    set({ saving: false, asking: false });
    return save();
  }

  const caught = (fn) => (...args) => {
    const result = Promise.resolve().then(() => fn(...args));
    return fail ? result.catch(fail) : result;
  };
  return {
    open,
    actions: {
      posterToggle: toggle,
      posterShowAll: caught(() => open({ everyone: true, keep: true })),
      posterRetry: caught(() => open({ everyone: slice().everyone, keep: true })),
      posterSave: caught(save),
      posterPassword: caught(confirmPassword),
      posterCancelPassword: () =>
        set({ asking: false, saving: false, message: { key: "poster_not_saved", kind: "error" } }),
    },
  };
}
