"""Reading an identity document's machine-readable zone from a camera photo (issue 31, item 2): passports (ICAO 9303
TD3, 2 × 44), the 2021 French identity card and residence permits (TD1, 3 × 30) and the French identity card of
1988–2021 (2 × 36, its own layout). `read_mrz(image)` gives the fields, every check digit verified, or None: never
a field whose check digit fails (hardware.mrz_fields), nor a zone whose readings disagree.

The zone's lines are found and cut out level (hardware.mrz_lines), read cell by cell with Tesseract through tesserocr
(the `ocr` extra; English data with a whitelist of A-Z and 0-9: Debian ships no OCR-B data) with the `<` fillers
told by their shape (hardware.mrz_cells), and each cell compared with OCR-B's own glyphs (hardware.mrz_glyphs,
Debian's fonts-ocr-b): two readers that do not go wrong alike (Tesseract takes a blurred 9 for an O, the glyphs
do not). Characters are corrected by what each position may hold and, for look-alikes in a document number (O and
0, G and 6...) the glyphs are not sure of, by their shape (hardware.mrz_shapes), before the check digits verify
each field (hardware.mrz_fields); nothing is searched for a check digit to pass. No name, nationality or sex is
covered by a check digit: each is kept only where two readings say the same and none says otherwise (Tesseract
reads again at another size, and a third, only when the readings so far do not make a zone).

The picture is never stored nor logged: it is read in memory and dropped (the police register keeps the document's
nature and number, never its image). `passporteye` (PyPI) was not used: it writes the picture to a temporary file
for the `tesseract` program, which would put the document's image on disk.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from hardware.uploads import MAX_ASPECT_RATIO, fits, scale_within

# The same place hardware.ocr reads English from (Debian's tesseract-ocr-eng).
TESSDATA_DIRS = (Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tesseract-ocr/4.00/tessdata"))
OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")  # Debian's fonts-ocr-b: the glyphs (hardware.mrz_glyphs)
WORKING_WIDTH = 2000  # px: the widest copy worked on (a zone is read from its lines cut out of it)
MIN_SIDE = 32  # px: a smaller picture holds no legible zone
READING_SIZES = (40, 30, 52)  # px of character the zone's lines are cut out at; each only when those before do not do
MAX_ZONES = 6  # candidate zones read at most (the lowest first) before giving up
WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_lock = threading.Lock()  # one Tesseract engine, used by one reading at a time
_api = None


@dataclass(frozen=True)
class MrzRead:
    """What a zone says, every check digit verified. Names as the zone writes them (upper case, accents
    transliterated away, `<` given back as spaces)."""

    kind: str  # core.seller.ID_DOCUMENT_TYPES key: passport, national_id or residence_permit
    number: str
    surname: str
    given_names: str
    birth_date: date
    expiry_date: date | None  # None on the French card of 1988-2021: its zone has no expiry date
    nationality: str  # ICAO code: FRA, D (Germany), GBR...
    issuing_state: str
    sex: str  # M, F or "" (X or < in the zone)
    layout: str  # td3, td1 or cni


def _tessdata() -> Path | None:
    return next((d for d in TESSDATA_DIRS if (d / "eng.traineddata").exists()), None)


def available() -> str | None:
    """None when a zone can be read here, else why not (in words an installer can act on)."""
    missing = [
        package
        for module, package in (("tesserocr", "tesserocr"), ("mrz", "mrz"), ("cv2", "opencv"))
        if find_spec(module) is None
    ]
    if missing:
        return f"{', '.join(missing)} not installed (the camera and ocr extras)"
    if not _tessdata():
        return "Tesseract's English data is missing (Debian package tesseract-ocr-eng)"
    return None if OCR_B.exists() else "the OCR-B font is missing (Debian package fonts-ocr-b)"


def _engine():
    global _api
    if _api is None:
        import tesserocr

        _api = tesserocr.PyTessBaseAPI(
            path=str(_tessdata()),
            lang="eng",
            psm=tesserocr.PSM.SINGLE_LINE,
            variables={"load_system_dawg": "F", "load_freq_dawg": "F"},
        )
        _api.SetVariable("tessedit_char_whitelist", WHITELIST)
    return _api


def _working_copy(image: np.ndarray) -> np.ndarray | None:
    """The picture in gray, at most WORKING_WIDTH wide; None for what is no photo of a document (bounded first:
    hardware.uploads' working budget, a photo's shape, 8-bit pixels)."""
    import cv2

    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        return None
    height, width = image.shape[:2]
    if (
        not fits(width, height)
        or min(height, width) < MIN_SIDE
        or max(height, width) > MAX_ASPECT_RATIO * min(height, width)
    ):
        return None
    if image.ndim == 3:
        if image.shape[2] not in (3, 4):
            return None
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    if width > WORKING_WIDTH:
        scale = scale_within(width, height, WORKING_WIDTH / width)
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image


def _read_line(api, gray: np.ndarray, line, char_height: int):
    """A zone line's cells (hardware.mrz_cells.LineCells), `?` where a cell was not read; None when it is no zone
    line. The letters and digits are read in one pass, then each run of cells left unread on its own."""
    from hardware import mrz_cells, mrz_lines

    strip = mrz_lines.cut(gray, line, char_height)
    cells = None if strip is None else mrz_cells.cells_of(strip, char_height)
    if cells is None:
        return None
    sharp = _sharpened(cells.blanked, char_height)
    cells.fill(cells.to_read(), _symbols(api, sharp, 0))
    for run in cells.runs():
        left, right = cells.span(run[0], run[-1])
        if right - left > 2:
            cells.fill(run, _symbols(api, _bordered(sharp[:, left:right], char_height), left - char_height))
    return cells


def _sharpened(strip: np.ndarray, char_height: int) -> np.ndarray:
    """The strip with its edges sharpened (an unsharp mask) for Tesseract: a phone's photo blurs OCR-B's 5 into an
    S and its 9 into an O (on the main seed's photographed zones it read 10% more lines right)."""
    import cv2

    blurred = cv2.GaussianBlur(strip, (0, 0), char_height / 12)
    return cv2.addWeighted(strip, 2.0, blurred, -1.0, 0)


def _symbols(api, picture: np.ndarray, offset: int) -> list[tuple[str, float]]:
    """What Tesseract reads in `picture`: each character and the column of its centre (plus `offset`)."""
    import tesserocr
    from PIL import Image

    api.SetImage(Image.fromarray(picture))
    api.Recognize()
    level, found = tesserocr.RIL.SYMBOL, []
    iterator = api.GetIterator()
    if iterator is None:
        return found
    for symbol in tesserocr.iterate_level(iterator, level):
        box = symbol.BoundingBox(level)
        if box and not symbol.Empty(level):
            found.append((symbol.GetUTF8Text(level), (box[0] + box[2]) / 2 + offset))
    return found


def _bordered(piece: np.ndarray, char_height: int) -> np.ndarray:
    """A piece of a line with white around it: Tesseract reads a word at the very edge of its picture poorly."""
    import cv2

    return cv2.copyMakeBorder(piece, 0, 0, char_height, char_height, cv2.BORDER_CONSTANT, value=255)


def _read_zone(api, gray: np.ndarray, zone: list, today: date) -> MrzRead | None:
    """The zone's fields from its readings taken together (hardware.mrz_fields.reading: a number as they vote it,
    verified by its check digit; a name, which none covers, as two read it and none contradicts), or None.
    Tesseract's first reading and the glyphs' comparison of its cells (hardware.mrz_glyphs) make two; Tesseract
    reads again at another size only when they do not make a zone."""
    from hardware import mrz_fields, mrz_parse

    texts, sizes, holes, glyphs = [], [], [], []
    for char_height in READING_SIZES:
        lines = [_read_line(api, gray, line, char_height) for line in zone]
        if None in lines:
            return None
        texts.append([cells.text() for cells in lines])
        sizes.append([cells.sizes() for cells in lines])
        holes.append([cells.holes for cells in lines])
        glyphs = glyphs or [_glyph_scores(cells) for cells in lines]
        found = mrz_fields.reading(texts, sizes, holes, glyphs)
        if found and (fields := mrz_parse.parse(found, today)):
            return fields
    return None


def _glyph_scores(cells) -> dict:
    """The likeness of each of the line's characters (fillers aside) to OCR-B's glyphs (hardware.mrz_glyphs)."""
    from hardware import mrz_glyphs

    seen = {cell: height for cell, height in cells.heights.items() if cells.cells[cell] != "<"}
    return mrz_glyphs.scores(cells.blanked, cells.boxes, mrz_glyphs.ems(seen, cells.scale_along()))


def read_mrz(image: np.ndarray, today: date | None = None) -> MrzRead | None:
    """The machine-readable zone of the identity document in `image` (BGR or gray numpy), or None when none is
    read with every check passing. `today` places a two-digit birth year in its century. None as well without
    the OCR-B font (available()): Tesseract alone, even reading twice, takes an I for an L the same way twice."""
    gray = _working_copy(image)
    if gray is None or not OCR_B.exists():
        return None
    from hardware import mrz_lines

    zones = mrz_lines.zones(mrz_lines.find_lines(gray))[:MAX_ZONES]
    with _lock:
        api = _engine()
        for zone in zones:
            if found := _read_zone(api, gray, zone, today or date.today()):
                return found
    return None
