"""A push service on 127.0.0.1 for tests and benchmarks: it plays both the push service and
the browsers subscribed to it.

Each `subscribe()` makes a browser's keys (a P-256 key pair and a 16-byte auth secret) and
returns the subscription JSON a browser would give the app. Every POST is checked as a real
push service and browser would: the VAPID JWT (ES256, raw r‖s signature, `aud` = this origin,
now < exp ≤ now + 24 h, `sub` mailto:/https:, and the key the app publishes), the
`aes128gcm` body decrypted with the subscriber's private key (http_ece). What it received is
recorded; answers can be scripted per subscription (404, 410, 429 with Retry-After, 500) and
made slow. Keep-alive HTTP/1.1 (ThreadingHTTPServer), like real push services.
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SUB_RE = re.compile(r"^(mailto:[^@\s]+@\S+|https://\S+)$")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Subscriber:
    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    # Scripted answers, used before the default 201: (status, headers).
    script: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)


@dataclass
class Received:
    token: str
    payload: dict[str, Any]
    headers: dict[str, str]
    jwt: str
    status: int
    at: float
    # The sender went away before the answer (killed mid-send): not acknowledged.
    abandoned: bool = False


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A sender that closes its keep-alive connection (or is killed) is not an error here.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# How long a held request waits for its client to go (hold_in_flight).
HOLD_SECONDS = 30.0


class PushService:
    """Start with `with PushService() as push:`; `push.subscribe()` gives a subscription."""

    def __init__(self, delay: float = 0.0, vapid_key: str | None = None, quiet: bool = True):
        self.delay = delay
        self.vapid_key = vapid_key  # the app's public key, when the test knows it
        self.subscribers: dict[str, Subscriber] = {}
        self.received: list[Received] = []
        self.errors: list[str] = []
        self.requests = 0
        self.connections = 0
        self.in_flight: dict[int, str] = {}  # client port -> token, while answering slowly
        self.held: set[int] = set()  # client ports answered only once the client is gone
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.decrypt = True
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- subscriptions ----------------------------------------------------------------------

    def subscribe(self) -> dict[str, Any]:
        """Make a browser's keys and return its PushSubscription.toJSON()."""
        token = b64e(os.urandom(12))
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self.subscribers[token] = Subscriber(token, key, auth)
        point = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{token}",
            "expirationTime": None,
            "keys": {"p256dh": b64e(point), "auth": b64e(auth)},
        }

    @staticmethod
    def token_of(subscription: dict[str, Any]) -> str:
        return subscription["endpoint"].rsplit("/", 1)[1]

    def answer(self, subscription: dict[str, Any], status: int, **headers: str) -> None:
        """Script the next answer to this subscription (then 201 again)."""
        self.subscribers[self.token_of(subscription)].script.append((status, headers))

    def messages(self, subscription: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Payloads acknowledged with 201 (to this subscription), in arrival order."""
        token = self.token_of(subscription) if subscription else None
        with self.lock:
            return [
                r.payload
                for r in self.received
                if r.status == 201 and not r.abandoned and (token is None or r.token == token)
            ]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> bool:
        """Wait until predicate() is true (checked whenever a message arrives)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))
        return True

    # --- server -----------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> PushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with service.lock:
                    service.connections += 1

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                service._handle(self)

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # --- one request ------------------------------------------------------------------------

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.requests += 1
        token = handler.path.rsplit("/", 1)[-1]
        subscriber = self.subscribers.get(token)
        if subscriber is None:
            self._reply(handler, 404, {})
            return
        try:
            jwt = self._check_vapid(headers.get("authorization", ""))
            self._check_headers(headers)
            payload = self._decrypt(subscriber, body) if self.decrypt else {}
        except Exception as error:  # noqa: BLE001 - recorded, the test fails on it
            with self.cond:
                self.errors.append(f"{type(error).__name__}: {error}")
                self.cond.notify_all()
            self._reply(handler, 400, {})
            return
        status, extra = 201, {}
        with self.lock:
            if subscriber.script:
                status, extra = subscriber.script.popleft()
        abandoned = False
        if self.delay and status == 201:
            port = handler.client_address[1]
            with self.lock:
                self.in_flight[port] = token
            time.sleep(self.delay)
            # Held (hold_in_flight): wait for the client to go, however slow its death is on a
            # busy machine; the check and the release are one step under the lock, so a request
            # is either held before it is answered or not held at all.
            with self.lock:
                held = port in self.held
                if not held:
                    self.in_flight.pop(port, None)
            abandoned = self._client_gone(handler.connection, wait=HOLD_SECONDS if held else 0.0)
            if held:
                with self.lock:
                    self.in_flight.pop(port, None)
        record = Received(token, payload, headers, jwt, status, time.time(), abandoned)
        with self.cond:
            self.received.append(record)
            self.cond.notify_all()
        if not abandoned:
            self._reply(handler, status, extra)

    def hold_in_flight(self, ports: set[int]) -> set[int]:
        """Hold the requests now in flight from these client ports: they are answered only
        once their client is gone (or after HOLD_SECONDS). Returns the ports held: a test that
        then kills their process knows the kill lands mid-send."""
        with self.lock:
            hit = set(self.in_flight) & ports
            self.held |= hit
            return hit

    @staticmethod
    def _client_gone(connection: socket.socket, wait: float = 0.0) -> bool:
        readable, _, _ = select.select([connection], [], [], wait)
        if not readable:
            return False
        try:
            return connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _check_vapid(self, authorization: str) -> str:
        match = re.fullmatch(r"vapid t=([^,]+),\s*k=([A-Za-z0-9_-]+)", authorization)
        if not match:
            raise ValueError(f"no VAPID authorization: {authorization[:40]!r}")
        jwt, key = match.groups()
        if self.vapid_key is not None and key != self.vapid_key:
            raise ValueError("VAPID key is not the app's")
        head, claims_part, signature = jwt.split(".")
        if json.loads(b64d(head)).get("alg") != "ES256":
            raise ValueError("JWT alg is not ES256")
        raw = b64d(signature)
        if len(raw) != 64:
            raise ValueError("signature is not raw r||s")
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        try:
            public.verify(der, f"{head}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("bad VAPID signature") from None
        claims = json.loads(b64d(claims_part))
        now = time.time()
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.origin}")
        if not now < claims.get("exp", 0) <= now + 86400:
            raise ValueError(f"exp {claims.get('exp')} out of range")
        if not SUB_RE.match(str(claims.get("sub", ""))):
            raise ValueError(f"sub {claims.get('sub')!r}")
        return jwt

    @staticmethod
    def _check_headers(headers: dict[str, str]) -> None:
        if headers.get("content-encoding") != "aes128gcm":
            raise ValueError("Content-Encoding is not aes128gcm")
        if int(headers.get("ttl", "0")) < 86400:
            raise ValueError(f"TTL {headers.get('ttl')} is under a day")
        topic = headers.get("topic")
        if topic is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic):
            raise ValueError(f"bad Topic {topic!r}")
        if headers.get("urgency") not in ("very-low", "low", "normal", "high"):
            raise ValueError(f"bad Urgency {headers.get('urgency')!r}")

    @staticmethod
    def _decrypt(subscriber: Subscriber, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body,
            private_key=subscriber.private_key,
            auth_secret=subscriber.auth,
            version="aes128gcm",
        )
        return json.loads(plain)
