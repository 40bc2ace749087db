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

import numpy as np
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
# the other kind is taken as the other; one whose height says nothing is tried both ways; the check digit verifies,
# and chooses only when exactly one way passes. O and 0 differ by 24 in the 7-3-1 sum, I and 1 by 17..., which any
# single position's weight shows; but two alike misread side by side (II read 11 where the weights are 7 and 3)
# cancel out, which is why both ways are tried where the height is unheard. G and 6 differ by 10, which no check
# digit sees: a G or 6 is told by its holes (none in a G, one in a 6), and left unread when they contradict it.
LOOKALIKES = {"O": "0", "Q": "0", "D": "0", "I": "1", "B": "8", "S": "5", "Z": "2", "G": "6",
              "0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"}
# Round ones keep their proportions under blur; a flat-topped letter (B, D, I, S, Z) blurred looks as tall as a
# digit, so it is judged only against the same letter and digit measured on the zone itself.
ROUND = frozenset("OQ0G6")
UNSEEN_BY_CHECK_DIGITS = frozenset("G6")
# OCR-B's numerals stand taller than its capitals (ISO 1073-2): heights of ink as Debian's fonts-ocr-b draws them at
# 200 px. What a look-alike's height is measured against: the same digit or letter read where a position says what
# it is (a 0 in a date, an O in a name) when the zone has one, these proportions otherwise.
INK_HEIGHTS = {"A": 143, "B": 140, "C": 146, "D": 140, "E": 140, "F": 142, "G": 146, "H": 145, "I": 140, "J": 146,
               "K": 145, "L": 143, "M": 145, "N": 145, "O": 147, "P": 142, "Q": 145, "R": 142, "S": 146, "T": 142,
               "U": 146, "V": 145, "W": 145, "X": 145, "Y": 145, "Z": 140, "0": 158, "1": 156, "2": 155, "3": 155,
               "4": 156, "5": 155, "6": 157, "7": 154, "8": 158, "9": 157}
# A look-alike's height is judged from how far it lies from midway between its digit's and its letter's, in shares
# of the gap: within MARGIN, not judged; from SURE on, judged sure enough to overrule Tesseract without doubt (on
# the main seed's 976 look-alikes, 3 judged wrong at 0.3, all three misshapen glyphs of blurred photos).
MARGIN, SURE = 0.1, 0.3
# Characters by the shape of their top and bottom, which blur changes alike: flat bars and stems, open curves
# (measured taller than their drawing when blurred), closed curves, points.
TOPS = ("BDEFHIKLMNPRTUZ57", "CGS", "OQ0235689", "AJVWXY14")
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


def _candidates(char: str, kind: str, height: str | None) -> tuple[str, str]:
    """A position's candidates from one reading ("" when unread), and the one of them in doubt, if any: a
    look-alike in a letters-and-digits position is taken for the kind its height says, in doubt when that
    contradicts Tesseract (a G or 6 then: VETOED); kept as read, in doubt, when its height says nothing."""
    if char == UNREAD:
        return "", ""
    if kind != "X" or char not in LOOKALIKES:
        return _choices(char, kind), ""
    if height is None:
        return char, char
    if height.startswith("digit") == char.isdigit():
        return char, ""
    if char in UNSEEN_BY_CHECK_DIGITS:
        return VETOED, ""
    return LOOKALIKES[char], (LOOKALIKES[char] if height.endswith("?") else "")


def _hole_kinds(text: Sequence[str], holes: Sequence[dict[int, int]], positions: list[str]) -> dict:
    """(line, cell) -> "digit" or "letter" for each G or 6 in a letters-and-digits position, by its holes: a G has
    none, a 6 one (on the main seed's 215 G and 6, flat and photographed, without exception)."""
    return {(row, col): ("letter", "digit")[holes[row][col]]
            for row, (line, kinds) in enumerate(zip(text, positions, strict=True))
            for col, char in enumerate(line)
            if kinds[col] == "X" and char in UNSEEN_BY_CHECK_DIGITS and holes[row].get(col, 2) in (0, 1)}


