"""IMEI and serial-number parsing for scanned or typed input. Pure: no Flask, no SQL.

The check-digit maths comes from python-stdnum; this module adds what a clerk needs on top:
tolerant clean-up of scanner noise and a message that says exactly what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import imei as stdnum_imei
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, ValidationError

from core.messages import N_, UserError

# Scanners and *#06# screens add labels and separators; strip them before judging.
# "SN" and "SERIAL" only with a separator after them: a serial number may itself start with "SN".
_PREFIX = re.compile(r"^\s*(?:(?:IMEI\s*SV|IMEISV|IMEI\s*[12]?|S/N)\s*[:#=]?|(?:SN|SERIAL)(?:\s*[:#=]|\s))\s*",
                     re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-./_]")
_SERIAL = re.compile(r"^[A-Z0-9]{5,30}$")
# Which identifier each kind of device is taken on (cellular watches too use their serial); a Wi-Fi tablet has
# no IMEI, so a tablet is taken on its serial number when what was scanned is not an IMEI.
IDENTIFIER_FOR_KIND = {"phone": "imei", "tablet": "imei", "watch": "serial", "console": "serial"}
ALSO_ON_SERIAL = ("tablet",)


class IdentifierError(UserError):
    """A scanned or typed identifier that cannot be accepted; str(err) is shown to the clerk."""


@dataclass(frozen=True)
class Imei:
    number: str  # 15 digits, check digit included
    from_imeisv: bool = False

    @property
    def tac(self) -> str:
        """Type Allocation Code: the first 8 digits, which identify brand and model."""
        return self.number[:8]


def clean(raw: str) -> str:
    """Remove labels ("IMEI:", "S/N") and separators, keep everything else as typed."""
    return _SEPARATORS.sub("", _PREFIX.sub("", raw or "")).upper()


def parse_imei(raw: str) -> Imei:
    """Parse an IMEI (15 digits) or IMEISV (16 digits, reduced to its IMEI)."""
    digits = clean(raw)
    if not digits:
        raise IdentifierError(N_("Enter or scan the IMEI (dial *#06# on the phone to show it)."))
    bad = sorted({ch for ch in digits if ch not in "0123456789"})  # not isdigit(): "²" is a digit to it
    if bad:
        raise IdentifierError(N_("An IMEI has digits only; this one contains %(characters)s."),
                              characters=", ".join(f"“{c}”" for c in bad))
    if len(digits) == 16:  # IMEISV: 14 identity digits + 2-digit software version, no check digit
        return Imei(digits[:14] + luhn.calc_check_digit(digits[:14]), from_imeisv=True)
    if len(digits) < 15:
        raise IdentifierError(N_("Too short: %(count)s digits. An IMEI has 15 digits, the last one is a check digit."),
                              count=len(digits))
    if len(digits) > 16:
        raise IdentifierError(N_("Too long: %(count)s digits. An IMEI has 15 digits (16 for an IMEISV)."),
                              count=len(digits))
    try:
        stdnum_imei.validate(digits)
    except InvalidChecksum:
        raise IdentifierError(N_(
            "The check digit (the last digit) does not match: a digit was mistyped or misread. "
            "Scan again or re-type it from *#06#."
        )) from None
    except ValidationError as err:  # pragma: no cover - stdnum's other reasons are covered above
        raise IdentifierError(N_("Not a valid IMEI: %(reason)s"), reason=str(err)) from None
    return Imei(digits)


def parse_serial(raw: str) -> str:
    """Serial numbers of consoles and watches: 5 to 30 letters or digits once separators are removed."""
    serial = clean(raw)
    if not serial:
        raise IdentifierError(N_("Enter or scan the serial number (on the label under or behind the device)."))
    if not _SERIAL.match(serial):
        if len(serial) < 5:
            raise IdentifierError(N_("Too short: %(count)s characters. A serial number has at least 5."),
                                  count=len(serial))
        if len(serial) > 30:
            raise IdentifierError(N_("Too long: %(count)s characters. A serial number has at most 30."),
                                  count=len(serial))
        raise IdentifierError(N_("A serial number has letters and digits only."))
    return serial


def takes(kind: str, identifier_type: str) -> bool:
    """Whether a device of this kind may be taken on an identifier of this type ("imei" or "serial")."""
    return IDENTIFIER_FOR_KIND.get(kind) == identifier_type or (identifier_type == "serial" and kind in ALSO_ON_SERIAL)


def parse_identifier(kind: str, raw: str) -> tuple[Imei | None, str | None]:
    """(IMEI, None) or (None, serial): what a device of this kind is taken on, from what was scanned or typed."""
    if IDENTIFIER_FOR_KIND[kind] == "serial":
        return None, parse_serial(raw)
    digits = clean(raw)
    if kind in ALSO_ON_SERIAL and not (digits.isdigit() and len(digits) in (15, 16)):
        return None, parse_serial(raw)
    return parse_imei(raw), None
