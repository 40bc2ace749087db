"""What each reading of a zone says at each position, and how the readings are heard together: for hardware.mrz_fields.

The readings are Tesseract's (one to three, at several sizes of character) and the glyphs' (each cell compared with
OCR-B's own, hardware.mrz_glyphs). Tesseract's English cannot tell OCR-B's look-alikes apart (O and 0, S and 5...):
a character it reads is turned into what its position may hold, and a look-alike where both kinds may stand (a
document number) is judged by its height or holes (hardware.mrz_shapes) unless the glyphs are sure there; the
glyphs compare the whole shape, height and width included, and are sure where no other allowed glyph comes CLOSE.

A position a check digit covers takes the character voted (the glyphs' where sure, else what most readings read);
one no check digit covers (a name) the character two readings read and the others do not contradict. What else a
reading saw, or doubts, at a position is kept as its alternatives, for hardware.mrz_checks.another_passes.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np

from hardware import mrz_glyphs, mrz_shapes
from hardware.mrz_shapes import LOOKALIKES, UNSEEN_BY_CHECK_DIGITS

UNREAD, VETOED = "?", "!"
# What each kind of position may hold (hardware.mrz_fields.POSITIONS), as the glyphs are asked.
ALLOWED = {
    "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ<",
    "N": "0123456789",
    "C": "0123456789<",
    "S": "MFX<",
    "X": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<",
    "D": "0123456789AB",
}
# Look-alikes OCR confuses in OCR-B, by what the position may hold: a letter read where a digit must be (and the
# other way round) is taken for this one, and the check digit verifies it. One only: trying several and keeping
# the one that passes would, on a misprinted or misread number, find a wrong number that passes one time in ten.
AS_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "T": "7",
    "A": "4",
}
AS_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "B"}

Doubts = dict[tuple[int, int], set[str]]  # (line, cell) -> what else a reading says it may hold
Lines = list[list[str]]  # a reading's character at each (line, cell); "" where it read none


def as_position(char: str, kind: str) -> str:
    """What a character read stands for where `kind` is expected (itself when it fits)."""
    if kind in "NC" and char not in "0123456789<" or kind == "D" and char not in "0123456789AB":
        return AS_DIGIT.get(char, char)
    if kind == "A" and char.isdigit():
        return AS_LETTER.get(char, char)
    return char


def _judged(char: str, kind: str, shape: str | None) -> tuple[str, str]:
    """A position's character from one Tesseract reading ("" when unread), and the other it may be (its
    look-alike) when in doubt: a look-alike where both may stand (a letters-and-digits position; in a department's
    code B and 8) is taken for the kind its shape says
    (`shape`, hardware.mrz_shapes.kinds), in doubt when not sure of it against Tesseract (a G or 6 against its
    holes: VETOED); kept as read, in doubt, when its shape says nothing."""
    if char == UNREAD:
        return "", ""
    other = LOOKALIKES.get(as_position(char, kind))
    if kind not in "XD" or other is None or other not in ALLOWED[kind]:
        return as_position(char, kind), ""
    if shape is None:
        return char, LOOKALIKES[char]
    if shape.startswith("digit") == char.isdigit():
        return char, ""
    if char in UNSEEN_BY_CHECK_DIGITS:
        return VETOED, ""
    return LOOKALIKES[char], (char if shape.endswith("?") else "")


def _as_glyph(char: str, glyph: str) -> str:
    """Tesseract's character where the glyphs are sure of theirs: theirs when it is the same or a look-alike."""
    return glyph if char == glyph or LOOKALIKES.get(char) == glyph else char


