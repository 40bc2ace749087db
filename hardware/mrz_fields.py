"""A machine-readable zone's text, from one or several readings of it: what each position may hold, OCR look-alikes
turned into it, and the check digits verifying each field. Text only: hardware.mrz reads the zone in a photo,
hardware.mrz_parse turns the text into fields.

Layouts: ICAO 9303 part 4 (TD3, passports: 2 × 44) and part 5 (TD1, the 2021 French identity card and residence
permits: 3 × 30), and the French identity card of 1988–2021 (2 × 36, its own layout: line 1 `IDFRA`, surname (25),
department and office (6); line 2 card number (12), check digit, given names (14), birth date YYMMDD, check digit,
sex, a check digit over both lines). Check digits are ICAO 9303 part 3 §4.9's 7-3-1 digits, computed by the `mrz`
package (`mrz.base.functions.hash_string`); its TD1 and TD3 checkers then verify the whole zone (hardware.mrz_parse).

Nothing is searched for: each reading's field is taken as read (look-alikes turned into what the position may hold,
or what their shape says, hardware.mrz_shapes) and kept only when its check digit passes, no other reading passing
with another value; a search for the look-alikes that make a check digit pass would, on a number misread or
misprinted, find a wrong number that passes one time in ten. A position no check digit covers (a name, a
nationality) is kept only when the first two readings say the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from mrz.base.functions import hash_string

from hardware import mrz_shapes
from hardware.mrz_shapes import LOOKALIKES, UNSEEN_BY_CHECK_DIGITS

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
# other way round) is taken for this one, and the check digit verifies it. One only: trying several and keeping
# the one that passes would, on a misprinted or misread number, find a wrong number that passes one time in ten.
AS_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6",
            "T": "7", "A": "4"}
AS_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "B"}


@dataclass(frozen=True)
class Reading:
    """A zone's text: each field a check digit covers as it passed, and the positions of those whose digit failed
    (their text then means nothing)."""

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
    """What a character read stands for where `kind` is expected (itself when it fits)."""
    if kind in "NC" and char not in "0123456789<":
        return AS_DIGIT.get(char, char)
    if kind == "A" and char.isdigit():
        return AS_LETTER.get(char, char)
    return char


def typed(line: str, positions: str) -> str:
    """The line with each character that does not fit its position turned into the look-alike that does."""
    return "".join(_choices(char, kind) for char, kind in zip(line, positions, strict=True))


def _candidates(char: str, kind: str, shape: str | None) -> tuple[str, str]:
    """A position's character from one reading ("" when unread), and it again when it is in doubt: a look-alike in
    a letters-and-digits position is taken for the kind its shape says (`shape`, hardware.mrz_shapes.kinds), in
    doubt when not sure of it against Tesseract (a G or 6 against its holes: VETOED); kept as read, in doubt, when
    its shape says nothing."""
    if char == UNREAD:
        return "", ""
    if kind != "X" or char not in LOOKALIKES:
        return _choices(char, kind), ""
    if shape is None:
        return char, char
    if shape.startswith("digit") == char.isdigit():
        return char, ""
    if char in UNSEEN_BY_CHECK_DIGITS:
        return VETOED, ""
    return LOOKALIKES[char], (LOOKALIKES[char] if shape.endswith("?") else "")


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
        judged = mrz_shapes.kinds(text, size, hole, positions) if size else {}
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


def _field(readings: list, doubts: dict, row: int, start: int, end: int, digit_at: int) -> str | None:
    """A checked field: the one value the readings that pass its check digit as they read it agree on; None when
    none does, when two disagree, or when look-alikes in doubt in it could be swapped unnoticed. Readings are never
    mixed position by position: on a number misread or misprinted the same way in each, mixing the rest would find
    a passing wrong number one time in ten."""
    passing = {checked(each[row][start:end], each[row][digit_at]) for each in readings} - {None}
    if len(passing) != 1:
        return None
    field = passing.pop()
    in_doubt = [col - start for col in range(start, end) if field[col - start] in doubts.get((row, col), ())]
    return None if unnoticed_swap(field, in_doubt) else field


def checked(field: Sequence[str], digit: str) -> str | None:
    """The field when its 7-3-1 check digit is `digit` (each position one character as read, "" when unread)."""
    try:
        return "".join(field) if all(field) and hash_string("".join(field)) == digit else None
    except ValueError:  # a character no zone holds: a vetoed look-alike
        return None


def _composite_passes(lines: Sequence[str], layout: str, digit: str) -> bool:
    """ICAO 9303 part 4 §4.2.2.2 and part 5 §4.2.2.2; the old card's covers both lines but itself."""
    covered = {"td3": lambda: lines[1][0:10] + lines[1][13:20] + lines[1][21:43],
               "td1": lambda: lines[0][5:30] + lines[1][0:7] + lines[1][8:15] + lines[1][18:29],
               "cni": lambda: lines[0] + lines[1][:35]}[layout]()
    try:
        return hash_string(covered) == digit
    except ValueError:  # an unread position
        return False


# Where each layout's names lie: (line, start, end).
NAMES = {"td3": ((0, 5, 44),), "td1": ((2, 0, 30),), "cni": ((0, 5, 30), (1, 13, 27))}


def _filled(lines: list[list[str]], layout: str) -> list[list[str]]:
    """The lines with what was not read after a name's end (its first `<<<`) taken for the filler it must be: no
    name goes on after it (ICAO 9303 part 3 §6: `<<` between the surname and the given names, `<` inside them)."""
    for row, start, end in NAMES[layout]:
        names = "".join(lines[row][start:end])
        if (stop := names.find("<<<")) >= 0:
            lines[row][start:end] = list(names[:stop] + names[stop:].replace(UNREAD, "<"))
    return lines


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
    lines = _filled([[_agreed([each[row][col] for each in readings]) or UNREAD for col in range(len(kinds))]
                     for row, kinds in enumerate(positions)], layout)
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
    text, digits = ["".join(line) for line in lines], {each[row][col] for each in readings} - {""}
    digit = digits.pop() if len(digits) == 1 else ""  # every reading that read it, alike
    if digit and _composite_passes(text, layout, digit):
        lines[row][col] = digit
    else:
        failing.add((row, col))
    return Reading(layout, tuple("".join(line) for line in lines), frozenset(failing))
