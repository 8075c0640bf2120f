// The Web Share Target's inbox: a contact shared from the phone's Contacts app is kept in the
// worker's memory, handed to the Import screen once, and the share answered with its way there.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SHARE_PATH, createShareInbox, isShare } from "../../static/js/share-target.js";

const ORIGIN = "https://enlace.example";

function share(form) {
  return new Request(`${ORIGIN}${SHARE_PATH}`, { method: "POST", body: form });
}

test("only a POST to the share path of this origin is a share", () => {
  assert.equal(isShare(share(new FormData()), ORIGIN), true);
  assert.equal(isShare(new Request(`${ORIGIN}${SHARE_PATH}`), ORIGIN), false);
  assert.equal(isShare(new Request(`https://evil.example${SHARE_PATH}`, { method: "POST" }), ORIGIN), false);
  assert.equal(isShare(new Request(`${ORIGIN}/api/v1/sync`, { method: "POST" }), ORIGIN), false);
});

test("a shared vCard is kept once and the share opens the Import screen", async () => {
  const inbox = createShareInbox();
  const form = new FormData();
  form.append("title", "Ana");
  form.append("file", new File(["BEGIN:VCARD\r\nFN:Ana\r\nEND:VCARD\r\n"], "Ana.vcf", { type: "text/x-vcard" }));
  const answer = await inbox.receive(share(form));
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get("Location"), `${ORIGIN}/app#import?shared`);
  const file = inbox.take();
  assert.equal(file.name, "Ana.vcf");
  assert.match(await file.text(), /FN:Ana/);
  assert.equal(inbox.take(), null); // handed over once
});

test("a share without a file leaves nothing to take, and still opens the screen", async () => {
  const inbox = createShareInbox();
  const form = new FormData();
  form.append("text", "just text");
  const answer = await inbox.receive(share(form));
  assert.equal(answer.status, 303);
  assert.equal(inbox.take(), null);
});
