"""The text lines of a photographed screen, each cut out upright, dark on light and at the height Tesseract reads
best (hardware.ocr reads them one by one). A phone held in a hand is a small tilted quadrilateral in a bigger
photo, in light or dark mode, under glare; so, at a working scale where the glyphs are at least MIN_GLYPH tall:

- strokes: pixels that depart from their local background (a median: text is a minority of any window) by more
  than the noise, darker or lighter, so text of either polarity shows and broad shapes (icons, a hand, glare)
  do not; straight edges longer than any glyph (a dialog's sides, a bezel) are taken out;
- deskew: the strokes smeared along their line become elongated blobs; the length-weighted median angle of
  their minimum area rectangles is the text's angle, undone before lines are cut, and each line's own residual
  slope too (the photo's perspective turns lines a little differently);
- lines: blobs of strokes smeared along the line, cut where their ink profile falls between two lines (a blur
  or a descender made them touch) and where their strokes leave a gap wider than two glyphs;
- polarity per line, from the line's own pixels: the background is the majority, so light text is where the
  median lies nearer the dark end (a dark dialog over a light wallpaper, or the reverse, reads either way);
- glare flattened per line by dividing by the background (a closing removes the text and leaves the light).

Bounded for any picture: lines are found within MAX_FIND_PIXELS, at most MAX_BLOBS blobs are looked at and
MAX_LINES lines cut out, none longer than MAX_ASPECT times its height.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hardware.uploads import fits, scale_within

WORK_SIDE = 1280  # the long side lines are first looked for at
MAX_FIND_PIXELS = 4_000_000  # a closer look at small text never works on more than this
TEXT_HEIGHT = 32  # px: the height of a line's box in the cut-out Tesseract reads (capitals about 24 px tall)
MIN_CONTRAST = 28  # a departure below this is moiré, noise or a shadow
MIN_GLYPH = 12  # px: smaller glyphs at WORK_SIDE are looked for again at a finer scale
SMEAR = 1.0  # glyph heights: the widest gap the smear bridges inside a line (wider ones: hardware.ocr's rows)
MAX_BLOBS = 300  # the largest blobs of smeared strokes looked at (a screen's text makes a few dozen)
MAX_LINES = 24  # what a *#06# dialog shows, with room for a title, the buttons and some clutter
MIN_SIDE = 32  # px: a smaller picture holds no line of text to read (and no quarter-scale background)
MAX_ASPECT = 60  # a line's width in heights at most: a 32-digit EID in a condensed font is about 25


@dataclass
class Line:
    picture: np.ndarray  # gray, dark text on light, upright, TEXT_HEIGHT tall plus margins
    box: tuple[float, float, float, float]  # left, top, right, bottom in the deskewed working frame
    inverted: bool  # light text on a dark ground in the photo


def _strokes(small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far each pixel departs from its local background (a median over about 60 px, taken at a quarter
    scale: text covers a minority of any such window), darker or lighter; and where that is more than noise."""
    quarter = cv2.resize(small, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ground = cv2.resize(cv2.medianBlur(quarter, 15), small.shape[::-1], interpolation=cv2.INTER_LINEAR)
    departure = cv2.max(cv2.subtract(ground, small), cv2.subtract(small, ground))
    otsu, _ = cv2.threshold(departure, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return departure, (departure > max(MIN_CONTRAST, otsu)).astype(np.uint8) * 255


def _glyph_height(mask: np.ndarray) -> float:
    """The text's glyph height: pieces of the stroke mask shaped like glyphs that have two neighbours or more of
    about their height on about their line (text comes in rows; an icon's corner or a bezel's bit does not),
    their lower third (the numbers' digits, under larger labels and titles)."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x, y, w, h, area = stats[1:].T
    shaped = (h >= 5) & (h <= 90) & (h >= 0.6 * w) & (h <= 5 * w) & (area >= 0.1 * w * h)
    x, y, w, h = x[shaped], y[shaped], w[shaped], h[shaped].astype(np.float32)
    if len(h) < 3:
        return 16.0
    tallest = np.argsort(-h)[:1500]  # bounded: the pairwise test below is quadratic
    x, y, w, h = x[tallest], y[tallest], w[tallest], h[tallest]
    middle, centre = y + h / 2, x + w / 2
    near = ((np.abs(middle[:, None] - middle[None]) < 0.3 * h[:, None]) &
            (np.abs(h[:, None] - h[None]) <= 0.25 * h[:, None]) &
            (np.abs(centre[:, None] - centre[None]) < 3 * h[:, None]))
    in_rows = h[near.sum(axis=1) >= 3]
    return float(np.percentile(in_rows, 35)) if len(in_rows) else float(np.median(h))


def _smeared(mask: np.ndarray, reach: float) -> np.ndarray:
    """Glyphs joined along their line (a word's gaps and a space between digit groups), not across lines."""
    width = int(max(5, reach)) | 1
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (width, 1)))


def _rect(contour: np.ndarray) -> tuple[float, float, float, tuple[float, float]]:
    """(length, thickness, angle in degrees within ±45, centre) of a contour's minimum area rectangle."""
    (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
    if w < h:
        w, h, angle = h, w, angle - 90
    return w, h, (angle + 90) % 180 - 90, (cx, cy)


def text_angle(smeared: np.ndarray) -> float:
    """The text's angle (degrees, as cv2 measures it): the length-weighted median over elongated blobs."""
    contours, _ = cv2.findContours(smeared, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    votes = [(angle, length) for length, thick, angle, _ in map(_rect, contours)
             if thick >= 4 and length >= 4 * thick and abs(angle) <= 30]
    if not votes:
        return 0.0
    votes.sort()
    weights = np.cumsum([length for _, length in votes])
    return float(votes[int(np.searchsorted(weights, weights[-1] / 2))][0])


def _upright(gray: np.ndarray, to_source: np.ndarray, box: tuple, slope: float) -> np.ndarray | None:
    """The line's cut-out: the box (in the deskewed working frame) with margins, turned by its residual slope,
    scaled to TEXT_HEIGHT, sampled from the full-resolution photo (None if that would not fit the budget)."""
    left, top, right, bottom = box
    scale = TEXT_HEIGHT / max(bottom - top, 1.0)
    margin = (bottom - top) * 0.35
    out_w, out_h = int((right - left + 2 * margin) * scale), int((bottom - top + 2 * margin) * scale)
    if not fits(out_w, out_h):
        return None
    centre = np.float32([(left + right) / 2, (top + bottom) / 2])
    turn = np.deg2rad(slope)
    rotation = np.float32([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]]) / scale
    # crop pixel (u, v) -> working frame: centre + R·((u, v) - crop centre) / scale
    offset = centre - rotation @ np.float32([out_w / 2, out_h / 2])
    to_work = np.vstack([np.hstack([rotation, offset[:, None]]), [0, 0, 1]])
    matrix = (to_source @ to_work)[:2]
    return cv2.warpAffine(gray, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def _dark_on_light(picture: np.ndarray) -> tuple[np.ndarray, bool]:
    """The line with its text dark on an even light ground, and whether it had to be inverted."""
    low, middle, high = np.percentile(picture, (3, 50, 97))
    inverted = bool(high - middle > middle - low)
    if inverted:
        picture = 255 - picture
    ground = cv2.morphologyEx(picture, cv2.MORPH_CLOSE, cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (TEXT_HEIGHT // 2 | 1, TEXT_HEIGHT // 2 | 1)))
    flat = cv2.divide(picture, np.maximum(ground, 1), scale=255)
    ink = float(np.percentile(flat, 2))
    return cv2.convertScaleAbs(flat, alpha=255 / max(255 - ink, 1), beta=-ink * 255 / max(255 - ink, 1)), inverted


def _working(gray: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, float]:
    """(the photo at the scale lines are found at, that scale, its departure and stroke mask, the glyph height
    there). WORK_SIDE unless the text is then too small to part its lines: a phone far off in a big photo is
    looked at closer, within MAX_FIND_PIXELS."""
    height, width = gray.shape
    shrink = scale_within(width, height, min(1.0, WORK_SIDE / max(height, width)), MAX_FIND_PIXELS)
    while True:
        small = cv2.resize(gray, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else gray
        departure, mask = _strokes(small)
        glyph = _glyph_height(mask)
        closer = scale_within(width, height, min(1.0, shrink * MIN_GLYPH * 1.25 / glyph), MAX_FIND_PIXELS)
        if glyph >= MIN_GLYPH or closer <= shrink * 1.05:
            return small, shrink, departure, mask, glyph
        shrink = closer


def _without_edges(strokes: np.ndarray, glyph: float) -> np.ndarray:
    """The strokes less straight edges longer than any glyph (a dialog's sides, a bezel, an icon's border): run
    together with the text by the smear, they made one blob of a line and the dialog's edge."""
    tall = int(2.2 * glyph) | 1
    wide = int(3 * glyph) | 1
    upright = cv2.morphologyEx(strokes, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    level = cv2.morphologyEx(strokes, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (wide, 1)))
    edges = cv2.dilate(cv2.bitwise_or(upright, level), cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    return cv2.subtract(strokes, edges)


def _cuts(profile: np.ndarray, start: int, stop: int, glyph: float) -> list[tuple[int, int]]:
    """Row ranges of a blob's ink profile, cut at its deepest valley, a row a quarter fainter than the peaks on
    both sides of it (lines a blur or a descender made touch), again on each side until no part is two lines
    tall."""
    if stop - start < 1.6 * glyph:
        return [(start, stop)]
    part = profile[start:stop]
    sides = np.minimum(np.maximum.accumulate(part), np.maximum.accumulate(part[::-1])[::-1])
    depth = part / np.maximum(sides, 1e-6)
    row = int(np.argmin(depth))
    if depth[row] >= 0.75:
        return [(start, stop)]
    return _cuts(profile, start, start + row, glyph) + _cuts(profile, start + row + 1, stop, glyph)


def _rows(ink: np.ndarray, strokes: np.ndarray, glyph: float) -> list[tuple[int, int, int, int]]:
    """One blob's lines (its ink and strokes, cut to its box and to its own pixels), as boxes fitted to the ink
    of each: rows where it reaches a quarter of the line's peak, columns where strokes are, parted where they
    leave a gap wider than two glyphs (text beside an edge or a mark: a bezel, an icon)."""
    profile = np.convolve(ink.sum(axis=1, dtype=np.float32), np.ones(3) / 3, mode="same")
    parts = []
    for start, stop in _cuts(profile, 0, len(profile), glyph):
        inked = np.flatnonzero(profile[start:stop] >= 0.25 * profile[start:stop].max())
        if not len(inked):
            continue
        top, bottom = start + int(inked[0]), start + int(inked[-1]) + 1
        columns = np.flatnonzero(np.count_nonzero(strokes[top:bottom], axis=0))
        if bottom - top < 0.35 * glyph or not len(columns):
            continue
        breaks = np.flatnonzero(np.diff(columns) > 2 * glyph)
        for first, last in zip(np.r_[0, breaks + 1], np.r_[breaks, len(columns) - 1], strict=True):
            width = int(columns[last] - columns[first] + 1)
            # an edge or a bar is wide and leaves no gap between columns; a lone glyph is narrow
            if width <= 1.5 * (bottom - top) or np.count_nonzero(np.diff(columns[first:last + 1]) > 1):
                parts.append((int(columns[first]), top, width, bottom - top))
    return parts


def _slope(strokes: np.ndarray) -> float:
    """The residual slope (degrees) of one line's strokes: a least-squares line through them (perspective
    turns the lines of one photo a little differently)."""
    rows, columns = np.nonzero(strokes)
    if strokes.shape[1] < 4 * strokes.shape[0] or len(columns) < 20:
        return 0.0
    slope = np.polyfit(columns.astype(np.float32), rows.astype(np.float32), 1)[0]
    return float(np.clip(np.degrees(np.arctan(slope)), -6, 6))


def _boxes(strokes: np.ndarray, ink: np.ndarray, glyph: float) -> list[tuple[tuple[int, int, int, int], float]]:
    """The deskewed frame's text lines: (box, residual slope), each blob of smeared strokes cut into its lines.
    Blobs are connected components, not outer contours: text inside a ring (a dialog's edge) is its own blob."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(_smeared(strokes, SMEAR * glyph), connectivity=8)
    x, y, w, h, area = stats.T
    blobs = np.flatnonzero((h >= 0.5 * glyph) & (h <= 30 * glyph) & (w >= 0.2 * glyph) & (x > 0) & (y > 0))
    found = []
    for label in blobs[np.argsort(-area[blobs], kind="stable")][:MAX_BLOBS]:
        x, y, w, h, _ = stats[label]
        own = labels[y:y + h, x:x + w] == label
        mine = np.where(own, strokes[y:y + h, x:x + w], 0)
        for left, top, width, height in _rows(np.where(own, ink[y:y + h, x:x + w], 0), mine, glyph):
            if 0.5 * glyph <= height <= 2.5 * glyph and 0.3 * height <= width <= MAX_ASPECT * height:
                slope = _slope(mine[top:top + height, left:left + width])
                found.append(((x + left, y + top, width, height), slope))
    return found


def find_lines(gray: np.ndarray) -> list[Line]:
    """The text lines of a grayscale photo, top to bottom, each upright and dark on light."""
    if min(gray.shape[:2]) < MIN_SIDE:
        return []
    small, shrink, departure, mask, glyph = _working(gray)
    angle = text_angle(_smeared(mask, glyph * 0.6))
    rotation = cv2.getRotationMatrix2D((small.shape[1] / 2, small.shape[0] / 2), angle, 1.0)
    strokes = _without_edges(cv2.warpAffine(mask, rotation, small.shape[::-1], flags=cv2.INTER_NEAREST), glyph)
    ink = cv2.bitwise_and(cv2.warpAffine(departure, rotation, small.shape[::-1], flags=cv2.INTER_LINEAR), strokes)
    # deskewed working frame -> source photo: undo the rotation, then the shrink
    to_source = np.diag([1 / shrink, 1 / shrink, 1.0]) @ np.linalg.inv(np.vstack([rotation, [0, 0, 1]]))
    lines = []
    # the widest first when there are too many: a bezel's or an icon's broken edge leaves narrow bits
    for (x, y, w, h), slope in sorted(_boxes(strokes, ink, glyph), key=lambda found: -found[0][2])[:MAX_LINES]:
        picture = _upright(gray, to_source, (x, y, x + w, y + h), slope)
        if picture is not None:
            picture, inverted = _dark_on_light(picture)
            lines.append(Line(picture, (x / shrink, y / shrink, (x + w) / shrink, (y + h) / shrink), inverted))
    return sorted(lines, key=lambda line: (line.box[1] + line.box[3]) / 2)
