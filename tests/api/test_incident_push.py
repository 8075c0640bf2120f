"""Push for incidents: starting one tells the other members at once (urgent), and once a month
owners hear how many contacts nobody checked for 180 days. Against the loopback push service;
the dispatcher's clock is moved, never slept on.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.api.test_push_dispatch import Clock, clock, count, level, push, subscribe  # noqa: F401
from tests.helpers import mutation
from webapp.push.dispatcher import Dispatcher
from webapp.push.models import OutboxMessage, PushDelivery


def of_type(service, phone, kind: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    return [message for message in service.messages(phone) if message["type"] == kind]


def test_an_incident_started_reaches_the_others_at_once_urgent_and_without_its_text(
    app,
    device,
    push,  # noqa: F811
):
    app.config["PUSH_COALESCE_SECONDS"] = 60.0  # it does not wait for the window
    editor = device()
    everything = device(editor.workspace_obj, "viewer")
    urgent_only = device(editor.workspace_obj, "owner")
    nothing = device(editor.workspace_obj, "viewer")
    level(urgent_only, "urgent")
    level(nothing, "none")
    phones = {d: subscribe(d, push) for d in (editor, everything, urgent_only, nothing)}
    incident = uuid.uuid4()
    body = editor.sync(
        mutation(incident, {"title": "Tormenta de pagos en Instagram"}, type="incident"),
        mutation(
            uuid.uuid4(),
            {"incident_id": str(incident), "text": "Llamé a Ana Pérez", "kind": "call"},
            type="incident_entry",
        ),
    )
    Dispatcher(app).run_once()

    expected = {
        "type": "incident-started",
        "workspace": editor.workspace,
        "revision": body["cursor"],
    }
    assert push.messages(phones[everything]) == [expected]
    assert push.messages(phones[urgent_only]) == [expected]
    assert push.messages(phones[nothing]) == [] and push.messages(phones[editor]) == []
    for received in push.received:
        assert received.headers["urgency"] == "high"
        assert "topic" not in received.headers  # a later change never replaces it
        raw = str(received.payload)
        assert "Tormenta" not in raw and "Ana" not in raw
    # The directory-changed message still comes after the window, for level "all".
    assert count(app, OutboxMessage) == 1


def test_only_an_incident_created_open_notifies(app, device, push):  # noqa: F811
    editor = device()
    other = device(editor.workspace_obj, "viewer")
    phone = subscribe(other, push)
    incident = uuid.uuid4()
    # Logged after the fact, closed already: nothing urgent.
    editor.sync(mutation(uuid.uuid4(), {"title": "Ayer", "status": "closed"}, type="incident"))
    editor.sync(mutation(incident, {"title": "Hoy"}, type="incident"))
    # Closing it or logging on it is no new incident.
    editor.sync(mutation(incident, {"status": "closed"}, type="incident", base_version=1))
    Dispatcher(app).run_once()
    assert len(of_type(push, phone, "incident-started")) == 1


def stale_workspace(device):  # type: ignore[no-untyped-def]
    """An owner with a workspace of three contacts: never checked, checked in 175 days' time
    (so still fresh when the clock has moved 181 days), and deleted."""
    owner = device()
    later = (datetime.now(UTC) + timedelta(days=175)).isoformat()
    fresh, gone = uuid.uuid4(), uuid.uuid4()
    owner.sync(
        mutation(uuid.uuid4(), {"name": "Ana Pérez"}),
        mutation(fresh, {"name": "Bomberos", "last_verified_at": later}),
        mutation(gone, {"name": "Luis"}),
    )
    owner.sync(mutation(gone, type="contact", op="delete", base_version=1))
    return owner


def test_owners_hear_monthly_how_many_contacts_were_not_checked_for_180_days(
    app,
    device,
    push,  # noqa: F811
    clock,  # noqa: F811
):
    owner = stale_workspace(device)
    co_owner = device(owner.workspace_obj, "owner")
    editor = device(owner.workspace_obj, "editor")
    phones = {d: subscribe(d, push) for d in (owner, co_owner, editor)}
    dispatcher = Dispatcher(app, clock=clock)
    dispatcher.run_once()  # the first look: every contact is new
    assert all(of_type(push, phone, "stale-contacts") == [] for phone in phones.values())

    clock.advance(181 * 86400)
    dispatcher.run_once()
    expected = {"type": "stale-contacts", "workspace": owner.workspace, "count": 1}
    assert of_type(push, phones[owner], "stale-contacts") == [expected]
    assert of_type(push, phones[co_owner], "stale-contacts") == [expected]
    assert of_type(push, phones[editor], "stale-contacts") == []
    assert all(r.headers["urgency"] == "normal" for r in push.received)

    # A day later, in this process or another one: nothing more this month.
    clock.advance(86400)
    dispatcher.run_once()
    Dispatcher(app, clock=clock).run_once()
    assert len(of_type(push, phones[owner], "stale-contacts")) == 1

    # A month later, still unchecked: the notice comes again.
    clock.advance(30 * 86400)
    dispatcher.run_once()
    assert of_type(push, phones[owner], "stale-contacts") == [expected, expected]
    assert count(app, OutboxMessage) == 0 and count(app, PushDelivery) == 0


def test_a_workspace_whose_contacts_are_checked_gets_no_notice(app, device, push, clock):  # noqa: F811
    owner = device()
    phone = subscribe(owner, push)
    dispatcher = Dispatcher(app, clock=clock)
    clock.advance(200 * 86400)
    owner.sync(
        mutation(
            uuid.uuid4(),
            {"name": "Ana", "last_verified_at": clock().isoformat()},
        )
    )
    dispatcher.run_once()
    assert of_type(push, phone, "stale-contacts") == []
