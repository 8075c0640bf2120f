"""Members, invitations and the workspace's settings as screens of the app (issue 16).

A Spanish-speaking owner on a phone-sized Chromium (390×844) sets up the team without leaving
the app: the PIN is typed once, however many screens and password checks follow.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from tests.browser.app_helpers import create, eventually, set_pin, sign_in, unlock
from tests.browser.test_app_accessibility import serious_issues
from tests.conftest import PASSWORD
from webapp.audit.models import AuditEvent
from webapp.db import session_scope
from webapp.workspaces.models import Membership, Workspace

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "has_touch": True}
# Counts the times the unlock form appears, from the first load of the page on: the app shows it
# after every load and on every lock, so the count stays 0 while the app stays open.
WATCH_UNLOCK = """
window.__unlockShown = 0;
new MutationObserver(() => {
  const shown = document.querySelector('[data-testid="unlock"]') !== null;
  if (shown && !window.__unlockPresent) window.__unlockShown += 1;
  window.__unlockPresent = shown;
}).observe(document, { childList: true, subtree: true });
"""
# The Web Share API as a phone has it (headless Chromium on Linux has none): records the calls.
FAKE_SHARE = """
window.__shared = [];
navigator.share = async (data) => { window.__shared.push(data); };
"""


def team(app: Any, device: Any, make_user: Any, add_member: Any) -> dict[str, Any]:
    """A workspace in Guadalajara whose owner speaks Spanish, with an editor and a contact."""
    olga = make_user(email="olga@example.com", name="Olga Dueña", locale="es")
    owner = device(user=olga)
    with app.app_context(), session_scope(app) as session:
        workspace = session.get(Workspace, owner.workspace_obj.id)
        workspace.name, workspace.city = "Reparto Guadalajara", "Guadalajara"
    eddie = make_user(email="eddie@example.com", name="Eddie Editor", locale="es")
    add_member(owner.workspace_obj, eddie, "editor")
    create(owner, "Finanzas", area="finance", phones=[{"number": "+523312345678"}])
    return {"owner": owner, "eddie": eddie, "workspace": owner.workspace_obj.id}


class Later:
    """The clock of the password's freshness (webapp/auth/session.py), moved forward.

    Moving the server's clock rather than rewriting the session cookie: a request of the app in
    flight would set the cookie back with its answer.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def time(self) -> float:
        return time.time() + self.seconds


def age_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the sign-in's password entry out of the re-authentication window (10 minutes)."""
    monkeypatch.setattr("webapp.auth.session.time", Later(11 * 60))


def role_of(app: Any, workspace: Any, email: str) -> str | None:
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(Membership).where(Membership.workspace_id == workspace))
        return {m.user.email: m.role for m in rows}.get(email)


def audited(app: Any, workspace: Any) -> list[str]:
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.workspace_id == workspace)
            .order_by(AuditEvent.id)
        )
        return list(rows)


