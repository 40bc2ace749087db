"""A machine-readable zone's text, from one or several readings of it: what each position may hold, OCR look-alikes
turned into it, and the check digits choosing wherever a reading or a look-alike leaves a doubt. Text only:
hardware.mrz reads the zone in a photo, hardware.mrz_parse turns the text into fields.

Layouts: ICAO 9303 part 4 (TD3, passports: 2 × 44) and part 5 (TD1, the 2021 French identity card and residence
permits: 3 × 30), and the French identity card of 1988–2021 (2 × 36, its own layout: line 1 `IDFRA`, surname (25),
department and office (6); line 2 card number (12), check digit, given names (14), birth date YYMMDD, check digit,
sex, a check digit over both lines). Check digits are ICAO 9303 part 3 §4.9's 7-3-1 digits, computed by the `mrz`
package (`mrz.base.functions.hash_string`); its TD1 and TD3 checkers then verify the whole zone (hardware.mrz_parse).

A position a check digit covers may hold several candidates (two readings that differ, a look-alike): the check
digit chooses, and only when exactly one candidate passes. A position no check digit covers (a name, a nationality)
is kept only when every reading says the same.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from mrz.base.functions import hash_string

LAYOUTS = {"td3": (2, 44), "td1": (3, 30), "cni": (2, 36)}  # lines × characters
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
UNREAD, VETOED = "?", "!"
# What each position may hold: A a letter or <, N a digit, C a check digit (a digit, or < after an empty optional
# field), X a letter, a digit or <, S the sex (M, F, X or <). ICAO 9303 part 4 §4.2.2 (TD3), part 5 §4.2.2 (TD1).
POSITIONS = {
    "td3": ("A" * 44,
            "X" * 9 + "C" + "AAA" + "N" * 7 + "S" + "N" * 7 + "X" * 14 + "CN"),
    "td1": ("A" * 5 + "X" * 9 + "C" + "X" * 15,
            "N" * 7 + "S" + "N" * 7 + "AAA" + "X" * 11 + "N",
            "A" * 30),
    "cni": ("A" * 30 + "XXX" + "NNN",  # the old card's department (Corsica's with a letter) and office
            "X" * 12 + "N" + "A" * 14 + "N" * 7 + "SN"),
}
# What a French document's number may hold: a passport's is 2 digits, 2 letters, 5 digits; the old card's the
# year and month of issue, the department (3, Corsica's with a letter) and 5 digits.
FRENCH_NUMBERS = {"td3": "NNAANNNNN", "cni": "NNNNXXXNNNNN"}
# The fields a check digit covers: (line, start, end, the check digit's position); and the composite digit's place.
CHECKED_FIELDS = {
    "td3": ((1, 0, 9, 9), (1, 13, 19, 19), (1, 21, 27, 27), (1, 28, 42, 42)),
    "td1": ((0, 5, 14, 14), (1, 0, 6, 6), (1, 8, 14, 14)),
    "cni": ((1, 0, 12, 12), (1, 27, 33, 33)),
}
COMPOSITE = {"td3": (1, 43), "td1": (1, 29), "cni": (1, 35)}
# Look-alikes OCR confuses in OCR-B, by what the position may hold: a letter read where a digit must be (and the
# other way round) is one of these; the first is taken where no check digit can choose.
AS_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6",
            "T": "7", "A": "4"}
AS_LETTER = {"0": "OQDC", "1": "IL", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "BS"}
# In a field of letters and digits (a document number) a look-alike whose height (hardware.mrz_cells) says it is of
# the other kind is tried as the other too, and the check digit chooses (O and 0 differ by 24 in the 7-3-1 sum, I
# and 1 by 17...); G and 6 differ by 10, which no check digit sees, so a G or 6 of the wrong height leaves the
# field unread.
LOOKALIKES = {"O": "0", "Q": "0", "D": "0", "I": "1", "B": "8", "S": "5", "Z": "2", "G": "6",
              "0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"}
UNSEEN_BY_CHECK_DIGITS = frozenset("G6")
MAX_CHOICES = 64  # candidates of one field tried against its check digit


@dataclass(frozen=True)
class Reading:
    """A zone's text: each field a check digit covers chosen by it, and the positions of those whose digit
    failed (their text is then the first candidate, and means nothing)."""

    layout: str
    lines: tuple[str, ...]
    failing: frozenset[tuple[int, int]]


def layout_of(lines: Sequence[str]) -> str | None:
    """Which layout lines of these lengths are (2 × 36: the old French card, by its `ID` start), or None."""
    shape = (len(lines), *{len(line) for line in lines})
    if shape == (2, 36):
        return "cni" if lines[0].startswith("ID") else None
    return next((name for name, size in LAYOUTS.items() if shape == size), None)


def _choices(char: str, kind: str) -> str:
    """What a character read may stand for where `kind` is expected (itself when it fits)."""
    if kind in "NC" and char not in "0123456789<":
        return AS_DIGIT.get(char, char)
    if kind == "A" and char.isdigit():
        return AS_LETTER.get(char, char)
    return char


def typed(line: str, positions: str) -> str:
    """The line with each character that does not fit its position turned into its first look-alike that does."""
    return "".join(_choices(char, kind)[0] for char, kind in zip(line, positions, strict=True))


def _candidates(char: str, kind: str, height: str | None) -> str:
    """A position's candidates from one reading: "" when unread, VETOED when its height contradicts a G or 6."""
    if char == UNREAD:
        return ""
    options = _choices(char, kind)
    if kind != "X" or height is None or char not in LOOKALIKES or (height == "digit") == char.isdigit():
        return options
    return VETOED if char in UNSEEN_BY_CHECK_DIGITS else char + LOOKALIKES[char]


