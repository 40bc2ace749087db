"""Serial scanners: lines read over a (USB-)serial port with pyserial, each classified by core.codes.

A keyboard-wedge scanner types into the page (assets/static/scanner.js catches its bursts); a serial
scanner sends lines over a (USB-)serial port, read here. Both end in core.codes.classify().
"""

from __future__ import annotations

from collections.abc import Iterator

from core.codes import Scan, classify


def serial_scans(port, max_scans: int | None = None) -> Iterator[Scan]:
    """Lines from a serial scanner (CR or LF terminated), classified. `port` is an open pyserial
    port (or anything with read_until); a read timeout yields nothing and keeps listening."""
    seen = 0
    while max_scans is None or seen < max_scans:
        line = port.read_until(b"\r")
        text = line.decode("ascii", "replace").strip()
        if text:
            seen += 1
            yield classify(text)
