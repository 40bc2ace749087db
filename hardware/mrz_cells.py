"""One zone line, cut out level (hardware.mrz_lines), read character by character: the text of hardware.mrz.

OCR-B in a zone is printed at one pitch, so a line of N characters is N cells, found from its first and last
character. English Tesseract reads OCR-B's letters and digits well but takes runs of the `<` filler for K, S or
nothing at all, which shifts every field after them; so the filler is told by its shape, a chevron (its left tip
alone at mid-height, its two arms on the right, above and below: no letter or digit is drawn so), blanked out, and
Tesseract reads only the letters and digits left, which go back into their cells in order. A cell nobody read is
`?`, which no field accepts: a line read wrong fails its check digits rather than shifting.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hardware.mrz_fields import LAYOUTS
from hardware.mrz_shapes import INK_HEIGHTS, LOOKALIKES

WIDTHS = sorted({width for _, width in LAYOUTS.values()})  # characters a line may have: 30, 36, 44
UNREAD = "?"
REFERENCES = frozenset(INK_HEIGHTS) - frozenset(LOOKALIKES)  # what a line's scale is measured on


def _ink(strip: np.ndarray, char_height: int) -> tuple[np.ndarray, np.ndarray]:
    """(the strip with its lighting evened out, its ink as a 0/255 mask)."""
    size = int(char_height * 1.5) | 1
    paper = cv2.morphologyEx(strip, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    flat = cv2.divide(strip, paper, scale=255)
    _, ink = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return flat, ink


def _glyphs(ink: np.ndarray, char_height: int) -> list[list[int]]:
    """Boxes [x0, y0, x1, y1] of the characters across the strip's middle, left to right (pieces of one joined)."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    middle = ink.shape[0] / 2
    boxes = sorted(
        [x, y, x + w, y + h]
        for x, y, w, h, area in stats[1:]
        if 0.45 * char_height <= h <= 1.5 * char_height
        and w <= 1.5 * char_height
        and y < middle < y + h
        and area >= 0.03 * char_height**2
    )
    joined: list[list[int]] = []
    for box in boxes:
        if joined and box[0] < joined[-1][2] - 1:
            last = joined[-1]
            joined[-1] = [min(last[0], box[0]), min(last[1], box[1]), max(last[2], box[2]), max(last[3], box[3])]
        else:
            joined.append(box)
    return joined


def cells_of_glyphs(glyphs: list[list[int]]) -> list[int] | None:
    """Each box's cell: every cell of a zone line holds a character, so boxes follow one another a pitch apart and a
    wider step is a character not seen. The pitch is measured near each step, since a line seen in perspective
    narrows toward its far end. None unless the line then spans a zone's width."""
    if len(glyphs) < min(WIDTHS) * 0.6:
        return None
    centres = np.array([(box[0] + box[2]) / 2 for box in glyphs])
    steps = np.diff(centres)
    pitch = float(np.median(steps))
    cells = [0]
    for n, step in enumerate(steps):
        near = [s for s in steps[max(0, n - 4) : n + 5] if 0.7 * pitch < s < 1.3 * pitch]
        units = step / float(np.median(near)) if near else step / pitch
        if abs(units - round(units)) > 0.3 or round(units) < 1:
            return None  # off the pitch: no zone line, or its characters not told apart
        cells.append(cells[-1] + round(units))
    return cells if cells[-1] + 1 in WIDTHS else None


def _trimmed(glyphs: list[list[int]]) -> list[list[int]]:
    """The boxes without those of another height at either end (a page's edge, a thumb, the table)."""
    height = float(np.median([box[3] - box[1] for box in glyphs])) if glyphs else 0.0
    while glyphs and abs(glyphs[0][3] - glyphs[0][1] - height) > 0.35 * height:
        glyphs = glyphs[1:]
    while glyphs and abs(glyphs[-1][3] - glyphs[-1][1] - height) > 0.35 * height:
        glyphs = glyphs[:-1]
    return glyphs


