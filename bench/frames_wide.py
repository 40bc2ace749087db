"""A broader frame generator for the camera benchmark, so that tuning the decoder to bench/frames.py cannot pass:
640x480 as well as 1280x720, any angle within ±45° with perspective, modules down to 1.5 px, defocus or motion
blur, sensor noise, glare, low contrast, JPEG at quality 50 to 90, labels curved round a box corner, a second
label in some frames; frames with no code at all (text, texture, a screen's moiré), where any read is false; and
a QR code shown on a phone's screen (a voucher or a trade-in ticket), small or close, dim, with the screen's pixel
grid beating with the sensor's and its glass reflecting.
Seeded: the benchmark runs a main seed and a held-back one."""

from __future__ import annotations

import cv2
import numpy as np
import qrcode

from bench.frames import KINDS, MODULE_PX, Frame, _label
from core.codes import ALPHABET

TIERS = {  # name: (narrowest module px range, blur range, noise range, perspective, chance of glare / curve)
    "easy": ((2.5, 3.5), (0.0, 0.6), (2, 6), 0.02, 0.0),
    "medium": ((2.0, 3.0), (0.5, 1.2), (4, 10), 0.06, 0.3),
    "hard": ((1.5, 2.2), (0.9, 1.8), (8, 16), 0.10, 0.6),
}
SIZES = ((1280, 720), (640, 480))


def _styled_label(rng: np.random.Generator, module_px: float, low_contrast: bool,
                  kinds: tuple[str, ...] = KINDS) -> tuple[np.ndarray, set]:
    label, expected = _label(rng, kinds)
    label = cv2.resize(label, None, fx=module_px / MODULE_PX, fy=module_px / MODULE_PX, interpolation=cv2.INTER_AREA)
    if low_contrast:  # grey bars on a grey label: a faded print or a dim screen
        label = (100 + label.astype(np.float32) * 0.35).astype(np.uint8)
    return label, expected


def _curve(label: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bent round a box corner: each column pushed up or down along a smooth arc."""
    h, w = label.shape
    depth = float(rng.uniform(0.04, 0.12)) * h
    xs = np.arange(w, dtype=np.float32)
    shift = depth * np.sin(np.pi * xs / w)
    map_x = np.tile(xs, (h, 1))
    map_y = (np.arange(h, dtype=np.float32)[:, None] - shift[None, :]).astype(np.float32)
    return cv2.remap(label, map_x, map_y, cv2.INTER_LINEAR, borderValue=245)


def _place(frame: np.ndarray, label: np.ndarray, rng: np.random.Generator, perspective: float,
           centre: tuple[float, float], fit: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Draws the label into the frame; returns where it went (Frame.labels)."""
    height, width = frame.shape
    h, w = label.shape
    scale = min(fit * width / w, fit * height / h, 1.0)
    angle = float(rng.uniform(-45, 45))
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-perspective, perspective, (4, 2)) * np.float32([w, h])
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    placed = (np.hstack([corners + jitter, np.ones((4, 1), np.float32)]) @ rotation.T) - np.float32(
        [w / 2, h / 2]) + np.float32(centre)
    matrix = cv2.getPerspectiveTransform(corners, placed.astype(np.float32))
    warped = cv2.warpPerspective(label, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(label, 255), matrix, (width, height), borderValue=0)
    frame[mask > 0] = warped[mask > 0]
    return matrix, (w, h)


def _background(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    noise = rng.normal(120, 40, (height // 10, width // 10)).astype(np.float32)
    bg = np.clip(cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC), 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(10, 40))):  # printed clutter: boxes, rules and words
        x, y = int(rng.integers(0, width - 20)), int(rng.integers(10, height - 10))
        if rng.random() < 0.5:
            cv2.rectangle(bg, (x, y), (x + int(rng.integers(20, 200)), y + int(rng.integers(3, 12))),
                          int(rng.integers(0, 255)), -1)
        else:
            word = "".join(rng.choice(list("ABCDEFGHJKLMNPRSTUVWXYZ0123456789 -/"), int(rng.integers(4, 16))))
            cv2.putText(bg, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, float(rng.uniform(0.4, 1.2)),
                        int(rng.integers(0, 255)), int(rng.integers(1, 3)))
    return bg


def _camera(frame: np.ndarray, rng: np.random.Generator, blur: float, noise: float, glare: bool) -> np.ndarray:
    """What the sensor and the encoder do: glare, defocus or motion blur, noise, JPEG."""
    out = frame.astype(np.float32)
    if glare:
        h, w = out.shape
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        yy, xx = np.mgrid[0:h, 0:w]
        radius = float(rng.uniform(0.08, 0.25)) * w
        out += float(rng.uniform(60, 140)) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * radius ** 2))
    if blur > 0 and rng.random() < 0.4:  # motion: a short streak at a random angle
        length = max(3, int(round(blur * 4)))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1)
        out = cv2.filter2D(out, -1, cv2.warpAffine(kernel, rotation, (length, length)))
    elif blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    out = np.clip(out + rng.normal(0, noise, out.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(50, 91))])
    return cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)


