"""Barcode decoding from camera frames: Code128, QR and EAN-13/UPC-A on phone box labels and *#06#
screens, rotated up to 45 degrees, out of focus, in perspective, on a busy background.

zxing-cpp reads the frame as it is (it tries 90-degree turns itself); a QR code it missed is looked for
again on cleaned and enlarged copies. 1D codes at other angles defeat row-scanning decoders, so the regions
where bars line up are found (hardware.bar_regions), resampled with their bars standing vertical, their
contrast evened out (glare, shadow) and read again at a few angles. A 1D code's sightings vote, so a misread
(one check digit lets some through) is outvoted. pyzbar is the last resort for an uploaded picture where
nothing is read.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from hardware import ocr
from hardware.bar_regions import BarRegion, bar_regions
from hardware.sightings import ALL_FORMATS, LINEAR, Sighting, agreed, scan_line, sightings
from hardware.sightings import SYMBOLOGY as SYMBOLOGY  # the decoder's callers name these from here
from hardware.sightings import Decoded as Decoded
from hardware.uploads import HALVE_ABOVE_PIXELS, decode_bounded, fits
from hardware.uploads import PictureRefused as PictureRefused  # the routes catch it by this name


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


# Frame pixels: the narrowest code read here, EAN-13, has 95 modules, and zxing-cpp reads none under 1 px a module.
# Most clutter regions (printed text, box edges) are shorter.
SHORTEST_CODE = 100
ANGLE_TRIES = (0, -2, 2, -4, 4)  # degrees: the estimate is within a few; perspective fans the bars a little
ABANDON_AFTER = 3  # angle tries that read nothing at all before a region is left: most regions are clutter
SETTLED_AFTER = 2  # angle tries after which a region that agrees with itself is done
SETTLED_VOTES = 3  # sightings of its one text (two a try at most: the sharpened and the stretched picture)


def _region_sightings(gray: np.ndarray, region: BarRegion, known: frozenset[str] = frozenset()) -> list[Sighting]:
    """The region resampled with its bars standing vertical (quiet zones included) and its contrast evened out
    (_evened), the bars' angle tried around the estimate, each picture read twice: sharpened (defocus softens
    thin bars below zxing's threshold), and averaged along the bars then stretched 2x across them (noise
    averages out; sub-pixel bar edges) before sharpening. `known`: the texts the whole-frame pass read here;
    the first sharpened picture reading just those confirms them, and so does the first angle reading only
    those, or nothing (their votes win); any other text brings the remaining angles in."""
    width = int(region.length * 1.5 + 40)  # the quiet zones, and a code the region only partly covered
    height = int(region.height + 20)
    found: list[Sighting] = []
    if not fits(2 * width, height):  # stretched past the working budget: bars as long as a frame is wide, no code
        return found
    for tries, turn in enumerate(ANGLE_TRIES, start=1):
        to_frame = region.sampling(width, height, turn)
        upright = _evened(cv2.warpAffine(gray, to_frame, (width, height), borderMode=cv2.BORDER_REPLICATE,
                                         flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP))
        found += _upright_sightings(upright, to_frame, 1.0)
        if known and {s.text for s in found} == known:
            break
        stretched = cv2.resize(cv2.blur(upright, (1, 9)), None, fx=2, fy=1, interpolation=cv2.INTER_CUBIC)
        found += _upright_sightings(stretched, to_frame, 2.0)
        if known and {s.text for s in found} <= known:
            break
        if not found and tries >= ABANDON_AFTER:
            break
        if tries >= SETTLED_AFTER and _settled(found):
            break
    return found


def _upright_sightings(image: np.ndarray, to_frame: np.ndarray, across: float) -> list[Sighting]:
    """A region's picture (bars vertical, widened `across` times) read sharpened, in frame pixels. Not
    downscaled: the picture is cut at its code's own scale already."""
    def in_frame(points):
        return cv2.transform((points / np.float32([across, 1]))[None], to_frame)[0]
    return sightings(_sharpened(image), LINEAR, False, in_frame, try_downscale=False)


def _evened(image: np.ndarray) -> np.ndarray:
    """Contrast equalised tile by tile (CLAHE, 8 x 8 tiles). zxing-cpp cuts a 1D code's scan line at one
    threshold for the whole line (its GlobalHistogram row binarizer, which LocalAverage also uses for 1D codes):
    glare or a shadow over part of a label hides the bars there. The clip limit keeps the quiet zones' noise
    from being raised into bars. A new CLAHE each call: an OpenCV algorithm object is not shared between threads."""
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(image)


