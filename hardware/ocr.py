"""Reading the IMEIs a *#06# screen shows as text (an iPhone shows no barcode there): Tesseract through tesserocr
(the `ocr` extra; Debian's tesseract-ocr-eng holds the trained data). The photo's text lines are found, deskewed,
turned dark on light one by one and cut out (hardware.ocr_lines); each is read as one line of text, and
core.imei_screen says which numbers are IMEIs: 15 digits passing the Luhn check as one whole run, under no EID or
MEID label, and no piece of a number the screen wrapped over two lines (the 32-digit EID broken after its 15th
digit). Lines that should hold an IMEI and gave none (fewer IMEIs than the screen's "IMEI" labels, or a run of
about 15 digits that failed the check) are read a second time, prepared otherwise; an IMEI whose digits Tesseract
was unsure of is taken only when both readings agree. Whether the optional dependency is usable is said by
`available()`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import imei_screen
from hardware.ocr_lines import Line, find_lines

TESSDATA_DIRS = (Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tesseract-ocr/4.00/tessdata"))
SURE = 80  # Tesseract's word confidence (0-100) above which a digit group is taken on one reading
VARIANTS = ("digits", "soft", "binary", "larger")  # the second look's preparations, in order
MAX_SECOND_LOOKS = 8  # rows read again at most
_lock = threading.Lock()  # one Tesseract engine, used by one request at a time
_api = None


def _tessdata() -> Path | None:
    return next((d for d in TESSDATA_DIRS if (d / "eng.traineddata").exists()), None)


def available() -> str | None:
    """None when OCR can run here, else why not (shown on the hardware page)."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "tesserocr is not installed (the ocr extra)"
    return None if _tessdata() else "Tesseract's English data is missing (Debian package tesseract-ocr-eng)"


def _engine():
    global _api
    if _api is None:
        import tesserocr

        _api = tesserocr.PyTessBaseAPI(path=str(_tessdata()), lang="eng", psm=tesserocr.PSM.SINGLE_LINE)
    return _api


def imeis_in_text(text: str) -> list[str]:
    """The IMEIs of an OCR'd text or of codes' texts, one per line, in order, each once (core.imei_screen)."""
    return imei_screen.imeis_in_text(text)


@dataclass
class _Reading:
    text: str
    confidence: int  # the lowest of its words that hold a digit (100 when none do)
    picture: str  # which preparation of the cut-out was read (the whitelist alone reads the same picture)


@dataclass
class _Row:
    """A row of the screen: its cut-out lines side by side ("IMEI1:" and its number, when cut apart), left to
    right, and every reading of it so far (the first one, then the second look's)."""
    lines: list[Line]
    readings: list[_Reading] = field(default_factory=list)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (min(line.box[0] for line in self.lines), min(line.box[1] for line in self.lines),
                max(line.box[2] for line in self.lines), max(line.box[3] for line in self.lines))

    def screen_lines(self) -> list[imei_screen.Line]:
        return imei_screen.parse_row(_best(self.readings).text, self.box)

    def support(self, imei: str) -> int:
        """How well this row's readings vouch for an IMEI: 2 when readings of two different pictures of it hold
        it, or one reading is sure of it."""
        holding = [reading for reading in self.readings if imei in imei_screen.digits_of(reading.text)]
        pictures = {reading.picture for reading in holding}
        return 2 if len(pictures) >= 2 or any(r.confidence >= SURE for r in holding) else len(pictures)


def _rows(lines: list[Line]) -> list[_Row]:
    """Lines side by side, a short gap apart ("IMEI1:" and its number, or a monospaced group cut apart), as one
    row; a glyph alone on its row (a mark, an icon's corner) is not worth reading."""
    bands: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: line.box[1]):
        middle = (line.box[1] + line.box[3]) / 2
        band = next((band for band in bands if min(other.box[1] for other in band) < middle <
                     max(other.box[3] for other in band)), None)
        band.append(line) if band else bands.append([line])
    rows = []
    for band in bands:
        ordered = sorted(band, key=lambda line: line.box[0])
        rows.append(_Row(ordered[:1]))
        for line in ordered[1:]:
            if _gap(rows[-1].box, line.box) < 2 * (line.box[3] - line.box[1]):
                rows[-1].lines.append(line)
            else:
                rows.append(_Row([line]))
    return sorted((row for row in rows if row.box[2] - row.box[0] >= 1.2 * (row.box[3] - row.box[1])),
                  key=lambda row: row.box[1])


def _gap(box: tuple[float, ...], other: tuple[float, ...]) -> float:
    return max(box[0] - other[2], other[0] - box[2], 0)


