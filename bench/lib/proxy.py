"""A loopback TCP proxy that counts the bytes each answer takes on the wire, headers included.

Put between a client (Chromium, requests) and the bench's server, it sees exactly what a phone's
radio would carry: status line, headers, compressed body, chunk framing. Werkzeug's development
server closes every connection after its answer, so each connection is one request; the first
line of each direction gives its path and status.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Exchange:
    """One request and its answer as they crossed the proxy."""

    method: str = ""
    path: str = ""
    status: int = 0
    sent: int = 0  # bytes from the client (request line, headers, body)
    received: int = 0  # bytes of the answer (status line, headers, body)
    _head: bytearray = field(default_factory=bytearray, repr=False)
    _answer_head: bytearray = field(default_factory=bytearray, repr=False)


class CountingProxy:
    """Forward 127.0.0.1:<port> to the upstream port, keeping one `Exchange` per connection."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open = True
        threading.Thread(target=self._accept, name="counting-proxy", daemon=True).start()

    def close(self) -> None:
        self._open = False
        self._server.close()

    def reset(self) -> list[Exchange]:
        """Return the exchanges so far and start counting afresh."""
        with self._lock:
            done, self.exchanges = self.exchanges, []
        return done

    def _accept(self) -> None:
        while self._open:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        exchange = Exchange()
        with self._lock:
            self.exchanges.append(exchange)
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()
            return
        up = threading.Thread(target=self._pump, args=(client, upstream, exchange, True))
        up.start()
        self._pump(upstream, client, exchange, False)
        up.join(timeout=60)
        client.close()
        upstream.close()

    @staticmethod
    def _pump(
        source: socket.socket, target: socket.socket, exchange: Exchange, request: bool
    ) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(OSError):
                    target.shutdown(socket.SHUT_WR)
                return
            if request:
                exchange.sent += len(data)
                if not exchange.path and len(exchange._head) < 4096:
                    exchange._head += data
                    line = bytes(exchange._head).split(b"\r\n", 1)
                    if len(line) == 2:
                        parts = line[0].decode("latin-1").split(" ")
                        exchange.method, exchange.path = (
                            parts[0],
                            parts[1] if len(parts) > 1 else "",
                        )
            else:
                exchange.received += len(data)
                if not exchange.status and len(exchange._answer_head) < 4096:
                    exchange._answer_head += data
                    line = bytes(exchange._answer_head).split(b"\r\n", 1)
                    if len(line) == 2:
                        exchange.status = int(line[0].split(b" ")[1])
            try:
                target.sendall(data)
            except OSError:
                return


def total(exchanges: list[Exchange]) -> int:
    """Return the bytes the answers took (what a phone downloads)."""
    return sum(exchange.received for exchange in exchanges)


def downloaded_twice(exchanges: list[Exchange]) -> list[str]:
    """Return the paths whose body came more than once (200 twice or more)."""
    paths = [exchange.path for exchange in exchanges if exchange.status == 200]
    return sorted({path for path in paths if paths.count(path) > 1})