def _within_qr(region: BarRegion, sightings: list[Sighting]) -> bool:
    """The region lies wholly on a QR code already read: its modules' edges, not a 1D code."""
    axis, bars = np.float32(region.axis) * region.length / 2, np.float32(region.bars) * region.height / 2
    corners = [np.float32(region.centre) + a + b for a in (axis, -axis) for b in (bars, -bars)]
    return any(s.symbology == "QRCODE" and all(
        cv2.pointPolygonTest(s.corners, (float(x), float(y)), True) >= -4 for x, y in corners) for s in sightings)


def _texts_inside(region: BarRegion, sightings: list[Sighting]) -> frozenset[str]:
    """The 1D texts read with their centre inside the region (its quiet zones included), when those codes fill
    most of its length; else none: the region has room for a code the first pass missed (a box label's IMEI
    and EAN-13 side by side are one region)."""
    inside = []
    for s in sightings:
        offset = s.corners.mean(axis=0) - np.float32(region.centre)
        if s.symbology != "QRCODE" and abs(float(offset @ np.float32(region.axis))) <= region.length * 0.75 + 20 \
                and abs(float(offset @ np.float32(region.bars))) <= region.height / 2 + 10:
            inside.append(s)
    filled = sum(float(np.hypot(*scan_line(s))) for s in inside)
    return frozenset(s.text for s in inside) if filled >= 0.6 * region.length else frozenset()


def _settled(found: list[Sighting]) -> bool:
    """One text per symbology, seen SETTLED_VOTES times or more: more angles would only add votes to it."""
    texts = Counter((s.symbology, s.text) for s in found)
    one_each = len({symbology for symbology, _ in texts}) == len(texts)
    return bool(texts) and one_each and min(texts.values()) >= SETTLED_VOTES


def _sharpened(image: np.ndarray) -> np.ndarray:
    """Unsharp mask across the bars only (they stand vertical): uint8 arithmetic saturates by itself."""
    return cv2.addWeighted(image, 2.5, cv2.GaussianBlur(image, (0, 0), sigmaX=2, sigmaY=0.1), -1.5, 0)


def decode_frame(image: np.ndarray, last_resort: bool = False) -> list[Decoded]:
    """Every Code128, QR, EAN-13 and UPC-A code readable in a grayscale or BGR image of any size. With
    `last_resort`, pyzbar tries the picture when nothing is read (20-90 ms on 720p): a photo taken on purpose
    and uploaded deserves it; a camera's stream does not, its next frame comes a few tens of ms later."""
    gray = to_gray(image)
    # zxing-cpp and OpenCV let go of the GIL: the whole-frame pass runs beside the search for bar regions, then
    # the regions' reads and the QR retries side by side, on the terminal's cores. Results are gathered in a
    # fixed order. A region the first pass already read is only confirmed: time goes where a frame needs it.
    first = _WORKERS.submit(sightings, gray, ALL_FORMATS, True, first=True)
    regions = bar_regions(gray)
    whole = first.result()
    retries = [] if any(s.symbology == "QRCODE" for s in whole) else [  # the longest first
        _WORKERS.submit(_qr_again, gray, attempts) for attempts in (QR_ENLARGED, QR_CLEANED)
        if attempts is not QR_ENLARGED or fits(gray.shape[1] * QR_SCALE, gray.shape[0] * QR_SCALE)]
    reads = [_WORKERS.submit(_region_sightings, gray, region, _texts_inside(region, whole)) for region in regions
             if region.length >= SHORTEST_CODE and not _within_qr(region, whole)]
    # Every job is waited for, so none runs on into the next frame; the cleaned copies' answer comes first.
    qr = next((found for found in [job.result() for job in retries][::-1] if found), [])
    seen = whole + qr + [s for job in reads for s in job.result()]
    found = agreed(seen)
    return found if found or not last_resort else _read_pyzbar(gray)


_WORKERS = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="decode")


def _read_pyzbar(gray: np.ndarray) -> list[Decoded]:
    """zbar finds some real photos' codes zxing-cpp does not; its type names are already ours."""
    try:
        from pyzbar import pyzbar  # the camera extra; it needs Debian's libzbar0
    except ImportError:
        return []
    symbols = [pyzbar.ZBarSymbol.QRCODE, pyzbar.ZBarSymbol.CODE128, pyzbar.ZBarSymbol.EAN13, pyzbar.ZBarSymbol.UPCA]
    return list({Decoded(r.data.decode("utf-8", "replace"), r.type) for r in pyzbar.decode(gray, symbols=symbols)
                 if r.data})


