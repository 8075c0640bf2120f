// The offline notice's language: the service worker keeps one notice per language and shows the
// one of this device's app — chosen in the app, else the account's, else the browser's.
import "./vendor/fake-indexeddb/auto/index.mjs";
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";

import { deviceLanguage, offlineUrl } from "../../static/js/offline-page.js";
import { openStore, storedUserIds, wipeUser } from "../../static/js/store.js";

const USER = "11111111-1111-4111-8111-111111111111";

beforeEach(async () => {
  for (const id of await storedUserIds()) await wipeUser(id);
});

async function device({ lang, locale }) {
  const store = await openStore(USER);
  if (locale) await store.setMeta("", "session", { user: { id: USER, locale }, workspaces: [] });
  if (lang) await store.setMeta("", "lang", lang);
  store.close();
}

test("the address of each language's notice is the one the worker precaches", () => {
  assert.equal(offlineUrl("es"), "/offline?lang=es");
  assert.equal(offlineUrl("en"), "/offline?lang=en");
});

test("nobody's copy on this device: the browser's language", async () => {
  assert.equal(await deviceLanguage("en-US"), "en");
  assert.equal(await deviceLanguage("es-MX"), "es");
  assert.equal(await deviceLanguage("fr-FR"), "es"); // a language the app does not speak
});

test("the language chosen in the app wins over the account's and the browser's", async () => {
  await device({ lang: "en", locale: "es" });
  assert.equal(await deviceLanguage("es-MX"), "en");
});

test("without a choice in the app, the account's language", async () => {
  await device({ locale: "en" });
  assert.equal(await deviceLanguage("es-MX"), "en");
});

test("storage that fails to open leaves the browser's language", async () => {
  const listUsers = async () => {
    throw new Error("no IndexedDB in this context");
  };
  assert.equal(await deviceLanguage("en-GB", { listUsers }), "en");
});
