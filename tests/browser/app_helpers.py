"""Helpers of the app's browser tests: a team with contacts, sign-in, PIN, polling."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, mutation

PIN = "482913"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "has_touch": True}
# The worker is installed (the shell precached) and active: the next load is served by it. Not
# "this page is controlled": a page whose navigation committed while the worker was activating
# is never claimed, though every later load is served.
READY = """navigator.serviceWorker.getRegistration()
  .then(r => Boolean(r && r.active && r.active.state === "activated"))"""
WORKERS = """async () => {
  const r = await navigator.serviceWorker.getRegistration();
  return r ? [r.installing?.state, r.waiting?.state, r.active?.state] : "no registration";
}"""


# How long a test waits for something the app does in the background. Generous: it only bounds a
# failing test, and a busy 2-core machine (CI) can take many times the usual.
EVENTUALLY_S = 60.0


def eventually(check: Callable[[], Any], timeout_s: float = EVENTUALLY_S) -> Any:
    """Return the first true value of `check()`, polled; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {check}")
        time.sleep(0.1)


def wait_until(page: Page, expression: str, timeout_s: float = EVENTUALLY_S) -> Any:
    """Poll an expression through CDP: wait_for_function evaluates strings, which the CSP forbids."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            workers = page.evaluate(WORKERS)
            raise AssertionError(
                f"still false after {timeout_s} s: {expression} (workers: {workers})"
            )
        page.wait_for_timeout(50)


def create(device: Any, name: str, **fields: Any) -> str:
    """Create a contact through POST /api/v1/sync; return its id."""
    entity_id = uuid.uuid4()
    body = device.sync(mutation(entity_id, {"name": name, **fields}))
    assert body["results"][0]["status"] == "applied", body
    return str(entity_id)


def sign_in(
    page: Page, email: str, password: str = PASSWORD, origin: str = "", to: str = "/app"
) -> None:
    """Sign in through the form (on another origin if given) and land on the app, or on the
    server page `to` (the service worker is installed there too, without opening the app)."""
    page.goto(f"{origin}/login?next={to}")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"**{to}")


def set_pin(page: Page, pin: str = PIN) -> None:
    """Choose the device PIN on the first screen after sign-in; wait for the directory."""
    form = page.get_by_test_id("set-pin")
    form.locator("#secret").fill(pin)
    form.locator("#confirm").fill(pin)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("directory")).to_be_visible()


def unlock(page: Page, pin: str = PIN) -> None:
    """Type the PIN on the lock screen."""
    box = page.get_by_test_id("unlock")
    box.locator("#secret").fill(pin)
    box.locator("button[type=submit]").click()


# Everything the page can read of this origin's storage, as text: every IndexedDB database and
# store (keys and values, bytes decoded as UTF-8), every Cache Storage entry, local and session
# storage.
DUMP_STORAGE = """async () => {
  const decode = (bytes) => new TextDecoder("utf-8").decode(bytes);
  const replacer = (key, value) => {
    if (value instanceof ArrayBuffer) return decode(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) return decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return value;
  };
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const out = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await request(indexedDB.open(name));
    for (const store of db.objectStoreNames) {
      const tx = db.transaction(store);
      const keys = await request(tx.objectStore(store).getAllKeys());
      const values = await request(tx.objectStore(store).getAll());
      out.push(`idb ${name}/${store}: ` + JSON.stringify({ keys, values }, replacer));
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const res = await cache.match(req);
      out.push(`cache ${name} ${req.url}: ` + (await res.text()));
    }
  }
  for (const [label, s] of [["local", localStorage], ["session", sessionStorage]]) {
    for (let i = 0; i < s.length; i++) out.push(`${label} ${s.key(i)}=${s.getItem(s.key(i))}`);
  }
  return out.join("\\n");
}"""

DATABASES = "async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('enlace-'))"


def stored_envelopes(page: Page, user_id: str) -> list[Any]:
    """Return the keys of the envelopes kept for a user on this device."""
    return page.evaluate(
        """async (name) => {
          const request = (r) => new Promise((resolve, reject) => {
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
          const db = await request(indexedDB.open(name));
          const keys = await request(db.transaction("envelopes").objectStore("envelopes").getAllKeys());
          db.close();
          return keys;
        }""",
        f"enlace-{user_id}",
    )


def stored_kids(page: Page, user_id: str) -> list[str]:
    """Return the kid of the wrapped key and of every envelope kept for a user."""
    return page.evaluate(
        """async (name) => {
          const request = (r) => new Promise((resolve, reject) => {
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
          const db = await request(indexedDB.open(name));
          const tx = db.transaction(["keys", "envelopes"]);
          const keys = await request(tx.objectStore("keys").getAll());
          const envelopes = await request(tx.objectStore("envelopes").getAll());
          db.close();
          return [...keys, ...envelopes].map((record) => record.kid);
        }""",
        f"enlace-{user_id}",
    )
