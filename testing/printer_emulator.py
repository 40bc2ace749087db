"""A network receipt printer on 127.0.0.1: takes raw TCP jobs (port 9100 style), answers ESC/POS status
queries (DLE EOT 1 and 4) from its paper state, can cut the connection in the middle of a job, or hang
(`silent`: takes the connection and never reads)."""

from __future__ import annotations

import socket
import threading

DLE_EOT = b"\x10\x04"
PAPER_REPLY = {"ok": 0x12, "near_end": 0x12 | 0x0C, "out": 0x12 | 0x0C | 0x60}


class PrinterEmulator:
    def __init__(self, port: int = 0, paper: str = "ok", cut_after: int | None = None, silent: bool = False) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.paper, self.cut_after, self.silent = paper, cut_after, silent
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
                self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        if self.silent:  # a hung printer: takes the connection, never reads, never answers
            self._stop.wait(3)
            return
        conn.settimeout(2)
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
                while DLE_EOT in received and len(received) >= received.index(DLE_EOT) + 3:
                    at = received.index(DLE_EOT)
                    kind = received[at + 2]
                    received = received[:at] + received[at + 3:]
                    conn.sendall(bytes([PAPER_REPLY[self.paper] if kind == 4 else 0x12]))
                if self.cut_after is not None and len(received) >= self.cut_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return  # closed with RST: the rest of the job is lost
        except OSError:
            return
        if received:
            self.jobs.append(received)


def free_port() -> int:
    """A port nobody listens on (bound then released): an offline printer."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
