"""Push in Chromium: a push message reaches the service worker over the DevTools protocol.

The worker fetches only the delta since the revision the device holds, keeps it beside the
other envelopes, and notifies; the next unlock, offline, shows the change. A crisis alert sent
from a playbook stays on screen. The settings switch and the user's choice. pushManager.subscribe()
cannot work here (TESTING.md): the switch is tested for what it says, and subscriptions are
made by the test where the server needs one.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.app_helpers import (
    PHONE,
    READY,
    create,
    set_pin,
    sign_in,
    stored_envelopes,
    unlock,
    wait_until,
)
from tests.conftest import mutation

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  const shown = await registration.getNotifications();
  return shown.map((n) => ({
    title: n.title, body: n.body, tag: n.tag, lang: n.lang,
    requireInteraction: n.requireInteraction, data: n.data,
  }));
}"""
PLAYBOOK_ID = "8d1c7a0e-0000-4000-8000-000000000002"


class Recorder:
    """WSGI middleware: every request's path and query, status and body size, in order."""

    def __init__(self, app: Any):
        self.app = app
        self.seen: list[tuple[str, int, int]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        path = environ["PATH_INFO"] + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
        )
        status: list[int] = []

        def record_start(code: str, headers: Any, *args: Any) -> Any:
            status.append(int(code.split()[0]))
            return start_response(code, headers, *args)

        answer = self.app(environ, record_start)
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        with self.lock:
            self.seen.append((path, status[0], len(body)))
        return iter([body])

    def snapshots(self) -> list[tuple[str, int, int]]:
        with self.lock:
            return [
                seen
                for seen in self.seen
                if "/api/v1/workspaces/" in seen[0] and "/snapshot" in seen[0]
            ]


@pytest.fixture
def recorder(live_server: Any) -> Recorder:
    """Record what reaches the live server (page and service worker alike)."""
    recorder = Recorder(live_server.app.wsgi_app)
    live_server.app.wsgi_app = recorder
    return recorder


def deliver_push(context: BrowserContext, page: Page, origin: str, payload: dict[str, Any]) -> None:
    """Fire the service worker's push event with this payload (CDP, no subscription needed)."""
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        live = [r for r in registrations if not r["isDeleted"] and r["scopeURL"].startswith(origin)]
        if live:
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError(f"no service worker registration for {origin}: {registrations}")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": origin,
            "registrationId": live[0]["registrationId"],
            "data": json.dumps(payload),
        },
    )


def shown_notifications(page: Page, count: int = 1) -> list[dict[str, Any]]:
    """Wait until the worker has shown `count` notifications; return them."""
    wait_until(page, f"({NOTIFICATIONS})().then((n) => n.length >= {count})")
    return page.evaluate(NOTIFICATIONS)


def member_in_browser(
    new_context: Callable[..., Any], live_server: Any, member: Any, **options: Any
) -> tuple[BrowserContext, Page]:
    """The member signs in on a phone, sets a PIN and may be notified."""
    context = new_context(**PHONE, **options)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, member.user.email)
    set_pin(page)
    wait_until(page, READY)
    return context, page


def add_playbook(owner: Any, contact_id: str) -> None:
    owner.sync(
        mutation(
            uuid.UUID(PLAYBOOK_ID),
            {"name": "Amenaza en redes", "steps": ["Avisar a legal"], "contact_ids": [contact_id]},
            type="playbook",
        )
    )


def open_playbook(page: Page) -> None:
    """Go to the playbook through the tabs (the app stays unlocked)."""
    page.get_by_role("link", name="Playbooks", exact=True).click()
    page.get_by_role("link", name="Amenaza en redes").click()
    expect(page.get_by_test_id("playbook")).to_be_visible()


