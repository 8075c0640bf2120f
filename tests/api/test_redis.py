"""Several processes behind one database share rate limits and built snapshots through Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import Auth
from webapp.snapshot.service import PlaintextCache

# tools/test_under_load.sh gives each suite it runs at once a database of its own.
REDIS_URL = os.environ.get("ENLACE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# Another process of the same deployment: its own app, its own Flask-Limiter, the same Redis.
OTHER_PROCESS = """
import sys
from tests.conftest import Auth
from webapp import create_app
app = create_app({"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
for i in range(5):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.2.0.{i + 1}"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    print(Auth(client).login(sys.argv[1], "wrong password").status_code)
"""


@pytest.fixture
def redis_available():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is expected on 127.0.0.1:6379 (this machine kind starts it)")
    yield client
    client.close()


def fail_in_another_process(email: str, database_url: str, instance: str) -> list[int]:
    env = dict(
        os.environ,
        ENLACE_DATABASE_URL=database_url,
        ENLACE_INSTANCE_PATH=instance,
        ENLACE_REDIS_URL=REDIS_URL,
    )
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, email],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [int(line) for line in done.stdout.split()]


def test_failed_sign_ins_are_counted_across_processes(
    make_app, make_user, database_url, tmp_path, redis_available
):
    email = f"ana-{uuid.uuid4().hex[:8]}@example.com"  # its own limiter keys in the shared Redis
    make_user(email=email)
    app = make_app("worker-1", RATELIMIT_STORAGE_URI=REDIS_URL, REDIS_URL=REDIS_URL)
    statuses = []
    for i in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.1.0.{i + 1}"
        statuses.append(Auth(client).login(email, "wrong password").status_code)
    statuses += fail_in_another_process(email, database_url, str(tmp_path / "worker-2"))
    client = app.test_client()
    statuses.append(Auth(client).login(email, "wrong password").status_code)
    assert statuses == [200] * 10 + [429]


def test_built_snapshots_are_shared_through_redis(redis_available):
    key = f"test:{uuid.uuid4()}"
    one, other = PlaintextCache(REDIS_URL), PlaintextCache(REDIS_URL)
    assert other.get(key) is None
    one.put(key, b"gzip bytes")
    assert other.get(key) == b"gzip bytes"
    redis_available.delete("enlace:snapshot:" + key)


def test_parallel_wrong_passwords_are_limited_through_redis(
    make_app, make_user, redis_available, monkeypatch
):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import argon2

    email = f"ana-{uuid.uuid4().hex[:8]}@example.com"
    make_user(email=email)
    app = make_app("worker-1", RATELIMIT_STORAGE_URI=REDIS_URL, REDIS_URL=REDIS_URL)
    checked: list[int] = []
    real = argon2.PasswordHasher.verify

    def counting(self, hash, password):  # type: ignore[no-untyped-def]  # noqa: A002
        checked.append(1)
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    clients = [app.test_client() for _ in range(20)]
    for i, client in enumerate(clients):
        client.environ_base["REMOTE_ADDR"] = f"10.3.{i}.1"  # the account's counter must hold
    tokens = [Auth(client).token() for client in clients]
    start = threading.Barrier(len(clients))

    def guess(i: int) -> int:
        start.wait()
        data = {"email": email, "password": f"guess {i}", "csrf_token": tokens[i]}
        return clients[i].post("/login", data=data).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(guess, range(len(clients))))
    assert sorted(statuses) == [200] * len(checked) + [429] * (len(clients) - len(checked))
    assert len(checked) <= 10


def test_successful_sign_ins_give_their_slot_back_in_redis(make_app, make_user, redis_available):
    address = f"10.4.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    app = make_app("worker-1", RATELIMIT_STORAGE_URI=REDIS_URL, REDIS_URL=REDIS_URL)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    auth = Auth(client)
    for _ in range(12):
        email = f"ok-{uuid.uuid4().hex[:8]}@example.com"
        make_user(email=email)
        assert auth.login(email).status_code == 302
        client.post("/logout", data={"csrf_token": auth.api_token()})
    for i in range(10):
        assert auth.login(f"nobody{i}-{address}@example.com", "wrong").status_code == 200
    assert auth.login(f"nobody-{address}@example.com", "wrong").status_code == 429


def test_a_slot_given_back_after_its_window_ended_frees_no_extra_attempt(make_app, redis_available):
    from webapp.auth import limits
    from webapp.extensions import limiter

    app = make_app("worker-1", RATELIMIT_STORAGE_URI=REDIS_URL, REDIS_URL=REDIS_URL)
    key = limits.account_key(f"test-{uuid.uuid4()}@example.com")
    with app.app_context():
        attempt = limits.reserve(key)
        limiter.storage.clear(f"{limits.IN_FLIGHT_PREFIX}/{key}")  # its window ends meanwhile
        attempt.not_a_failure()
        held = [limits.reserve(key) for _ in range(limits.IN_FLIGHT)]
        with pytest.raises(limits.TooManyFailures):
            limits.reserve(key)
        for attempt in held:
            attempt.failed()
        for _ in range(limits.FAILURES - limits.IN_FLIGHT):
            limits.reserve(key).failed()
        with pytest.raises(limits.TooManyFailures):
            limits.reserve(key)
