"""Push benchmark: fan-out of one change to 1,000 subscriptions on a loopback push service.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/push_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \\
        .venv/bin/python bench/push_bench.py --contacts 1000

1,000 members (viewers) of the seeded workspace each have one subscription at a keep-alive
HTTP/1.1 push service on 127.0.0.1 (``http.server`` ThreadingHTTPServer in a process of its
own, answering 201 without decrypting, so its work is not counted). Figures:

- messages/s of the dispatcher as built (fan-out, claim, encrypt, send, record), median of 3;
- the same 1,000 messages sent the naive way, one ``pywebpush.webpush()`` call each (a new JWT
  and a new connection per message, sequential), and the ratio of the two;
- server CPU per device to bring 1,000 devices up to date after one change: process CPU time
  (``time.process_time``, every thread) around the dispatch plus the 1,000 delta fetches
  ``GET /api/v1/workspaces/<id>/snapshot?since=R`` through the test client.

Same options as every bench script (``--only``, ``--json``, ``--profile``, ``--contacts``).
It measures, it never asserts.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import multiprocessing
import os
import ssl
import statistics
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from py_vapid import Vapid02  # noqa: E402
from pywebpush import webpush  # noqa: E402
from sqlalchemy import delete, func, insert, select, update  # noqa: E402

from bench.lib.clients import OWNER, PASSWORD, USER_AGENT, Device  # noqa: E402
from bench.lib.report import log  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402
from tests.helpers import sign_in  # noqa: E402
from webapp.db import session_scope  # noqa: E402

FIGURES = [
    "push_rate",
    "push_naive_ratio",
    "push_rate_tls",
    "push_naive_ratio_tls",
    "push_cpu_per_device",
]
DEVICES = 1000


def _sink(port_queue: Any, tls: tuple[str, str] | None = None) -> None:
    """A push service that takes every message (201) over keep-alive connections."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    port_queue.put(server.server_port)
    server.serve_forever()


