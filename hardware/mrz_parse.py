"""A machine-readable zone's fields from its text (hardware.mrz_fields): the document's kind, number, names, dates,
nationality, issuing state and sex, once every check passes: each field's check digit and the composite one, and
for TD1 and TD3 the `mrz` package's TD1CodeChecker and TD3CodeChecker over the whole zone (the country codes, the
dates, the names' letters).

Names in a zone are what ICAO 9303 part 3 §6 makes of them: upper case, accents transliterated away (É → E,
Ü → UE, ß → SS), apostrophes dropped, hyphens and spaces written `<`, truncated to the zone's width; they are given
back with spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from mrz.base.countries_ops import is_code
from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td3 import TD3CodeChecker

from hardware.mrz import MrzRead
from hardware.mrz_fields import UNREAD, Reading, reading

KINDS = {"P": "passport", "I": "national_id", "A": "national_id", "C": "national_id"}
RESIDENCE_PERMIT_CODES = ("IR", "AR", "CR", "RP")  # TD1 document codes of residence permits (EU states' practice)


def _names(identifier: str) -> tuple[str, str]:
    """(surname, given names) of an identifier `SURNAME<<GIVEN<NAMES<<<`. The filler starts at the first `<<<`:
    no name has one inside, so a letter read in the filler (a `<` taken for a K) is dropped."""
    identifier = identifier.split("<<<", 1)[0]
    surname, _, given = identifier.partition("<<")
    return _spaced(surname), _spaced(given)


def _spaced(name: str) -> str:
    return " ".join(part for part in name.split("<") if part)


def birth_date(yymmdd: str, today: date) -> date | None:
    """A birth date's century: this one if the date is not in the future, else the last."""
    try:
        found = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
        return found if found <= today else found.replace(year=found.year - 100)
    except ValueError:  # 29 February of a year that is not leap in the other century: no such date either
        return None


def expiry_date(yymmdd: str) -> date | None:
    try:
        return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None


def _td3(lines: list[str], today: date) -> MrzRead | None:
    if lines[0][0] != "P" or not TD3CodeChecker("\n".join(lines)):
        return None
    surname, given = _names(lines[0][5:])
    return _read(
        "passport",
        lines[1][0:9],
        surname,
        given,
        lines[1][13:19],
        lines[1][21:27],
        lines[1][10:13],
        lines[0][2:5],
        lines[1][20],
        "td3",
        today,
    )


def _td1(lines: list[str], today: date) -> MrzRead | None:
    if not TD1CodeChecker("\n".join(lines)):
        return None
    code = lines[0][:2]
    kind = "residence_permit" if code in RESIDENCE_PERMIT_CODES else KINDS.get(code[0])
    surname, given = _names(lines[2])
    return kind and _read(
        kind,
        lines[0][5:14],
        surname,
        given,
        lines[1][0:6],
        lines[1][8:14],
        lines[1][15:18],
        lines[0][2:5],
        lines[1][7],
        "td1",
        today,
    )


def _cni(lines: list[str], today: date) -> MrzRead | None:
    """The French card of 1988–2021 (its check digits, composite included, were verified by mrz_fields)."""
    if not lines[0].startswith("IDFRA") or lines[1][34] not in "MF":
        return None
    given = " ".join(part for part in lines[1][13:27].split("<") if part)
    return _read(
        "national_id",
        lines[1][0:12],
        _names(lines[0][5:30])[0],
        given,
        lines[1][27:33],
        None,
        "FRA",
        "FRA",
        lines[1][34],
        "cni",
        today,
    )


def _read(
    kind: str,
    number: str,
    surname: str,
    given: str,
    born: str,
    expires: str | None,
    nationality: str,
    issuer: str,
    sex: str,
    layout: str,
    today: date,
) -> MrzRead | None:
    """The MrzRead, or None when a date is no date, a country code is none or a name holds what no name does."""
    birth, expiry = birth_date(born, today), expiry_date(expires) if expires else None
    nationality, issuer = nationality.rstrip("<"), issuer.rstrip("<")
    if birth is None or (expires and expiry is None) or not is_code(nationality) or not is_code(issuer):
        return None
    if not surname or re.search(r"[^A-Z ]", surname + given):
        return None
    return MrzRead(
        kind, number.rstrip("<"), surname, given, birth, expiry, nationality, issuer, sex if sex in "MF" else "", layout
    )


PARSERS = {"td3": _td3, "td1": _td1, "cni": _cni}


def parse(found: Reading, today: date) -> MrzRead | None:
    """The fields of a reading whose every check passes, else None."""
    lines = list(found.lines)
    if found.failing or any(UNREAD in line for line in lines):
        return None
    try:
        return PARSERS[found.layout](lines, today)
    except (ValueError, IndexError, KeyError):  # mrz raises on a field it cannot read at all
        return None


def parse_mrz(lines: Sequence[str], today: date) -> MrzRead | None:
    """The fields of a zone's lines as printed or read once, or None unless every check passes."""
    found = reading([lines])
    return found and parse(found, today)