def test_a_push_fetches_only_the_delta_and_the_next_offline_unlock_shows_the_change(
    live_server: Any, new_context: Callable[..., Any], device: Any, recorder: Recorder
) -> None:
    owner = device()
    owner.sync(
        *[
            mutation(uuid.uuid4(), {"name": f"Proveedor {n:03d}", "notes": uuid.uuid4().hex * 2})
            for n in range(150)
        ]
    )
    finance = create(owner, "Finanzas", area="finance", phones=[{"number": "+525511112222"}])
    member = device(owner.workspace_obj, role="viewer")
    workspace = str(owner.workspace_obj.id)

    context, page = member_in_browser(new_context, live_server, member)
    # The app's language setting, not the browser's, is the notification's language.
    page.get_by_role("link", name="Status", exact=True).click()
    page.locator("#language").select_option("es")
    expect(page.get_by_role("heading", name="Estado")).to_be_visible()
    [(_, _, full_bytes)] = [s for s in recorder.snapshots() if s[0].endswith("/snapshot")]
    page.reload()  # leaving the page locks the app: the key is gone from memory
    expect(page.get_by_test_id("unlock")).to_be_visible()
    before = len(recorder.snapshots())

    body = owner.sync(mutation(uuid.UUID(finance), {"name": "Finanzas y pagos"}, base_version=1))
    assert body["results"][0]["status"] == "applied"
    revision = body["cursor"]
    payload = {
        "type": "directory-changed",
        "workspace": workspace,
        "revision": revision,
        "count": 1,
    }
    deliver_push(context, page, live_server.url, payload)

    [notification] = shown_notifications(page)
    assert notification["title"] == "1 cambio en Brand"
    assert notification["body"] == "Tu copia sin conexión ya está al día."
    assert notification["tag"] == f"enlace-directory-{workspace}"
    assert notification["data"] == {"workspace": workspace, "hash": ""}
    # The worker asked for the delta since the revision held, nothing else, and it is small.
    fetched = recorder.snapshots()[before:]
    since = revision - 1  # the member's copy was current before the owner's one change
    assert [(path, status) for path, status, _ in fetched] == [
        (f"/api/v1/workspaces/{workspace}/snapshot?since={since}", 200)
    ]
    [(_, _, delta_bytes)] = fetched
    assert delta_bytes * 10 < full_bytes, (delta_bytes, full_bytes)
    kept = stored_envelopes(page, str(member.user.id))
    assert [workspace, "delta", since, revision] in kept

    # A second message for the same workspace replaces the first notification.
    deliver_push(context, page, live_server.url, {**payload, "count": 3})
    wait_until(
        page, f"({NOTIFICATIONS})().then((n) => n.length === 1 && n[0].title.startsWith('3'))"
    )

    # Offline, the next unlock opens the full snapshot plus the delta the worker kept.
    context.set_offline(True)
    page.reload()
    unlock(page)
    expect(page.get_by_test_id("connection")).to_have_text("Sin conexión")
    page.locator("nav.tabs a[href='#']").click()
    page.locator("#search").fill("finanzas")
    expect(page.get_by_text("Finanzas y pagos", exact=True)).to_be_visible()


def test_an_open_unlocked_app_shows_what_the_worker_fetched_without_fetching_it_again(
    live_server: Any, new_context: Callable[..., Any], device: Any, recorder: Recorder
) -> None:
    owner = device()
    finance = create(owner, "Finanzas", area="finance", phones=[{"number": "+525511112222"}])
    member = device(owner.workspace_obj, role="viewer")
    context, page = member_in_browser(new_context, live_server, member)
    expect(page.get_by_text("Finanzas", exact=True)).to_be_visible()
    before = len(recorder.snapshots())

    body = owner.sync(mutation(uuid.UUID(finance), {"name": "Finanzas 24 h"}, base_version=1))
    payload = {
        "type": "directory-changed",
        "workspace": str(owner.workspace_obj.id),
        "revision": body["cursor"],
        "count": 1,
    }
    deliver_push(context, page, live_server.url, payload)
    expect(page.get_by_text("Finanzas 24 h", exact=True)).to_be_visible()
    assert [path for path, _, _ in recorder.snapshots()[before:]] == [
        f"/api/v1/workspaces/{owner.workspace_obj.id}/snapshot?since={body['cursor'] - 1}"
    ]


