"""Faults made in a test, never on the machine's own services: a database that goes away and
comes back (a TCP relay to PostgreSQL that the test stops and starts; an SQLite file whose
folder disappears), and a Redis nobody listens for.

Other engineers share this machine's PostgreSQL and Redis: nothing here stops them.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from webapp.db import get_engine

# Nothing listens on port 1 of the loopback: a connection is refused at once.
CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"


class TcpRelay:
    """Forward 127.0.0.1:<port> to a server; `stop` cuts every connection and refuses new ones
    (the server went down), `start` listens again on the same port (it is back)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self.start()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # stopped
            try:
                server = socket.create_connection(self.target)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    _close(client)
                    _close(server)
                    return
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    @staticmethod
    def _pump(one: socket.socket, other: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        try:
            selector.register(one, selectors.EVENT_READ, other)
            selector.register(other, selectors.EVENT_READ, one)
            while True:
                for key, _events in selector.select():
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            _close(one)
            _close(other)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class FragileDatabase:
    """A copy of the test's database (SQLite) or a relay to it (PostgreSQL) that can go down.

    `url` is what the app under test connects to; `down(app)` takes the database away (open
    connections die, new ones are refused), `up()` brings it back.
    """

    def __init__(self, database_url: str, folder: Path):
        self._relay: TcpRelay | None = None
        self._folder = folder
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            folder.mkdir(parents=True)
            shutil.copy(url.database, folder / "enlace.db")
            self.url = f"sqlite:///{folder / 'enlace.db'}"
        else:
            self._relay = TcpRelay(url.host or "127.0.0.1", url.port or 5432)
            self.url = url.set(host="127.0.0.1", port=self._relay.port).render_as_string(
                hide_password=False
            )

    def down(self, app: Flask) -> None:
        if self._relay is not None:
            self._relay.stop()
            return
        # SQLite: the pool's open files go (as after a restart), and the folder with them:
        # sqlite cannot open a file in a folder that is not there.
        get_engine(app).dispose()
        os.rename(self._folder, self._folder.with_name(self._folder.name + "-away"))

    def up(self) -> None:
        if self._relay is not None:
            self._relay.start()
            return
        os.rename(self._folder.with_name(self._folder.name + "-away"), self._folder)

    def close(self) -> None:
        if self._relay is not None:
            self._relay.stop()


def make_user_in(app: Flask, email: str, locale: str = "en", **kwargs: Any) -> Any:
    """Create a user in the app's own database (password PASSWORD)."""
    from tests.helpers import PASSWORD
    from webapp.auth import service
    from webapp.db import session_scope

    with app.app_context(), session_scope(app) as session:
        user = service.create_user(
            session, email, kwargs.get("name", "Test User"), PASSWORD, locale=locale
        )
        session.expunge(user)
    return user


def reset_limiter() -> Callable[[], None]:
    """Return a function that forgets the limiter's "storage is down" state (a process-wide
    singleton: the next test's app must not inherit this test's Redis outage)."""
    from webapp.extensions import limiter

    def reset() -> None:
        limiter._storage_dead = False

    return reset
