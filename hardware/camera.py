"""Barcode decoding from camera frames: Code128, QR and EAN-13/UPC-A on phone box labels and *#06#
screens, rotated up to 45 degrees, a little out of focus, in perspective, on a busy background.

zxing-cpp reads the frame as it is (it tries 90-degree turns itself). 1D codes at other angles defeat
row-scanning decoders, so the frame's dominant bar orientations are estimated from its structure
tensor, each candidate region is cut out and turned upright, and read again. pyzbar is the fallback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from core.messages import N_
from hardware import ocr
from hardware.uploads import PictureRefused, check_picture

LINEAR = [zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.UPCA]
ALL_FORMATS = [*LINEAR, zxingcpp.BarcodeFormat.QRCode]
ANALYSIS_WIDTH = 320  # orientation is estimated on a small copy: fast, and noise averages out
SYMBOLOGY = {"Code128": "CODE128", "QRCode": "QRCODE", "EAN13": "EAN13", "UPCA": "UPCA"}


@dataclass(frozen=True)
class Decoded:
    text: str
    symbology: str


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


def _read(gray: np.ndarray, formats, found: dict, try_rotate: bool = True) -> int:
    """Adds what zxing-cpp reads to `found`; returns how many codes it read (new or not)."""
    read = 0
    for result in zxingcpp.read_barcodes(gray, formats=formats, try_rotate=try_rotate, try_downscale=True):
        if result.valid and result.text:
            symbology = SYMBOLOGY.get(result.format.name, result.format.name.upper())
            found[(result.text, symbology)] = Decoded(result.text, symbology)
            read += 1
    return read


def bar_regions(gray: np.ndarray, max_regions: int = 3) -> list[tuple[float, tuple[int, int, int, int]]]:
    """(angle of the bars' normal in degrees, bounding box in full-size pixels) of regions where many
    parallel edges line up: where a 1D barcode probably is. Strongest first."""
    scale = ANALYSIS_WIDTH / gray.shape[1]
    # Gradients at full size (bars are only 2-3 px wide), their products averaged down: the structure
    # tensor of each small cell says how strongly, and at which angle, edges line up in it.
    f = gray.astype(np.float32)
    gx, gy = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = (cv2.boxFilter(cv2.resize(m, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), -1, (5, 5))
                     for m in (gx * gx, gy * gy, gx * gy))
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (energy + 1e-6)
    mask = ((coherence > 0.75) & (energy > np.percentile(energy, 90))).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    regions = []
    for label in np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:max_regions] + 1:
        x, y, w, h, area = stats[label]
        if area < 40:
            continue
        inside = labels == label
        # Energy-weighted mean of the doubled angles: strong, clean bar edges outvote the background.
        vx, vy = (jxx - jyy)[inside].sum(), (2 * jxy)[inside].sum()
        angle = float(np.degrees(0.5 * np.arctan2(vy, vx)))
        box = tuple(int(v / scale) for v in (x, y, w, h))
        regions.append((angle, box))
    return regions


def _upright(gray: np.ndarray, angle: float, box: tuple[int, int, int, int]) -> np.ndarray:
    """Cut the region (with a margin) and turn it so the bars stand vertical."""
    x, y, w, h = box
    margin = max(w, h) // 2 + 20
    x0, y0 = max(x - margin, 0), max(y - margin, 0)
    crop = gray[y0:min(y + h + margin, gray.shape[0]), x0:min(x + w + margin, gray.shape[1])]
    center = (crop.shape[1] / 2, crop.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(center, angle, 1.0)
    return cv2.warpAffine(crop, matrix, (crop.shape[1], crop.shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def decode_frame(image: np.ndarray) -> list[Decoded]:
    """Every Code128, QR, EAN-13 and UPC-A code readable in a grayscale or BGR image of any size."""
    gray = to_gray(image)
    found: dict[tuple[str, str], Decoded] = {}
    _read(gray, ALL_FORMATS, found)
    for angle, box in bar_regions(gray):
        off_axis = min(abs(angle) % 90, 90 - abs(angle) % 90)
        if off_axis > 4:  # zxing already tried the 90-degree turns
            _read_region(gray, angle, box, found)
    if not found:
        _read_pyzbar(gray, found)
    return list(found.values())


ANGLE_TRIES = (0, -2, 2, -4, 4)  # the estimate is within a few degrees; perspective fans the bars a little


def _read_region(gray: np.ndarray, angle: float, box: tuple[int, int, int, int], found: dict) -> None:
    """Turn the region upright (trying angles around the estimate) and read its 1D codes, sharpened:
    defocus softens thin bars below zxing's threshold. No pyzbar here: on such crops it misreads."""
    for offset in ANGLE_TRIES:
        upright = _upright(gray, angle + offset, box)
        sharp = cv2.addWeighted(upright, 2.5, cv2.GaussianBlur(upright, (0, 0), 2), -1.5, 0)
        if _read(sharp, LINEAR, found, try_rotate=False):
            return


def _read_pyzbar(gray: np.ndarray, found: dict) -> None:
    try:
        from pyzbar import pyzbar  # optional: the camera extra
    except ImportError:
        return
    symbols = [pyzbar.ZBarSymbol.QRCODE, pyzbar.ZBarSymbol.CODE128, pyzbar.ZBarSymbol.EAN13, pyzbar.ZBarSymbol.UPCA]
    for result in pyzbar.decode(gray, symbols=symbols):  # zbar's type names are already ours
        text = result.data.decode("utf-8", "replace")
        found[(text, result.type)] = Decoded(text, result.type)


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


REDUCE_ABOVE_PIXELS = 4_000_000  # larger photos are decoded at half size: barcodes need far less


def _picture(data: bytes) -> np.ndarray:
    """A picture uploaded by a browser, bounded first (hardware.uploads: bytes, format, pixels from the header
    alone), then decoded, at half size when it is large (JPEG decodes straight to half size)."""
    width, height = check_picture(data)
    flags = cv2.IMREAD_REDUCED_COLOR_2 if width * height > REDUCE_ABOVE_PIXELS else cv2.IMREAD_COLOR
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None:
        raise PictureRefused(422, N_("This upload is not an image that can be read: send a PNG or JPEG photo."))
    return image


def decode_image_bytes(data: bytes) -> list[Decoded]:
    """The codes of an uploaded picture (see _picture for the bounds checked first)."""
    return decode_frame(_picture(data))


@dataclass(frozen=True)
class PictureReading:
    codes: list[Decoded]  # every barcode and QR code found
    imeis: list[str]  # the IMEIs shown: in those codes, else read as text (a *#06# screen has no barcode)


def read_picture(data: bytes) -> PictureReading:
    """An uploaded picture, bounded and decoded once: its codes, and the IMEIs it shows. The digits are read as
    text (hardware.ocr, when its optional dependency is usable) only when no code names an IMEI; Luhn-checked,
    15 digits, either way."""
    image = _picture(data)
    codes = decode_frame(image)
    imeis = ocr.imeis_in_text("\n".join(code.text for code in codes))
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
