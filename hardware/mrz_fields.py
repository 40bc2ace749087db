"""A machine-readable zone's text, from several readings of it: what each position may hold, and the check digits
verifying each field. Text only: hardware.mrz reads the zone in a photo, hardware.mrz_parse turns the text into
fields.

Layouts: ICAO 9303 part 4 (TD3, passports: 2 × 44) and part 5 (TD1, the 2021 French identity card and residence
permits: 3 × 30), and the French identity card of 1988–2021 (2 × 36, its own layout: line 1 `IDFRA`, surname (25),
department and office (6); line 2 card number (12), check digit, given names (14), birth date YYMMDD, check digit,
sex, a check digit over both lines). Check digits: hardware.mrz_checks; the `mrz` package's TD1 and TD3 checkers
then verify the whole zone (hardware.mrz_parse).

The readings are Tesseract's and the glyphs' (hardware.mrz_readings). Nothing is searched for: each checked field
is taken as the readings vote it, position by position, and kept only when its check digit passes and no
combination of the other characters the readings saw or doubt at its places would pass as well
(hardware.mrz_checks.another_passes). Letting the check digit choose between the readings' characters would, on a
number misread or misprinted the same way by each, find a wrong number that passes one time in ten. A position no
check digit covers (a name, a nationality) is kept only when two readings say the same and none contradicts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from mrz.base.functions import hash_string

from hardware import mrz_checks, mrz_readings
from hardware.mrz_checks import COMPOSITE, checked
from hardware.mrz_readings import UNREAD, Doubts, Lines, alternatives, as_position

LAYOUTS = {"td3": (2, 44), "td1": (3, 30), "cni": (2, 36)}  # lines × characters
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
# What each position may hold: A a letter or <, N a digit, C a check digit (a digit, or < after an empty optional
# field), X a letter, a digit or <, S the sex (M, F, X or <). ICAO 9303 part 4 §4.2.2 (TD3), part 5 §4.2.2 (TD1).
# D a French department's code: digits, or Corsica's A or B (2A, 2B).
POSITIONS = {
    "td3": ("A" * 44, "X" * 9 + "C" + "AAA" + "N" * 7 + "S" + "N" * 7 + "X" * 14 + "CN"),
    "td1": ("A" * 5 + "X" * 9 + "C" + "X" * 15, "N" * 7 + "S" + "N" * 7 + "AAA" + "X" * 11 + "N", "A" * 30),
    # the old card's line 1 ends with its department and office
    "cni": ("A" * 30 + "DDD" + "NNN", "X" * 12 + "N" + "A" * 14 + "N" * 7 + "SN"),
}
# What a French document's number may hold: a passport's is 2 digits, 2 letters, 5 digits; the old card's the
# year and month of issue, the department (3) and 5 digits.
FRENCH_NUMBERS = {"td3": "NNAANNNNN", "cni": "NNNNDDDNNNNN"}
# The fields a check digit covers: (line, start, end, the check digit's position).
CHECKED_FIELDS = {
    "td3": ((1, 0, 9, 9), (1, 13, 19, 19), (1, 21, 27, 27), (1, 28, 42, 42)),
    "td1": ((0, 5, 14, 14), (1, 0, 6, 6), (1, 8, 14, 14)),
    "cni": ((1, 0, 12, 12), (1, 27, 33, 33)),
}
# Where each layout's names lie: (line, start, end).
NAMES = {"td3": ((0, 5, 44),), "td1": ((2, 0, 30),), "cni": ((0, 5, 30), (1, 13, 27))}


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


def typed(line: str, positions: str) -> str:
    """The line with each character that does not fit its position turned into the look-alike that does."""
    return "".join(as_position(char, kind) for char, kind in zip(line, positions, strict=True))


def _positions(layout: str, first_line: str) -> list[str]:
    positions = list(POSITIONS[layout])
    if layout == "cni" or layout == "td3" and typed(first_line, positions[0])[2:5] == "FRA":
        number = FRENCH_NUMBERS[layout]
        positions[1] = number + positions[1][len(number) :]
    return positions


def _filled(lines: Lines, layout: str) -> Lines:
    """The lines with what was not read after a name's end (its first `<<<`) taken for the filler it must be: no
    name goes on after it (ICAO 9303 part 3 §6: `<<` between the surname and the given names, `<` inside them)."""
    for row, start, end in NAMES[layout]:
        names = "".join(lines[row][start:end])
        if (stop := names.find("<<<")) >= 0:
            lines[row][start:end] = list(names[:stop] + names[stop:].replace(UNREAD, "<"))
    return lines


@dataclass
class _Heard:
    """Every reading of a zone, position by position (hardware.mrz_readings): Tesseract's, the glyphs' (with
    whether they are sure of each) when given, and what else each position may hold."""

    tesseract: list[Lines]
    glyphs: Lines | None
    sure: list[list[bool]] | None
    doubts: Doubts

    def at(self, row: int, col: int) -> tuple[list[str], str | None, bool]:
        glyph = self.glyphs[row][col] if self.glyphs else None
        return [each[row][col] for each in self.tesseract], glyph, bool(self.sure and self.sure[row][col])

    def voted(self, row: int, col: int) -> str:
        tesseract, glyph, sure = self.at(row, col)
        return mrz_readings.voted(tesseract, glyph or "", sure)

    def agreed(self, row: int, col: int) -> str:
        return mrz_readings.agreed(*self.at(row, col)) or UNREAD

    def others(self, row: int, col: int, chosen: str) -> str:
        readings = self.tesseract + ([self.glyphs] if self.glyphs else [])
        return alternatives(readings, self.doubts, row, col, chosen)


def _heard(texts, sizes, holes, glyphs, positions: list[str]) -> _Heard:
    doubts: Doubts = {}
    seen, sure = mrz_readings.glyph_lines(glyphs, texts[0], positions, doubts) if glyphs else (None, None)
    tesseract = mrz_readings.tesseract_lines(texts, sizes, holes, positions, doubts, seen, sure)
    return _Heard(tesseract, seen, sure, doubts)


def _field(heard: _Heard, row: int, start: int, end: int, digit_at: int) -> str | None:
    """A checked field as voted, when it passes its check digit and what the readings saw or doubt at its places
    (its digit's included) could make no other value that passes; else None."""
    digit = heard.voted(row, digit_at)
    field = checked([heard.voted(row, col) for col in range(start, end)], digit)
    if field is None:
        return None
    others = [heard.others(row, col, field[col - start]) for col in range(start, end)]
    return None if mrz_checks.another_passes(field, others, heard.others(row, digit_at, digit)) else field


def _composite(heard: _Heard, lines: Lines, layout: str) -> str:
    """The composite check digit as voted, when it verifies the lines as they now stand and what the readings saw
    or doubt at the places it alone covers (and at its own) could make no other text that passes; else UNREAD.
    The lines it covers are the checked fields and, on the old French card and in TD1's optional data, positions
    agreed by two readings."""
    row, col = COMPOSITE[layout]
    places, digit = mrz_checks.covered(layout), heard.voted(row, col)
    text = checked([lines[r][c] for r, c in places], digit)
    if text is None:
        return UNREAD
    alone = set(places) - {(r, c) for r, start, end, at in CHECKED_FIELDS[layout] for c in (*range(start, end), at)}
    others = [heard.others(r, c, lines[r][c]) if (r, c) in alone else "" for r, c in places]
    return UNREAD if mrz_checks.another_passes(text, others, heard.others(row, col, digit)) else digit


def _checked_fields(heard: _Heard, lines: Lines, layout: str) -> set[tuple[int, int]]:
    """Each checked field written into `lines` as it passed; the places of those that did not."""
    failing = set()
    for row, start, end, digit_at in CHECKED_FIELDS[layout]:
        if layout == "td3" and digit_at == 42 and lines[1][42] == "<":
            continue  # no optional data, as the readings agree: nothing to check (ICAO 9303 part 4 §4.2.2.2)
        field = _field(heard, row, start, end, digit_at)
        if field is None:
            failing |= {(row, col) for col in (*range(start, end), digit_at)}
        else:
            lines[row][start:end], lines[row][digit_at] = list(field), hash_string(field)
    return failing


def reading(
    texts: Sequence[Sequence[str]],
    sizes: Sequence[Sequence[dict[int, float]]] = (),
    holes: Sequence[Sequence[dict[int, int]]] = (),
    glyphs: Sequence[dict[int, np.ndarray]] = (),
) -> Reading | None:
    """One zone from Tesseract's readings of it (each its lines' text, `?` where a cell was not read; `sizes` and
    `holes`, for each reading and line, its characters' heights and holes: hardware.mrz_cells.LineCells) and the
    glyphs' likeness of the first reading's cells (hardware.mrz_glyphs.scores, a line each). None when they are no
    zone or not the same one."""
    layout = layout_of(texts[0]) if texts else None
    if layout is None or any(
        layout_of(text) != layout or any(set(line) - ALPHABET - {UNREAD} for line in text) for text in texts
    ):
        return None
    positions = _positions(layout, texts[0][0])
    heard = _heard(texts, sizes, holes, glyphs, positions)
    lines = _filled(
        [[heard.agreed(row, col) for col in range(len(kinds))] for row, kinds in enumerate(positions)], layout
    )
    failing = _checked_fields(heard, lines, layout)
    row, col = COMPOSITE[layout]
    lines[row][col] = _composite(heard, lines, layout)
    if lines[row][col] == UNREAD:
        failing.add((row, col))
    return Reading(layout, tuple("".join(line) for line in lines), frozenset(failing))
