"""The dispatcher against a push service on 127.0.0.1 that verifies VAPID and decrypts.

Each test plays members' browsers with tests/pushservice.py, makes changes through the sync
API, runs the dispatcher one round at a time (`run_once`) and looks at what the push service
received.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import mutation
from tests.pushservice import PushService
from webapp.db import session_scope
from webapp.push.dispatcher import Dispatcher, retry_after_seconds
from webapp.push.models import OutboxMessage, PushDelivery, PushSubscription
from webapp.push.service import topic
from webapp.workspaces import service as workspaces


@pytest.fixture
def push(app) -> Iterator[PushService]:  # type: ignore[no-untyped-def]
    with PushService(vapid_key=app.config["VAPID_PUBLIC_KEY"]) as service:
        app.config.update(
            PUSH_ALLOWED_ENDPOINTS=[service.origin + "/push/"],
            PUSH_COALESCE_SECONDS=0.0,
            PUSH_RETRY_SECONDS=0.05,
            PUSH_TIMEOUT_SECONDS=5.0,
            PUSH_SEND_THREADS=2,
        )
        yield service
        assert service.errors == []  # every message had a valid VAPID JWT and decrypted


class Clock:
    """The dispatcher's "now", moved by the test instead of sleeping (coalescing, leases, retries)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def subscribe(device, push: PushService) -> dict:  # type: ignore[no-untyped-def, type-arg]
    subscription = push.subscribe()
    response = device.client.post(
        "/api/v1/push/subscriptions", json=subscription, headers={"X-CSRFToken": device.token()}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return subscription


def change(device, name: str = "Ana Pérez", number: str = "+52 55 1234 5678") -> None:  # type: ignore[no-untyped-def]
    device.sync(mutation(uuid.uuid4(), {"name": name, "phones": [{"number": number}]}))


def count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_change_reaches_the_other_members_devices_with_the_pinned_payload(app, device, push):
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    viewer = device(owner.workspace_obj, "viewer")
    own_phone = subscribe(owner, push)
    editor_phone, editor_laptop = subscribe(editor, push), subscribe(editor, push)
    viewer_phone = subscribe(viewer, push)
    outsider = device()
    outsider_phone = subscribe(outsider, push)

    change(owner)
    assert Dispatcher(app).run_once() == 3

    expected = {
        "type": "directory-changed",
        "workspace": owner.workspace,
        "revision": 1,
        "count": 1,
    }
    for phone in (editor_phone, editor_laptop, viewer_phone):
        assert push.messages(phone) == [expected]
    # The author's own device and a non-member's get nothing.
    assert push.messages(own_phone) == [] and push.messages(outsider_phone) == []
    for received in push.received:
        raw = str(received.payload)
        assert "Ana" not in raw and "1234" not in raw and "5512345678" not in raw
        assert received.headers["urgency"] == "normal"
        assert received.headers["topic"] == topic(uuid.UUID(owner.workspace))
        assert len(received.headers["topic"]) == 32
        assert int(received.headers["ttl"]) >= 86400
        assert received.headers["content-encoding"] == "aes128gcm"
    assert count(app, OutboxMessage) == 0 and count(app, PushDelivery) == 0


def test_the_vapid_header_is_signed_once_per_origin_and_connections_are_reused(app, device, push):
    owner = device()
    member = device(owner.workspace_obj, "editor")
    for _ in range(6):
        subscribe(member, push)
    app.config["PUSH_SEND_THREADS"] = 1
    dispatcher = Dispatcher(app)
    change(owner)
    dispatcher.run_once()
    change(owner)
    dispatcher.run_once()
    assert len(push.messages()) == 12
    assert len({r.jwt for r in push.received}) == 1
    assert dispatcher.stats["jwt_signed"] == 1
    assert push.connections == 1  # one keep-alive connection for the 12 messages
    dispatcher.close()


def test_a_burst_within_the_window_is_one_message_per_device_counting_others_changes(
    app, device, push, clock
):
    # Windows far longer than a busy machine takes between two lines: the clock is real time
    # plus what the test adds, so a 1 s window could close by itself under load.
    app.config["PUSH_COALESCE_SECONDS"] = 30.0
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    viewer = device(owner.workspace_obj, "viewer")
    owner_phone, editor_phone, viewer_phone = (subscribe(d, push) for d in (owner, editor, viewer))
    dispatcher = Dispatcher(app, clock)

    change(owner)
    assert dispatcher.run_once() == 0  # the window is still open
    change(owner, "Beto")
    editor.sync(mutation(uuid.uuid4(), {"name": "Carla"}))
    clock.advance(31)
    assert dispatcher.run_once() == 3

    def only(phone):  # type: ignore[no-untyped-def]
        [message] = push.messages(phone)
        return message["revision"], message["count"]

    assert only(viewer_phone) == (3, 3)
    assert only(owner_phone) == (3, 1)  # the editor's change
    assert only(editor_phone) == (3, 2)  # the owner's two


def test_a_devices_own_changes_alone_send_nothing(app, device, push):
    owner = device()
    subscribe(owner, push)
    change(owner)
    change(owner, "Beto")
    assert Dispatcher(app).run_once() == 0
    assert push.requests == 0 and count(app, OutboxMessage) == 0


@pytest.mark.parametrize("status", [404, 410])
def test_a_dead_subscription_is_deleted(app, device, push, status):
    owner = device()
    member = device(owner.workspace_obj, "viewer")
    dead, alive = subscribe(member, push), subscribe(member, push)
    push.answer(dead, status)
    change(owner)
    dispatcher = Dispatcher(app)
    dispatcher.run_once()
    assert dispatcher.stats["gone"] == 1
    assert count(app, PushSubscription) == 1
    change(owner)
    dispatcher.run_once()
    assert len(push.messages(alive)) == 2 and push.messages(dead) == []
    assert count(app, PushDelivery) == 0


def next_attempts(app) -> list[datetime]:  # type: ignore[no-untyped-def]
    with app.app_context(), session_scope(app) as session:
        return list(session.scalars(select(PushDelivery.next_attempt_at)))


def test_429_waits_as_long_as_retry_after_says_then_sends(app, device, push, clock):
    owner = device()
    member = device(owner.workspace_obj, "viewer")
    phone = subscribe(member, push)
    push.answer(phone, 429, **{"Retry-After": "60"})  # minutes of margin on a busy machine
    change(owner)
    dispatcher = Dispatcher(app, clock)
    before = datetime.now(UTC)
    dispatcher.run_once()
    [due] = next_attempts(app)
    assert (due - before).total_seconds() >= 59.9  # not the 0.05 s backoff
    assert dispatcher.run_once() == 0 and push.messages(phone) == []
    clock.advance(45)
    assert dispatcher.run_once() == 0 and push.messages(phone) == []  # still before Retry-After
    clock.advance(16)
    dispatcher.run_once()
    assert push.messages(phone) == [
        {"type": "directory-changed", "workspace": owner.workspace, "revision": 1, "count": 1}
    ]
    assert dispatcher.stats["retry"] == 1 and dispatcher.stats["sent"] == 1


def test_5xx_is_retried_with_backoff_until_it_goes_through(app, device, push, clock):
    # Backoffs far longer than a busy machine takes to run a pass (the clock is real time plus
    # what the test adds: with 0.05 s, a loaded pass outlasted its own backoff and retried at
    # once, so the 503 and the success came in the first pass).
    app.config["PUSH_RETRY_SECONDS"] = 30.0
    owner = device()
    member = device(owner.workspace_obj, "viewer")
    phone = subscribe(member, push)
    push.answer(phone, 500)
    push.answer(phone, 503)
    change(owner)
    dispatcher = Dispatcher(app, clock)
    dispatcher.run_once()  # 500
    assert push.messages(phone) == []
    clock.advance(40)  # past the first backoff (30 s and its jitter, at most a quarter more)
    dispatcher.run_once()  # 503
    assert push.messages(phone) == []
    clock.advance(80)  # past the second (60 s and its jitter)
    dispatcher.run_once()
    assert len(push.messages(phone)) == 1
    assert dispatcher.stats["retry"] == 2
    assert count(app, PushDelivery) == 0


def test_other_refusals_are_counted_and_dropped(app, device, push):
    owner = device()
    member = device(owner.workspace_obj, "viewer")
    phone = subscribe(member, push)
    push.answer(phone, 413)
    change(owner)
    dispatcher = Dispatcher(app)
    dispatcher.run_once()
    assert dispatcher.stats["failed"] == 1
    assert count(app, PushDelivery) == 0 and count(app, PushSubscription) == 1


def test_nothing_is_lost_when_the_dispatcher_dies(app, device, push, clock):
    # A lease far longer than a busy machine takes to run the lines below (the clock is real
    # time plus what the test adds: a 1 s lease ran out by itself under load once).
    app.config["PUSH_LEASE_SECONDS"] = 60.0
    owner = device()
    member = device(owner.workspace_obj, "viewer")
    phone = subscribe(member, push)
    change(owner)
    # A dispatcher turned the change into a delivery and claimed it, then died before sending.
    dead = Dispatcher(app, clock)
    dead.fan_out()
    assert len(dead.claim(10)) == 1
    change(owner)  # and another change waits in the outbox
    survivor = Dispatcher(app, clock)
    survivor.run_once()
    assert [m["revision"] for m in push.messages(phone)] == [2]  # the claimed one waits
    clock.advance(61)  # the dead one's lease runs out
    survivor.run_once()
    assert sorted(m["revision"] for m in push.messages(phone)) == [1, 2]


def test_a_removed_member_gets_nothing_more(app, device, push):
    owner = device()
    member = device(owner.workspace_obj, "editor")
    phone = subscribe(member, push)
    change(owner)
    dispatcher = Dispatcher(app)
    dispatcher.fan_out()  # a delivery is waiting for them
    with app.app_context(), session_scope(app) as session:
        workspaces.remove_member(session, uuid.UUID(owner.workspace), member.user.id, None)
    change(owner)
    dispatcher.run_once()
    assert push.messages(phone) == []
    assert count(app, PushDelivery) == 0
    # Their devices still hear from their other workspaces.
    own = device(user=member.user)
    other = device(own.workspace_obj, "editor")
    change(other)
    dispatcher.run_once()
    assert [m["workspace"] for m in push.messages(phone)] == [own.workspace]


def level(device, value: str) -> None:  # type: ignore[no-untyped-def]
    answer = device.client.put(
        "/api/v1/push/preferences", json={"level": value}, headers={"X-CSRFToken": device.token()}
    )
    assert answer.status_code == 200


def alert(device, body):  # type: ignore[no-untyped-def]
    return device.client.post(
        f"/api/v1/workspaces/{device.workspace}/alerts",
        json=body,
        headers={"X-CSRFToken": device.token()},
    )


def test_crisis_alerts_go_out_at_once_with_urgency_high_to_all_and_urgent(app, device, push):
    app.config["PUSH_COALESCE_SECONDS"] = 60.0  # alerts do not wait for the window
    owner = device()
    everything, urgent_only, nothing = (device(owner.workspace_obj, "viewer") for _ in range(3))
    level(urgent_only, "urgent")
    level(nothing, "none")
    phones = {d: subscribe(d, push) for d in (owner, everything, urgent_only, nothing)}
    playbook = uuid.uuid4()
    owner.sync(mutation(playbook, {"name": "Incendio"}, type="playbook"))

    sent = alert(owner, {"playbook_id": str(playbook), "message": "Salid por la escalera B"})
    assert sent.status_code == 202 and sent.get_json()["recipients"] == 2
    Dispatcher(app).run_once()
    expected = {
        "type": "crisis-alert",
        "workspace": owner.workspace,
        "alert": sent.get_json()["id"],
        "playbook": str(playbook),
        "message": "Salid por la escalera B",
    }
    assert push.messages(phones[everything]) == [expected]
    assert push.messages(phones[urgent_only]) == [expected]
    assert push.messages(phones[nothing]) == [] and push.messages(phones[owner]) == []
    for received in push.received:
        assert received.headers["urgency"] == "high"
        assert "topic" not in received.headers  # an alert never replaces another message


def test_levels_urgent_and_none_get_no_directory_changes(app, device, push):
    owner = device()
    urgent_only = device(owner.workspace_obj, "viewer")
    nothing = device(owner.workspace_obj, "viewer")
    level(urgent_only, "urgent")
    level(nothing, "none")
    phones = [subscribe(urgent_only, push), subscribe(nothing, push)]
    change(owner)
    # A choice made after the change is also honoured when the delivery is sent.
    everything = device(owner.workspace_obj, "viewer")
    late = subscribe(everything, push)
    dispatcher = Dispatcher(app)
    dispatcher.fan_out()
    level(everything, "none")
    dispatcher.run_once()
    assert push.requests == 0
    assert all(push.messages(p) == [] for p in [*phones, late])


def test_retry_after_takes_seconds_or_an_http_date():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    now = 1_800_000_000
    date = "Fri, 15 Jan 2027 08:00:30 GMT"
    then = datetime(2027, 1, 15, 8, 0, 30, tzinfo=UTC).timestamp()
    assert retry_after_seconds(date, now=then - 30) == 30
    assert retry_after_seconds("99999999") == 24 * 3600
    assert now  # the date form is relative to the given clock


def test_a_device_that_changes_hands_gets_nothing_meant_for_its_former_user(app, device, push):
    owner = device()
    former = device(owner.workspace_obj, "editor")
    phone = subscribe(former, push)
    change(owner)
    dispatcher = Dispatcher(app)
    dispatcher.fan_out()  # a delivery waits for the former user
    stranger = device()  # signs in on the same phone, member of another workspace only
    moved = stranger.client.post(
        "/api/v1/push/subscriptions", json=phone, headers={"X-CSRFToken": stranger.token()}
    )
    assert moved.status_code == 201
    change(owner)
    dispatcher.run_once()
    assert push.messages(phone) == [] and count(app, PushDelivery) == 0


def test_an_endpoint_the_allow_list_no_longer_names_is_never_posted_to(app, device, push):
    # Stored while its push service was allowed; the allow-list then changed (finding 6 of
    # issue 13: subscriptions stored under the old prefix rule stay in the table).
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    phone = subscribe(viewer, push)
    app.config["PUSH_ALLOWED_ENDPOINTS"] = ["fcm.googleapis.com", push.origin + "/other/"]
    dispatcher = Dispatcher(app)
    change(owner)
    assert dispatcher.run_once() == 1
    assert push.requests == 0 and push.connections == 0
    assert dispatcher.stats["refused"] == 1
    # The subscription goes like a dead one, and with it anything waiting for it.
    assert count(app, PushSubscription) == 0 and count(app, PushDelivery) == 0
    assert push.messages(phone) == []


# --- one bad item never stalls the others (issue 18, finding 1) --------------------------------


def deliveries(app) -> dict[uuid.UUID, PushDelivery]:  # type: ignore[no-untyped-def]
    """The waiting deliveries by subscription id."""
    with app.app_context(), session_scope(app) as session:
        rows = list(session.scalars(select(PushDelivery)))
        session.expunge_all()
    return {row.subscription_id: row for row in rows}


def subscription_id(app, phone: dict) -> uuid.UUID:  # type: ignore[no-untyped-def, type-arg]
    with app.app_context(), session_scope(app) as session:
        return session.scalar(
            select(PushSubscription.id).where(PushSubscription.endpoint == phone["endpoint"])
        )


def unicode_error() -> None:
    # What http.client raised for an endpoint holding U+202E (the finding).
    "/push/x\u202e".encode("ascii")


def unforeseen_error() -> None:
    raise RuntimeError("a bug in a library")


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "error", [unicode_error, unforeseen_error], ids=["UnicodeEncodeError", "RuntimeError"]
)
def test_an_exception_sending_one_delivery_holds_back_none_of_the_others(
    app, device, push, clock, monkeypatch, threads, error
):
    # A retry is not due again within this round, however slow the machine.
    app.config.update(PUSH_SEND_THREADS=threads, PUSH_BATCH_SIZE=20, PUSH_RETRY_SECONDS=600.0)
    owner = device()
    bad = subscribe(device(owner.workspace_obj, "viewer"), push)
    others = [subscribe(device(owner.workspace_obj, "viewer"), push) for _ in range(4)]
    bad_id = subscription_id(app, bad)
    dispatcher = Dispatcher(app, clock)
    post = dispatcher.connections.post

    def failing(url, body, headers):  # type: ignore[no-untyped-def]
        if url == bad["endpoint"]:
            error()
        return post(url, body, headers)

    monkeypatch.setattr(dispatcher.connections, "post", failing)
    change(owner)
    dispatcher.run_once()
    # Every other member's device got its message in this round, not after a lease.
    for phone in others:
        assert len(push.messages(phone)) == 1
    # The failing one was written down, never left claimed with attempts 0 to go first again.
    waiting = deliveries(app)
    if error is unicode_error:
        # An endpoint no request can carry never will: it goes like a refused one.
        assert waiting == {} and dispatcher.stats["refused"] == 1
        assert count(app, PushSubscription) == 4
    else:
        [(sub, row)] = waiting.items()
        assert sub == bad_id and row.attempts == 1 and row.claimed_until is None
        assert dispatcher.stats["retry"] == 1
    dispatcher.close()


