// The Import screen's and the Export section's decisions (docs/ARCHITECTURE.md, 4.13, 4.14): a
// file (chosen, shared from the phone's Contacts app, or picked with the Contact Picker) goes
// up for a preview; rows are grouped, their errors said in words, fixed or left out; the rest
// is applied. Exports go through the password gate. No DOM: the api, the gate and the browser's
// file saving are passed in.

import { fieldLabelKey } from "./conflicts.js";
import { CANCELLED } from "./password-gate.js";

/** The screen's route (`#import`); a template literal, as the vendor test reads quoted imports. */
export const IMPORT_VIEW = `import`;

/** The import screen before any file. */
export const EMPTY_IMPORT = Object.freeze({
  status: "idle", // idle | uploading | ready | saving | applying | applied
  preview: null,
  error: null, // {key, message?}: why the last step failed, in words
  editing: null, // the row number whose correction form is open
  skipErrors: false,
  result: null, // {applied, skipped, revision}
  workspaceId: null,
});

/** The largest file the server takes (the import API's limit). */
export const MAX_BYTES = 5 * 1024 * 1024;
const TYPES = /\.(vcf|vcard|csv|json|txt)$/i;

/** Return the preview's rows by what they need: errors first (they need the user), new, there. */
export function groupRows(preview) {
  const groups = { error: [], new: [], duplicate: [] };
  for (const row of preview?.rows ?? []) (groups[row.status] ?? groups.error).push(row);
  return groups;
}

/**
 * Return a row's errors in words: `[{path, label, message}]`, the field named by the form's
 * own label (`phones.0.number` → "Teléfonos 1"), never a code; the server's message is already
 * in the user's language (`?lang=`).
 */
export function rowProblems(row, t) {
  return Object.entries(row?.errors ?? {}).map(([path, message]) => {
    const [top, nth] = String(path).split(".");
    const n = /^\d+$/.test(nth ?? "") ? Number(nth) + 1 : null;
    let label = t(fieldLabelKey(path));
    if (path === "_") label = t("import_row_whole");
    else if (top === "phones" && n) label = t("import_field_phone", { n });
    else if (top === "emails" && n) label = t("import_field_email", { n });
    return { path, label, message: typeof message === "string" ? message : t("import_row_unreadable") };
  });
}

/** Return a row's title: its name, else its organization, else "Row N". */
export function rowTitle(row, t) {
  const f = row?.fields ?? {};
  return f.name || f.organization || t("import_row_n", { row: row?.row ?? "?" });
}

/** Return a row's numbers and emails as one short line. */
export function rowSummary(row) {
  const f = row?.fields ?? {};
  const phones = (Array.isArray(f.phones) ? f.phones : []).map((p) => p?.display ?? p?.number).filter(Boolean);
  const emails = (Array.isArray(f.emails) ? f.emails : []).map((e) => e?.address).filter(Boolean);
  return [...phones, ...emails].join(" · ");
}

/**
 * Why a file cannot go up, before sending it (`null` when it may): too big or not a contacts
 * file by its name and type. The server checks again.
 */
export function fileProblem(file) {
  if (!file) return { key: "import_choose_file" };
  if (file.size > MAX_BYTES) return { key: "import_too_big" };
  if (file.size === 0) return { key: "import_empty" };
  const type = String(file.type || "");
  const known = /vcard|csv|json|text\/plain|comma-separated/.test(type) || TYPES.test(String(file.name || ""));
  if (!known) return { key: "import_wrong_type" };
  return null;
}

/** Return how a refused import step reads: a message key, and the server's words when useful. */
export function importFailure(error) {
  if (error?.offline) return { key: "import_offline" };
  if (error?.status === 413 || error?.code === "too_large") return { key: "import_too_big" };
  if (error?.status === 410 || error?.code === "import_expired") return { key: "import_expired", again: true };
  if (error?.code === "locked") return { key: "import_locked" };
  if (error?.status === 403) return { key: "import_not_allowed" };
  if (error?.code === "import_has_errors") return { key: "import_has_errors" };
  if (error?.code === "import_applied") return { key: "import_applied_already", again: true };
  if (error?.status === 404) return { key: "import_expired", again: true };
  // A file that is not a contacts file, or a bad row: the server said why, in the user's words.
  if (error?.status === 400 || error?.status === 409) {
    return { key: "import_refused", message: error.message || null };
  }
  return { key: "error_server" };
}