def _positions(layout: str, first_line: str) -> list[str]:
    positions = list(POSITIONS[layout])
    if layout == "cni" or layout == "td3" and typed(first_line, positions[0])[2:5] == "FRA":
        number = FRENCH_NUMBERS[layout]
        positions[1] = number + positions[1][len(number):]
    return positions


def _checked_places(layout: str, optional_empty: bool) -> set[tuple[int, int]]:
    """The positions a field's own check digit covers, the digits themselves and the composite digit."""
    places = {COMPOSITE[layout]}
    for row, start, end, digit_at in CHECKED_FIELDS[layout]:
        if not (layout == "td3" and digit_at == 42 and optional_empty):  # `<`: no optional data, nothing checked
            places |= {(row, col) for col in (*range(start, end), digit_at)}
    return places


def _merged(texts: Sequence[Sequence[str]], kinds: Sequence[Sequence[dict[int, str]]], layout: str,
            positions: list[str]) -> list[list[str]]:
    """Each position's candidates over every reading: where a check digit covers it, all they read (none if any
    height vetoes); elsewhere the one character every reading agrees on, or none."""
    optional_empty = all(text[1][42] == "<" for text in texts) if layout == "td3" else False
    checked_places = _checked_places(layout, optional_empty)
    merged = []
    for row, kinds_of_line in enumerate(positions):
        line = []
        for col, kind in enumerate(kinds_of_line):
            seen = [_candidates(text[row][col], kind, (heights[row] if heights else {}).get(col))
                    for text, heights in itertools.zip_longest(texts, kinds, fillvalue=None)]
            if (row, col) in checked_places:
                joined = "" if VETOED in seen else "".join(dict.fromkeys("".join(seen)))
            else:
                firsts = {options[:1] for options in seen}
                joined = firsts.pop() if len(firsts) == 1 and VETOED not in seen else ""
            line.append(joined)
        merged.append(line)
    return merged


def checked(options: Sequence[str], digits: str) -> str | None:
    """The one field among the candidates (`options`, a string of candidates per position) whose 7-3-1 check digit
    is among `digits`; None when none or several are (never a guess)."""
    if not options or not digits or math.prod(len(option) for option in options) > MAX_CHOICES:
        return None
    try:
        passing = {"".join(chosen) for chosen in itertools.product(*options)
                   if hash_string("".join(chosen)) in digits}
    except ValueError:  # a character no zone holds
        return None
    return passing.pop() if len(passing) == 1 else None


def _composite_passes(lines: Sequence[str], layout: str, digits: str) -> bool:
    """ICAO 9303 part 4 §4.2.2.2 and part 5 §4.2.2.2; the old card's covers both lines but itself."""
    covered = {"td3": lambda: lines[1][0:10] + lines[1][13:20] + lines[1][21:43],
               "td1": lambda: lines[0][5:30] + lines[1][0:7] + lines[1][8:15] + lines[1][18:29],
               "cni": lambda: lines[0] + lines[1][:35]}[layout]()
    try:
        return hash_string(covered) in digits and len(digits) > 0
    except ValueError:  # an unread position
        return False


def reading(texts: Sequence[Sequence[str]], kinds: Sequence[Sequence[dict[int, str]]] = ()) -> Reading | None:
    """One zone from one or several readings of it (each its lines' text, `?` where a cell was not read; `kinds`,
    for each reading and line, the look-alikes' heights: cell -> "digit" or "letter"). None when they are no zone
    or not the same one."""
    layout = layout_of(texts[0]) if texts else None
    if layout is None or any(layout_of(text) != layout or any(set(line) - ALPHABET - {UNREAD} for line in text)
                             for text in texts):
        return None
    positions = _positions(layout, texts[0][0])
    merged = _merged(texts, kinds, layout, positions)
    lines = [[options[:1] or UNREAD for options in line] for line in merged]
    failing = set()
    for row, start, end, digit_at in CHECKED_FIELDS[layout]:
        if layout == "td3" and digit_at == 42 and merged[1][42] == "<":
            continue  # no optional data: nothing to check (ICAO 9303 part 4 §4.2.2.2)
        field = checked(merged[row][start:end], merged[row][digit_at])
        if field is None:
            failing |= {(row, col) for col in (*range(start, end), digit_at)}
        else:
            lines[row][start:end], lines[row][digit_at] = list(field), hash_string(field)
    row, col = COMPOSITE[layout]
    text = ["".join(line) for line in lines]
    if _composite_passes(text, layout, merged[row][col]):
        lines[row][col] = next(d for d in merged[row][col] if _composite_passes(text, layout, d))
    else:
        failing.add((row, col))
    return Reading(layout, tuple("".join(line) for line in lines), frozenset(failing))
