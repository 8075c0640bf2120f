// Links built from contact values: only normalised numbers and addresses reach an href.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  dialable,
  mailtoHref,
  mapsHref,
  smsHref,
  telHref,
  whatsappHref,
} from "../../static/js/links.js";

test("an E.164 or short number becomes a tel: and sms: link", () => {
  assert.equal(telHref("+525512345678"), "tel:+525512345678");
  assert.equal(telHref("911"), "tel:911");
  assert.equal(telHref("+52 (55) 1234-5678"), "tel:+525512345678");
  assert.equal(smsHref("+525512345678"), "sms:+525512345678");
});

test("a value that is not a number never becomes a link", () => {
  for (const value of ["javascript:alert(1)", "tel:911", "911;alert(1)", "", "+", "1", null, 911]) {
    assert.equal(telHref(value), null, String(value));
    assert.equal(smsHref(value), null, String(value));
    assert.equal(whatsappHref(value), null, String(value));
  }
  assert.equal(dialable("1234567890123456"), null); // longer than E.164 allows
});

test("WhatsApp links carry the international digits only", () => {
  assert.equal(whatsappHref("+52 55 9876 5512"), "https://wa.me/525598765512");
  assert.equal(whatsappHref("088"), null);
});

test("only a plain email address becomes a mailto: link", () => {
  assert.equal(mailtoHref(" ana@example.com "), "mailto:ana@example.com");
  for (const value of ["javascript:alert(1)//@x.com", "a@b", "a b@example.com", "x@y.com?cc=z"]) {
    assert.equal(mailtoHref(value), null, value);
  }
});

test("an address is only ever a query value of the maps link", () => {
  const href = mapsHref("javascript:alert(1) & Av. Reforma 1");
  assert.ok(href.startsWith("https://www.google.com/maps/search/?api=1&query="));
  assert.ok(!href.slice(href.indexOf("query=")).includes(":"));
  assert.equal(mapsHref("  "), null);
});