@pytest.fixture
def failing_outcome(app):  # type: ignore[no-untyped-def]
    """Make the database refuse to record the outcome of one delivery: set `.delivery_id`."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    from webapp.db import get_engine

    class Failure:
        delivery_id: int | None = None
        refused = 0

    failure = Failure()

    def refuse(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        values = parameters.values() if isinstance(parameters, dict) else parameters or ()
        outcome = (
            statement.lstrip()
            .upper()
            .startswith(("DELETE FROM PUSH_DELIVERIES", "UPDATE PUSH_DELIVERIES SET ATTEMPTS"))
        )
        if outcome and failure.delivery_id in list(values):
            failure.refused += 1
            raise OperationalError(statement, parameters, Exception("server closed the connection"))

    with app.app_context():
        engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", refuse)
    yield failure
    event.remove(engine, "before_cursor_execute", refuse)


def test_a_database_error_recording_one_outcome_holds_back_none_of_the_others(
    app, device, push, clock, failing_outcome
):
    app.config.update(PUSH_SEND_THREADS=1, PUSH_BATCH_SIZE=20, PUSH_LEASE_SECONDS=30.0)
    owner = device()
    phones = [subscribe(device(owner.workspace_obj, "viewer"), push) for _ in range(5)]
    dispatcher = Dispatcher(app, clock)
    change(owner)
    dispatcher.fan_out()
    # The first of the batch: on main, the rest then waited for the lease.
    with app.app_context(), session_scope(app) as session:
        first = session.scalar(
            select(PushDelivery).order_by(PushDelivery.next_attempt_at, PushDelivery.id).limit(1)
        )
        failing_outcome.delivery_id, stuck = first.id, first.subscription_id
    dispatcher.run_once()
    assert failing_outcome.refused >= 1
    assert all(len(push.messages(phone)) == 1 for phone in phones)
    # Only the one whose outcome could not be written waits (for its lease).
    assert list(deliveries(app)) == [stuck]
    assert dispatcher.stats["unrecorded"] == 1
    # The database is back: after the lease it is sent again (at least once) and recorded.
    failing_outcome.delivery_id = None
    clock.advance(31)
    dispatcher.run_once()
    assert deliveries(app) == {}
    assert sorted(len(push.messages(phone)) for phone in phones) == [1, 1, 1, 1, 2]
    dispatcher.close()


def test_a_slow_push_service_gets_no_send_that_could_outlast_its_claim(app, device, push, clock):
    # The lease must exceed the timeout: else a send could outlast its claim from the start.
    app.config.update(PUSH_LEASE_SECONDS=5.0)
    with pytest.raises(ValueError, match="ENLACE_PUSH_LEASE_SECONDS"):
        Dispatcher(app, clock)
    # Each send takes 21 of the dispatcher's seconds, the timeout is 10 and the lease 30: the
    # second send of a claim would start at 21 s and could last until 31 s, after the claim
    # lapsed and another dispatcher could have taken it.
    app.config.update(
        PUSH_SEND_THREADS=1, PUSH_BATCH_SIZE=20, PUSH_LEASE_SECONDS=30.0, PUSH_TIMEOUT_SECONDS=10.0
    )
    owner = device()
    phones = [subscribe(device(owner.workspace_obj, "viewer"), push) for _ in range(4)]
    dispatcher = Dispatcher(app, clock)
    change(owner)
    dispatcher.fan_out()
    started: list[tuple[datetime, datetime]] = []
    send = dispatcher.send

    def slow_send(item):  # type: ignore[no-untyped-def]
        with app.app_context(), session_scope(app) as session:
            claimed_until = session.get(PushDelivery, item.id).claimed_until
        started.append((clock(), claimed_until.replace(tzinfo=UTC)))
        outcome = send(item)
        clock.advance(21)
        return outcome

    dispatcher.send = slow_send  # type: ignore[method-assign]
    dispatcher.run_once()
    # Every send could end, timeout included, before its claim lapsed; the rest of each claim
    # was given back and claimed again, so every phone still got its message, once.
    assert len(started) == 4
    assert all(at + timedelta(seconds=10) <= until for at, until in started)
    assert sorted(len(push.messages(phone)) for phone in phones) == [1, 1, 1, 1]
    assert dispatcher.stats["released"] == 3 + 2 + 1
    assert deliveries(app) == {}
    dispatcher.close()
