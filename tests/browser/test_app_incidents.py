"""In the crisis itself (issue 17): run a playbook on a phone with no connection, call down the
list, log a note with the police's folio number; online again, the whole log is on the server
and in another member's app; the report prints on one A4 sheet; an incident-started push opens
the incident; axe on the runner, the list and the report, light and dark. At 390×844.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import (
    DUMP_STORAGE,
    PHONE,
    READY,
    create,
    eventually,
    set_pin,
    sign_in,
    wait_until,
)
from tests.browser.test_app_accessibility import serious_issues
from tests.browser.test_app_push import NOTIFICATIONS, deliver_push, shown_notifications
from tests.conftest import mutation

RUNNER_PHONE = {**PHONE, "viewport": {"width": 390, "height": 844}}
STORM = "Ola de reembolsos o fallas de pago"  # the default playbook, in a Mexican workspace
FOLIO = "FGJ/CDMX/0042/2026"
# Set ENLACE_SHOTS=<folder> to keep screenshots of the runner, the list and the report.
SHOTS = os.environ.get("ENLACE_SHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def storm_team(device: Any, make_user: Any, make_workspace: Any) -> dict[str, Any]:
    """A workspace made with the defaults; Finance's two contacts put in the payment storm
    playbook, and the cyber police among the authorities. Returns the owner's SyncClient and ids."""
    user = make_user(name="Marta Ruiz")
    workspace = make_workspace(owner=user, defaults=True)
    owner = device(workspace, "owner", user=user)
    ana = create(
        owner, "Ana Finanzas", phones=[{"number": "+525511110001"}], backup_contact_id=None
    )
    beto = create(owner, "Beto Finanzas", phones=[{"number": "+525511110002", "whatsapp": True}])
    police = create(
        owner, "Policía Cibernética", kind="authority", phones=[{"number": "+525552425100"}]
    )
    playbooks = [
        c for c in owner.sync(cursor=0)["changes"] if c["type"] == "playbook" and c["data"]
    ]
    storm = next(c for c in playbooks if c["data"]["name"] == STORM)
    body = owner.sync(
        mutation(
            storm["entity_id"],
            {"contact_ids": [ana, beto]},
            type="playbook",
            base_version=storm["version"],
        )
    )
    assert body["results"][0]["status"] == "applied", body
    return {
        "owner": owner,
        "workspace": workspace,
        "ana": ana,
        "beto": beto,
        "police": police,
        "playbook": storm["entity_id"],
    }


def open_app(new_context: Callable[..., Any], email: str, **options: Any) -> tuple[Any, Page]:
    context = new_context(**{**RUNNER_PHONE, **options})
    page = context.new_page()
    sign_in(page, email)
    set_pin(page)
    return context, page


