// The JS-sealed outbox fixture the server's tests open (tests/api/test_sync_sealed.py) is what
// the browser's code makes today; rewrite it with `node tests/js/seal-outbox.mjs --write-fixture`.
import { test } from "node:test";
import assert from "node:assert/strict";

import { b64urlDecode, importSnapshotKey, openOutbox } from "../../static/js/crypto.js";
import { fixture } from "./fixtures.mjs";
import { buildFixture } from "./seal-outbox.mjs";

const COMMITTED = fixture("outbox-js.json");

/** A fixture without what differs on each sealing (iv and ciphertext). */
const unsealed = ({ envelope: { iv: _iv, ciphertext: _c, ...rest }, ...content }) => ({
  ...content,
  envelope: rest,
});

test("the committed JS-sealed outbox fixture is what sealOutbox makes today", async () => {
  assert.deepEqual(unsealed(COMMITTED), unsealed(await buildFixture()));
});

test("the committed JS-sealed outbox fixture opens here to its mutation", async () => {
  const key = await importSnapshotKey(b64urlDecode(COMMITTED.key));
  const meta = { userId: COMMITTED.user_id, workspaceId: COMMITTED.workspace_id };
  assert.deepEqual(
    await openOutbox(COMMITTED.envelope, key, { ...meta, kid: COMMITTED.kid }),
    COMMITTED.plaintext,
  );
});