def is_chevron(ink: np.ndarray, box: list[int]) -> bool:
    """Whether the character in `box` is the filler `<`: ink at its left edge only near mid-height, and at its
    right edge above and below but not in the middle."""
    x0, y0, x1, y1 = box
    shape = ink[y0:y1, x0:x1] > 0
    height, width = shape.shape
    if height < 6 or width < 4:
        return False
    rows = np.flatnonzero(shape[:, : max(1, width // 5)].any(axis=1))
    if rows.size == 0:
        return False
    span, centre = (rows[-1] - rows[0] + 1) / height, (rows[-1] + rows[0]) / 2 / height
    right = shape[:, width - max(1, width // 4) :]
    arms = right[: int(height * 0.3)].any() and right[int(height * 0.7) :].any()
    return span < 0.45 and 0.3 < centre < 0.7 and arms and not right[int(height * 0.42) : int(height * 0.58)].any()


@dataclass
class LineCells:
    """A zone line cut in cells: what each holds so far ('<' or UNREAD), the box of each cell a character was seen
    in, and the strip with its fillers (and whatever shows of the lines above and below) blanked for Tesseract."""

    cells: list[str]
    boxes: dict[int, list[int]]
    blanked: np.ndarray
    heights: dict[int, float]  # each seen cell's character's height (ink_height)
    holes: dict[int, int]  # each seen cell's character's holes: 0 in a G, 1 in a 6 (a blur never fills an 6's)

    def text(self) -> str:
        return "".join(self.cells)

    def to_read(self) -> list[int]:
        return [n for n, char in enumerate(self.cells) if char == UNREAD]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The strip's columns from after the last seen cell before `first` to before the first seen after `last`."""
        before = [box[2] for cell, box in self.boxes.items() if cell < first]
        after = [box[0] for cell, box in self.boxes.items() if cell > last]
        return (max(before) + 1 if before else 0), (min(after) - 1 if after else self.blanked.shape[1])

    def fill(self, places: list[int], symbols: list[tuple[str, float]]) -> None:
        """Tesseract's letters and digits (char, centre in the strip's columns), left to right, put in `places`: in
        order when it read as many as there are places, else each in the cell whose character it lies on (two in one
        cell leave it unread)."""
        symbols = [(char, centre) for char, centre in symbols if char.strip()]
        if len(symbols) == len(places):
            for cell, (char, _) in zip(places, symbols, strict=True):
                self.cells[cell] = char
            return
        seen = [cell for cell in places if cell in self.boxes]
        if not seen or not symbols:
            return
        pitch = float(np.median(np.diff(sorted((box[0] + box[2]) / 2 for box in self.boxes.values()))))
        landed: dict[int, list[str]] = {}
        for char, centre in symbols:
            cell = min(seen, key=lambda n: abs((self.boxes[n][0] + self.boxes[n][2]) / 2 - centre))
            if abs((self.boxes[cell][0] + self.boxes[cell][2]) / 2 - centre) < 0.5 * pitch:
                landed.setdefault(cell, []).append(char)
        for cell, chars in landed.items():
            if len(chars) == 1:
                self.cells[cell] = chars[0]

    def sizes(self) -> dict[int, float]:
        """Each seen character's height in INK_HEIGHTS' units: its ink height over the line's scale at its place
        (a straight fit along the line on its reference characters, which a line seen in perspective grows along).
        Empty when the line has too few references to tell its scale."""
        scale_at = self.scale_along()
        if scale_at is None:
            return {}
        return {cell: height / scale_at(cell) for cell, height in self.heights.items() if self.cells[cell] != "<"}

    def scale_along(self):
        """The line's scale (ink height / INK_HEIGHTS) as a function of the cell, fitted on its reference
        characters once the farthest from a first fit are dropped; None with fewer than 4 references."""
        points = np.array(
            [
                (cell, self.heights[cell] / INK_HEIGHTS[char])
                for cell, char in enumerate(self.cells)
                if char in REFERENCES and cell in self.heights
            ]
        )
        if len(points) < 4:
            return None
        fit = np.polyfit(points[:, 0], points[:, 1], 1)
        misfit = np.abs(np.polyval(fit, points[:, 0]) - points[:, 1])
        kept = points[misfit <= max(2 * float(np.median(misfit)), 1e-6)]
        if len(kept) >= 4:
            fit = np.polyfit(kept[:, 0], kept[:, 1], 1)
        return lambda cell: float(np.polyval(fit, cell))

    def runs(self) -> list[list[int]]:
        """The runs of cells still unread, each a list of neighbouring cells."""
        found: list[list[int]] = []
        for cell in self.to_read():
            if found and found[-1][-1] == cell - 1:
                found[-1].append(cell)
            else:
                found.append([cell])
        return found


def ink_height(flat: np.ndarray, box: list[int]) -> float:
    """A character's height to a tenth of a pixel: between the rows where its darkest column first and last reaches
    half its darkness, interpolated (the box's pixel rows would give the height to a pixel, a tenth of the gap
    between a digit and a letter)."""
    x0, y0, x1, y1 = box
    top, bottom = max(0, y0 - 2), min(flat.shape[0], y1 + 2)
    profile = 255.0 - flat[top:bottom, x0:x1].min(axis=1).astype(np.float64)
    half = profile.max() / 2
    inked = np.flatnonzero(profile >= half)
    if inked.size == 0 or half <= 0:
        return float(y1 - y0)
    first, last = int(inked[0]), int(inked[-1])
    rise = (half - profile[first - 1]) / (profile[first] - profile[first - 1]) if first > 0 else 0.0
    fall = (profile[last] - half) / (profile[last] - profile[last + 1]) if last + 1 < profile.size else 0.0
    return float(last - first + fall + (1 - rise))


def holes_in(ink: np.ndarray, box: list[int], char_height: int) -> int:
    """The enclosed background regions of the character in `box` (specks of noise not counted)."""
    x0, y0, x1, y1 = box
    piece = np.ascontiguousarray(ink[max(0, y0 - 1) : y1 + 1, max(0, x0 - 1) : x1 + 1])
    contours, hierarchy = cv2.findContours(piece, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return 0
    return sum(
        1
        for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True)
        if parent >= 0 and cv2.contourArea(contour) >= 0.01 * char_height**2
    )


def cells_of(strip: np.ndarray, char_height: int) -> LineCells | None:
    """The line's cells, its fillers found by their shape and blanked; None when the strip is no zone line."""
    flat, ink = _ink(strip, char_height)
    glyphs = _trimmed(_glyphs(ink, char_height))
    places = cells_of_glyphs(glyphs)
    if places is None:
        return None
    top, bottom = (int(np.median([box[i] for box in glyphs])) for i in (1, 3))
    margin = max(2, (bottom - top) // 6)
    flat[: max(0, top - margin)], flat[bottom + margin :] = 255, 255  # what shows of the lines above and below
    found = LineCells([UNREAD] * (places[-1] + 1), {}, flat, {}, {})
    for cell, box in zip(places, glyphs, strict=True):
        found.boxes[cell], found.heights[cell] = box, ink_height(flat, box)
        found.holes[cell] = holes_in(ink, box, char_height)
    for cell, box in zip(places, glyphs, strict=True):
        if is_chevron(ink, box):
            found.cells[cell] = "<"
            flat[:, max(0, box[0] - 1) : box[2] + 1] = 255
    return found
