"""Failure limits of sign-in, re-authentication, the account page and invitation sign-up.

The parallel test runs a real threaded HTTP server: 30 wrong passwords for one account sent at
once must not slip past the limit (the account's in-flight cap admits at most what its failures
leave room for), none may be a 5xx (SQLite's "database is locked" while auditing) and every
checked failure is audited.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import argon2
import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import PASSWORD, Auth, change_password, csrf_from
from webapp.audit.models import AuditEvent
from webapp.auth.service import HashSlots
from webapp.db import session_scope

PARALLEL = 30
TIMEOUT = 60


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every Argon2 verification (one per password checked)."""
    calls: list[int] = []
    lock = threading.Lock()
    real = argon2.PasswordHasher.verify

    def counting(self: argon2.PasswordHasher, hash: str, password: str | bytes) -> bool:  # noqa: A002
        with lock:
            calls.append(1)
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return calls


def audit_count(app: Any, action: str) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )


def login_form(http: requests.Session, url: str) -> str:
    page = http.get(f"{url}/login", timeout=TIMEOUT)
    assert page.status_code == 200
    return csrf_from(page.text)


def test_parallel_wrong_passwords_cannot_slip_past_the_limit(
    app, live_url, make_user, verifications
):
    make_user(email="ana@example.com")
    sessions = [requests.Session() for _ in range(PARALLEL)]
    tokens = [login_form(http, live_url) for http in sessions]
    start = threading.Barrier(PARALLEL)

    def guess(i: int) -> requests.Response:
        start.wait()
        return sessions[i].post(
            f"{live_url}/login",
            data={"email": "ana@example.com", "password": f"guess {i}", "csrf_token": tokens[i]},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(guess, range(PARALLEL)))
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) <= {200, 429}, statuses
    checked = len(verifications)
    assert checked <= 10
    assert statuses.count(200) == checked
    assert statuses.count(429) == PARALLEL - checked
    for answer in answers:
        if answer.status_code == 429:
            assert 0 < int(answer.headers["Retry-After"]) <= 61
    assert audit_count(app, "auth.sign_in_failed") == checked
    # Guesses one after another: every one is checked until ten have failed, then none.
    more = [
        sessions[i]
        .post(
            f"{live_url}/login",
            data={"email": "ana@example.com", "password": f"more {i}", "csrf_token": tokens[i]},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        .status_code
        for i in range(11 - checked)
    ]
    assert more == [200] * (10 - checked) + [429]
    assert len(verifications) == 10
    # Every checked failure is in the audit log, and so is the limit being reached.
    assert audit_count(app, "auth.sign_in_failed") == 10
    assert audit_count(app, "auth.sign_in_limited") == 1
    checked = 10
    # The right password is refused too until the minute is over, and is not even checked.
    right = sessions[0].post(
        f"{live_url}/login",
        data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": tokens[0]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert right.status_code == 429
    assert len(verifications) == checked
    assert sessions[0].get(f"{live_url}/api/v1/session", timeout=TIMEOUT).status_code == 401
    for http in sessions:
        http.close()


def test_parallel_sign_ins_of_many_people_all_succeed(app, live_url, make_user):
    # Successes are not failures: eight colleagues behind one address sign in at once.
    users = [make_user(email=f"person{i}@example.com") for i in range(8)]
    sessions = [requests.Session() for _ in users]
    tokens = [login_form(http, live_url) for http in sessions]
    start = threading.Barrier(len(users))

    def sign_in(i: int) -> int:
        start.wait()
        return (
            sessions[i]
            .post(
                f"{live_url}/login",
                data={"email": users[i].email, "password": PASSWORD, "csrf_token": tokens[i]},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            .status_code
        )

    with ThreadPoolExecutor(len(users)) as pool:
        assert list(pool.map(sign_in, range(len(users)))) == [302] * len(users)
    assert audit_count(app, "auth.sign_in") == len(users)
    for http in sessions:
        assert http.get(f"{live_url}/api/v1/session", timeout=TIMEOUT).status_code == 200
        http.close()


def test_successful_sign_ins_do_not_use_up_the_addresss_allowance(client, auth, make_user):
    # An office behind one address: many successful sign-ins, then a typo still gets its answer.
    for i in range(12):
        make_user(email=f"colleague{i}@example.com")
        assert auth.login(f"colleague{i}@example.com").status_code == 302
        client.post("/logout", data={"csrf_token": auth.api_token()})
    assert auth.login("colleague0@example.com", "typo").status_code == 200


def reauth_attempt(client, password: str):
    page = client.get("/reauth?next=/account").get_data(as_text=True)
    return client.post(
        "/reauth?next=/account", data={"csrf_token": csrf_from(page), "password": password}
    )


def test_reauth_account_page_and_sign_in_share_one_failure_counter(app, make_user):
    make_user(email="ana@example.com")
    phone, laptop = app.test_client(), app.test_client()
    # Different addresses: the per-account counter is what stops this.
    phone.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    laptop.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert Auth(phone).login("ana@example.com").status_code == 302
    statuses = []
    for _ in range(4):
        statuses.append(reauth_attempt(phone, "wrong reauth").status_code)
    for _ in range(3):
        statuses.append(change_password(phone, "wrong current", "a new passphrase!").status_code)
    for i in range(3):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"10.0.1.{i}"
        statuses.append(Auth(other).login("ana@example.com", "wrong sign-in").status_code)
    assert statuses == [200] * 10
    # The 11th failure, wherever it comes from, gets 429; so does the right password.
    assert reauth_attempt(phone, "wrong again").status_code == 429
    refused = reauth_attempt(phone, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert change_password(phone, PASSWORD, "a new passphrase!").status_code == 429
    assert Auth(laptop).login("ana@example.com").status_code == 429
    assert audit_count(app, "auth.reauth_failed") == 4
    assert audit_count(app, "auth.password_change_failed") == 3
    assert audit_count(app, "auth.sign_in_failed") == 3
    assert audit_count(app, "auth.sign_in_limited") >= 1
    # Nothing changed: the old password still is the password (checked on another account's
    # limit-free path: a fresh minute is not available here, so look at the hash directly).
    from webapp.auth import service

    with app.app_context(), session_scope(app) as session:
        assert service.verify_password(service.find_user(session, "ana@example.com"), PASSWORD)


@pytest.fixture
def invitation_path(app, client, auth, make_user, make_workspace):
    owner = make_user(email="owner@example.com")
    workspace = make_workspace(name="Brand", owner=owner)
    auth.login("owner@example.com")
    response = auth.post(f"/workspaces/{workspace.id}/invitations", {"role": "viewer"})
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', response.get_data(as_text=True))
    return link.group(1).split("localhost", 1)[1]


def sign_up(client, path: str, email: str, password: str = "a good passphrase"):
    page = client.get(path).get_data(as_text=True)
    return client.post(
        path,
        data={"csrf_token": csrf_from(page), "name": "Guest", "email": email, "password": password},
    )


def test_probing_emails_through_an_invitation_is_rate_limited(app, make_user, invitation_path):
    for i in range(11):
        make_user(email=f"staff{i}@example.com")
    # An address with ten failed sign-ins cannot go on probing through an invitation.
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.6.0.1"
    for i in range(10):
        assert Auth(guesser).login(f"nobody{i}@example.com", "wrong").status_code == 200
    assert sign_up(guesser, invitation_path, "staff0@example.com").status_code == 429
    statuses = []
    for i in range(11):
        # Each probe from another address: the per-invitation counter must still hold.
        prober = app.test_client()
        prober.environ_base["REMOTE_ADDR"] = f"10.5.0.{i}"
        statuses.append(sign_up(prober, invitation_path, f"staff{i}@example.com").status_code)
    assert statuses == [200] * 10 + [429]
    assert "Sign in first" not in sign_up(prober, invitation_path, "staff1@example.com").get_data(
        as_text=True
    )


def test_invitation_stays_usable_after_probes_and_mistakes(app, make_user, invitation_path):
    make_user(email="staff@example.com")
    guest = app.test_client()
    taken = sign_up(guest, invitation_path, "staff@example.com")
    assert taken.status_code == 200
    assert "Sign in first" in taken.get_data(as_text=True)
    weak = sign_up(guest, invitation_path, "new@example.com", password="short")
    assert weak.status_code == 200
    newcomer = app.test_client()
    assert sign_up(newcomer, invitation_path, "new@example.com").status_code == 302
    assert newcomer.get("/api/v1/session").status_code == 200


def test_trusted_proxy_setting_keys_limits_on_the_forwarded_address(make_app, make_user):
    make_user(email="ana@example.com")
    behind = make_app("proxied", TRUSTED_PROXIES=1)
    for i in range(10):
        client = behind.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        assert Auth(client).login(f"x{i}@example.com", "wrong").status_code == 200
    same = behind.test_client()
    same.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    assert Auth(same).login("ana@example.com").status_code == 429
    # Another client behind the same proxy is not locked out by the first one.
    other = behind.test_client()
    other.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.2"
    assert Auth(other).login("ana@example.com").status_code == 302
    with behind.app_context(), session_scope(behind) as session:
        ips = set(session.scalars(select(AuditEvent.ip))) - {None}
    assert ips == {"203.0.113.7", "198.51.100.2"}


def test_without_trusted_proxies_a_forwarded_address_is_ignored(make_app, make_user):
    make_user(email="ana@example.com")
    direct = make_app("direct")
    for i in range(10):
        client = direct.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{i}"  # spoofed, one each
        assert Auth(client).login(f"x{i}@example.com", "wrong").status_code == 200
    client = direct.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.99"
    assert Auth(client).login("ana@example.com").status_code == 429


def test_concurrent_password_hashes_are_capped(make_app, make_user, monkeypatch):
    users = [make_user(email=f"p{i}@example.com") for i in range(6)]
    capped = make_app("capped", ARGON2_MAX_CONCURRENT=2)
    running, peak = [0], [0]
    lock = threading.Lock()
    gate = threading.Event()
    real = argon2.PasswordHasher.verify

    def slow(self: argon2.PasswordHasher, hash: str, password: str | bytes) -> bool:  # noqa: A002
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            if running[0] > 2:
                gate.set()  # the cap did not hold: stop waiting
        gate.wait(1)  # hold every hash a while, so that the others pile up at the cap
        try:
            return real(self, hash, password)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(argon2.PasswordHasher, "verify", slow)
    clients = [capped.test_client() for _ in users]
    tokens = [Auth(c).token() for c in clients]

    def sign_in(i: int) -> int:
        data = {"email": users[i].email, "password": PASSWORD, "csrf_token": tokens[i]}
        return clients[i].post("/login", data=data).status_code

    with ThreadPoolExecutor(len(users)) as pool:
        statuses = list(pool.map(sign_in, range(len(users))))
    assert statuses == [302] * len(users)
    assert peak[0] == 2


def test_waiting_too_long_for_a_password_hash_is_a_503_not_a_500(make_app, make_user):
    make_user(email="ana@example.com")
    busy = make_app("busy", ARGON2_MAX_CONCURRENT=1, ARGON2_WAIT_SECONDS=0.05)
    from webapp.auth.service import hash_slots

    with busy.app_context():
        slots = hash_slots()
    assert slots.acquire(timeout=0)
    try:
        response = Auth(busy.test_client()).login("ana@example.com")
    finally:
        slots.release()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    # A refused attempt for lack of capacity is not a failure: it is not counted.
    assert Auth(busy.test_client()).login("ana@example.com").status_code == 302


def test_a_probe_through_an_invitation_is_on_the_workspaces_audit_page(
    app, client, make_user, invitation_path
):
    make_user(email="staff@example.com")
    sign_up(app.test_client(), invitation_path, "staff@example.com")
    with app.app_context(), session_scope(app) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invitation.signup_existing_email")
        ).all()
        assert len(events) == 1 and events[0].workspace_id is not None


class WatchedSlots(threading.BoundedSemaphore):
    """A semaphore of password-hashing slots that tells the test how many requests wait."""

    def __init__(self, value: int):
        super().__init__(value)
        self.waiting = 0
        self.changed = threading.Condition()

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        if not blocking:  # a look, not a wait
            return super().acquire(False)
        with self.changed:
            self.waiting += 1
            self.changed.notify_all()
        try:
            return super().acquire(blocking, timeout)
        finally:
            with self.changed:
                self.waiting -= 1
                self.changed.notify_all()


def test_an_office_signing_in_at_once_is_not_refused_while_waiting_for_hashing(make_app, make_user):
    # Sixteen colleagues behind one address (one NAT) sign in together, after "sign out
    # everywhere", while every password-hashing slot is taken: waiting for a slot is no failure.
    people = 16
    users = [make_user(email=f"staff{i}@example.com") for i in range(people)]
    office = make_app("office", ARGON2_WAIT_SECONDS=120)
    slots = WatchedSlots(1)
    office.extensions["enlace_hash_slots"] = HashSlots(1, waiting=people)
    office.extensions["enlace_hash_slots"].semaphore = slots
    clients = [office.test_client() for _ in users]
    for browser in clients:
        browser.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    tokens = [Auth(browser).token() for browser in clients]
    answered: list[int] = []

    def sign_in(i: int) -> int:
        data = {"email": users[i].email, "password": PASSWORD, "csrf_token": tokens[i]}
        status = clients[i].post("/login", data=data).status_code
        with slots.changed:
            answered.append(status)
            slots.changed.notify_all()
        return status

    assert slots.acquire()  # every slot busy (someone else's hash)
    with ThreadPoolExecutor(people) as pool:
        futures = [pool.submit(sign_in, i) for i in range(people)]
        with slots.changed:
            # Each is either waiting for the slot or answered already (refused without waiting).
            assert slots.changed.wait_for(
                lambda: slots.waiting + len(answered) == people, timeout=TIMEOUT
            )
        slots.release()
        statuses = [future.result(timeout=TIMEOUT) for future in futures]
    assert statuses == [302] * people


def test_sign_ins_past_the_hashing_slots_and_places_to_wait_are_refused_at_once(
    make_app, make_user
):
    # 50 devices signing in together must not take every thread of a process (each waiting
    # sign-in holds one): past ARGON2_MAX_CONCURRENT + ARGON2_MAX_WAITING, 503 at once.
    users = [make_user(email=f"device{i}@example.com") for i in range(3)]
    busy = make_app("busy", ARGON2_WAIT_SECONDS=120)
    slots = WatchedSlots(1)
    busy.extensions["enlace_hash_slots"] = HashSlots(1, waiting=2)
    busy.extensions["enlace_hash_slots"].semaphore = slots
    clients = [busy.test_client() for _ in users]
    tokens = [Auth(browser).token() for browser in clients]
    answered: dict[int, Any] = {}

    def sign_in(i: int) -> int:
        data = {"email": users[i].email, "password": PASSWORD, "csrf_token": tokens[i]}
        response = clients[i].post("/login", data=data)
        with slots.changed:
            answered[i] = response
            slots.changed.notify_all()
        return response.status_code

    assert slots.acquire()  # every slot busy
    with ThreadPoolExecutor(3) as pool:
        waiting = [pool.submit(sign_in, i) for i in range(2)]
        with slots.changed:
            assert slots.changed.wait_for(lambda: slots.waiting == 2, timeout=TIMEOUT)
        third = pool.submit(sign_in, 2)
        with slots.changed:
            # Answered while the slot is still taken: it never waited.
            assert slots.changed.wait_for(lambda: 2 in answered, timeout=TIMEOUT)
        slots.release()
        assert [future.result(timeout=TIMEOUT) for future in waiting] == [302, 302]
    refused = third.result(timeout=TIMEOUT)
    assert refused == 503
    assert int(answered[2].headers["Retry-After"]) > 0
    # A refusal for lack of room is no failure: the same person signs in right after.
    assert Auth(clients[2]).login(users[2].email).status_code == 302


def test_a_third_attempt_at_one_account_while_two_are_checked_waits_a_few_seconds(app):
    from webapp.auth import limits

    key = limits.account_key("ana@example.com")
    with app.test_request_context():
        first, second = limits.reserve(key), limits.reserve(key)
        with pytest.raises(limits.TooManyFailures) as refused:
            limits.reserve(key)
        assert refused.value.in_flight
        assert refused.value.retry_after == limits.IN_FLIGHT_RETRY_SECONDS
        first.not_a_failure()
        second.failed()
        limits.reserve(key).not_a_failure()  # a slot is free again, and nothing was lost


def test_two_failures_checked_at_once_report_the_lockout_once(app, monkeypatch):
    # Found under load: two wrong passwords checked at once count the account and the address
    # one after the other; the first brought the address to the limit and the second the
    # account, and the audit log said "refused after too many failures" twice.
    from webapp.auth import limits
    from webapp.extensions import limiter

    keys = (limits.account_key("ana@example.com"), limits.address_key("203.0.113.7"))
    with app.test_request_context():
        storage = limiter.storage
        for _ in range(limits.FAILURES - 2):
            limits.reserve(*keys).failed()
        first, second = limits.reserve(*keys), limits.reserve(*keys)
        real = storage.incr
        reached: list[bool] = []

        def interleaved(key: str, *args: object, **kwargs: object) -> int:
            count = real(key, *args, **kwargs)
            if key.endswith(keys[0]):  # the first failure counted the account: now the second
                monkeypatch.setattr(storage, "incr", real)
                reached.append(second.failed())
            return count

        monkeypatch.setattr(storage, "incr", interleaved)
        reached.append(first.failed())
        assert reached.count(True) == 1
        with pytest.raises(limits.TooManyFailures):
            limits.reserve(*keys)
