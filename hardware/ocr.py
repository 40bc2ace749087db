"""Reading the IMEIs a *#06# screen shows as text (an iPhone shows no barcode there): Tesseract through tesserocr
(the `ocr` extra; Debian's tesseract-ocr-eng holds the trained data). Every candidate must pass the Luhn check
and be exactly 15 digits as one run on the screen, so the 32-digit EID or the 14-digit MEID shown beside it is
never taken for an IMEI. Whether the optional dependency is usable is said by `available()`.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
from stdnum import luhn

from hardware.uploads import scale_within

TESSDATA_DIRS = (Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tesseract-ocr/4.00/tessdata"))
# A run of digits as a screen groups them ("35 209900 176148 1") or not; letters end a run.
_RUN = re.compile(r"\d[\d ]*\d")
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

        _api = tesserocr.PyTessBaseAPI(path=str(_tessdata()), lang="eng", psm=tesserocr.PSM.SPARSE_TEXT)
    return _api


def _prepared(image: np.ndarray) -> np.ndarray:
    """Gray, dark text on light (a dark-mode screen is inverted), at most 2000 px and at least 900 px wide, and
    never past the working budget (hardware.uploads: a tall narrow picture scaled to 900 px wide was gigapixels).
    Left unbinarised: Tesseract's own thresholding read the rendered screens better than Otsu's."""
    import cv2

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if float(np.median(gray)) < 110:
        gray = 255 - gray
    height, width = gray.shape[:2]
    if width > 2000 or width < 900:
        scale = scale_within(width, height, (2000 if width > 2000 else 900) / max(width, 1))
        gray = cv2.resize(gray, None, fx=scale, fy=scale,
                          interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    return gray


def _imei_of_run(run: str) -> str | None:
    """A run's IMEI: its 15 digits, after dropping a label's number read on the same line ("IMEI 1 35 2099…":
    a leading group of one or two digits). An EID's groups of 4 or 16 never come down to 15."""
    groups = run.split()
    while len("".join(groups)) > 15 and len(groups) > 1 and len(groups[0]) <= 2:
        groups = groups[1:]
    digits = "".join(groups)
    return digits if len(digits) == 15 and luhn.is_valid(digits) else None


def imeis_in_text(text: str) -> list[str]:
    """The Luhn-valid 15-digit runs of an OCR'd text, in order, each once."""
    found: list[str] = []
    for line in text.splitlines():
        for run in _RUN.findall(line):
            if (imei := _imei_of_run(run)) and imei not in found:
                found.append(imei)
    return found


def _text(api, picture, digits_only: bool) -> str:
    api.SetVariable("tessedit_char_whitelist", "0123456789 " if digits_only else "")
    api.SetImage(picture)
    return api.GetUTF8Text()


def read_imeis(image: np.ndarray) -> list[str]:
    """The IMEIs an image of a *#06# screen shows, in screen order (a BGR or grayscale numpy image).

    A first reading takes every character (the labels "IMEI", "EID" keep their lines apart); when it finds
    fewer than two IMEIs a second reading with the digits-only whitelist catches a digit misread as a letter
    ("AS 662381" for "45 662381"). Both answers go through the same Luhn and length checks."""
    from PIL import Image

    picture = Image.fromarray(_prepared(image))
    with _lock:
        api = _engine()
        found = imeis_in_text(_text(api, picture, digits_only=False))
        if len(found) < 2:
            again = imeis_in_text(_text(api, picture, digits_only=True))
            found = again if set(found) <= set(again) else found + [i for i in again if i not in found]
    return found
