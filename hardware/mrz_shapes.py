"""Telling OCR-B's look-alikes apart by their shape where Tesseract's English cannot (O from 0, G from 6...), for
hardware.mrz_readings: a character's height against the same or alike characters on the same zone, and its holes.
Measured by hardware.mrz_cells; decided here, on a zone's text and the positions' kinds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# In a field of letters and digits (a document number) a look-alike whose shape says it is of the other kind than
# Tesseract read is taken as the other, and the check digit verifies it: O and 0 differ by 24 in the 7-3-1 sum, I
# and 1 by 17..., which any single position's weight shows. But two alike side by side where the weights are 7 and
# 3 (II read 11) cancel out, and G and 6 differ by 10, which no check digit sees: such look-alikes whose shape says
# nothing sure leave their field unread (hardware.mrz_checks.another_passes). A G or 6 is told by its holes (none
# in a G, one in a 6) and left unread when they contradict it; the others by their heights. Where the glyphs
# (hardware.mrz_glyphs) are sure of a cell, their whole shape is heard instead.
LOOKALIKES = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "I": "1",
    "B": "8",
    "S": "5",
    "Z": "2",
    "G": "6",
    "0": "O",
    "1": "I",
    "8": "B",
    "5": "S",
    "2": "Z",
    "6": "G",
}
UNSEEN_BY_CHECK_DIGITS = frozenset("G6")
# Round ones keep their proportions under blur; a flat-topped letter (B, D, I, S, Z) blurred looks as tall as a
# digit, so it is judged only against the same letter and digit measured on the zone itself.
ROUND = frozenset("OQ0G6")
# OCR-B's numerals stand taller than its capitals (ISO 1073-2): heights of ink as Debian's fonts-ocr-b draws them at
# 200 px. What a look-alike's height is measured against: the same digit or letter read where a position says what
# it is (a 0 in a date, an O in a name) when the zone has one, these proportions otherwise.
INK_HEIGHTS = {
    "A": 143,
    "B": 140,
    "C": 146,
    "D": 140,
    "E": 140,
    "F": 142,
    "G": 146,
    "H": 145,
    "I": 140,
    "J": 146,
    "K": 145,
    "L": 143,
    "M": 145,
    "N": 145,
    "O": 147,
    "P": 142,
    "Q": 145,
    "R": 142,
    "S": 146,
    "T": 142,
    "U": 146,
    "V": 145,
    "W": 145,
    "X": 145,
    "Y": 145,
    "Z": 140,
    "0": 158,
    "1": 156,
    "2": 155,
    "3": 155,
    "4": 156,
    "5": 155,
    "6": 157,
    "7": 154,
    "8": 158,
    "9": 157,
}
# A look-alike's height is judged from how far it lies from midway between its digit's and its letter's, in shares
# of the gap: within MARGIN, not judged; from SURE on, judged sure enough to overrule Tesseract without doubt (on
# the main seed's 976 look-alikes, 3 judged wrong at 0.3, all three misshapen glyphs of blurred photos).
MARGIN, SURE = 0.1, 0.3
# Characters by the shape of their top and bottom, which blur changes alike: flat bars and stems, open curves
# (measured taller than their drawing when blurred), closed curves, points.
TOPS = ("BDEFHIKLMNPRTUZ57", "CGS", "OQ0235689", "AJVWXY14")


def hole_kinds(text: Sequence[str], holes: Sequence[dict[int, int]], positions: list[str]) -> dict:
    """(line, cell) -> "digit" or "letter" for each G or 6 in a letters-and-digits position, by its holes: a G has
    none, a 6 one (on the main seed's 215 G and 6, flat and photographed, without exception)."""
    return {
        (row, col): ("letter", "digit")[holes[row][col]]
        for row, (line, kinds) in enumerate(zip(text, positions, strict=True))
        for col, char in enumerate(line)
        if kinds[col] == "X" and char in UNSEEN_BY_CHECK_DIGITS and holes[row].get(col, 2) in (0, 1)
    }


def height_kinds(text: Sequence[str], sizes: Sequence[dict[int, float]], positions: list[str]) -> dict:
    """(line, cell) -> "digit" or "letter" for each look-alike in a letters-and-digits position whose height
    (hardware.mrz_cells sizes) says which, against the characters whose kind the zone says (see _expected); with a
    "?" after it when not SURE."""
    known: dict[str, list[float]] = {}
    for row, (line, kinds) in enumerate(zip(text, positions, strict=True)):
        for col, char in enumerate(line):
            sure = (
                kinds[col] in "NC"
                and char.isdigit()
                or kinds[col] == "A"
                and char.isalpha()
                or kinds[col] == "X"
                and char.isalnum()
                and char not in LOOKALIKES
            )
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
    alike = [
        height / INK_HEIGHTS[other]
        for other in shape
        if other in known and other.isdigit() == char.isdigit()
        for height in known[other]
    ]
    if alike:
        return float(np.median(alike)) * INK_HEIGHTS[char]
    return float(INK_HEIGHTS[char]) if char in ROUND else None


def kinds(
    text: Sequence[str], sizes: Sequence[dict[int, float]], holes: Sequence[dict[int, int]], positions: list[str]
) -> dict[tuple[int, int], str]:
    """(line, cell) -> "digit" or "letter" (a "?" after it when not SURE) for each look-alike in a
    letters-and-digits position its shape tells: G and 6 by their holes, the others by their heights."""
    return {**height_kinds(text, sizes, positions), **hole_kinds(text, holes, positions)}
