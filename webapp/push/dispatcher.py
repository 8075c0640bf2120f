"""The push dispatcher: outbox → one delivery per device → the push services.

Two steps, each safe to run in several processes at once (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; on SQLite each step is one writer transaction, `BEGIN IMMEDIATE`):

1. **Fan-out**, one transaction: a workspace's directory changes wait `PUSH_COALESCE_SECONDS`
   from the first one, then all of them become one delivery per subscription of each current
   member who wants them (count = the changes made by others; a member's own changes do not
   notify their devices); crisis alerts go out at once. The outbox rows are deleted in the
   same transaction, so a dispatcher that dies leaves them for the next.
2. **Send**: a few threads each claim a small batch (`claimed_until` = now + lease; a dead
   dispatcher's claim lapses and another sends it), send each with pywebpush and record the
   outcome in its own short transaction: deleted when the push service took it, retried at
   `next_attempt_at` on 429/5xx/network errors (honouring Retry-After, else exponential
   backoff), the subscription deleted on 404/410 or when the allow-list no longer names its
   endpoint (checked again before each post), anything else logged, counted and dropped.
   No item can stop the others: any exception while sending one becomes its outcome (retried
   with backoff), and an outcome the database cannot record leaves only that item to its
   lease, the rest of its batch released for the next claim. A send starts only while it
   would end (its timeout) before its claim lapses: the rest of a batch slowed past that
   point is released too, so a slow push service gets no delivery twice.

pywebpush is used for what it does well (RFC 8291 encryption) and not for the rest: the VAPID
header is signed once per push-service origin and reused for up to 11 hours (its JWT lives 12),
built from a fresh claims dict each time (pywebpush writes into the one it is given); each
thread keeps one keep-alive connection per push-service origin (`Connections`, http.client);
every request has a timeout, a TTL of a day and, for directory changes, a `Topic` per
workspace.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import select as selectors_
import ssl
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from py_vapid import Vapid02
from pywebpush import WebPusher
from sqlalchemy import Engine, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from webapp.auth.models import User
from webapp.db import get_engine, utcnow
from webapp.push import endpoints
from webapp.push.models import OutboxMessage, PushDelivery, PushSubscription
from webapp.push.service import (
    DIRECTORY_CHANGED,
    IMMEDIATE,
    queue_stale_notices,
    recipients_query,
    topic,
)
from webapp.workspaces.models import Membership

log = logging.getLogger(__name__)

JWT_LIFETIME = 12 * 3600
# A cached VAPID header is replaced this long before its JWT expires.
JWT_MARGIN = 3600
MAX_RETRY_AFTER = 24 * 3600
FANOUT_BATCH = 5000
# How often the dispatcher looks for periodic notices due (each workspace's is monthly).
NOTICES_EVERY = timedelta(hours=1)
USER_AGENT = "Enlace push dispatcher"


class Connections:
    """Keep-alive HTTP/1.1 connections to the push services: one per origin and thread.

    The standard library's http.client rather than requests: for a message of ~200 bytes,
    requests' per-call machinery cost more CPU than the encryption (bench/push_bench.py).
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[http.client.HTTPConnection] = []
        self._tls = ssl.create_default_context()

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        pool = self._local.__dict__.setdefault("pool", {})
        conn = pool.get((scheme, netloc))
        if conn is not None and conn.sock is not None:
            # Closed by the server while idle (readable at end of file): reconnect.
            readable, _, _ = selectors_.select([conn.sock], [], [], 0)
            if readable:
                conn.close()
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(netloc, timeout=self.timeout, context=self._tls)
            else:
                conn = http.client.HTTPConnection(netloc, timeout=self.timeout)
            pool[(scheme, netloc)] = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        """POST and read the answer; return (status, headers)."""
        parts = urlsplit(url)
        conn = self._connection(parts.scheme, parts.netloc)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("POST", path, body=body, headers={"User-Agent": USER_AGENT, **headers})
            response = conn.getresponse()
            response.read()
        except BaseException:
            conn.close()
            raise
        if response.will_close:
            conn.close()
        return response.status, response.headers

    def close_mine(self) -> None:
        """Close this thread's connections."""
        pool = self._local.__dict__.pop("pool", {})
        with self._lock:
            for conn in pool.values():
                conn.close()
                self._all.remove(conn)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


