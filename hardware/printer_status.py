"""ESC/POS real-time status (DLE EOT n, n = 1..4): what a receipt printer says about itself, read the same way
whatever carries the bytes (network socket, USB endpoint, serial line).

The bits are Epson's (TM series, the ESC/POS reference for DLE EOT); other ESC/POS printers follow them. Every
answer byte has bit 0 and bit 7 clear and bits 1 and 4 set (0x12): a byte without that pattern is not an answer to
DLE EOT (a printer that echoes, or a stream out of step), and is read as no answer at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER = 1, 2, 3, 4
# All four asked in one write: one round trip (and at most one read timeout) before each job.
QUERY_ALL = b"".join(DLE_EOT + bytes([n]) for n in (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER))
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12

# n=1 printer status: bit 3 offline. n=2 offline cause: bit 2 cover open, bit 5 stopped at paper end, bit 6 error.
# n=3 error cause: bit 3 autocutter error, bit 5 unrecoverable error. n=4 roll paper sensor: bits 2-3 near end,
# bits 5-6 paper end.
_OFFLINE, _COVER_OPEN, _STOPPED_AT_PAPER_END = 0x08, 0x04, 0x20
_CUTTER_ERROR, _UNRECOVERABLE_ERROR = 0x08, 0x20
_PAPER_NEAR_END, _PAPER_END = 0x0C, 0x60


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer answered; `answered` False when it said nothing (it cannot report its state)."""

    answered: bool
    offline: bool = False
    cover_open: bool = False
    paper: str = "unknown"  # ok, near_end, out, unknown (the sensor byte did not come)
    fault: bool = False  # cutter jammed or an error the printer cannot recover from by itself

    @property
    def state(self) -> str:
        """One word, the worst first: unknown, cover_open, paper_out, fault, offline, paper_near_end, ready."""
        if not self.answered:
            return "unknown"
        for word, present in (("cover_open", self.cover_open), ("paper_out", self.paper == "out"),
                              ("fault", self.fault), ("offline", self.offline),
                              ("paper_near_end", self.paper == "near_end")):
            if present:
                return word
        return "ready"

    @property
    def blocks_printing(self) -> bool:
        """A job sent now would not come out: refuse it with the reason rather than let it wait in a buffer."""
        return self.state in ("cover_open", "paper_out", "fault")


def paper_state(reply: int) -> str:
    """Roll paper sensor byte (DLE EOT 4): bits 5-6 paper out, bits 2-3 near end."""
    if reply & _PAPER_END:
        return "out"
    return "near_end" if reply & _PAPER_NEAR_END else "ok"


def parse(replies: bytes) -> PrinterStatus:
    """The answers to QUERY_ALL, in order (DLE EOT 1, 2, 3, 4); fewer bytes read as the ones that came."""
    answers = []
    for byte in replies[:4]:
        if byte & _FIXED_MASK != _FIXED_BITS:
            break  # out of step: what follows cannot be trusted either
        answers.append(byte)
    if not answers:
        return PrinterStatus(answered=False)
    printer, offline_cause, error_cause, sensor = (answers + [0x12] * 4)[:4]  # 0x12: nothing to report
    stopped_at_paper_end = bool(offline_cause & _STOPPED_AT_PAPER_END)
    return PrinterStatus(
        answered=True,
        offline=bool(printer & _OFFLINE),
        cover_open=bool(offline_cause & _COVER_OPEN),
        paper="out" if stopped_at_paper_end else paper_state(sensor) if len(answers) == 4 else "unknown",
        fault=bool(error_cause & (_CUTTER_ERROR | _UNRECOVERABLE_ERROR)),
    )


def is_answer(byte: int) -> bool:
    """Whether one byte has the shape of a DLE EOT answer."""
    return byte & _FIXED_MASK == _FIXED_BITS


def collect(read: Callable[[], bytes], want: int = 4, reads: int = 4) -> bytes:
    """Up to `want` answer bytes from a device whose reads return what has arrived (b"" when nothing came in
    time). A printer may answer the four queries in more than one packet; `reads` bounds the wait."""
    got = b""
    for _ in range(reads):
        chunk = read()
        if not chunk:
            break
        got += chunk
        if len(got) >= want:
            break
    return got[:want]
