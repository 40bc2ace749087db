"""Scanned strings: one classifier for every code a terminal meets, and a serial scanner reader.

A keyboard-wedge scanner types into the page (kiosk/static/scanner.js catches its bursts); a serial
scanner sends lines over a (USB-)serial port, read here with pyserial. Both end in classify().
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stdnum import ean

from kiosk.imei import IdentifierError, clean, parse_imei
from kiosk.messages import N_, Message

CODE_CHARS = "0-9A-HJKMNP-TV-Z"  # Crockford base32, as trade-in codes are made
TRADEIN_CODE = re.compile(rf"^TI-[{CODE_CHARS}]{{4}}-[{CODE_CHARS}]{{4}}$")
BAG_LABEL = re.compile(rf"^BAG:(TI-[{CODE_CHARS}]{{4}}-[{CODE_CHARS}]{{4}})$")
ESTIMATE_TICKET = re.compile(rf"^E-[{CODE_CHARS}]{{6}}$")  # a customer's self-service estimate
VOUCHER = re.compile(rf"^V-[{CODE_CHARS}]{{4}}-[{CODE_CHARS}]{{4}}-[{CODE_CHARS}]{{4}}$")


@dataclass(frozen=True)
class Scan:
    kind: str  # imei, imeisv, ean13, upca, tradein_code, bag_label, voucher, estimate_ticket, unknown
    value: str
    message: str = ""


def classify(raw: str) -> Scan:
    text = (raw or "").strip().upper()
    for kind, pattern in (("tradein_code", TRADEIN_CODE), ("voucher", VOUCHER), ("estimate_ticket", ESTIMATE_TICKET)):
        if pattern.match(text):
            return Scan(kind, text)
    if match := BAG_LABEL.match(text):
        return Scan("bag_label", match.group(1))
    digits = clean(text)
    if digits.isascii() and digits.isdecimal():
        return _numeric(digits)
    return Scan("unknown", text[:64], Message(N_("“%(code)s” is not a code this kiosk knows (IMEI, product "
                                                 "barcode, trade-in code, estimate ticket, bag label or voucher)."),
                                              code=text[:40]))


def _numeric(digits: str) -> Scan:
    if len(digits) in (15, 16):
        try:
            imei = parse_imei(digits)
        except IdentifierError as err:
            return Scan("unknown", digits, err.message)
        return Scan("imeisv" if imei.from_imeisv else "imei", imei.number)
    if len(digits) in (12, 13):
        if ean.is_valid(digits):
            return Scan("ean13" if len(digits) == 13 else "upca", digits)
        return Scan("unknown", digits,
                    Message(N_("A product barcode whose check digit does not match: scan it again.")))
    return Scan("unknown", digits, Message(N_("%(count)s digits is neither an IMEI (15) nor a product barcode (13)."),
                                           count=len(digits)))


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
