"""A network receipt printer on 127.0.0.1: takes raw TCP jobs (port 9100 style), answers ESC/POS status
queries (DLE EOT 1 to 4) from its paper and cover state, can cut the connection in the middle of a job, or hang
(`silent`: takes the connection and never reads)."""

from __future__ import annotations

import socket
import threading

DLE_EOT = b"\x10\x04"
PAPER_REPLY = {"ok": 0x12, "near_end": 0x12 | 0x0C, "out": 0x12 | 0x0C | 0x60}
OFFLINE, COVER_OPEN, STOPPED_AT_PAPER_END = 0x08, 0x04, 0x20  # DLE EOT 1 bit 3; DLE EOT 2 bits 2 and 5


class PrinterEmulator:
    def __init__(self, port: int = 0, paper: str = "ok", cut_after: int | None = None, silent: bool = False,
                 cover_open: bool = False) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.paper, self.cut_after, self.silent, self.cover_open = paper, cut_after, silent, cover_open
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

    def _status(self, kind: int) -> int:
        """An Epson TM answer to DLE EOT kind: an open cover or an empty roll also takes the printer offline."""
        stopped = self.cover_open or self.paper == "out"
        return {1: 0x12 | (OFFLINE if stopped else 0), 4: PAPER_REPLY[self.paper],
                2: 0x12 | (COVER_OPEN if self.cover_open else 0) | (STOPPED_AT_PAPER_END if self.paper == "out" else 0),
                }.get(kind, 0x12)

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
                    conn.sendall(bytes([self._status(kind)]))
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
