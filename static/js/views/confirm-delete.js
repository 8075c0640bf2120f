// The question before a delete: what goes, and which playbooks still name it. A delete can be
// undone for a few seconds after (views/main.js UndoBar).

import { html } from "../../vendor/htm-preact.js";
import { useEffect, useRef } from "../../vendor/preact-hooks.js";
import { canEdit } from "../forms.js";

export { canEdit };

/** The delete dialog of the record `state.confirmDelete` names. */
export function ConfirmDelete({ state, actions, t }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.open && dialog.close();
  }, []);
  const asked = state.confirmDelete;
  const cancel = (event) => {
    event.preventDefault();
    actions.cancelDelete();
  };
  return html`<dialog ref=${ref} class="alert-dialog" aria-labelledby="delete-title" onCancel=${cancel}
    data-testid="confirm-delete">
    <h2 id="delete-title">${t("delete_title", { name: asked.name })}</h2>
    ${asked.usedBy.length > 0
      ? html`<p>${t("delete_used_by")}</p>
          <ul>${asked.usedBy.map((name) => html`<li key=${name}>${name}</li>`)}</ul>`
      : html`<p>${t("delete_unused")}</p>`}
    <p class="hint">${t("delete_undo_hint")}</p>
    <div class="actions">
      <button type="button" onClick=${actions.cancelDelete}>${t("cancel")}</button>
      <button type="button" class="danger" onClick=${actions.confirmDelete}>${t("delete")}</button>
    </div>
  </dialog>`;
}
