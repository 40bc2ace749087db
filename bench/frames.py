"""Seeded synthetic camera frames (1280x720): a label with the IMEI as Code128, a trade-in code as QR
and an EAN-13, on a busy background, turned, blurred, in perspective, with sensor noise."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import qrcode
import zxingcpp
from stdnum import ean as stdnum_ean
from stdnum import luhn

from core.codes import ALPHABET

TIERS = {  # name: (max rotation degrees, blur sigma, noise sigma, perspective share)
    "easy": ((0, 10), 0.3, 4, 0.0),
    "medium": ((10, 30), 0.8, 8, 0.04),
    "hard": ((30, 45), 1.2, 12, 0.08),
}


@dataclass
class Frame:
    image: np.ndarray
    expected: set[tuple[str, str]]
    # Each label's placement: (3x3 perspective matrix from label pixels to frame pixels, (label width, height)).
    labels: list[tuple[np.ndarray, tuple[int, int]]] = field(default_factory=list)


MODULE_PX, BAR_HEIGHT_PX = 2.54, 81  # 0.28 mm modules, 9 mm bars, photographed at 230 dpi


def code_image(kind: str, text: str) -> np.ndarray:
    """zxing-cpp's writer (Zint) draws the 1D codes: python-barcode 0.16 drops a leading "99" from Code128
    (its issue #251), so a frame would show another number than the one it claims."""
    if kind == "QRCODE":
        return np.array(qrcode.make(text, box_size=5, border=2).convert("L"))
    fmt = zxingcpp.BarcodeFormat.Code128 if kind == "CODE128" else zxingcpp.BarcodeFormat.EAN13
    bars = np.array(zxingcpp.create_barcode(text, fmt).to_image(scale=1))[:1]  # one row: one pixel a module
    return cv2.resize(bars, (int(round(bars.shape[1] * MODULE_PX)), BAR_HEIGHT_PX), interpolation=cv2.INTER_NEAREST)


KINDS = ("CODE128", "QRCODE", "EAN13")


def _label(rng: np.random.Generator, kinds: tuple[str, ...] = KINDS) -> tuple[np.ndarray, set[tuple[str, str]]]:
    """A label with the IMEI as Code128, a trade-in code as QR and an EAN-13 side by side (or only `kinds` of
    them: the values are drawn all the same, so the seed gives the same codes)."""
    body = "".join(str(d) for d in rng.integers(0, 10, 14))
    imei = body + luhn.calc_check_digit(body)
    ean_body = "".join(str(d) for d in rng.integers(0, 10, 12))
    code = "TI-" + "".join(rng.choice(list(ALPHABET), 4)) + "-" + "".join(rng.choice(list(ALPHABET), 4))
    ean = ean_body + stdnum_ean.calc_check_digit(ean_body)
    values = {"CODE128": (imei, imei), "QRCODE": (code, code), "EAN13": (ean, ean)}
    parts = [code_image(kind, values[kind][0]) for kind in kinds]
    width = sum(p.shape[1] for p in parts) + 80
    height = max(p.shape[0] for p in parts) + 40
    label = np.full((height, width), 245, np.uint8)
    x = 20
    for part in parts:
        y = (height - part.shape[0]) // 2
        label[y:y + part.shape[0], x:x + part.shape[1]] = part
        x += part.shape[1] + 20
    return label, {(values[kind][1], kind) for kind in kinds}


def _background(rng: np.random.Generator) -> np.ndarray:
    noise = rng.normal(120, 40, (72, 128)).astype(np.float32)
    bg = cv2.resize(noise, (1280, 720), interpolation=cv2.INTER_CUBIC)
    for _ in range(25):  # printed clutter: boxes and lines of "text"
        x, y = int(rng.integers(0, 1200)), int(rng.integers(0, 700))
        cv2.rectangle(bg, (x, y), (x + int(rng.integers(20, 200)), y + int(rng.integers(3, 12))),
                      float(rng.integers(0, 255)), -1)
    return np.clip(bg, 0, 255).astype(np.uint8)


def make_frame(rng: np.random.Generator, tier: str) -> Frame:
    (lo, hi), blur, noise, perspective = TIERS[tier]
    label, expected = _label(rng)
    frame = _background(rng)
    h, w = label.shape
    scale = min(1100 / w, 1.0)
    angle = float(rng.uniform(lo, hi)) * (1 if rng.random() < 0.5 else -1)
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-perspective, perspective, (4, 2)) * np.float32([w, h])
    centre = np.float32([640, 360])
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    placed = (np.hstack([corners + jitter, np.ones((4, 1), np.float32)]) @ rotation.T) - np.float32(
        [w / 2, h / 2]) + centre
    matrix = cv2.getPerspectiveTransform(corners, placed.astype(np.float32))
    warped = cv2.warpPerspective(label, matrix, (1280, 720), flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(label, 255), matrix, (1280, 720), borderValue=0)
    frame = np.where(mask > 0, warped, frame)
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    frame = np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)
    return Frame(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), expected, [(matrix, (w, h))])