def server_log(owner: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the incidents and entries the server holds (a pull from cursor 0)."""
    changes = owner.sync(cursor=0)["changes"]
    incidents = [c["data"] for c in changes if c["type"] == "incident" and c["data"]]
    entries = [c["data"] for c in changes if c["type"] == "incident_entry" and c["data"]]
    return incidents, entries


def start_storm(page: Page) -> None:
    page.get_by_role("link", name="Playbooks", exact=True).click()
    page.get_by_role("link", name=STORM).click()
    page.get_by_test_id("start-incident").click()
    expect(page.get_by_test_id("runner")).to_be_visible()


# A phone hands a tel: link to its dialer and the app goes to the background; desktop Chromium
# would try an external handler, which can swallow the next taps. The test checks the link's
# address, lets the app's own tap handler run, and plays the return to the app.
NO_DIALER = """() => {
  if (window.__noDialer) return;
  window.__noDialer = true;
  document.addEventListener("click", (event) => {
    if (event.target.closest('a[href^="tel:"]')) event.preventDefault();
  }, true);
}"""
BACK_FROM_CALL = "document.dispatchEvent(new Event('visibilitychange'))"


def tap_call(page: Page, link: Any) -> None:
    page.evaluate(NO_DIALER)
    link.click()
    page.evaluate(BACK_FROM_CALL)


def call_and_log(page: Page, name: str, outcome: str) -> None:
    """Tap Call on the current contact, come back to the app, then say how it went."""
    card = page.get_by_test_id("current-contact")
    expect(card).to_contain_text(name)
    tap_call(page, card.get_by_test_id("call-now"))
    question = page.get_by_test_id("outcome")
    expect(question).to_contain_text(name)
    question.get_by_role("button", name=outcome, exact=True).click()


@pytest.mark.both_databases
def test_offline_a_playbook_is_run_down_the_list_and_the_whole_log_reaches_the_team(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    make_workspace: Any,
) -> None:
    team = storm_team(device, make_user, make_workspace)
    owner = team["owner"]
    context, page = open_app(new_context, owner.user.email)
    wait_until(page, READY)
    context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_have_text("Offline")

    start_storm(page)
    card = page.get_by_test_id("current-contact")
    expect(card).to_contain_text("Ana Finanzas")
    expect(card.get_by_test_id("call-now")).to_have_attribute("href", "tel:+525511110001")
    call_and_log(page, "Ana Finanzas", "No answer")
    expect(card).to_contain_text("Beto Finanzas")
    expect(card.get_by_role("link", name="WhatsApp")).to_have_attribute(
        "href", "https://wa.me/525511110002"
    )
    call_and_log(page, "Beto Finanzas", "Answered")
    expect(page.get_by_test_id("reached")).to_contain_text("Beto Finanzas")
    page.get_by_label("Note for the log").fill(f"Police folio {FOLIO}")
    page.get_by_test_id("add-note").click()

    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator(".entry")).to_have_count(3)
    expect(timeline).to_contain_text("No answer")
    expect(timeline).to_contain_text(FOLIO)
    expect(timeline.get_by_text("Not sent yet")).to_have_count(3)
    assert FOLIO not in page.evaluate(DUMP_STORAGE), "the log is readable at rest"
    shot(page, "runner-offline")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    def logged() -> Any:
        incidents, entries = server_log(owner)
        return (incidents, entries) if len(entries) == 3 else None

    incidents, entries = eventually(logged)
    assert [(i["title"], i["status"], i["playbook_id"]) for i in incidents] == [
        (STORM, "open", team["playbook"])
    ]
    entries.sort(key=lambda e: datetime.fromisoformat(e["at"]))
    assert [(e["kind"], e["contact_id"], e["outcome"]) for e in entries[:2]] == [
        ("call", team["ana"], "no_answer"),
        ("call", team["beto"], "answered"),
    ]
    assert entries[2]["kind"] == "note" and FOLIO in entries[2]["text"]
    assert {e["author"] for e in entries} == {"Marta Ruiz"}
    expect(timeline.get_by_text("Not sent yet")).to_have_count(0)

    # Another member opens the app: the open incident is at the top, with the whole log.
    editor = device(team["workspace"], "editor")
    _, other = open_app(new_context, editor.user.email)
    banner = other.get_by_test_id("open-incident")
    expect(banner).to_contain_text(STORM)
    banner.click()
    theirs = other.get_by_test_id("timeline")
    expect(theirs.locator(".entry")).to_have_count(3)
    expect(theirs).to_contain_text("Ana Finanzas")
    expect(theirs).to_contain_text(FOLIO)
    expect(theirs).to_contain_text("by Marta Ruiz")


def test_the_report_shows_calls_and_case_numbers_and_prints_on_one_a4_sheet(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    make_workspace: Any,
) -> None:
    team = storm_team(device, make_user, make_workspace)
    context, page = open_app(new_context, team["owner"].user.email)
    start_storm(page)
    call_and_log(page, "Ana Finanzas", "Voicemail")
    page.get_by_test_id("steps").get_by_role("checkbox").first.check()
    page.get_by_test_id("report-form").locator("summary").click()
    page.get_by_label("Authority").select_option(label="Policía Cibernética")
    page.get_by_label("Case or folio number").fill(FOLIO)
    page.get_by_role("button", name="Log the report").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator(".entry")).to_have_count(3)
    # Sent and back in the copy: what the report prints is then the server's log.
    expect(timeline.get_by_text("Not sent yet")).to_have_count(0)

    context.set_offline(True)  # the report is made from the copy in memory
    page.get_by_test_id("open-report").click()
    report = page.get_by_test_id("report")
    expect(report).to_contain_text("Incident report")
    expect(report).to_contain_text("Brand")
    expect(report).to_contain_text(STORM)
    expect(report).to_contain_text("America/Mexico_City")
    calls = page.get_by_test_id("report-calls")
    expect(calls).to_contain_text("Ana Finanzas")
    expect(calls).to_contain_text("Voicemail")
    reports = page.get_by_test_id("report-reports")
    expect(reports).to_contain_text("Policía Cibernética")
    expect(reports).to_contain_text(FOLIO)
    expect(page.get_by_test_id("report-timeline")).to_contain_text("Marta Ruiz")
    # Local times: the workspace's clock, HH:MM.
    assert re.search(r"\b\d{2}:\d{2}\b", calls.inner_text())

    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".tabs")).to_be_hidden()
    expect(page.get_by_test_id("print")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1

    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    saved = download.value
    assert saved.suggested_filename.startswith("incident-")
    text = Path(saved.path()).read_text(encoding="utf-8")
    assert FOLIO in text and '"outcome": "voicemail"' in text


def test_an_incident_started_push_opens_the_incident(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    make_workspace: Any,
) -> None:
    team = storm_team(device, make_user, make_workspace)
    viewer = device(team["workspace"], "viewer")
    context = new_context(**RUNNER_PHONE)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, viewer.user.email)
    set_pin(page)
    wait_until(page, READY)
    expect(page.get_by_test_id("open-incident")).to_have_count(0)

    # The owner starts an incident from another phone; the server's message reaches this one.
    incident = "7a1c7a0e-0000-4000-8000-00000000aaaa"
    body = team["owner"].sync(
        mutation(
            incident,
            {"title": "Tormenta de pagos", "playbook_id": team["playbook"]},
            type="incident",
        )
    )
    payload = {
        "type": "incident-started",
        "workspace": str(team["workspace"].id),
        "revision": body["cursor"],
    }
    deliver_push(context, page, live_server.url, payload)
    (shown,) = shown_notifications(page)
    assert shown["title"] == "Incident started — Brand"
    assert shown["requireInteraction"] is True
    assert shown["data"]["hash"] == "incident/latest"
    # The worker brought the copy forward: the open app shows the incident on top.
    expect(page.get_by_test_id("open-incident")).to_contain_text("Tormenta de pagos")

    # A tap (what the worker's notificationclick posts to the open app) opens the incident.
    page.evaluate(
        """(data) => navigator.serviceWorker.dispatchEvent(new MessageEvent(
          "message", {data: {type: "open", ...data}},
        ))""",
        shown["data"],
    )
    expect(page.get_by_test_id("incident")).to_contain_text("Tormenta de pagos")
    assert page.url.endswith(f"#incident/{incident}")
    # A viewer reads the log but has no runner.
    expect(page.get_by_test_id("runner")).to_have_count(0)
    assert page.evaluate(NOTIFICATIONS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_runner_the_list_and_the_report_have_no_serious_accessibility_issue(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    make_workspace: Any,
    scheme: str,
) -> None:
    team = storm_team(device, make_user, make_workspace)
    _, page = open_app(new_context, team["owner"].user.email, color_scheme=scheme)
    found = {}
    start_storm(page)
    call_and_log(page, "Ana Finanzas", "No answer")
    found["runner"] = serious_issues(page)
    tap_call(page, page.get_by_test_id("current-contact").get_by_test_id("call-now"))
    expect(page.get_by_test_id("outcome")).to_be_visible()
    found["outcome question"] = serious_issues(page)
    page.get_by_test_id("open-report").click()
    expect(page.get_by_test_id("report")).to_be_visible()
    found["report"] = serious_issues(page)
    page.goto("/app#incidents")
    expect(page.get_by_test_id("incident-list")).to_contain_text(STORM)
    found["list"] = serious_issues(page)
    page.goto("/app#")
    expect(page.get_by_test_id("open-incident")).to_be_visible()
    found["directory with an open incident"] = serious_issues(page)
    assert found == {
        "runner": [],
        "outcome question": [],
        "report": [],
        "list": [],
        "directory with an open incident": [],
    }