def open_app(new_context: Callable[..., Any], live_server: Any, **options: Any) -> Page:
    context = new_context(locale="es-MX", **PHONE, **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.add_init_script(WATCH_UNLOCK)
    return page


def test_an_owner_sets_up_the_team_without_typing_the_pin_again(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    add_member: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = live_server.app
    people = team(app, device, make_user, add_member)
    workspace = people["workspace"]
    page = open_app(new_context, live_server)
    loads: list[str] = []
    sign_in(page, "olga@example.com")
    set_pin(page)
    page.on("load", lambda: loads.append(page.url))

    # Estado → Miembros e invitaciones: a screen of the app, not a server page.
    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-members").click()
    expect(page).to_have_url(re.compile(r"/app#members$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Miembros e invitaciones")
    members = page.get_by_test_id("members")
    expect(members.get_by_test_id("member")).to_have_count(2)
    olga = members.locator('[data-email="olga@example.com"]')
    expect(olga).to_contain_text("Olga Dueña (tú)")
    expect(olga).to_contain_text("Único propietario")
    expect(page.get_by_text("No hay invitaciones pendientes.")).to_be_visible()

    # An invitation for an editor: its link with "Copiar"; "Compartir" only where it exists.
    invite = page.get_by_test_id("invite")
    invite.get_by_label("Rol").select_option(label="Editor")
    invite.get_by_label("Nota (para quién es)").fill("Ana, atención al cliente")
    invite.get_by_role("button", name="Crear enlace de invitación").click()
    expect(page.get_by_test_id("notice")).to_have_text(re.compile("Enlace de invitación creado"))
    row = page.get_by_test_id("invitation")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Editor · Ana, atención al cliente")
    link_box = row.get_by_test_id("invite-link")
    expect(link_box).to_have_value(re.compile("^" + re.escape(f"{live_server.url}/invite/") + ".+"))
    link = link_box.input_value()
    row.get_by_role("button", name="Copiar").click()
    expect(page.get_by_test_id("notice")).to_have_text(re.compile("Enlace copiado."))
    assert page.evaluate("navigator.clipboard.readText()") == link
    has_share = page.evaluate("typeof navigator.share === 'function'")
    expect(row.get_by_role("button", name="Compartir")).to_have_count(1 if has_share else 0)
    # The link stays in the pending list: back to the directory and here again, it is there.
    page.get_by_role("link", name="Directorio", exact=True).click()
    page.go_back()
    expect(page.get_by_test_id("invitation").get_by_test_id("invite-link")).to_have_value(link)

    # Ten minutes later: changing a role asks for the password in place, and goes on.
    age_password(monkeypatch)
    eddie = members.locator('[data-email="eddie@example.com"]')
    eddie.get_by_label("Rol de Eddie Editor").select_option(label="Lector")
    eddie.get_by_role("button", name="Cambiar rol").click()
    prompt = page.get_by_test_id("password-prompt")
    expect(prompt).to_be_visible()
    expect(prompt.get_by_label("Contraseña de tu cuenta")).to_be_focused()
    assert role_of(app, workspace, "eddie@example.com") == "editor"
    prompt.get_by_label("Contraseña de tu cuenta").fill("no es esta")
    prompt.get_by_role("button", name="Confirmar").click()
    expect(prompt.get_by_role("alert")).to_have_text("Contraseña incorrecta.")
    prompt.get_by_label("Contraseña de tu cuenta").fill(PASSWORD)
    prompt.get_by_role("button", name="Confirmar").click()
    expect(prompt).to_have_count(0)
    expect(page.get_by_test_id("notice")).to_have_text(re.compile("Rol cambiado."))
    expect(eddie.get_by_test_id("member-role")).to_have_text("Lector")
    assert role_of(app, workspace, "eddie@example.com") == "viewer"

    # The workspace's screen: details, and the unlock rule (the password is recent now).
    page.get_by_role("link", name="← Ajustes del espacio de trabajo").click()
    expect(page).to_have_url(re.compile(r"/app#workspace$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reparto Guadalajara")
    expect(page.get_by_test_id("workspace-details")).to_have_text(
        "Guadalajara, México · Propietario"
    )
    policy = page.get_by_test_id("unlock-policy")
    expect(policy.get_by_label(re.compile("^PIN, frase de acceso"))).to_be_checked()
    policy.get_by_label(re.compile("^Solo frase de acceso")).check()
    policy.get_by_role("button", name="Guardar").click()
    expect(page.get_by_test_id("notice")).to_have_text(re.compile("^Regla de desbloqueo guardada."))
    with app.app_context(), session_scope(app) as session:
        assert session.get(Workspace, workspace).unlock_policy == "passphrase"
    assert audited(app, workspace)[-3:] == [
        "invitation.created",
        "member.role_changed",
        "workspace.unlock_policy_changed",
    ]

    # Back to the directory: still unlocked, the PIN never asked, the page never reloaded.
    page.get_by_role("link", name="Directorio", exact=True).click()
    expect(page.get_by_test_id("directory")).to_contain_text("Finanzas")
    expect(page.get_by_test_id("unlock")).to_have_count(0)
    assert page.evaluate("window.__unlockShown") == 0
    assert loads == []


def test_the_workspace_screens_links_stay_put_while_its_details_arrive(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any, add_member: Any
) -> None:
    team(live_server.app, device, make_user, add_member)
    page = open_app(new_context, live_server, service_workers="block")
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/api/v1/workspaces/*/settings*", hold)
    sign_in(page, "olga@example.com")
    set_pin(page)
    page.goto("/app#workspace")

    # The server has not answered yet: the details line is written from the copy and the session.
    link = page.get_by_test_id("open-import")
    expect(link).to_be_visible()
    eventually(lambda: page.evaluate("0") == 0 and held)  # route handlers run while we talk
    details = page.get_by_test_id("workspace-details")
    expect(details).to_have_text("Guadalajara, México · Propietario")
    before = link.bounding_box()
    for route in held:
        route.continue_()
    expect(page.get_by_test_id("unlock-policy")).to_be_visible()  # the server's answer is shown
    expect(details).to_have_text("Guadalajara, México · Propietario")
    assert link.bounding_box() == before, "the link moved under the finger"


def test_share_hands_the_link_to_the_phone_where_the_browser_can(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any, add_member: Any
) -> None:
    people = team(live_server.app, device, make_user, add_member)
    page = open_app(new_context, live_server)
    page.add_init_script(FAKE_SHARE)
    sign_in(page, "olga@example.com")
    set_pin(page)
    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-members").click()
    page.get_by_test_id("invite").get_by_role("button", name="Crear enlace de invitación").click()
    row = page.get_by_test_id("invitation")
    link = row.get_by_test_id("invite-link").input_value()
    row.get_by_role("button", name="Compartir").click()
    shared = page.evaluate("window.__shared")
    assert shared == [
        {
            "title": "Invitación a «Reparto Guadalajara»",
            "text": "Únete a «Reparto Guadalajara» en Enlace como Lector:",
            "url": link,
        }
    ]
    assert people["owner"].workspace == str(people["workspace"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_new_screens_have_no_serious_accessibility_issue(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    add_member: Any,
    scheme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = live_server.app
    team(app, device, make_user, add_member)
    page = open_app(new_context, live_server, color_scheme=scheme)
    sign_in(page, "olga@example.com")
    set_pin(page)
    found: dict[str, Any] = {}
    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-workspace").click()
    expect(page.get_by_test_id("unlock-policy")).to_be_visible()
    found["workspace"] = serious_issues(page)
    page.get_by_test_id("open-members").click()
    page.get_by_test_id("invite").get_by_role("button", name="Crear enlace de invitación").click()
    expect(page.get_by_test_id("invite-link")).to_be_visible()
    found["members with an invitation"] = serious_issues(page)
    page.get_by_test_id("members").locator('[data-email="eddie@example.com"]').get_by_role(
        "button", name="Quitar"
    ).click()
    expect(page.get_by_test_id("confirm-remove")).to_be_visible()
    found["remove question"] = serious_issues(page)
    page.get_by_test_id("confirm-remove").get_by_role("button", name="Cancelar").click()
    age_password(monkeypatch)
    page.get_by_test_id("invitation").get_by_role("button", name="Revocar").click()
    expect(page.get_by_test_id("password-prompt")).to_be_visible()
    found["password asked in place"] = serious_issues(page)
    page.get_by_test_id("password-prompt").get_by_role("button", name="Cancelar").click()
    page.reload()  # locked again; unlock: the links now need the password
    unlock(page)
    expect(page.get_by_test_id("show-links")).to_be_visible()
    found["members, links hidden"] = serious_issues(page)
    assert {screen: issues for screen, issues in found.items() if issues} == {}, json.dumps(
        found, indent=1
    )