def _height_kinds(text: Sequence[str], sizes: Sequence[dict[int, float]], positions: list[str]) -> dict:
    """(line, cell) -> "digit" or "letter" for each look-alike in a letters-and-digits position whose height
    (hardware.mrz_cells sizes) says which, against the characters whose kind the zone says (see _expected); with a
    "?" after it when not SURE."""
    known: dict[str, list[float]] = {}
    for row, (line, kinds) in enumerate(zip(text, positions, strict=True)):
        for col, char in enumerate(line):
            sure = (kinds[col] in "NC" and char.isdigit() or kinds[col] == "A" and char.isalpha()
                    or kinds[col] == "X" and char.isalnum() and char not in LOOKALIKES)
            if sure and col in sizes[row]:
                known.setdefault(char, []).append(sizes[row][col])
    found = {}
    for row, (line, kinds) in enumerate(zip(text, positions, strict=True)):
        for col, char in enumerate(line):
            if kinds[col] != "X" or char not in LOOKALIKES or char in UNSEEN_BY_CHECK_DIGITS or col not in sizes[row]:
                continue
            digit, letter = (char, LOOKALIKES[char]) if char.isdigit() else (LOOKALIKES[char], char)
            tall, short = _expected(known, digit), _expected(known, letter)
            if tall is None or short is None or tall <= short:
                continue
            towards_digit = (sizes[row][col] - short) / (tall - short)  # 0: the letter's height, 1: the digit's
            if MARGIN < abs(towards_digit - 0.5) <= 1:  # further off than the other kind: a glyph misread, unheard
                kind = "digit" if towards_digit > 0.5 else "letter"
                found[row, col] = kind if abs(towards_digit - 0.5) >= SURE else kind + "?"
    return found


def _expected(known: dict[str, list[float]], char: str) -> float | None:
    """The height `char` should have on this zone: as the same character measures where its kind is sure, else as
    characters of its shape of top (and of its kind) measure, in OCR-B's proportions; for a round one with neither,
    OCR-B's proportions alone (sizes are in INK_HEIGHTS' units). None when nothing tells."""
    if char in known:
        return float(np.median(known[char]))
    shape = next(group for group in TOPS if char in group)
    alike = [height / INK_HEIGHTS[other] for other in shape if other in known and other.isdigit() == char.isdigit()
             for height in known[other]]
    if alike:
        return float(np.median(alike)) * INK_HEIGHTS[char]
    return float(INK_HEIGHTS[char]) if char in ROUND else None


def _positions(layout: str, first_line: str) -> list[str]:
    positions = list(POSITIONS[layout])
    if layout == "cni" or layout == "td3" and typed(first_line, positions[0])[2:5] == "FRA":
        number = FRENCH_NUMBERS[layout]
        positions[1] = number + positions[1][len(number):]
    return positions


def _candidate_lines(texts: Sequence[Sequence[str]], sizes: Sequence[Sequence[dict[int, float]]],
                     holes: Sequence[Sequence[dict[int, int]]],
                     positions: list[str]) -> tuple[list, dict[tuple[int, int], set[str]]]:
    """Each reading's candidates for each position (see _candidates), and the positions some reading's look-alike
    is in doubt at: (line, cell) -> the candidates in doubt there. Readings given without heights (a zone's text as
    printed) are in no doubt."""
    found, doubts = [], {}
    for text, size, hole in itertools.zip_longest(texts, sizes, holes, fillvalue=None):
        judged = {**_height_kinds(text, size, positions), **_hole_kinds(text, hole, positions)} if size else {}
        lines = []
        for row, (line, kinds) in enumerate(zip(text, positions, strict=True)):
            options = []
            for col, (char, kind) in enumerate(zip(line, kinds, strict=True)):
                candidates, doubt = _candidates(char, kind, judged.get((row, col)))
                options.append(candidates)
                if doubt and size is not None:
                    doubts.setdefault((row, col), set()).add(doubt)
            lines.append(options)
        found.append(lines)
    return found, doubts