def test_a_tapped_notification_opens_the_playbook_of_its_workspace(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_workspace: Any,
    add_member: Any,
) -> None:
    # Two workspaces: the app is on the first, the alert is about the second.
    member = device()
    second = make_workspace(name="Segunda")
    add_member(second, member.user, "viewer")
    owner = device(second, role="owner")
    legal = create(owner, "Legal", area="legal", phones=[{"number": "+525511113333"}])
    add_playbook(owner, legal)
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, member.user.email)
    set_pin(page)
    expect(page.get_by_test_id("workspace-name")).to_have_text("Brand")
    wait_until(page, READY)

    # The open app (what the worker's notificationclick posts to it): no reload, still unlocked.
    page.evaluate(
        """([workspace, playbook]) => navigator.serviceWorker.dispatchEvent(new MessageEvent(
          "message", {data: {type: "open", workspace, hash: "playbook/" + playbook}},
        ))""",
        [str(second.id), PLAYBOOK_ID],
    )
    expect(page.get_by_test_id("workspace-name")).to_have_text("Segunda")
    expect(page.get_by_test_id("playbook")).to_contain_text("Amenaza en redes")

    # No app open: the worker opens /app?workspace=<id>#playbook/<id> (after the lock screen).
    other = context.new_page()
    page.close()
    other.goto("/app")
    unlock(other)
    page = other
    page.get_by_role("link", name="Status", exact=True).click()
    page.get_by_role("button", name="Brand").click()
    expect(page.get_by_test_id("workspace-name")).to_have_text("Brand")
    page.goto(f"/app?workspace={second.id}#playbook/{PLAYBOOK_ID}")
    unlock(page)
    expect(page.get_by_test_id("workspace-name")).to_have_text("Segunda")
    expect(page.get_by_test_id("playbook")).to_contain_text("Amenaza en redes")
    assert page.url.endswith(f"/app#playbook/{PLAYBOOK_ID}")


def test_a_push_for_a_workspace_the_device_does_not_hold_fetches_nothing(
    live_server: Any, new_context: Callable[..., Any], device: Any, recorder: Recorder
) -> None:
    member = device()
    context, page = member_in_browser(new_context, live_server, member)
    page.reload()
    # The reloaded app is up (locked): what the page before the reload asked for is counted.
    expect(page.get_by_test_id("unlock")).to_be_visible()
    before = len(recorder.snapshots())
    other = str(uuid.uuid4())
    deliver_push(
        context,
        page,
        live_server.url,
        {"type": "directory-changed", "workspace": other, "revision": 40, "count": 2},
    )
    [notification] = shown_notifications(page)
    assert notification["title"] == "One of your directories changed"
    assert recorder.snapshots()[before:] == []