def _read(api, rows: list[_Row], variant: str = "plain") -> None:
    """Each row read once more (its lines prepared as the variant says), the reading added to the row's."""
    for row in rows:
        texts, confidences = [], [100]
        for line in row.lines:
            picture, digits_only = _variant(line.picture, variant)
            api.SetVariable("tessedit_char_whitelist", "0123456789 " if digits_only else "")
            picture = np.ascontiguousarray(picture)
            api.SetImageBytes(picture.tobytes(), picture.shape[1], picture.shape[0], 1, picture.shape[1])
            texts.append(api.GetUTF8Text().strip())
            if any(c.isdigit() for c in texts[-1]):
                confidences += [conf for word, conf in api.MapWordConfidences() if any(c.isdigit() for c in word)]
        picture = "plain" if variant == "digits" else variant
        row.readings.append(_Reading(" ".join(text for text in texts if text), min(confidences), picture))


def _variant(picture: np.ndarray, variant: str) -> tuple[np.ndarray, bool]:
    """A line's cut-out prepared otherwise for a second look: digits only; softened (a shaken photo's doubled
    strokes merge); enlarged; thresholded (Otsu) and enlarged, digits only."""
    import cv2

    if variant == "digits":
        return picture, True
    if variant == "soft":
        return cv2.GaussianBlur(picture, (0, 0), 1.2), False
    if variant in ("larger", "binary"):
        larger = cv2.resize(picture, None, fx=1.4, fy=1.4, interpolation=cv2.INTER_CUBIC)
        if variant == "larger":
            return larger, False
        return cv2.threshold(larger, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1], True
    return picture, False


def _rank(reading: _Reading) -> int:
    """How much a reading of a row says: an IMEI, a label, a long run of digits, any word, nothing."""
    lines = imei_screen.parse_row(reading.text)
    if imei_screen.imeis_of_lines(lines):
        return 4
    if any(line.label for line in lines):
        return 3
    if any(len(run.digits) >= 12 for line in lines for run in line.runs):
        return 2
    return 0 if all(line.unread for line in lines) else 1


def _best(readings: list[_Reading]) -> _Reading:
    return max(readings, key=_rank)  # the first of the best: max keeps the earliest of equals


def _screen(rows: list[_Row]) -> tuple[list[imei_screen.Line], list[int]]:
    """The screen's lines as core.imei_screen judges them (a row may hold two, a label starting the second), and
    the row each comes from."""
    lines, owners = [], []
    for index, row in enumerate(rows):
        for line in row.screen_lines():
            lines.append(line)
            owners.append(index)
    return lines, owners


def _second_look(rows: list[_Row], lines: list[imei_screen.Line], owners: list[int]) -> list[_Row]:
    """The rows worth reading again, when the screen announced more IMEIs than were read, a run was withheld
    for the unread line next to it, or an IMEI was read unsure: rows outside decoys, no label alone, no sure
    IMEI, not much lower than the usual row."""
    verdict = imei_screen.judge(lines)
    unsure = [imei for imei in verdict.found if _support(rows, imei) < 2]
    if len(verdict.found) >= max(1, imei_screen.imei_labels(lines)) and not verdict.withheld and not unsure:
        return []
    heights = sorted(row.box[3] - row.box[1] for row in rows)
    usual = heights[len(heights) // 2] if heights else 0
    wanted = {owners[index]: 1 for index in verdict.withheld}  # row: 0 digits unsettled, 1 withheld, 2 any text
    for index, line in enumerate(lines):
        row = rows[owners[index]]
        if verdict.decoy[index] or (line.label and not line.runs) or row.box[3] - row.box[1] < 0.6 * usual:
            continue
        if line.runs and not _settled(row):
            wanted[owners[index]] = 0
        elif (row.box[2] - row.box[0]) >= 5 * (row.box[3] - row.box[1]) and not line.label:
            wanted.setdefault(owners[index], 2)  # a wide row read as no label: digits misread as letters?
    chosen = sorted(sorted(wanted, key=wanted.__getitem__)[:MAX_SECOND_LOOKS])
    return [rows[index] for index in chosen]


def _support(rows: list[_Row], imei: str) -> int:
    return max(row.support(imei) for row in rows)


def read_imeis(image: np.ndarray) -> list[str]:
    """The IMEIs an image of a *#06# screen shows, in screen order (a BGR or grayscale numpy image)."""
    import cv2

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    rows = _rows(find_lines(gray))
    with _lock:
        api = _engine()
        _read(api, rows)
        again = _second_look(rows, *_screen(rows))
        for variant in VARIANTS:
            if not again:
                break
            _read(api, again, variant)
            again = [row for row in again if not _settled(row)]
    found = imei_screen.judge(_screen(rows)[0]).found
    return [imei for imei in found if _support(rows, imei) >= 2]


def _settled(row: _Row) -> bool:
    """A row says enough: a label alone, or IMEIs that two readings agree on (or one is sure of)."""
    lines = row.screen_lines()
    imeis = imei_screen.imeis_of_lines(lines)
    if imeis:
        return all(row.support(imei) >= 2 for imei in imeis)
    return any(line.label for line in lines) and not any(line.runs for line in lines)


# The ID document reader (issue 31): its own module, here beside the *#06# reader it shares Tesseract with.
from hardware.mrz import read_mrz  # noqa: E402,F401