# A QR code the first pass missed is looked for again on the frame cleaned two cheap ways, the second made only
# when the first found nothing (a QR-only read costs 1-6 ms): one threshold for the whole frame (glare fools the
# local one); sensor noise taken out by a light blur. (A 3x3 median between them rescued no QR code the others did
# not, on 206 retried tuning frames: 1.1 ms a frame for nothing.) And, beside them on the other core, on the frame
# enlarged 1.5x (a code held far from the camera, or a phone's screen, has modules of 2 px or less).
QR_CLEANED = ((lambda gray: gray, zxingcpp.Binarizer.GlobalHistogram, 1.0),
              (lambda gray: cv2.GaussianBlur(gray, (0, 0), 1), zxingcpp.Binarizer.LocalAverage, 1.0))
QR_SCALE = 1.5
QR_ENLARGED = ((lambda gray: cv2.resize(gray, None, fx=QR_SCALE, fy=QR_SCALE, interpolation=cv2.INTER_CUBIC),
                zxingcpp.Binarizer.LocalAverage, QR_SCALE),)


def _qr_again(gray: np.ndarray, attempts) -> list[Sighting]:
    """The first of `attempts` (cleaning, binarizer, scale) that reads a QR code, in frame pixels. An enlarged
    frame is read at its own scale only: downscaled, it is the frame the first pass read (4.0 ms, not 4.8)."""
    for cleaned, binarizer, scale in attempts:
        found = sightings(cleaned(gray), [zxingcpp.BarcodeFormat.QRCode], True, lambda p, s=scale: p / s, binarizer,
                          try_downscale=scale == 1.0)
        if found:
            return found
    return []


class Deduper:
    """A camera sees the same code in many frames: report each one once per `window` seconds."""

    def __init__(self, window: float = 3.0) -> None:
        self.window, self.seen = window, {}

    def fresh(self, results: list[Decoded], now: float | None = None) -> list[Decoded]:
        now = time.monotonic() if now is None else now
        new = [r for r in results if now - self.seen.get(r, -1e9) > self.window]
        for result in results:
            self.seen[result] = now
        return new


def decode_image_bytes(data: bytes) -> list[Decoded]:
    """The codes of an uploaded picture, bounded first (hardware.uploads: bytes, format, pixels, sides and shape
    from the header alone). PictureRefused, never a decoder's own error."""
    return decode_bounded(data, lambda image: decode_frame(image, last_resort=True), HALVE_ABOVE_PIXELS)


@dataclass(frozen=True)
class PictureReading:
    codes: list[Decoded]  # every barcode and QR code found
    imeis: list[str]  # the IMEIs shown: in those codes, else read as text (a *#06# screen has no barcode)


def read_picture(data: bytes) -> PictureReading:
    """An uploaded picture, bounded as decode_image_bytes does and decoded once: its codes, and the IMEIs it shows.
    The digits are read as text (hardware.ocr, when its optional dependency is usable) only when no code names an
    IMEI; Luhn-checked, 15 digits, either way. PictureRefused, never a decoder's own error."""
    return decode_bounded(data, _reading, HALVE_ABOVE_PIXELS)


def _reading(image: np.ndarray) -> PictureReading:
    codes = decode_frame(image, last_resort=True)
    # each code judged alone: two codes' digits one under the other are no number wrapped over two lines
    imeis = list(dict.fromkeys(imei for code in codes for imei in ocr.imeis_in_text(code.text)))
    return PictureReading(codes, imeis or (ocr.read_imeis(image) if ocr.available() is None else []))


def capture_loop(device: int | str = 0, on_scan=None, max_frames: int | None = None) -> None:
    """For a kiosk with a local camera: read frames, decode, report each code once (Deduper)."""
    camera, dedupe, frames = cv2.VideoCapture(device), Deduper(), 0
    if not camera.isOpened():
        raise RuntimeError(f"camera {device!r} cannot be opened")
    try:
        while max_frames is None or frames < max_frames:
            ok, frame = camera.read()
            if not ok:
                break
            frames += 1
            for result in dedupe.fresh(decode_frame(frame)):
                if on_scan:
                    on_scan(result)
    finally:
        camera.release()