def fake_subscription() -> dict[str, Any]:
    """A subscription as a browser would make it (TESTING.md: the test plays the browser)."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
        "keys": {"p256dh": b64(point), "auth": b64(uuid.uuid4().bytes)},
    }


def test_an_alert_sent_from_a_playbook_reaches_a_member_and_stays_on_screen(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    legal = create(owner, "Legal", area="legal", phones=[{"number": "+525511113333"}])
    add_playbook(owner, legal)
    member = device(owner.workspace_obj, role="viewer")
    subscribed = member.client.post(
        "/api/v1/push/subscriptions",
        json=fake_subscription(),
        headers={"X-CSRFToken": member.token()},
    )
    assert subscribed.status_code == 201, subscribed.get_data(as_text=True)
    workspace = str(owner.workspace_obj.id)

    sender = new_context(**PHONE).new_page()
    sign_in(sender, owner.user.email)
    set_pin(sender)
    open_playbook(sender)
    sender.get_by_role("button", name="Alert the team").click()
    dialog = sender.get_by_test_id("alert-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Short message (optional)").fill("Amenaza publicada: sigan el protocolo")
    with sender.expect_response(lambda r: r.url.endswith("/alerts")) as answer:
        dialog.get_by_role("button", name="Send alert").click()
    expect(dialog.get_by_role("status")).to_have_text("Alert sent to 1 device.")
    alert_id = answer.value.json()["id"]
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    context, page = member_in_browser(new_context, live_server, member)
    payload = {
        "type": "crisis-alert",
        "workspace": workspace,
        "alert": alert_id,
        "playbook": PLAYBOOK_ID,
        "message": "Amenaza publicada: sigan el protocolo",
    }
    deliver_push(context, page, live_server.url, payload)
    [notification] = shown_notifications(page)
    assert notification["title"] == "Crisis alert — Brand"
    assert notification["body"] == "Amenaza publicada: sigan el protocolo"
    assert notification["requireInteraction"] is True
    assert notification["data"] == {"workspace": workspace, "hash": f"playbook/{PLAYBOOK_ID}"}


def test_alert_errors_say_what_to_do_and_viewers_cannot_alert(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    legal = create(owner, "Legal", area="legal", phones=[{"number": "+525511113333"}])
    add_playbook(owner, legal)
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    open_playbook(page)
    wait_until(page, READY)

    dialog = page.get_by_test_id("alert-dialog")
    page.get_by_role("button", name="Alert the team").click()
    dialog.get_by_label("Short message (optional)").fill("x" * 200)
    expect(dialog.get_by_label("Short message (optional)")).to_have_value("x" * 140)
    expect(dialog).to_contain_text("0 characters left")

    context.set_offline(True)
    dialog.get_by_role("button", name="Send alert").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Sending an alert needs a connection. Call the team: the numbers are in the playbook."
    )
    context.set_offline(False)

    # The limit (5 per 10 minutes for a sender in a workspace) is used up elsewhere.
    path = f"/api/v1/workspaces/{owner.workspace_obj.id}/alerts"
    for _ in range(5):
        sent = owner.client.post(
            path,
            json={"playbook_id": PLAYBOOK_ID, "message": None},
            headers={"X-CSRFToken": owner.token()},
        )
        assert sent.status_code == 202, sent.get_data(as_text=True)
    dialog.get_by_role("button", name="Send alert").click()
    # Retry-After says about 600 s: shown in whole minutes.
    expect(dialog.get_by_role("alert")).to_have_text(
        re.compile(r"^Too many alerts were sent\. Try again in 1[01] min\.$")
    )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    viewer = device(owner.workspace_obj, role="viewer")
    other = new_context(**PHONE).new_page()
    sign_in(other, viewer.user.email)
    set_pin(other)
    open_playbook(other)
    expect(other.get_by_test_id("playbook")).to_contain_text("Amenaza en redes")
    expect(other.get_by_role("button", name="Alert the team")).to_have_count(0)


def test_the_switch_says_how_to_unblock_and_the_choice_is_kept_by_the_server(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    member = device()
    context = new_context(**PHONE)  # notifications not granted: the browser refuses them
    page = context.new_page()
    sign_in(page, member.user.email)
    set_pin(page)
    page.get_by_role("link", name="Status", exact=True).click()
    card = page.get_by_test_id("notifications")
    switch = card.get_by_role("switch", name="Notifications on this device")
    expect(switch).not_to_be_checked()
    expect(card.get_by_label("Every change to the directory")).to_be_checked()

    switch.click()
    expect(card.get_by_test_id("push-help")).to_contain_text("Notifications are blocked for Enlace")
    expect(switch).not_to_be_checked()
    expect(switch).to_be_disabled()

    card.get_by_label("Only crisis alerts").check()
    expect(page.get_by_test_id("notice")).to_have_text("Choice saved.×")
    answer = member.client.get("/api/v1/push/preferences")
    assert answer.get_json() == {"level": "urgent"}
    page.reload()
    unlock(page)
    expect(card.get_by_label("Only crisis alerts")).to_be_checked()


def test_with_permission_a_subscription_the_browser_cannot_make_is_reported(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    member = device()
    context = new_context(**PHONE)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, member.user.email)
    set_pin(page)
    wait_until(page, READY)
    page.get_by_role("link", name="Status", exact=True).click()
    switch = page.get_by_role("switch", name="Notifications on this device")
    switch.click()
    # Here subscribe() fails (no push service): the switch stays off and says so.
    expect(page.get_by_test_id("notice")).to_contain_text(
        "This browser could not turn notifications on"
    )
    expect(switch).not_to_be_checked()
    expect(switch).to_be_enabled()


AXE = Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_notification_settings_and_the_alert_dialog_have_no_serious_accessibility_issue(
    live_server: Any, new_context: Callable[..., Any], device: Any, scheme: str
) -> None:
    owner = device()
    legal = create(owner, "Legal", area="legal", phones=[{"number": "+525511113333"}])
    add_playbook(owner, legal)
    page = new_context(**PHONE, color_scheme=scheme).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    found = {}
    page.get_by_role("link", name="Status", exact=True).click()
    expect(page.get_by_test_id("notifications")).to_be_visible()
    page.wait_for_timeout(200)
    found["status"] = serious(page)
    open_playbook(page)
    page.get_by_role("button", name="Alert the team").click()
    expect(page.get_by_test_id("alert-dialog")).to_be_visible()
    page.wait_for_timeout(200)
    found["alert dialog"] = serious(page)
    assert found == {"status": [], "alert dialog": []}


def serious(page: Page) -> list[tuple[str, str, list[Any]]]:
    result = AXE.run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