def _certificate(folder: Path) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1; return (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "sink-cert.pem", folder / "sink-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


def _keys() -> dict[str, str]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return {"p256dh": b64(point), "auth": b64(os.urandom(16))}


def _members(run: Run, origin: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Create 1,000 viewers with one subscription each; return their emails and subscriptions."""
    from webapp.auth import service as auth
    from webapp.push.models import PushSubscription
    from webapp.workspaces.models import Membership

    app, wid = run.app, uuid.UUID(run.seeded.workspace_id)
    emails = [f"viewer{n}@bench.example.com" for n in range(DEVICES)]
    subscriptions = []
    with app.app_context(), session_scope(app) as session:
        rows, members = [], []
        for n, email in enumerate(emails):
            user = auth.create_user(session, email, f"Viewer {n}", PASSWORD)
            keys = _keys()
            endpoint = f"{origin}/push/{n}"
            subscriptions.append({"endpoint": endpoint, "keys": keys})
            rows.append({"id": uuid.uuid4(), "user_id": user.id, "endpoint": endpoint, **keys})
            members.append({"workspace_id": wid, "user_id": user.id, "role": "viewer"})
        session.execute(insert(Membership), members)
        session.execute(insert(PushSubscription), rows)
    return emails, subscriptions


def _change(owner: Device, app: Any) -> int:
    """One change by the owner; return the workspace revision before it."""
    from webapp.workspaces.models import Workspace

    with app.app_context(), session_scope(app) as session:
        before = session.scalar(select(Workspace.revision))
    owner.sync(
        [
            {
                "id": str(uuid.uuid4()),
                "type": "contact",
                "entity_id": str(uuid.uuid4()),
                "op": "put",
                "base_version": None,
                "fields": {"name": f"Nuevo {uuid.uuid4().hex[:6]}"},
                "base": {},
            }
        ],
        cursor=before,
    )
    return before


def _pending(app: Any) -> int:
    from webapp.push.models import OutboxMessage, PushDelivery

    with app.app_context(), session_scope(app) as session:
        return len(session.scalars(select(PushDelivery.id)).all()) + len(
            session.scalars(select(OutboxMessage.id)).all()
        )


def measure(run: Run) -> None:
    from webapp.push.dispatcher import Dispatcher
    from webapp.push.models import OutboxMessage, PushSubscription

    app, results = run.app, run.results
    app.config.update(PUSH_COALESCE_SECONDS=0.0)
    context = multiprocessing.get_context("fork")
    ports = context.Queue()
    tls = _certificate(run.workdir)
    sinks = [
        context.Process(target=_sink, args=(ports,), daemon=True),
        context.Process(target=_sink, args=(ports, tls), daemon=True),
    ]
    sinks[0].start()
    http_origin = f"http://127.0.0.1:{ports.get(timeout=10)}"
    sinks[1].start()
    https_origin = f"https://127.0.0.1:{ports.get(timeout=10)}"
    # The dispatcher posts only to endpoints its allow-list names: the two loopback sinks.
    app.config["PUSH_ALLOWED_ENDPOINTS"] = [f"{http_origin}/push/", f"{https_origin}/push/"]
    # Both the dispatcher (ssl default paths) and requests (naive) trust the sink's certificate.
    os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = tls[0]
    try:
        started = time.perf_counter()
        emails, subscriptions = _members(run, http_origin)
        log(f"{DEVICES:,} members with a subscription in {time.perf_counter() - started:.1f} s")
        with app.app_context(), session_scope(app) as session:
            session.execute(delete(OutboxMessage))  # the seeding's changes
        owner = Device(app, OWNER, run.seeded.workspace_id)
        vapid = Vapid02(app.extensions["enlace_vapid"])
        data = '{"type":"directory-changed","workspace":"x","revision":1,"count":1}'
        threads = app.config["PUSH_SEND_THREADS"]

        def as_built() -> float:
            _change(owner, app)
            dispatcher = Dispatcher(app)
            started = time.perf_counter()
            sent = dispatcher.run_once()
            seconds = time.perf_counter() - started
            dispatcher.close()
            if sent != DEVICES or _pending(app):
                raise RuntimeError(f"sent {sent} of {DEVICES}: {dict(dispatcher.stats)}")
            return DEVICES / seconds

        def naive(origin: str) -> float:
            # One webpush() per message: a new JWT and a new connection each time, sequential.
            started = time.perf_counter()
            for subscription in subscriptions:
                webpush(
                    {
                        **subscription,
                        "endpoint": subscription["endpoint"].replace(http_origin, origin),
                    },
                    data,
                    vapid_private_key=vapid,
                    vapid_claims={"sub": app.config["VAPID_SUBJECT"]},
                    ttl=86400,
                    timeout=10,
                )
            return DEVICES / (time.perf_counter() - started)

        for origin, rate_name, ratio_name in (
            (http_origin, "push_rate", "push_naive_ratio"),
            (https_origin, "push_rate_tls", "push_naive_ratio_tls"),
        ):
            with app.app_context(), session_scope(app) as session:
                session.execute(
                    update(PushSubscription).values(
                        endpoint=func.replace(PushSubscription.endpoint, http_origin, origin)
                        if origin != http_origin
                        else PushSubscription.endpoint
                    )
                )
            rates, naives = [], []
            for _ in range(3):  # interleaved, so that a busy moment hits both
                rates.append(as_built())
                naives.append(naive(origin))
            rate, slow = statistics.median(rates), statistics.median(naives)
            runs = ", ".join(f"{r:.0f}" for r in rates)
            results.show(rate_name, rate, f"{threads} send threads; runs {runs}")
            results.show(
                ratio_name,
                rate / slow,
                f"naive webpush() {slow:.0f} msg/s; runs {', '.join(f'{r:.0f}' for r in naives)}",
            )
            results.extra[f"{rate_name}_naive"] = slow
        with app.app_context(), session_scope(app) as session:
            session.execute(
                update(PushSubscription).values(
                    endpoint=func.replace(PushSubscription.endpoint, https_origin, http_origin)
                )
            )

        # CPU per device: one change, the dispatch, then every device's delta fetch.
        devices = []
        started = time.perf_counter()
        for email in emails:
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
            sign_in(client, email, PASSWORD)
            client.get("/api/v1/keys/snapshot")  # each device holds its key already
            devices.append(client)
        log(f"{DEVICES:,} devices signed in in {time.perf_counter() - started:.1f} s")
        since = _change(owner, app)
        path = f"/api/v1/workspaces/{run.seeded.workspace_id}/snapshot?since={since}"
        dispatcher = Dispatcher(app)

        def bring_up_to_date() -> tuple[float, float, int]:
            cpu = time.process_time()
            dispatcher.run_once()
            dispatch_cpu = time.process_time() - cpu
            size = 0
            for client in devices:
                answer = client.get(path)
                if answer.status_code != 200:
                    raise RuntimeError(f"delta answered {answer.status_code}")
                size += len(answer.get_data())
            return time.process_time() - cpu, dispatch_cpu, size

        total, dispatch_cpu, size = bring_up_to_date()
        results.show(
            "push_cpu_per_device",
            total / DEVICES * 1000,
            f"push {dispatch_cpu / DEVICES * 1000:.2f} ms + delta fetch "
            f"{(total - dispatch_cpu) / DEVICES * 1000:.2f} ms; {size / DEVICES:,.0f} B per delta",
        )
        dispatcher.close()
        if run.wants_profile("push_cpu_per_device"):

            def again() -> None:
                _change(owner, app)
                bring_up_to_date()

            run.profile("push_cpu_per_device", again, 1)
    finally:
        os.environ.pop("SSL_CERT_FILE", None)
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
        for sink in sinks:
            sink.terminate()
            sink.join(5)


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
