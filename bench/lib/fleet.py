"""Simulated devices for the load-and-fault test: each a thread talking the real HTTP API.

A device signs in through the form, fetches its snapshot key (and unlock token), subscribes to
push, and for each workspace of its user keeps what the app keeps: a copy (records by id, with
their version), the revision it holds, the ETag of its last envelope, and an outbox of
mutations sent in order and kept until the server answers for them (docs/ARCHITECTURE.md,
section 3). Owners and editors edit online and in offline batches, often the same fields of the
same few contacts, create, delete, restrict and replay; viewers pull, mostly through the
encrypted snapshot and its deltas. Every request is recorded (`Recorder`) with the fault phase
its answer came in; every first answer for a mutation is kept (`Ledger`) for the invariants.

A failed request changes nothing on the device: its mutations stay queued and go again later
with the same ids, after `Retry-After` when the server gave one, else after a backoff.
"""

from __future__ import annotations

import copy
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.lib.dataset import make_contact
from tests.helpers import csrf_from
from webapp.encoding import b64url_decode
from webapp.snapshot.service import open_envelope

USER_AGENT = "enlace-load-faults/1"
TIMEOUT = 20.0  # seconds; a request that takes longer counts as a hang
COLLECTIONS = ("contacts", "playbooks", "incidents", "incident_entries")
TYPES = {"contacts": "contact", "playbooks": "playbook", "incidents": "incident"}
TYPES["incident_entries"] = "incident_entry"
# Every put carries one of these with a value no other mutation uses, so that an applied put
# always changes the record: its version then tells which change it was.
UNIQUE_FIELDS = ("role_title", "notes")
MAX_WAIT = 8.0  # the longest a device honours Retry-After or backs off, in seconds


@dataclass
class Call:
    """One HTTP request as the client saw it."""

    kind: str
    phase: str
    start: float  # seconds since the run started
    seconds: float
    status: int | str  # the HTTP status, or "conn" (refused, reset) or "timeout"
    body: str  # "json", "html", "other" or "empty"
    retry_after: bool
    api: bool  # under /api/
    path: str = ""
    excerpt: str = ""  # the start of an error answer's body: what the report shows of it