/**
 * The correction form's values from a row: name, organization, numbers and emails as typed.
 * Numbers stay as the file had them on an error row, so the user sees what to fix.
 */
export function fixValues(row) {
  const f = row?.fields ?? {};
  const phones = (Array.isArray(f.phones) ? f.phones : []).map((p) => ({ label: p?.label ?? "", number: p?.number ?? "" }));
  const emails = (Array.isArray(f.emails) ? f.emails : []).map((e) => ({ label: e?.label ?? "", address: e?.address ?? "" }));
  return { name: f.name ?? "", organization: f.organization ?? "", phones, emails };
}

/**
 * The row's fields after the user's correction: the row's other fields kept, empty numbers and
 * emails dropped, each phone without its read-only `display`.
 */
export function fixedFields(row, values) {
  const fields = { ...(row?.fields ?? {}) };
  const text = (value) => String(value ?? "").trim();
  fields.name = text(values.name);
  if (text(values.organization)) fields.organization = text(values.organization);
  else delete fields.organization;
  const old = Array.isArray(fields.phones) ? fields.phones : [];
  fields.phones = (values.phones ?? [])
    .map((p, i) => {
      const { display: _shown, ...kept } = old[i] ?? {};
      return { ...kept, label: text(p.label), number: text(p.number) };
    })
    .filter((p) => p.number);
  fields.emails = (values.emails ?? [])
    .map((e) => ({ label: text(e.label), address: text(e.address) }))
    .filter((e) => e.address);
  return fields;
}

// --- the Contact Picker API (navigator.contacts) -------------------------------------------

/** The properties asked of the phone's contacts, among those the browser offers. */
export function pickerProperties(supported) {
  return ["name", "tel", "email"].filter((p) => !supported || supported.includes(p));
}

function escapeText(value) {
  return String(value).replace(/\\/g, "\\\\").replace(/\r\n|\n|\r/g, "\\n").replace(/([,;])/g, "\\$1");
}

/**
 * Return the picked contacts (`[{name: [..], tel: [..], email: [..]}]`) as one vCard 4.0 file,
 * the same preview path as a file: nothing is kept on the device. Contacts with neither a name
 * nor a number nor an email are left out.
 */
export function pickedToVcard(picked) {
  const cards = [];
  for (const contact of picked ?? []) {
    const name = (contact?.name ?? []).map((n) => String(n).trim()).find(Boolean) ?? "";
    const tels = (contact?.tel ?? []).map((n) => String(n).trim()).filter(Boolean);
    const emails = (contact?.email ?? []).map((e) => String(e).trim()).filter(Boolean);
    if (!name && !tels.length && !emails.length) continue;
    const lines = ["BEGIN:VCARD", "VERSION:4.0", `FN:${escapeText(name)}`, `N:;${escapeText(name)};;;`];
    for (const tel of tels) lines.push(`TEL:${escapeText(tel)}`);
    for (const email of emails) lines.push(`EMAIL:${escapeText(email)}`);
    lines.push("END:VCARD");
    cards.push(lines.join("\r\n") + "\r\n");
  }
  return cards.join("");
}

// --- the controller ------------------------------------------------------------------------

/**
 * Return the import and export controller. `ctx`: `api` (api.js), `gate` (password-gate.js),
 * `getState`, `update`, `handleApiError` (sign-out and wipes), `save(blob, filename)` (the
 * browser's download), `refresh` (the directory after an apply), `contacts` (the browser's
 * `navigator.contacts`, or nothing where the Contact Picker API is missing), `fail`.
 */