def unnoticed_swap(field: str, in_doubt: Sequence[int]) -> bool:
    """Whether some of the look-alikes in doubt (positions in the field) could be their look-alike without the
    field's 7-3-1 check digit changing: then the digit cannot vouch for the field (two 1s side by side at weights
    7 and 3 read for II, or a lone G for a 6)."""
    values = {char: n for n, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    shifts = [(values[LOOKALIKES[field[at]]] - values[field[at]]) * (7, 3, 1)[at % 3] for at in in_doubt
              if field[at] in LOOKALIKES]
    return any(sum(chosen) % 10 == 0 for size in range(1, min(len(shifts), 4) + 1)
               for chosen in itertools.combinations(shifts, size))


def _agreed(seen: Sequence[str]) -> str:
    """A position no check digit covers: the character the first two readings (or the one there is) both read;
    else none. A third reading is heard on the fields a check digit covers only: two readings of three agreeing on
    a name would be no better than one."""
    firsts = {options[:1] for options in seen[:2]}
    return firsts.pop() if len(firsts) == 1 and VETOED not in seen[:2] else ""


def _union(seen: Sequence[str]) -> str:
    """A position a check digit covers: every candidate any reading has (none if a height vetoes it)."""
    return "" if VETOED in seen else "".join(dict.fromkeys("".join(seen)))


def _field(readings: list, doubts: dict, row: int, start: int, end: int, digit_at: int) -> str | None:
    """A checked field: the one value the readings that pass its check digit on their own agree on; failing any,
    the one the candidates of all readings together make pass; None otherwise, or when look-alikes in doubt in it
    could be swapped unnoticed."""
    alone = {checked(each[row][start:end], each[row][digit_at]) for each in readings} - {None}
    if len(alone) > 1:
        return None
    if alone:
        field = alone.pop()
    else:
        together = [_union([each[row][col] for each in readings]) for col in range(start, end)]
        field = checked(together, _union([each[row][digit_at] for each in readings]))
    in_doubt = [col - start for col in range(start, end) if field and field[col - start] in doubts.get((row, col), ())]
    return None if field is None or unnoticed_swap(field, in_doubt) else field


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


def reading(texts: Sequence[Sequence[str]], sizes: Sequence[Sequence[dict[int, float]]] = (),
            holes: Sequence[Sequence[dict[int, int]]] = ()) -> Reading | None:
    """One zone from one or several readings of it (each its lines' text, `?` where a cell was not read; `sizes`
    and `holes`, for each reading and line, its characters' heights and holes: hardware.mrz_cells.LineCells).
    None when they are no zone or not the same one."""
    layout = layout_of(texts[0]) if texts else None
    if layout is None or any(layout_of(text) != layout or any(set(line) - ALPHABET - {UNREAD} for line in text)
                             for text in texts):
        return None
    positions = _positions(layout, texts[0][0])
    readings, doubts = _candidate_lines(texts, sizes, holes, positions)
    lines = [[_agreed([each[row][col] for each in readings]) or UNREAD for col in range(len(kinds))]
             for row, kinds in enumerate(positions)]
    failing = set()
    for row, start, end, digit_at in CHECKED_FIELDS[layout]:
        if layout == "td3" and digit_at == 42 and lines[1][42] == "<":
            continue  # no optional data, as the readings agree: nothing to check (ICAO 9303 part 4 §4.2.2.2)
        field = _field(readings, doubts, row, start, end, digit_at)
        if field is None:
            failing |= {(row, col) for col in (*range(start, end), digit_at)}
        else:
            lines[row][start:end], lines[row][digit_at] = list(field), hash_string(field)
    row, col = COMPOSITE[layout]
    text, digits = ["".join(line) for line in lines], _union([each[row][col] for each in readings])
    if _composite_passes(text, layout, digits):
        lines[row][col] = next(d for d in digits if _composite_passes(text, layout, d))
    else:
        failing.add((row, col))
    return Reading(layout, tuple("".join(line) for line in lines), frozenset(failing))
