"""A network receipt printer on 127.0.0.1: accepts raw TCP jobs (port 9100 style) and keeps their bytes."""

from __future__ import annotations

import socket
import threading


class PrinterEmulator:
    def __init__(self, port: int = 0) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> PrinterEmulator:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                if chunks:
                    self.jobs.append(b"".join(chunks))


def free_port() -> int:
    """A port nobody listens on (bound then released): an offline printer."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