def make_wide_frame(rng: np.random.Generator, tier: str) -> Frame:
    (m_lo, m_hi), (b_lo, b_hi), (n_lo, n_hi), perspective, odd = TIERS[tier]
    size = SIZES[int(rng.integers(0, len(SIZES)))]
    frame = _background(rng, size)
    # A 640x480 camera shows what fits at the tier's module width: the IMEI, and the QR code half the time.
    kinds = KINDS if size[0] > 640 else KINDS[:1 + int(rng.integers(0, 2))]
    label, expected = _styled_label(rng, float(rng.uniform(m_lo, m_hi)), rng.random() < odd / 2, kinds)
    if rng.random() < odd:
        label = _curve(label, rng)
    two = size[0] > 640 and rng.random() < 0.25  # a second device's label beside the first
    labels = [_place(frame, label, rng, perspective, (size[0] * (0.35 if two else 0.5), size[1] * 0.5),
                     0.55 if two else 0.9)]
    if two:
        other, more = _styled_label(rng, float(rng.uniform(m_lo, m_hi)), False)
        labels.append(_place(frame, other, rng, perspective, (size[0] * 0.72, size[1] * 0.5), 0.45))
        expected |= more
    image = _camera(frame, rng, float(rng.uniform(b_lo, b_hi)), float(rng.uniform(n_lo, n_hi)), rng.random() < odd)
    return Frame(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), expected, labels)


def make_blank_frame(rng: np.random.Generator) -> Frame:
    """No code anywhere: printed text, a texture, or a screen's moiré, through the same camera."""
    size = SIZES[int(rng.integers(0, len(SIZES)))]
    frame = _background(rng, size)
    kind = int(rng.integers(0, 3))
    if kind == 1:  # fine texture: fabric, wood grain
        frame = cv2.addWeighted(frame, 0.5, rng.integers(0, 255, frame.shape, dtype=np.uint8), 0.5, 0)
    elif kind == 2:  # a screen photographed: pixel grid beating with the sensor's
        yy, xx = np.mgrid[0:size[1], 0:size[0]]
        period = float(rng.uniform(2.5, 6))
        grid = 60 * np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / (period * 1.07))
        frame = np.clip(frame.astype(np.float32) + grid, 0, 255).astype(np.uint8)
    image = _camera(frame, rng, float(rng.uniform(0, 1.5)), float(rng.uniform(2, 12)), rng.random() < 0.3)
    return Frame(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), set())



def make_screen_frame(rng: np.random.Generator) -> Frame:
    """A phone held up to the camera, its screen showing a QR code: the screen's brightness sets the contrast,
    its pixel grid (turned with the phone) makes moiré, modules from 2 px (held far) to 5 px (held close)."""
    size = SIZES[int(rng.integers(0, len(SIZES)))]
    frame = _background(rng, size)
    code = "".join(rng.choice(list(ALPHABET), 12))
    text = f"V-{code[:4]}-{code[4:8]}-{code[8:]}" if rng.random() < 0.5 else f"TI-{code[:4]}-{code[4:8]}"
    modules = np.array(qrcode.make(text, box_size=1, border=4).convert("L"))
    module_px = float(rng.uniform(2.0, 5.0))
    side = int(round(modules.shape[0] * module_px))
    qr = cv2.resize(modules, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    lit, dark = float(rng.uniform(140, 250)), float(rng.uniform(0, 50))  # a dimmed screen: less contrast
    screen = np.full((int(side * 1.9), int(side * 1.15)), lit, np.float32)
    top, left = (screen.shape[0] - side) // 2, (screen.shape[1] - side) // 2
    screen[top:top + side, left:left + side] = dark + (lit - dark) * qr
    period = float(rng.uniform(1.6, 3.5))  # the screen's pixels as the sensor sees them
    yy, xx = np.mgrid[0:screen.shape[0], 0:screen.shape[1]]
    screen *= 1 - float(rng.uniform(0.1, 0.3)) * (np.sin(np.pi * xx / period) * np.sin(np.pi * yy / period)) ** 2
    bezel = int(side * 0.08)
    phone = cv2.copyMakeBorder(np.clip(screen, 0, 255).astype(np.uint8), bezel, bezel, bezel, bezel,
                               cv2.BORDER_CONSTANT, value=int(rng.integers(10, 40)))
    labels = [_place(frame, phone, rng, 0.06, (size[0] * float(rng.uniform(0.4, 0.6)), size[1] * 0.5), 0.9)]
    image = _camera(frame, rng, float(rng.uniform(0.3, 1.2)), float(rng.uniform(3, 10)), rng.random() < 0.6)
    return Frame(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), {(text, "QRCODE")}, labels)
