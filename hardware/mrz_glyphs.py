"""Each cell of a zone line classified against OCR-B's own glyphs: a second reader beside Tesseract for hardware.mrz.

A zone is printed in OCR-B (ICAO 9303 part 3 §4.2: OCR-B Size 1, ISO 1073-2), a font drawn to be told apart by
its shapes, and Debian ships it (fonts-ocr-b). So each character seen (hardware.mrz_cells' boxes) is compared with
OCR-B's 36 letters and digits and its filler, drawn at the cell's own size (up by the line's height, across by its
pitch) and sitting on its baseline, by normalised correlation over a few pixels of shift: a 0 stands taller and
narrower than an O, a 5 has corners an S has not. The scores go to hardware.mrz_readings, which takes the best of
what the position may hold, sure of it when no runner-up comes within CLOSE. Tesseract's English reads a blurred
9 as an O or a 5 as an S; a comparison of shapes does not go wrong the same way, so the two are two readings: a
name is taken where they agree, a number as they vote, verified by its check digit.

Without the font (the Debian package not installed) there are no scores, and hardware.mrz reads no zone.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from hardware.mrz import OCR_B
from hardware.mrz_shapes import INK_HEIGHTS

SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"  # the filler too: a blurred one hardware.mrz_cells missed
EM = 24  # px: the em the cells are compared at (their letters then 17 px high, enough to tell OCR-B's apart)
WIDTH, HEIGHT, BELOW = 20, 24, 3  # px: the window a glyph is compared in, and its rows under the baseline
ADVANCE = 0.723  # OCR-B's pitch in em (ICAO's 2.54 mm is its advance at its size)
SHIFT = 2  # px (at EM): how far a cell may sit from where its box says, each way
BLUR = 0.8  # px (at EM): the glyphs softened as a photo softens print
SUPERSAMPLE = 4  # the glyphs are drawn this much finer, then reduced: no hinting or pixel grid in them
CLOSE = 0.06  # a runner-up this close to the best score is a doubt (on the main seed's 12,745 cells, the one wrong
# best was 0.005 ahead of the right one, and 999 in 1,000 right ones more than 0.047 ahead)


@lru_cache(maxsize=1)
def _glyphs() -> np.ndarray | None:
    """OCR-B's letters and digits, one row each (SYMBOLS' order): drawn with their ink centred across the window and
    on its baseline, softened, each with zero mean and unit length (normalised correlation is then a dot product).
    None without the font."""
    if not OCR_B.exists():
        return None
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(OCR_B), EM * SUPERSAMPLE)
    rows = []
    for symbol in SYMBOLS:
        picture = Image.new("L", (WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE), 0)
        left, _, right, bottom = font.getbbox(symbol)
        origin = (WIDTH * SUPERSAMPLE / 2 - (left + right) / 2, (HEIGHT - BELOW) * SUPERSAMPLE - bottom)
        ImageDraw.Draw(picture).text(origin, symbol, font=font, fill=255)
        small = cv2.resize(np.array(picture), (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA).astype(np.float32)
        rows.append(_normalised(cv2.GaussianBlur(small, (0, 0), BLUR).reshape(1, -1))[0])
    return np.array(rows, np.float32)


def _normalised(rows: np.ndarray) -> np.ndarray:
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)


def _patch(ink: np.ndarray, box: list[int], em: float, pitch: float) -> np.ndarray:
    """The cell brought to EM, its ink's centre across the window and the box's bottom on the baseline, with SHIFT
    px more on each side: across by its pitch (OCR-B's advance is ADVANCE em), up by its em, since a photo taken
    at a slant narrows a line's characters without shortening them (and a narrowed O looks like a 0)."""
    across, up = EM * ADVANCE / pitch, EM / em
    centre, bottom = (box[0] + box[2]) / 2, box[3]
    to_window = np.float32(
        [[across, 0, WIDTH / 2 + SHIFT - centre * across], [0, up, HEIGHT - BELOW + SHIFT - bottom * up]]
    )
    return cv2.warpAffine(ink, to_window, (WIDTH + 2 * SHIFT, HEIGHT + 2 * SHIFT), flags=cv2.INTER_LINEAR)


def scores(flat: np.ndarray, boxes: dict[int, list[int]], ems: dict[int, float]) -> dict[int, np.ndarray]:
    """Each cell's likeness to each of SYMBOLS (-1..1: the best normalised correlation over the shifts), for the
    cells in `ems` (their em in px); `flat` is the line's strip, dark print on light (hardware.mrz_cells.LineCells
    .blanked). Empty without the font."""
    glyphs = _glyphs()
    cells = [cell for cell in ems if cell in boxes]
    if glyphs is None or not cells:
        return {}
    ink = 255.0 - flat.astype(np.float32)
    pitch = _pitches(boxes)
    patches = np.stack([_patch(ink, boxes[cell], ems[cell], pitch(cell)) for cell in cells])
    windows = np.lib.stride_tricks.sliding_window_view(patches, (HEIGHT, WIDTH), axis=(1, 2))
    windows = windows.reshape(-1, HEIGHT * WIDTH)
    # The glyphs have zero mean: a window's correlation with one needs only the window's own spread, not its
    # centring.
    spread = np.sqrt(
        np.maximum(np.einsum("ij,ij->i", windows, windows) - windows.sum(axis=1) ** 2 / windows.shape[1], 1e-6)
    )
    likeness = (windows @ glyphs.T) / spread[:, None]
    best = likeness.reshape(len(cells), -1, len(SYMBOLS)).max(axis=1)
    return dict(zip(cells, best, strict=True))


def _pitches(boxes: dict[int, list[int]]):
    """The line's pitch in px as a function of the cell: the slope of a quadratic fit of the boxes' centres to
    their cells (a line seen in perspective narrows toward its far end)."""
    cells = np.array(sorted(boxes), float)
    centres = np.array([(boxes[cell][0] + boxes[cell][2]) / 2 for cell in sorted(boxes)])
    fit = np.polyder(np.polyfit(cells, centres, 2 if len(cells) > 8 else 1))
    return lambda cell: max(float(np.polyval(fit, cell)), 1.0)


def ems(heights: dict[int, float], scale_at) -> dict[int, float]:
    """Each cell's em in px: from the line's scale at its place (LineCells' fit, in INK_HEIGHTS' units of a 200 px
    em) or, without one, from its own height taken for a letter's (a digit's is 8% more)."""
    if scale_at is not None:
        return {cell: 200 * scale_at(cell) for cell in heights}
    letter = float(np.median([INK_HEIGHTS[symbol] for symbol in SYMBOLS if symbol.isalpha()])) / 200
    return {cell: height / letter for cell, height in heights.items()}


def ranked(likeness: np.ndarray, allowed: str) -> list[tuple[str, float]]:
    """The `allowed` symbols by likeness, the best first."""
    found = [(symbol, float(likeness[SYMBOLS.index(symbol)])) for symbol in allowed if symbol in SYMBOLS]
    return sorted(found, key=lambda pair: -pair[1])


def reading(likeness: np.ndarray, allowed: str) -> tuple[str, str]:
    """(the best of `allowed`, the others within CLOSE of it: in doubt)."""
    found = ranked(likeness, allowed)
    if not found:
        return "", ""
    best, score = found[0]
    return best, "".join(symbol for symbol, other in found[1:] if score - other < CLOSE)
