"""Nothing moves under a finger: a screen whose data arrives from the server after it opens does
not push its buttons and links down when it does (Chromium's layout-shift entries).

A tap aimed at "Import contacts" or "Print the poster" while the server answers must land where
it was aimed; a busy machine's test found the workspace screen's links moving by a line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.app_helpers import PHONE, create, set_pin, sign_in

# Every layout shift not caused by the user's own input, with the route it happened on.
WATCH_SHIFTS = """
window.__shifts = [];
window.__keepShifts = (entries) => {
  for (const entry of entries) {
    if (entry.hadRecentInput) continue;
    const nodes = (entry.sources || []).map((source) => (source.node?.outerHTML || source.node?.textContent || "").slice(0, 80));
    window.__shifts.push({ route: location.hash, value: entry.value, nodes });
  }
};
window.__shiftObserver = new PerformanceObserver((list) => window.__keepShifts(list.getEntries()));
window.__shiftObserver.observe({ type: "layout-shift", buffered: true });
"""
# The entries not yet handed to the observer's callback too.
SHIFTS = "window.__keepShifts(window.__shiftObserver.takeRecords()) || window.__shifts"
# The screens that ask the server when they open, and what shows once it has answered.
SCREENS = {
    "#workspace": "unlock-policy",
    "#members": "members",
    "#readiness": "readiness-score",
    "#poster": "poster-print",
    "#import": "import-chooser",
    "#account": "devices",
    "#audit": "events",
}
# Chromium counts sub-pixel moves of a line of text; a control pushed down by a line is ≥ 0.05.
NOTICEABLE = 0.01


@pytest.mark.parametrize("lang", ["en", "es"])  # Spanish lines are longer: they wrap sooner
def test_no_screen_pushes_its_controls_down_when_its_data_arrives(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any, lang: str
) -> None:
    owner = device(user=make_user(email=f"olga-{lang}@example.com", name="Olga", locale=lang))
    create(owner, "Finanzas", area="finance", phones=[{"number": "+525511112222"}])
    page = new_context(locale="en-US" if lang == "en" else "es-MX", **PHONE).new_page()
    page.add_init_script(WATCH_SHIFTS)
    sign_in(page, owner.user.email)
    set_pin(page)
    for route, loaded in SCREENS.items():
        page.evaluate("(route) => { location.hash = route; }", route)
        expect(page.get_by_test_id(loaded).first).to_be_visible()
    shifts = page.evaluate(SHIFTS)
    moved = [
        shift for shift in shifts if shift["route"] in SCREENS and shift["value"] >= NOTICEABLE
    ]
    assert moved == []
