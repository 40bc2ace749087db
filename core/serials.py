"""Manufacturers' serial-number formats (core/data/serials.toml), where they are public: which kind of device a
scanned serial number belongs to, and whether a serial fits the model the clerk chose. Pure.

A format only narrows: a serial that fits none is still taken on length and characters alone (core.imei), because
most makers do not publish theirs. Each format names its source in the data file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.imei import IdentifierError, takes
from core.messages import N_

FORMATS_FILE = Path(__file__).parent / "data" / "serials.toml"
# Something that looks like a serial number and nothing else this system reads: letters and digits mixed.
_LOOKS_LIKE_SERIAL = re.compile(r"^(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{8,20}$")


def nintendo_check_digit(digits: str) -> str:
    """The last digit of a Nintendo console serial: odd positions plus three times the even ones, to ten."""
    odd, even = sum(map(int, digits[0::2])), sum(map(int, digits[1::2]))
    return str((10 - (odd + 3 * even) % 10) % 10)


def _nintendo(serial: str) -> bool:
    digits = serial[-11:]
    return nintendo_check_digit(digits[:10]) == digits[10]


CHECKS = {"": lambda serial: True, "nintendo": _nintendo}


@dataclass(frozen=True)
class SerialFormat:
    name: str
    brand: str
    models: re.Pattern[str]
    kinds: tuple[str, ...]
    pattern: re.Pattern[str]
    check: str
    example: str

    def matches(self, serial: str) -> bool:
        return bool(self.pattern.match(serial)) and CHECKS[self.check](serial)

    def covers(self, brand: str, model: str) -> bool:
        return brand == self.brand and bool(self.models.search(model))


@cache
def formats() -> tuple[SerialFormat, ...]:
    rows = tomllib.loads(FORMATS_FILE.read_text(encoding="utf-8"))["format"]
    return tuple(SerialFormat(r["name"], r["brand"], re.compile(r["models"]), tuple(r["kinds"]),
                              re.compile(r["pattern"]), r["check"], r["example"]) for r in rows)


def looks_like_serial(text: str) -> bool:
    """Letters and digits mixed, 8 to 20 of them: what a serial label's barcode holds. An IMEI with a letter or
    two in it (14 to 17 characters) is a misread IMEI, and is told so, not taken for a serial."""
    misread_imei = 14 <= len(text) <= 17 and sum(c.isalpha() for c in text) <= 2
    return bool(_LOOKS_LIKE_SERIAL.match(text)) and not misread_imei


def kinds_of(serial: str) -> tuple[str, ...]:
    """The device kinds a serial may belong to, narrowest first: one kind when a strict format (one with a check
    digit) recognises it, else every kind taken on a serial."""
    strict = [f for f in formats() if f.check and f.matches(serial)]
    if strict:
        return tuple(dict.fromkeys(k for f in strict for k in f.kinds))
    return ("watch", "console", "tablet")


def check_for_model(serial: str, brand: str, model: str) -> None:
    """Raise IdentifierError when the maker publishes a format for this model and the serial does not fit it."""
    for fmt in formats():
        if fmt.covers(brand, model) and not fmt.matches(serial):
            raise IdentifierError(N_("“%(serial)s” is not a %(brand)s %(model)s serial number: they look like "
                                     "%(example)s. Read it again from the label or the settings screen."),
                                  serial=serial, brand=brand, model=model, example=fmt.example)


ASK_KIND = N_("This is a serial number: choose whether the device is a watch, a console or a tablet, then press Start.")


def kind_for(serial: str, chosen: str = "") -> str | None:
    """The kind a trade-in started from this serial is: the kind the clerk chose when such a device is taken on a
    serial, else the one kind the serial's format says, else None (ask the clerk: ASK_KIND)."""
    if chosen and takes(chosen, "serial"):
        return chosen
    kinds = kinds_of(serial)
    return kinds[0] if len(kinds) == 1 else None
