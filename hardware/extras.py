"""Whether the optional parts can run here: one answer per extra, asked by every caller (the kiosk's scan and
photo routes, its self-test and hardware page, HQ's sticker photos). None means usable, otherwise why not, in
words an installer can act on. Asks without importing: OpenCV alone takes a third of a second to load."""

from __future__ import annotations

from importlib.util import find_spec

# module -> the package that brings it (pyproject.toml's `camera` and `ocr` extras)
CAMERA_MODULES = {"cv2": "opencv-python-headless", "zxingcpp": "zxing-cpp", "numpy": "numpy"}


def camera() -> str | None:
    """Why a picture cannot be decoded for barcodes here (the camera extra), or None."""
    missing = [package for module, package in CAMERA_MODULES.items() if find_spec(module) is None]
    return f"{', '.join(missing)} not installed (the camera extra)" if missing else None


def ocr() -> str | None:
    """Why a *#06# screen's digits cannot be read as text here (the camera and ocr extras), or None."""
    if why := camera():
        return why
    from hardware import ocr as reader  # imports numpy: only once the camera extra is known to be there

    return reader.available()


def mrz() -> str | None:
    """Why an ID document's machine-readable zone cannot be read here (Tesseract, the mrz package, Debian's
    fonts-ocr-b: the zone's cells are compared with OCR-B's glyphs), or None."""
    if why := ocr():
        return why
    from hardware import mrz as reader

    return reader.available()