def tesseract_lines(
    texts: Sequence[Sequence[str]],
    sizes: Sequence[Sequence[dict[int, float]]],
    holes: Sequence[Sequence[dict[int, int]]],
    positions: list[str],
    doubts: Doubts,
    glyphs: Lines | None = None,
    sure: list[list[bool]] | None = None,
) -> list[Lines]:
    """Each Tesseract reading's character for each position (see _judged); the look-alikes their shape leaves in
    doubt go into `doubts`. Readings given without heights (a zone's text as printed) are in no doubt, nor where
    the glyphs are `sure`: there a look-alike of theirs (an O for their 0) is taken for theirs."""
    found = []
    for text, size, hole in itertools.zip_longest(texts, sizes, holes, fillvalue=None):
        judged = mrz_shapes.kinds(text, size, hole, positions) if size else {}
        lines = []
        for row, (line, kinds) in enumerate(zip(text, positions, strict=True)):
            options = []
            for col, (char, kind) in enumerate(zip(line, kinds, strict=True)):
                if glyphs and sure and sure[row][col]:
                    options.append(_as_glyph(as_position(char, kind) if char != UNREAD else "", glyphs[row][col]))
                    continue
                candidate, other = _judged(char, kind, judged.get((row, col)))
                options.append(candidate)
                if other and size is not None:
                    doubts.setdefault((row, col), set()).add(other)
            lines.append(options)
        found.append(lines)
    return found


def glyph_lines(
    glyphs: Sequence[dict[int, np.ndarray]], first: Sequence[str], positions: list[str], doubts: Doubts
) -> tuple[Lines, list[list[bool]]]:
    """The glyphs' reading (hardware.mrz_glyphs.scores of the first Tesseract reading's cells): each position's
    likeliest character of those it may hold ("" for a cell no character was seen in, `<` where hardware.mrz_cells
    found the filler's shape), and whether they are sure of it; the runners-up CLOSE to it go into `doubts`."""
    found, sure = [], []
    for row, (scores, line, kinds) in enumerate(zip(glyphs, first, positions, strict=True)):
        chars, sure_of = [], []
        for col, (seen, kind) in enumerate(zip(line, kinds, strict=True)):
            if seen == "<" or col not in scores:
                best, close = ("<" if seen == "<" else ""), ""
            else:
                best, close = mrz_glyphs.reading(scores[col], ALLOWED[kind])
            chars.append(best)
            sure_of.append(bool(best) and not close)
            if close:
                doubts.setdefault((row, col), set()).update(close)
        found.append(chars)
        sure.append(sure_of)
    return found, sure


def voted(tesseract: Sequence[str], glyph: str, sure: bool) -> str:
    """A checked position's character: the glyphs' where they are sure; else the one most readings read (the
    glyphs' best among those read as often), "" when none leads or a G or 6 contradicts its holes. The check digit
    then verifies the field as voted: it never chooses between the readings' characters."""
    if glyph and sure:
        return glyph
    read = [char for char in tesseract if char]
    if VETOED in read:
        return ""
    votes = Counter(read + ([glyph] if glyph else []))
    leaders = [char for char, count in votes.items() if count == max(votes.values(), default=0)]
    return leaders[0] if len(leaders) == 1 else glyph if glyph in leaders else ""


def agreed(tesseract: Sequence[str], glyph: str | None, sure: bool) -> str:
    """A position no check digit covers (a name, a nationality, the sex): the character two readings read and
    none contradicts; "" when there is none. With the glyphs (`glyph`: their best, "" where they saw no
    character), Tesseract's first reading and theirs when they are `sure`, else its first two and theirs; or,
    where its first two differ, the one the sure glyphs agree with. Without them, Tesseract's first two (or the one
    there is: a zone's text as printed). A third Tesseract reading is heard on the fields a check digit covers
    only: two readings of three agreeing on a name would be no better than one."""
    firsts = [options[:1] for options in tesseract[:2]]
    if VETOED in firsts:
        return ""
    if glyph is None or glyph == "" and len(firsts) == 2:
        return firsts[0] if len(set(firsts)) == 1 else ""
    if set(firsts) == {glyph} and (sure or len(firsts) == 2):
        return glyph
    return glyph if len(firsts) == 2 and sure and glyph in firsts else ""


def alternatives(readings: Sequence[Lines], doubts: Doubts, row: int, col: int, chosen: str) -> str:
    """What else than `chosen` the readings saw, or doubt, at a place."""
    seen = {each[row][col] for each in readings} | doubts.get((row, col), set())
    return "".join(sorted(seen - {chosen, "", VETOED, UNREAD}))
