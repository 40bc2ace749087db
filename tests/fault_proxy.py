"""A fault-injecting HTTP proxy on 127.0.0.1 between a kiosk and HQ. Each request draws one fault
from a seeded generator: pass, drop, delay, duplicate, late (reordered) delivery, 5xx, or a cut
after HQ has committed but before the kiosk hears the answer."""

from __future__ import annotations

import http.client
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = ("pass", "drop", "delay", "duplicate", "late", "5xx", "cut_after_commit")
FORWARDED_HEADERS = ("Content-Type", "X-Store-Id", "X-Timestamp", "X-Signature")


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, seed: int, weights: dict[str, float] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        target = urlsplit(upstream)
        self.upstream = (target.hostname, target.port)
        self.rng = random.Random(seed)
        self.weights = weights or dict.fromkeys(FAULTS, 1.0)
        self.lock = threading.Lock()
        self.held: list[tuple[str, str, dict, bytes]] = []  # requests kept back for late delivery
        self.counts = dict.fromkeys(FAULTS, 0)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeout) while we held its request is part of the game, not a bug."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def draw(self) -> str:
        with self.lock:
            fault = self.rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
            self.counts[fault] += 1
            return fault

    def forward(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, list, bytes]:
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def deliver_held(self) -> None:
        """Send the requests kept back, now, after newer ones went through: reordering at HQ."""
        with self.lock:
            held, self.held = self.held, []
        for request in held:
            self.forward(*request)


class _Handler(BaseHTTPRequestHandler):
    server: FaultProxy

    def log_message(self, *args) -> None:  # quiet: the test reports counts instead
        pass

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {h: self.headers[h] for h in FORWARDED_HEADERS if self.headers.get(h)}
        request = (self.command, self.path, headers, body)
        fault = self.server.draw()
        if fault in ("drop", "late"):
            if fault == "late":
                with self.server.lock:
                    self.server.held.append(request)
            self._cut()
            return
        if fault == "5xx":
            self._reply(503, [("Content-Type", "application/json")], b'{"error": "proxy: upstream overloaded"}')
            return
        if fault == "delay":
            time.sleep(self.server.rng.uniform(0.01, 0.2))
        status, response_headers, payload = self.server.forward(*request)
        if fault == "duplicate":
            self.server.forward(*request)
        self.server.deliver_held()
        if fault == "cut_after_commit":
            self._cut()
            return
        self._reply(status, response_headers, payload)

    do_GET = do_POST = _relay

    def _reply(self, status: int, headers: list, payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() in ("content-type",):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _cut(self) -> None:
        """Close the connection with no answer at all (RST), as a dying network does."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
