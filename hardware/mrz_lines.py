"""Where a machine-readable zone's lines lie in a photo, and each line cut out level: the geometry of hardware.mrz.

The zone is two or three long lines of OCR-B characters at one pitch, parallel, of one length, one under the other
(ICAO 9303 part 3 §4.3). Dark print on a light page: a black-hat filter keeps what is darker than its surroundings
at a character's size, a closing along the line joins a line's characters (fillers included) into one blob, and the
blobs far longer than high, with a parallel twin of the same length just above or below, are the zone's candidates.
Characters are looked for at several sizes: a card filling the photo or a fifth of it. The line's own tilt is undone
when it is cut out, so a photo tilted or seen in perspective reads level line by line.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hardware.uploads import fits, scale_within

DETECT_WIDTH = 960  # px: lines are looked for on a copy this wide (the zone spans half of it or more)
CHAR_HEIGHTS = (9, 13, 19, 27, 38)  # px at DETECT_WIDTH: a passport's zone across half the photo up to a card's
PRINT_SHARE = 0.35  # print's black-hat response is at least this share of the strongest (glare dims it to half)
STRIP_CHAR_HEIGHT = 40  # px: a line is cut out at this height of character, what Tesseract reads best


@dataclass(frozen=True)
class Line:
    """A line's rotated rectangle in the working picture: centre, length, height, angle in degrees."""

    cx: float
    cy: float
    length: float
    height: float
    angle: float

    def offset_from(self, other: Line) -> tuple[float, float]:
        """(along, across) this line's centre from `other`'s, in `other`'s direction."""
        rad = np.radians(other.angle)
        dx, dy = self.cx - other.cx, self.cy - other.cy
        return dx * np.cos(rad) + dy * np.sin(rad), -dx * np.sin(rad) + dy * np.cos(rad)


def _level(rect) -> tuple[float, float, float, float, float]:
    """cv2.minAreaRect's answer as (cx, cy, long side, short side, angle of the long side in -90..90)."""
    (cx, cy), (w, h), angle = rect
    if w < h:
        w, h, angle = h, w, angle + 90
    return cx, cy, w, h, ((angle + 90) % 180) - 90


def _lines_at(gray: np.ndarray, char_height: int) -> list[Line]:
    """The long, thin blobs of characters of about `char_height` px."""
    size = int(char_height * 1.5) | 1
    dark = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    _, ink = cv2.threshold(dark, _ink_level(dark), 255, cv2.THRESH_BINARY)
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (char_height, 1)))
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours:
        if len(contour) < 5:
            continue
        cx, cy, length, height, angle = _level(cv2.minAreaRect(contour))
        if 0.6 * char_height <= height <= 1.7 * char_height and 18 <= length / height <= 70 and abs(angle) < 30:
            found.append(Line(cx, cy, length, height, angle))
    return found


def _ink_level(dark: np.ndarray) -> float:
    """Where print starts in a black-hat picture: Otsu's level, but never under PRINT_SHARE of the strongest
    response (its 99.9th percentile). A striped or grained table fills half a photo with weak dark marks the
    filter keeps too; Otsu then splits them from the rest and the whole table reads as ink."""
    level, _ = cv2.threshold(dark, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    counts = np.cumsum(cv2.calcHist([dark], [0], None, [256], [0, 256]).ravel())
    strongest = int(np.searchsorted(counts, 0.999 * counts[-1]))
    return max(float(level), PRINT_SHARE * strongest)


def find_lines(gray: np.ndarray) -> list[Line]:
    """Every line-shaped blob of characters, at every size looked for, in `gray`'s coordinates."""
    height, width = gray.shape[:2]
    scale = scale_within(width, height, DETECT_WIDTH / width)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    found: list[Line] = []
    for char_height in CHAR_HEIGHTS:
        for line in _lines_at(small, char_height):
            same = [other for other in found if _overlap(line, other)]
            if all(other.length < line.length for other in same):  # a line seen whole at this size, in pieces before
                found = [other for other in found if other not in same] + [line]
    return [Line(ln.cx / scale, ln.cy / scale, ln.length / scale, ln.height / scale, ln.angle) for ln in found]


def _overlap(line: Line, other: Line) -> bool:
    """Whether two blobs are (pieces of) one line: on one row, their lengths overlapping."""
    along, across = line.offset_from(other)
    return abs(across) < other.height / 2 and abs(along) < (line.length + other.length) / 2


def _follows(upper: Line, lower: Line) -> bool:
    """Whether `lower` is the zone's next line under `upper`: parallel, as long, one line's spacing below."""
    along, across = lower.offset_from(upper)
    return (
        abs(lower.angle - upper.angle) < 4
        and 0.85 < lower.length / upper.length < 1.18
        and 1.15 * upper.height < across < 2.8 * upper.height
        and abs(along) < 2.5 * upper.height
    )


def zones(lines: list[Line]) -> list[list[Line]]:
    """Runs of two or three lines that may be a zone, top to bottom; the lowest first (the zone is at the bottom)."""
    found = []
    for first in lines:
        chain = [first]
        while len(chain) < 3 and (nxt := [ln for ln in lines if _follows(chain[-1], ln)]):
            chain.append(min(nxt, key=lambda ln: abs(ln.offset_from(chain[-1])[0])))
        if len(chain) == 3:
            found.append(chain)
        if len(chain) >= 2:
            found.append(chain[:2])
            if len(chain) == 3:
                found.append(chain[1:])
    unique = {tuple(zone): zone for zone in found}
    return sorted(unique.values(), key=lambda zone: (-max(ln.cy for ln in zone), -len(zone)))


def cut(gray: np.ndarray, line: Line, char_height: int = STRIP_CHAR_HEIGHT) -> np.ndarray | None:
    """The line level, its characters `char_height` px high, with a line's height of margin around; None when that
    copy would pass the working budget."""
    scale = char_height / max(line.height, 1.0)
    width, height = int((line.length + 2 * line.height) * scale), int(line.height * 2.2 * scale)
    if not fits(width, height) or width < 8 or height < 8:
        return None
    turn = cv2.getRotationMatrix2D((line.cx, line.cy), line.angle, scale)
    turn[0, 2] += width / 2 - line.cx
    turn[1, 2] += height / 2 - line.cy
    return cv2.warpAffine(gray, turn, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