export function createPorting(ctx) {
  const { api, gate, getState, update } = ctx;

  function current() {
    const state = getState();
    const held = state.importer?.workspaceId === state.workspaceId ? state.importer : null;
    return { ...(held ?? EMPTY_IMPORT), workspaceId: state.workspaceId };
  }

  function set(patch) {
    update({ importer: { ...current(), ...patch } });
  }

  async function refused(error) {
    if (error?.wipe || error?.status === 401) return ctx.handleApiError(error);
    set({ status: current().preview ? "ready" : "idle", error: importFailure(error) });
  }

  /** Upload a file (a File or Blob with a name) for its preview. */
  async function upload(file, filename = file?.name) {
    const problem = fileProblem(file);
    if (problem) return set({ error: problem });
    const { workspaceId, lang } = getState();
    set({ status: "uploading", error: null, preview: null, result: null, editing: null });
    try {
      const preview = await api.importFile(workspaceId, file, filename || "contacts", lang);
      set({ status: "ready", preview });
    } catch (error) {
      set({ preview: null });
      await refused(error);
    }
  }

  /** Read the preview again (a reload, or after the language changed). */
  async function reload() {
    const held = current().preview;
    if (!held) return;
    const { workspaceId, lang } = getState();
    try {
      set({ status: "ready", preview: await api.importPreview(workspaceId, held.id, lang), error: null });
    } catch (error) {
      if (error?.status === 410) set({ preview: null });
      await refused(error);
    }
  }

  async function onRow(task) {
    const held = current().preview;
    if (!held) return;
    set({ status: "saving", error: null });
    try {
      set({ status: "ready", preview: await task(held), editing: null });
    } catch (error) {
      if (error?.status === 410) set({ preview: null, editing: null });
      await refused(error);
    }
  }

  /** Send a row's correction (the form's values): the preview comes back re-checked. */
  function fixRow(rowNumber, values) {
    const { workspaceId, lang } = getState();
    const row = current().preview?.rows.find((r) => r.row === rowNumber);
    if (!row) return Promise.resolve();
    const fields = fixedFields(row, values);
    return onRow((held) => api.fixImportRow(workspaceId, held.id, rowNumber, fields, lang));
  }

  /** Leave a row out of the import. */
  function skipRow(rowNumber) {
    const { workspaceId, lang } = getState();
    return onRow((held) => api.skipImportRow(workspaceId, held.id, rowNumber, lang));
  }

  /** Write the rows: new ones added, those already there skipped, errors skipped if chosen. */
  async function apply() {
    const { preview, skipErrors } = current();
    if (!preview) return;
    const { workspaceId, lang } = getState();
    set({ status: "applying", error: null });
    try {
      const body = { skip_errors: skipErrors, duplicates: "skip" };
      const result = await api.applyImport(workspaceId, preview.id, body, lang);
      set({ status: "applied", result, preview: null, editing: null });
      await ctx.refresh?.();
    } catch (error) {
      if (error?.status === 410) set({ preview: null });
      await refused(error);
    }
  }

  /** Pick several of the phone's contacts (Contact Picker API) into the same preview. */
  async function pickFromPhone() {
    if (!ctx.contacts?.select) return;
    let picked;
    try {
      const supported = await ctx.contacts.getProperties?.().catch(() => null);
      picked = await ctx.contacts.select(pickerProperties(supported), { multiple: true });
    } catch {
      return set({ error: { key: "import_picker_failed" } });
    }
    const text = pickedToVcard(picked);
    if (!text) return; // nothing chosen
    await upload(new Blob([text], { type: "text/vcard" }), "contacts.vcf");
  }

  /** Start again with another file. */
  function reset() {
    update({ importer: { ...EMPTY_IMPORT, workspaceId: getState().workspaceId } });
  }

  /** Download an export (after the password when the server asks for it). */
  async function download(format, version = null) {
    const { workspaceId, lang } = getState();
    update({ exporting: { format, busy: true, error: null } });
    let result;
    try {
      result = await gate.run(() => api.exportFile(workspaceId, format, { version, lang }));
    } catch (error) {
      if (error?.wipe || error?.status === 401) return ctx.handleApiError(error);
      const key = error?.offline ? "export_offline" : error?.status === 403 ? "export_not_allowed" : "error_server";
      return update({ exporting: { format, busy: false, error: key } });
    }
    if (result === CANCELLED) return update({ exporting: null });
    ctx.save(result.blob, result.filename);
    update({ exporting: { format, busy: false, error: null, done: result.filename } });
  }

  return {
    upload,
    reload,
    fixRow,
    skipRow,
    apply,
    reset,
    download,
    pickFromPhone,
    actions: {
      pickFromPhone: () => pickFromPhone().catch(ctx.fail),
      importFile: (file, name) => upload(file, name).catch(ctx.fail),
      reloadImport: () => reload().catch(ctx.fail),
      editImportRow: (row) => set({ editing: row, error: null }),
      cancelImportRow: () => set({ editing: null }),
      fixImportRow: (row, values) => fixRow(row, values).catch(ctx.fail),
      skipImportRow: (row) => skipRow(row).catch(ctx.fail),
      setSkipErrors: (skipErrors) => set({ skipErrors: Boolean(skipErrors) }),
      applyImport: () => apply().catch(ctx.fail),
      resetImport: reset,
      exportAs: (format, version) => download(format, version).catch(ctx.fail),
    },
  };
}