class Recorder:
    """Every request of every device, and the phase the run is in."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.phase = "setup"
        self.calls: list[Call] = []
        self.lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


def body_class(response: requests.Response) -> str:
    if not response.content:
        return "empty"
    kind = response.headers.get("Content-Type", "")
    if "json" in kind:
        return "json"
    if "html" in kind:
        return "html"
    return "other"


@dataclass
class Ack:
    """The first answer a device got for a mutation."""

    workspace: str
    device: str
    mutation: dict[str, Any]
    result: dict[str, Any]


class Ledger:
    """Every mutation queued, its first acknowledged result, and what went wrong on the way."""

    def __init__(self) -> None:
        self.acks: dict[str, Ack] = {}
        self.queued = 0
        self.replays = 0
        self.violations: dict[str, list[str]] = {}
        # What happened that breaks no invariant but is worth a line in the report.
        self.events: Counter[str] = Counter()
        self.lock = threading.Lock()

    def violation(self, name: str, detail: str) -> None:
        with self.lock:
            self.violations.setdefault(name, []).append(detail)

    def event(self, name: str) -> None:
        with self.lock:
            self.events[name] += 1

    def ack(self, workspace: str, device: str, mutation: dict[str, Any], result: Any) -> None:
        """Keep the first result of a mutation id; a later answer must be the same."""
        with self.lock:
            first = self.acks.get(mutation["id"])
            if first is None:
                self.acks[mutation["id"]] = Ack(workspace, device, mutation, result)
            else:
                self.replays += 1
        if first is not None and first.result != result:
            self.violation(
                "replay answered differently",
                f"{device} {mutation['id']}: first {first.result}, then {result}",
            )
        if result.get("id") != mutation["id"]:
            self.violation("result for another mutation", f"{device}: {mutation} -> {result}")
        if result.get("status") == "rejected":
            self.violation("valid mutation rejected", f"{device}: {mutation} -> {result}")


@dataclass
class Copy:
    """A device's copy of one workspace."""

    id: str
    role: str
    revision: int = 0
    etag: str | None = None
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> type, version, data
    outbox: list[dict[str, Any]] = field(default_factory=list)
    last_batch: list[dict[str, Any]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    deleting: set[str] = field(default_factory=set)
    offline_until: float = 0.0

    @property
    def sees_restricted(self) -> bool:
        return self.role != "viewer"


class Failed(Exception):
    """A request that did not get the answer it needed; the device waits, then goes on."""

    def __init__(self, status: int | str, wait: float | None = None):
        super().__init__(str(status))
        self.status = status
        self.wait = wait


@dataclass
class Shared:
    """What every device of the run shares."""

    base: str
    password: str
    recorder: Recorder
    ledger: Ledger
    hot: dict[str, list[str]]  # workspace id -> the contacts everyone edits
    subscribe: Callable[[], dict[str, Any]]  # a new push subscription
    stop: threading.Event
    resign_chance: float = 0.002


class Device:
    """One user's device: a requests.Session, the user's key, and a copy per workspace."""

    def __init__(self, name: str, email: str, roles: dict[str, str], shared: Shared, seed: int):
        self.name = name
        self.email = email
        self.shared = shared
        self.rnd = random.Random(seed)
        self.copies = {wid: Copy(wid, role) for wid, role in roles.items()}
        self.http: requests.Session | None = None
        self.user_id = ""
        self.csrf = ""
        self.unlock = ""
        self.kid = ""
        self.key = b""
        self.counter = 0
        self.backoff = 0.5
        self.subscribed = False
        self.sign_ins = 0

    # -- HTTP --------------------------------------------------------------------------------

    def call(self, kind: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request and record it; raise Failed for no answer or an unusable one."""
        recorder = self.shared.recorder
        assert self.http is not None
        start = recorder.now()
        headers = kwargs.pop("headers", {})
        if method != "GET" and self.csrf:
            headers.setdefault("X-CSRFToken", self.csrf)
        if self.unlock and path.startswith("/api/"):
            headers.setdefault("X-Enlace-Unlock", self.unlock)
        try:
            response = self.http.request(
                method, self.shared.base + path, headers=headers, timeout=TIMEOUT, **kwargs
            )
        except requests.Timeout:
            recorder.record(
                Call(
                    kind,
                    recorder.phase,
                    start,
                    recorder.now() - start,
                    "timeout",
                    "empty",
                    False,
                    True,
                )
            )
            raise Failed("timeout") from None
        except requests.RequestException:
            # Refused, reset, or cut off mid-answer (a worker killed while sending its body).
            recorder.record(
                Call(
                    kind,
                    recorder.phase,
                    start,
                    recorder.now() - start,
                    "conn",
                    "empty",
                    False,
                    True,
                )
            )
            raise Failed("conn") from None
        retry_after = response.headers.get("Retry-After")
        error = response.status_code >= 500 or (
            response.status_code >= 400 and "html" in response.headers.get("Content-Type", "")
        )
        recorder.record(
            Call(
                kind,
                recorder.phase,  # the phase of the answer: it tells of the server's state then
                start,
                recorder.now() - start,
                response.status_code,
                body_class(response),
                retry_after is not None,
                path.startswith("/api/"),
                f"{method} {path.split('?')[0]}",
                " ".join(response.text[:300].split()) if error else "",
            )
        )
        return response

    def refuse(self, response: requests.Response) -> Failed:
        """What a device does with an answer it cannot use: wait and come back."""
        status = response.status_code
        wait: float | None = None
        raw = response.headers.get("Retry-After", "")
        if raw.isdigit():
            wait = min(float(raw), MAX_WAIT)
        if status == 401 or (status == 403 and "locked" in response.text):
            self.http = None  # signed out or the token refused: sign in again
        elif status == 400 and '"csrf"' in response.text:
            self.csrf = ""
        return Failed(status, wait)

    def wait_after(self, failure: Failed) -> float:
        """Seconds to wait after a failure: the server's Retry-After, else a growing backoff."""
        if failure.wait is not None:
            return failure.wait
        wait = self.backoff * (0.5 + self.rnd.random())
        self.backoff = min(self.backoff * 2, MAX_WAIT)
        return wait

    # -- signing in --------------------------------------------------------------------------

    def sign_in(self) -> None:
        """Sign in through the form, read the session, fetch the key; subscribe once to push."""
        if self.http is not None:
            self.http.close()
        self.http = requests.Session()
        self.http.headers.update({"User-Agent": USER_AGENT, "Accept-Language": "en"})
        self.csrf = self.unlock = ""
        try:
            page = self.call("sign-in page", "GET", "/login")
            if page.status_code != 200:
                raise self.refuse(page)
            answer = self.call(
                "sign-in",
                "POST",
                "/login",
                data={
                    "email": self.email,
                    "password": self.shared.password,
                    "csrf_token": csrf_from(page.text),
                },
                allow_redirects=False,
            )
            if answer.status_code != 302:
                raise self.refuse(answer)
        except Failed:
            self.http = None  # not signed in: the next attempt starts at the form again
            raise
        self.sign_ins += 1
        self.key = b""
        self.ready()

    def fetch_key(self) -> None:
        key = self.call("key", "GET", "/api/v1/keys/snapshot")
        if key.status_code != 200:
            raise self.refuse(key)
        self.take_key(key.json())

    def subscribe(self) -> None:
        answer = self.call(
            "push subscribe", "POST", "/api/v1/push/subscriptions", json=self.shared.subscribe()
        )
        if answer.status_code not in (200, 201):
            raise self.refuse(answer)
        self.subscribed = True

    def take_key(self, data: dict[str, Any]) -> None:
        self.kid, self.key, self.unlock = (
            data["kid"],
            b64url_decode(data["key"]),
            data["unlock_token"],
        )

    def new_key(self, kid: str) -> None:
        """An envelope under another key: fetch the key again and download afresh, as the
        app's `newKey` does. Nothing here rotates keys, so it is noted in the report."""
        self.fetch_key()
        if self.kid != kid:
            self.shared.ledger.violation(
                "envelope under a key the server does not give", f"{self.name}: {kid}"
            )
            return
        self.shared.ledger.event(
            "the key changed under a device (refetched, copy downloaded again)"
        )
        for held in self.copies.values():
            held.revision, held.etag, held.records = 0, None, {}

    def read_session(self) -> None:
        answer = self.call("session", "GET", "/api/v1/session")
        if answer.status_code != 200:
            raise self.refuse(answer)
        data = answer.json()
        self.csrf, self.user_id = data["csrf_token"], data["user"]["id"]
        roles = {w["id"]: w["role"] for w in data["workspaces"]}
        for copy_ in self.copies.values():
            if roles.get(copy_.id) != copy_.role:
                self.shared.ledger.violation(
                    "session lists a wrong role", f"{self.name}: {copy_.id} {roles}"
                )

    def ready(self) -> None:
        """Make sure the device is signed in, holds a CSRF token and its key, and has
        subscribed to push (what the app does after sign-in, again after a failure)."""
        if self.http is None:
            self.sign_in()
            return
        if not self.csrf:
            self.read_session()
        if not self.key:
            self.fetch_key()
        if not self.subscribed:
            self.subscribe()

    # -- the copy ----------------------------------------------------------------------------

    def keep(self, copy_: Copy, change: dict[str, Any], source: str) -> None:
        """Apply one change (sync's or a delta's) to the copy, checking what a viewer may see."""
        if change["deleted"]:
            copy_.records.pop(change["entity_id"], None)
            return
        self.check_visible(copy_, change["data"], change["entity_id"], source)
        copy_.records[change["entity_id"]] = {
            "type": change["type"],
            "version": change["version"],
            "data": change["data"],
        }

    def check_visible(self, copy_: Copy, data: dict[str, Any], entity_id: str, source: str) -> None:
        if not copy_.sees_restricted and data.get("visibility") == "restricted":
            self.shared.ledger.violation(
                "restricted record to a viewer", f"{self.name} via {source}: {entity_id}"
            )

    def check_changes(self, copy_: Copy, since: int, changes: list[dict[str, Any]], what: str):
        last = since
        for change in changes:
            if change["revision"] <= last:
                self.shared.ledger.violation(
                    "revisions not increasing",
                    f"{self.name} {what} from {since}: {[c['revision'] for c in changes][:20]}",
                )
                return
            last = change["revision"]

    def sync(self, copy_: Copy, limit: int = 200) -> dict[str, Any]:
        """Send the outbox (up to `limit` mutations) from the held revision; keep the answer."""
        self.ready()
        batch = copy_.outbox[:limit]
        since = copy_.revision
        body = {"workspace": copy_.id, "cursor": since, "mutations": batch}
        kind = "sync (write)" if batch else "sync (pull)"
        response = self.call(kind, "POST", "/api/v1/sync", json=body)
        if response.status_code != 200:
            raise self.refuse(response)
        data = response.json()
        self.backoff = 0.5
        if len(data["results"]) != len(batch):
            self.shared.ledger.violation("results do not match", f"{self.name}: {data}")
        for mutation, result in zip(batch, data["results"], strict=False):
            self.shared.ledger.ack(copy_.id, self.name, mutation, result)
        done = {m["id"] for m in batch}
        copy_.outbox = [m for m in copy_.outbox if m["id"] not in done]
        if batch:
            copy_.last_batch = batch
        if "changes" not in data:
            self.shared.ledger.violation("sync answered locked", f"{self.name}: {data}")
            return data
        self.check_changes(copy_, since, data["changes"], "sync")
        for change in data["changes"]:
            self.keep(copy_, change, "sync")
        if data["cursor"] < since:
            self.shared.ledger.violation("cursor went back", f"{self.name}: {since} -> {data}")
        copy_.revision = data["cursor"]
        return data

    def flush(self, copy_: Copy) -> None:
        """Send everything queued and pull every page, as the app's flush does."""
        while True:
            data = self.sync(copy_)
            if not copy_.outbox and not data.get("more"):
                return

    def replay(self, copy_: Copy) -> None:
        """Send the last acknowledged batch again, as a device whose answer was lost does."""
        if not copy_.last_batch:
            return
        self.ready()
        batch = copy_.last_batch
        body = {"workspace": copy_.id, "cursor": copy_.revision, "mutations": batch}
        response = self.call("sync (replay)", "POST", "/api/v1/sync", json=body)
        if response.status_code != 200:
            raise self.refuse(response)
        for mutation, result in zip(batch, response.json()["results"], strict=False):
            self.shared.ledger.ack(copy_.id, self.name, mutation, result)
        copy_.last_batch = []

    def snapshot(self, copy_: Copy) -> None:
        """Bring the copy up to date through the encrypted snapshot or its delta."""
        self.ready()
        since = copy_.revision
        path = f"/api/v1/workspaces/{copy_.id}/snapshot"
        headers = {}
        if since and copy_.etag:
            path += f"?since={since}"
            headers["If-None-Match"] = copy_.etag
        response = self.call(
            "snapshot" if "since" not in path else "delta", "GET", path, headers=headers
        )
        if response.status_code == 304:
            return
        if response.status_code != 200:
            raise self.refuse(response)
        envelope = response.json()
        if envelope["kid"] != self.kid:
            self.new_key(envelope["kid"])
            return
        base = envelope.get("base")
        revision = envelope["revision"]
        if base is None:
            expected = f"enlace-snapshot:v1:{self.user_id}:{copy_.id}:{revision}"
        else:
            expected = f"enlace-delta:v1:{self.user_id}:{copy_.id}:{base}:{revision}"
        if envelope["aad"] != expected:
            self.shared.ledger.violation(
                "envelope for someone else", f"{self.name}: {envelope['aad']}"
            )
            return
        document = open_envelope(envelope, self.key)
        if base is None:
            copy_.records = {}
            for collection in COLLECTIONS:
                for record in document[collection]:
                    data = {
                        k: v for k, v in record.items() if k not in ("id", "version", "revision")
                    }
                    self.check_visible(copy_, data, record["id"], "snapshot")
                    copy_.records[record["id"]] = {
                        "type": TYPES[collection],
                        "version": record["version"],
                        "data": data,
                    }
        else:
            if base != since:
                self.shared.ledger.violation(
                    "delta from another base", f"{self.name}: {base} != {since}"
                )
                return
            self.check_changes(copy_, base, document["changes"], "delta")
            for change in document["changes"]:
                self.keep(copy_, change, "delta")
        copy_.revision = revision
        copy_.etag = response.headers.get("ETag")
        self.backoff = 0.5

    # -- editing -----------------------------------------------------------------------------

    def unique(self, what: str) -> str:
        self.counter += 1
        return f"{what} {self.name}-{self.counter}"

    def view(self, copy_: Copy, entity_id: str) -> dict[str, Any]:
        """A record as the device shows it: the copy with its queued changes laid over."""
        data = dict(copy_.records[entity_id]["data"])
        for mutation in copy_.outbox:
            if mutation["entity_id"] == entity_id and mutation["op"] == "put":
                data.update(mutation["fields"])
        return data

    def editable(self, copy_: Copy, hot: bool) -> str | None:
        pool = copy_.records if not hot else self.shared.hot[copy_.id]
        queued = {m["entity_id"] for m in copy_.outbox if m["base_version"] is None}
        choices = [
            entity_id
            for entity_id in (self.rnd.sample(list(pool), min(len(pool), 20)))
            if entity_id in copy_.records
            and copy_.records[entity_id]["type"] == "contact"
            and entity_id not in copy_.deleting
            and entity_id not in queued
        ]
        return choices[0] if choices else None

    def queue_put(self, copy_: Copy, entity_id: str, fields: dict[str, Any]) -> None:
        held = self.view(copy_, entity_id)
        copy_.outbox.append(
            {
                "id": str(uuid.uuid4()),
                "type": "contact",
                "entity_id": entity_id,
                "op": "put",
                "base_version": copy_.records[entity_id]["version"],
                "fields": fields,
                "base": {name: held.get(name) for name in fields},
            }
        )
        self.shared.ledger.queued += 1

    def queue_edit(self, copy_: Copy, hot: bool) -> None:
        entity_id = self.editable(copy_, hot)
        if entity_id is None:
            return
        names = self.rnd.choice([("role_title",), ("notes",), ("role_title", "notes")])
        self.queue_put(copy_, entity_id, {name: self.unique(name) for name in names})

    def queue_restriction(self, copy_: Copy) -> None:
        entity_id = self.editable(copy_, hot=self.rnd.random() < 0.3)
        if entity_id is None:
            return
        held = self.view(copy_, entity_id)
        level = "team" if held.get("visibility") == "restricted" else "restricted"
        self.queue_put(copy_, entity_id, {"visibility": level, "notes": self.unique("notes")})

    def queue_create(self, copy_: Copy) -> None:
        entity_id = str(uuid.uuid4())
        fields = make_contact(self.rnd, self.counter)
        fields["name"] = self.unique("Contacto")
        fields["role_title"] = self.unique("role_title")
        copy_.outbox.append(
            {
                "id": str(uuid.uuid4()),
                "type": "contact",
                "entity_id": entity_id,
                "op": "put",
                "base_version": None,
                "fields": fields,
                "base": {},
            }
        )
        copy_.created.append(entity_id)
        self.shared.ledger.queued += 1

    def queue_delete(self, copy_: Copy) -> None:
        queued = {m["entity_id"] for m in copy_.outbox}
        mine = [
            e
            for e in copy_.created
            if e in copy_.records and e not in copy_.deleting and e not in queued
        ]
        if not mine:
            return
        entity_id = self.rnd.choice(mine)
        copy_.deleting.add(entity_id)
        copy_.outbox.append(
            {
                "id": str(uuid.uuid4()),
                "type": "contact",
                "entity_id": entity_id,
                "op": "delete",
                "base_version": copy_.records[entity_id]["version"],
            }
        )
        self.shared.ledger.queued += 1

    # -- the loop ----------------------------------------------------------------------------

    def act(self) -> None:
        """One thing a person (or their phone in the background) does."""
        copy_ = self.rnd.choice(list(self.copies.values()))
        now = time.monotonic()
        if self.rnd.random() < self.shared.resign_chance:
            self.sign_in()
            return
        if not copy_.sees_restricted:
            roll = self.rnd.random()
            if roll < 0.6:
                self.snapshot(copy_)
            elif roll < 0.9:
                self.flush(copy_)
            else:
                self.ready()
                self.read_session()
            return
        offline = now < copy_.offline_until
        roll = self.rnd.random()
        if roll < 0.30:
            self.queue_edit(copy_, hot=False)
        elif roll < 0.55:
            self.queue_edit(copy_, hot=True)
        elif roll < 0.62:
            self.queue_create(copy_)
        elif roll < 0.65:
            self.queue_delete(copy_)
        elif roll < 0.70:
            self.queue_restriction(copy_)
        elif roll < 0.76 and not offline:
            # Going offline: the next edits queue up, then go as one batch.
            copy_.offline_until = now + self.rnd.uniform(2, 6)
            for _ in range(self.rnd.randint(3, 12)):
                self.queue_edit(copy_, hot=self.rnd.random() < 0.5)
            return
        elif roll < 0.84 and not offline:
            self.replay(copy_)
            return
        elif roll < 0.95 and not offline:
            self.snapshot(copy_)
            return
        elif not offline:
            self.ready()
            self.read_session()
            return
        if not offline:
            self.flush(copy_)

    def run(self) -> None:
        """Act until the run stops; wait after each failure as a phone would."""
        stop = self.shared.stop
        while not stop.is_set():
            try:
                self.act()
                pause = self.rnd.uniform(0.05, 0.4)
            except Failed as failure:
                pause = self.wait_after(failure)
            except Exception as error:  # noqa: BLE001 - a device bug must not end the run silently
                self.shared.ledger.violation("device error", f"{self.name}: {error!r}")
                pause = 1.0
            stop.wait(pause)

    def settle(self, deadline: float) -> bool:
        """Send everything queued and pull to the current revision; False if the time ran out."""
        while time.monotonic() < deadline:
            try:
                self.ready()
                for copy_ in self.copies.values():
                    copy_.offline_until = 0
                    self.flush(copy_)
                return True
            except Failed as failure:
                time.sleep(self.wait_after(failure))
        return False

    def held(self, workspace: str) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.copies[workspace].records)