# Built once: a delivery's outcome is one statement.
_DELETE_DELIVERY = delete(PushDelivery).where(PushDelivery.id == bindparam("did"))
_DELETE_SUBSCRIPTION = delete(PushSubscription).where(PushSubscription.id == bindparam("sid"))
_RETRY = (
    update(PushDelivery)
    .where(PushDelivery.id == bindparam("did"))
    .values(attempts=bindparam("attempts"), next_attempt_at=bindparam("due"), claimed_until=None)
)


@dataclass
class Claimed:
    """A delivery claimed for sending, with what sending it needs."""

    id: int
    subscription_id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str
    payload: dict[str, Any]
    urgency: str
    topic: str | None
    attempts: int


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Return the seconds a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class Dispatcher:
    """Sends the outbox of one database; `run_forever` in a thread or in `enlace push-worker`."""

    def __init__(self, app: Flask, clock: Callable[[], datetime] = utcnow):
        config = app.config
        # What "now" is for coalescing, claims, leases and retries: tests pass a clock they move
        # instead of sleeping.
        self.clock = clock
        self.engine: Engine = get_engine(app)
        # Writers begin IMMEDIATE on SQLite (webapp.db): a claim is one atomic read-and-mark.
        self.writer: Engine = app.extensions["enlace_db"]["writer"]
        self.postgres = self.engine.dialect.name == "postgresql"
        # An outcome is one statement: PostgreSQL commits it alone (autocommit, no BEGIN and
        # COMMIT round trips); SQLite takes the write lock first (BEGIN IMMEDIATE, webapp.db).
        self.recorder: Engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.postgres
            else self.writer
        )
        self.vapid = Vapid02(app.extensions["enlace_vapid"])
        self.subject = str(config["VAPID_SUBJECT"])
        self.coalesce = float(config["PUSH_COALESCE_SECONDS"])
        self.ttl = int(config["PUSH_TTL_SECONDS"])
        self.timeout = float(config["PUSH_TIMEOUT_SECONDS"])
        self.lease = float(config["PUSH_LEASE_SECONDS"])
        if self.lease <= self.timeout:
            raise ValueError(
                f"ENLACE_PUSH_LEASE_SECONDS ({self.lease:g}) must be longer than "
                f"ENLACE_PUSH_TIMEOUT_SECONDS ({self.timeout:g}): a send may last its whole "
                "timeout, and a claim that lapses first lets another worker send it again"
            )
        # A send started later than this after its claim could still be under way when the
        # claim lapses, and another dispatcher would send it again.
        self.send_by = timedelta(seconds=self.lease - self.timeout)
        self.poll = float(config["PUSH_POLL_SECONDS"])
        self.batch = int(config["PUSH_BATCH_SIZE"])
        self.threads = int(config["PUSH_SEND_THREADS"])
        self.max_attempts = int(config["PUSH_MAX_ATTEMPTS"])
        self.retry_base = float(config["PUSH_RETRY_SECONDS"])
        # Checked again before each post: a row stored under an older, looser allow-list (or
        # written by anything but the API) is never posted to.
        self.allowed: list[str] = list(config["PUSH_ALLOWED_ENDPOINTS"])
        endpoints.parse_allowed(self.allowed)
        self.stats: Counter[str] = Counter()
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._headers: dict[str, tuple[str, float]] = {}
        self.connections = Connections(self.timeout)
        self._notices_at: datetime | None = None

    # --- the loop ---------------------------------------------------------------------------

    def run_forever(self) -> None:
        """Fan out and send until `stop` is set; a failing database is retried, not fatal."""
        failures = 0
        while not self.stop.is_set():
            try:
                busy = self.run_once()
                failures = 0
            except Exception:
                failures += 1
                log.exception("push dispatcher: a round failed; retrying")
                busy = 0
                self.stop.wait(min(60.0, self.poll * 2**failures))
            if not busy:
                self.stop.wait(self.poll)
        self.close()

    def run_once(self) -> int:
        """Fan out what is due, then send every delivery that is due; return how many sent.

        An idle round only reads (no write lock on SQLite, where the app writes too).
        """
        self.notices()
        outbox, deliveries = self._work_waiting()
        if outbox:
            self.fan_out()
        elif not deliveries:
            return 0
        if self.threads == 1:
            return self._drain()
        done: list[int] = []
        workers = [
            threading.Thread(
                target=lambda: done.append(self._drain_and_close()), name=f"push-send-{n}"
            )
            for n in range(self.threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return sum(done)

    def close(self) -> None:
        self.connections.close()

    def notices(self) -> int:
        """Queue the periodic notices that are due (at most one look per NOTICES_EVERY);
        return how many were queued."""
        now = self.clock()
        if self._notices_at is not None and now - self._notices_at < NOTICES_EVERY:
            return 0
        self._notices_at = now
        with self.writer.begin() as conn:
            queued = queue_stale_notices(conn, now)
        self.stats["notices"] += queued
        return queued

    def _work_waiting(self) -> tuple[bool, bool]:
        """Tell, by reading only, whether the outbox or the deliveries hold anything."""
        with self.engine.connect() as conn:
            outbox = conn.scalar(select(OutboxMessage.id).limit(1)) is not None
            deliveries = conn.scalar(select(PushDelivery.id).limit(1)) is not None
            conn.rollback()
        return outbox, deliveries

    def _drain_and_close(self) -> int:
        """Send in a thread of this round; its connections end with it. Nothing ends the thread
        with an exception: the round's other threads and the next round go on."""
        try:
            return self._drain()
        except Exception:
            log.exception("push dispatcher: a send thread failed; the next round goes on")
            return 0
        finally:
            self.connections.close_mine()

    def _drain(self) -> int:
        """Claim and send batch after batch; return how many were sent.

        No item can stop the others (issue 18, finding 1): `send` returns an outcome for any
        exception, and an outcome the database refuses to record leaves only that item to its
        lease: the rest of its batch is released at once and claimed again.
        """
        sent = 0
        while not self.stop.is_set():
            # The dispatcher's clock, as the claim's lease is (tests move it).
            claimed_at = self.clock()
            try:
                claimed = self.claim(self.batch)
            except Exception:
                # The database is away: the next round (run_forever backs off) tries again.
                log.exception("push dispatcher: claiming deliveries failed")
                break
            if not claimed:
                break
            for index, item in enumerate(claimed):
                if self.clock() - claimed_at > self.send_by:
                    # A slow push service: a send started now could outlast the claim, and
                    # another dispatcher may take the rest; leave them unsent rather than send
                    # them twice, and give them back now rather than when the lease ends.
                    self.stats["left_to_lease"] += len(claimed) - index
                    self._release(claimed[index:])
                    break
                outcome = self.send(item)
                sent += 1
                if not self._record_safely(item, outcome):
                    # Sending more whose outcome may not be written down would send them
                    # again after the lease: release the rest for the next claim instead.
                    self._release(claimed[index + 1 :])
                    break
        return sent

    def _record_safely(self, item: Claimed, outcome: tuple[str, float | None]) -> bool:
        """Record an outcome, trying twice; False when the database refused both times (the
        item then waits for its lease and may be sent again: at least once, never lost)."""
        for attempt in (1, 2):
            try:
                self.record(item, outcome)
                return True
            except Exception:
                if attempt == 2:
                    log.exception("push: the outcome of delivery %s could not be recorded", item.id)
        with self._lock:
            self.stats["unrecorded"] += 1
        return False

    def _release(self, items: list[Claimed]) -> None:
        """Give back claimed deliveries that were not sent (best effort: the lease is the
        fallback when the database is away)."""
        if not items:
            return
        try:
            with self.recorder.begin() as conn:
                conn.execute(
                    update(PushDelivery)
                    .where(PushDelivery.id.in_([item.id for item in items]))
                    .values(claimed_until=None)
                )
        except Exception:
            log.exception("push: %d claimed deliveries wait for their lease", len(items))
            return
        with self._lock:
            self.stats["released"] += len(items)

    # --- step 1: fan-out --------------------------------------------------------------------

    def fan_out(self) -> int:
        """Turn due outbox messages into deliveries, in one transaction; return how many."""
        now = self.clock()
        cutoff = now - timedelta(seconds=self.coalesce)
        with self.writer.begin() as conn:
            ready = (
                select(OutboxMessage.workspace_id)
                .where(OutboxMessage.kind == DIRECTORY_CHANGED, OutboxMessage.created_at <= cutoff)
                .distinct()
            )
            query = (
                select(OutboxMessage)
                .where(
                    or_(
                        OutboxMessage.kind.in_(IMMEDIATE),
                        OutboxMessage.workspace_id.in_(ready),
                    )
                )
                .order_by(OutboxMessage.id)
                .limit(FANOUT_BATCH)
            )
            if self.postgres:
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).all()
            if not rows:
                return 0
            deliveries: list[dict[str, Any]] = []
            changes: dict[uuid.UUID, list[Any]] = {}
            for row in rows:
                if row.kind in IMMEDIATE:
                    deliveries += self._immediate_deliveries(conn, row, now)
                else:
                    changes.setdefault(row.workspace_id, []).append(row)
            for workspace_id, group in changes.items():
                deliveries += self._change_deliveries(conn, workspace_id, group, now)
            if deliveries:
                conn.execute(insert(PushDelivery), deliveries)
            conn.execute(delete(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows])))
        self.stats["fanned_out"] += len(deliveries)
        return len(deliveries)

    def _change_deliveries(
        self, conn: Connection, workspace_id: uuid.UUID, group: list[Any], now: Any
    ) -> list[dict[str, Any]]:
        revision = max(r.revision for r in group)
        found = []
        for sub_id, user_id in conn.execute(
            recipients_query(workspace_id, DIRECTORY_CHANGED, None)
        ):
            count = sum(r.count for r in group if r.author_id != user_id)
            if count <= 0:
                continue  # only their own changes
            payload = {
                "type": DIRECTORY_CHANGED,
                "workspace": str(workspace_id),
                "revision": revision,
                "count": count,
            }
            found.append(self._delivery(sub_id, workspace_id, payload, "normal", now))
            found[-1]["topic"] = topic(workspace_id)
        return found

    def _immediate_deliveries(self, conn: Connection, row: Any, now: Any) -> list[dict[str, Any]]:
        """A crisis alert, an incident started, a periodic notice: one delivery per device
        of the members who get it (never the author's)."""
        return [
            self._delivery(sub_id, row.workspace_id, row.payload, IMMEDIATE[row.kind], now)
            for sub_id, _user in conn.execute(
                recipients_query(row.workspace_id, row.kind, row.author_id)
            )
        ]

    @staticmethod
    def _delivery(
        sub_id: uuid.UUID, workspace_id: uuid.UUID, payload: dict[str, Any], urgency: str, now: Any
    ) -> dict[str, Any]:
        return {
            "subscription_id": sub_id,
            "workspace_id": workspace_id,
            "payload": payload,
            "urgency": urgency,
            "topic": None,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
            "claimed_until": None,
        }

    @staticmethod
    def _deliverable(row: Any, members: set[tuple[uuid.UUID, uuid.UUID]]) -> bool:
        """Tell whether a delivery may still be sent: its user is still a member of the
        workspace and still wants this kind of message."""
        if (row.workspace_id, row.user_id) not in members:
            return False
        return row.push_level == "all" or (row.urgency == "high" and row.push_level == "urgent")

    # --- step 2: claim, send, record --------------------------------------------------------

    def claim(self, limit: int) -> list[Claimed]:
        """Claim up to `limit` due deliveries for `lease` seconds (none: nothing is due)."""
        while True:
            claimed, more = self._claim_once(limit)
            if claimed or not more:
                return claimed

    def _claim_once(self, limit: int) -> tuple[list[Claimed], bool]:
        """Claim due deliveries; return them and whether any was due.

        Simple queries that every plan serves by index: the due ids alone (`next_attempt_at`,
        locked with SKIP LOCKED on PostgreSQL), what sending them needs (by primary keys), and
        the memberships of their users; a delivery whose user is no longer a member or no
        longer wants it is deleted. One query with the joins and an EXISTS let PostgreSQL,
        without statistics on new tables, join every membership to every delivery before the
        LIMIT (0.3–1 s per claim).
        """
        now = self.clock()
        due = (
            select(PushDelivery.id)
            .where(
                PushDelivery.next_attempt_at <= now,
                or_(PushDelivery.claimed_until.is_(None), PushDelivery.claimed_until < now),
            )
            .order_by(PushDelivery.next_attempt_at, PushDelivery.id)
            .limit(limit)
        )
        if self.postgres:
            due = due.with_for_update(skip_locked=True)
        details = (
            select(
                PushDelivery.id,
                PushDelivery.subscription_id,
                PushSubscription.endpoint,
                PushSubscription.p256dh,
                PushSubscription.auth,
                PushDelivery.payload,
                PushDelivery.urgency,
                PushDelivery.topic,
                PushDelivery.attempts,
                PushDelivery.workspace_id,
                PushSubscription.user_id,
                User.push_level,
            )
            .join(PushSubscription, PushSubscription.id == PushDelivery.subscription_id)
            .join(User, User.id == PushSubscription.user_id)
            .order_by(PushDelivery.next_attempt_at, PushDelivery.id)
        )
        with self.writer.begin() as conn:
            ids = list(conn.scalars(due))
            if not ids:
                return [], False
            found = conn.execute(details.where(PushDelivery.id.in_(ids))).all()
            members = (
                set(
                    conn.execute(
                        select(Membership.workspace_id, Membership.user_id).where(
                            Membership.user_id.in_({row.user_id for row in found})
                        )
                    ).all()
                )
                if found
                else set()
            )
            rows = [row for row in found if self._deliverable(row, members)]
            keep = [row.id for row in rows]
            dropped = set(ids) - set(keep)
            if dropped:
                conn.execute(delete(PushDelivery).where(PushDelivery.id.in_(dropped)))
            if keep:
                conn.execute(
                    update(PushDelivery)
                    .where(PushDelivery.id.in_(keep))
                    .values(claimed_until=now + timedelta(seconds=self.lease))
                )
        if dropped:
            with self._lock:
                self.stats["not_member_or_not_wanted"] += len(dropped)
        return [Claimed(*row[:9]) for row in rows], True

    def vapid_header(self, origin: str) -> str:
        """Return the VAPID Authorization header for a push-service origin, cached."""
        now = time.time()
        with self._lock:
            cached = self._headers.get(origin)
            if cached is not None and cached[1] - JWT_MARGIN > now:
                return cached[0]
        # A fresh claims dict each time: pywebpush and py_vapid may write into it.
        claims = {"sub": self.subject, "aud": origin, "exp": int(now) + JWT_LIFETIME}
        header = self.vapid.sign(claims)["Authorization"]
        with self._lock:
            self._headers[origin] = (header, claims["exp"])
            self.stats["jwt_signed"] += 1
        return header

    def send(self, item: Claimed) -> tuple[str, float | None]:
        """Send one delivery; return (outcome, retry delay): sent, gone, retry, failed or
        refused (the endpoint cannot be posted to: nothing is sent, the subscription goes).

        Never raises: an item whose sending fails in an unforeseen way is retried with backoff
        (at most PUSH_MAX_ATTEMPTS times), so it can neither end a send thread nor hold back
        the deliveries claimed with it.
        """
        try:
            return self._send(item)
        except (UnicodeError, http.client.InvalidURL) as error:
            # An endpoint no HTTP request can carry (the API refuses such endpoints; a row
            # written otherwise could hold one): it will never work.
            log.warning("push: an endpoint that cannot be posted to is dropped: %r", error)
            return "refused", None
        except Exception:
            log.exception("push: sending delivery %s failed; it is retried", item.id)
            return "retry", None

    def _send(self, item: Claimed) -> tuple[str, float | None]:
        if not endpoints.allowed(item.endpoint, self.allowed):
            log.warning("push: an endpoint outside the allow-list is dropped, not posted to")
            return "refused", None
        parts = urlsplit(item.endpoint)
        headers = {
            "Authorization": self.vapid_header(endpoints.origin(item.endpoint)),
            "TTL": str(self.ttl),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": item.urgency,
        }
        if item.topic:
            headers["Topic"] = item.topic
        data = json.dumps(item.payload, separators=(",", ":")).encode()
        subscription = {
            "endpoint": item.endpoint,
            "keys": {"p256dh": item.p256dh, "auth": item.auth},
        }
        try:
            # pywebpush encrypts (RFC 8291 aes128gcm, a new ephemeral key per message).
            body = WebPusher(subscription).encode(data, "aes128gcm")["body"]
        except Exception:
            log.exception("push to %s could not be encrypted", parts.netloc)
            return "failed", None
        try:
            status, answer = self.connections.post(item.endpoint, body, headers)
        except http.client.InvalidURL:
            raise  # not the network's fault: never retried (send)
        except (OSError, http.client.HTTPException) as error:
            log.warning("push to %s failed: %r", parts.netloc, error)
            return "retry", None
        if status in (200, 201, 202):
            return "sent", None
        if status in (404, 410):
            return "gone", None
        if status == 429 or status >= 500:
            return "retry", retry_after_seconds(answer.get("Retry-After"))
        log.warning("push to %s refused: %s", parts.netloc, status)
        return "failed", None

    def record(self, item: Claimed, outcome: tuple[str, float | None]) -> None:
        """Write down what became of a delivery: one statement, committed at once."""
        kind, retry_after = outcome
        if kind == "retry" and item.attempts + 1 >= self.max_attempts:
            kind = "dropped"
        if kind in ("gone", "refused"):  # the subscription, and with it what waits for it
            statement, params = _DELETE_SUBSCRIPTION, {"sid": item.subscription_id}
        elif kind == "retry":
            backoff = self.retry_base * 2**item.attempts * (1 + random.random() / 4)  # noqa: S311 - jitter
            delay = max(backoff, retry_after or 0.0)
            statement = _RETRY
            params = {
                "did": item.id,
                "attempts": item.attempts + 1,
                "due": self.clock() + timedelta(seconds=delay),
            }
        else:
            statement, params = _DELETE_DELIVERY, {"did": item.id}
        with self.recorder.begin() as conn:
            conn.execute(statement, params)
        with self._lock:
            self.stats[kind] += 1


def start_thread(app: Flask) -> Dispatcher:
    """Start the dispatcher in a daemon thread of this process (`enlace run`)."""
    dispatcher = Dispatcher(app)
    thread = threading.Thread(target=dispatcher.run_forever, name="push-dispatcher", daemon=True)
    thread.start()
    return dispatcher
