// Edits the server could not take as they were: conflicts (someone changed the same field
// meanwhile) side by side, the user's value and the server's, to keep one; rejections with the
// server's reasons, to fix in their form or discard. Nothing here is dropped without the user.

import { html } from "../../vendor/htm-preact.js";
import { describeValue, fieldLabelKey } from "../conflicts.js";

function recordName(item, state) {
  const { mutation } = item;
  const collection = mutation.type === "playbook" ? state.directory?.playbooks : state.directory?.contacts;
  return collection?.get(mutation.entity_id)?.name ?? mutation.fields?.name ?? "—";
}

function Conflict({ item, state, actions, t }) {
  const { mutation, result } = item;
  const name = recordName(item, state);
  if (result.deleted) {
    return html`<li class="card" data-testid="conflict">
      <h2>${name}</h2>
      <p>${t("conflict_deleted")}</p>
      <div class="actions">
        <button type="button" onClick=${() => actions.settle(mutation.id, "theirs")}>${t("let_it_go")}</button>
        <button type="button" class="primary" onClick=${() => actions.restore(mutation.id)}>${t("restore")}</button>
      </div>
    </li>`;
  }
  return html`<li class="card" data-testid="conflict">
    <h2>${name}</h2>
    <p class="muted">${t("conflict_lead")}</p>
    <dl class="conflict-fields">
      ${(result.conflicts ?? []).map(
        (conflict) => html`<div class="conflict-field" key=${conflict.field}>
          <dt>${t(fieldLabelKey(conflict.field))}</dt>
          <dd class="side mine"><span class="side-label">${t("yours")}</span>
            <span data-testid="mine">${describeValue(conflict.client, t)}</span></dd>
          <dd class="side theirs"><span class="side-label">${t("theirs")}</span>
            <span data-testid="theirs">${"server" in conflict ? describeValue(conflict.server, t) : t("unlock_to_see")}</span></dd>
        </div>`,
      )}
    </dl>
    <div class="actions">
      <button type="button" onClick=${() => actions.settle(mutation.id, "theirs")}>${t("keep_theirs")}</button>
      <button type="button" class="primary" onClick=${() => actions.settle(mutation.id, "mine")}>${t("keep_mine")}</button>
    </div>
  </li>`;
}

function Rejected({ item, state, actions, t }) {
  const { mutation, result } = item;
  return html`<li class="card" data-testid="rejected">
    <h2>${recordName(item, state)}</h2>
    <p>${t(mutation.op === "delete" ? "rejected_delete_lead" : "rejected_lead")}</p>
    <ul>
      ${Object.entries(result.errors ?? {}).map(
        ([path, text]) => html`<li key=${path}><strong>${t(fieldLabelKey(path))}</strong>: ${text}</li>`,
      )}
    </ul>
    <div class="actions">
      <button type="button" onClick=${() => actions.discardEdit(mutation.id)}>${t("discard")}</button>
      ${mutation.op === "put" &&
      html`<button type="button" class="primary" onClick=${() => actions.fixRejected(mutation.id)}>${t("fix")}</button>`}
    </div>
  </li>`;
}

/** The screen of edits to settle. */
export function ConflictsView(props) {
  const { state, t } = props;
  const items = state.unsettled ?? [];
  return html`<article data-testid="conflicts">
    <a class="back" href="#">← ${t("back_to_directory")}</a>
    <h1>${t("conflicts_title")}</h1>
    ${items.length === 0 && html`<p class="empty">${t("conflicts_none")}</p>`}
    <ul class="settle-list">
      ${items.map((item) =>
        item.status === "conflict"
          ? html`<${Conflict} key=${item.mutation.id} item=${item} ...${props} />`
          : html`<${Rejected} key=${item.mutation.id} item=${item} ...${props} />`,
      )}
    </ul>
  </article>`;
}

/** The line at the top of every screen while edits wait: pending, offline, or to settle. */
export function SyncBanner({ state, t }) {
  const sync = state.sync;
  if (!sync) return null;
  const unsettled = (sync.conflict ?? 0) + (sync.rejected ?? 0);
  if (unsettled > 0) {
    return html`<a class="sync-banner is-unsettled" href="#conflicts" data-testid="sync-banner">
      ${t(unsettled === 1 ? "unsettled_one" : "unsettled_many", { count: unsettled })}
    </a>`;
  }
  if (sync.pending > 0) {
    return html`<p class="sync-banner" role="status" data-testid="sync-banner">
      ${t(state.online ? "pending_sending" : "pending_offline", { count: sync.pending })}
    </p>`;
  }
  return null;
}
