"""Every code this system mints, in one registry: how each is generated, what it looks like, and
`classify()` for any string a scanner (wedge, serial or camera) or a person typed. Pure.

A code is a prefix and groups of Crockford base-32 characters (no I, L, O, U: nothing to misread
on paper). The same patterns recognise what the kiosk mints and what HQ checks in, so a format
changes in this one place.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from stdnum import ean

from core.imei import IdentifierError, clean, parse_imei
from core.messages import N_, Message
from core.serials import looks_like_serial

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_CHARS = "0-9A-HJKMNP-TV-Z"
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


@dataclass(frozen=True)
class CodeFormat:
    """One kind of code: `prefix` then groups of `groups` characters joined by `separator`."""

    kind: str
    prefix: str
    groups: tuple[int, ...]
    older: tuple[tuple[int, ...], ...] = ()  # shapes minted before: still on paper, so still recognised

    def mint(self) -> str:
        # One read of the system's randomness for the whole code; 32 divides 256, so every character is as likely.
        chars = "".join(ALPHABET[byte & 31] for byte in secrets.token_bytes(sum(self.groups)))
        parts, start = [], 0
        for size in self.groups:
            parts.append(chars[start:start + size])
            start += size
        return self.prefix + "-".join(parts)

    def typed(self, raw: str) -> str:
        """What a person typed, read as this code's characters: case, dashes and spaces do not matter, and
        the letters Crockford base 32 leaves out are read as the digits they look like (I, L -> 1; O -> 0)."""
        text = unicodedata.normalize("NFKC", raw).upper().translate(_READ_AS)
        return "".join(c for c in text if c in ALPHABET)

    @property
    def body(self) -> str:
        shapes = ["-".join(f"[{_CHARS}]{{{size}}}" for size in groups) for groups in (self.groups, *self.older)]
        return self.prefix + (shapes[0] if len(shapes) == 1 else f"(?:{'|'.join(shapes)})")

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(f"^{self.body}$")

    def minted(self, raw: object) -> bool:
        """Whether `raw` is written exactly as this format mints it (or minted it before): the Crockford alphabet,
        its groups, nothing else. HQ refuses a record whose code is not, so another store's "TI-9OAA…" (a letter O),
        "TI-9ＡAA…" (fullwidth) or a zero-width space beside the real code can never stand at HQ looking the same."""
        return isinstance(raw, str) and self.pattern.fullmatch(raw) is not None


# Trade-in codes are unique network-wide (HQ refuses a trade-in whose code another holds) and minted offline, so
# their width is the birthday bound's: 500 stores x 20 trade-ins a day x 10 years = 36.5 million codes. 40 bits
# (TI-XXXX-XXXX) expect n^2/2^41 = ~600 collisions; 60 bits, ~0.0006 (odds of one: 1 in 1,700). Codes of the
# old width stay valid: they are on receipts, labels and seller links already.
TRADEIN = CodeFormat("tradein_code", "TI-", (4, 4, 4), older=((4, 4),))
ESTIMATE = CodeFormat("estimate_ticket", "E-", (6,))  # a customer's self-service estimate
VOUCHER = CodeFormat("voucher", "V-", (4, 4, 4))
SALE = CodeFormat("sale_receipt", "S-", (4, 4))
RETURN = CodeFormat("return_receipt", "R-", (4, 4))
SHIPMENT = CodeFormat("shipment", "SH-", (8,))
FORMATS = (TRADEIN, ESTIMATE, VOUCHER, SALE, RETURN, SHIPMENT)
# HQ's one-time enrolment code for a terminal: typed, never scanned, so not among the FORMATS classify() knows.
ENROLMENT = CodeFormat("enrolment_code", "", (4, 4, 4))
BAG_PREFIX = "BAG:"  # a bag label carries its trade-in's code: tells a bag from the customer's ticket
BAG_LABEL = re.compile(f"^{BAG_PREFIX}({TRADEIN.body})$")

# The order a camera frame's several codes are followed in: the device's own identity wins.
SCAN_PRIORITY = ("imei", "imeisv", "serial", "tradein_code", "estimate_ticket", "bag_label", "voucher", "sale_receipt",
                 "return_receipt", "shipment", "ean13", "upca", "unknown")


def bag_label(tradein_code: str) -> str:
    return BAG_PREFIX + tradein_code


@dataclass(frozen=True)
class Scan:
    kind: str  # one of SCAN_PRIORITY
    value: str
    message: str = ""


def classify(raw: str) -> Scan:
    """What a scanned or typed string is; `unknown` with a reason a clerk can act on."""
    text = (raw or "").strip().upper()
    for fmt in FORMATS:
        if fmt.pattern.match(text):
            return Scan(fmt.kind, text)
    if match := BAG_LABEL.match(text):
        return Scan("bag_label", match.group(1))
    digits = clean(text)
    if digits.isascii() and digits.isdecimal():
        return _numeric(digits)
    if looks_like_serial(digits):  # a watch's, console's or Wi-Fi tablet's serial number (core.serials)
        return Scan("serial", digits)
    return Scan("unknown", text[:64], Message(N_("“%(code)s” is not a code this kiosk knows (IMEI, serial number, "
                                                 "product barcode, trade-in code, estimate ticket, bag label or "
                                                 "voucher)."),
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
