// Mutations sealed by the browser's own code (static/js/crypto.js, sealOutbox), for the server.
//
//   node tests/js/seal-outbox.mjs --write-fixture
//       rewrites tests/js/fixtures/outbox-js.json (tests/api/test_sync_sealed.py opens it with
//       the server's code; tests/js/outbox-js.test.mjs checks it is what this code makes today)
//   node tests/js/seal-outbox.mjs < request.json
//       request: {"key": base64url, "kid", "userId", "workspaceId", "mutations": [...]};
//       prints the sealed items as a JSON array (the server's API tests seal this way)
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { b64urlDecode, importSnapshotKey, sealOutbox } from "../../static/js/crypto.js";
import { OUTBOX } from "./fixtures.mjs";

export const FIXTURE = new URL("./fixtures/outbox-js.json", import.meta.url);

/** Seal each mutation as the page's outbox does. */
export async function sealAll({ key, kid, userId, workspaceId, mutations }) {
  const cryptoKey = await importSnapshotKey(b64urlDecode(key));
  const sealed = [];
  for (const mutation of mutations) {
    sealed.push(await sealOutbox(mutation, cryptoKey, { kid, userId, workspaceId }));
  }
  return sealed;
}

/** Return the fixture: the Python fixture's mutation and key, sealed here. */
export async function buildFixture() {
  const [envelope] = await sealAll({
    key: OUTBOX.key,
    kid: OUTBOX.kid,
    userId: OUTBOX.user_id,
    workspaceId: OUTBOX.workspace_id,
    mutations: [OUTBOX.plaintext],
  });
  const { key, kid, user_id, workspace_id, plaintext } = OUTBOX;
  return { key, kid, user_id, workspace_id, envelope, plaintext };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--write-fixture")) {
    writeFileSync(FIXTURE, JSON.stringify(await buildFixture(), null, 2) + "\n");
  } else {
    const request = JSON.parse(readFileSync(0, "utf8"));
    process.stdout.write(JSON.stringify(await sealAll(request)));
  }
}
