"""Seeded *#06# screens as a phone camera photographs them, for hardware.ocr's tests and bench.ocr: one or two
IMEIs as text (grouped with spaces as iPhones show them, or in one run as Android does), often with the
32-digit EID or a 14-hex-digit MEID on the same screen (never an IMEI), light or dark theme, several fonts and
sizes; then the photo: slight rotation, perspective, blur, sensor noise and JPEG."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from stdnum import luhn

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation2"))
FONT_NAMES = ("DejaVuSans.ttf", "DejaVuSansMono.ttf", "DejaVuSerif.ttf", "DejaVuSansCondensed.ttf",
              "DejaVuSans-Bold.ttf", "LiberationSans-Regular.ttf", "LiberationMono-Regular.ttf",
              "LiberationSerif-Regular.ttf")
TIERS = {"easy": (1.0, 0.3, 3), "medium": (2.5, 0.7, 6), "hard": (4.0, 1.1, 10)}  # rotation°, blur σ, noise σ


@dataclass
class Screen:
    image: np.ndarray  # BGR, as a camera hands it over
    imeis: list[str]  # in screen order
    decoys: list[str]  # the EID / MEID also shown: never to be taken for an IMEI
    traits: dict = field(default_factory=dict)  # how it was drawn (the wide generator says), to read a miss


def fonts() -> list[Path]:
    found = [folder / name for name in FONT_NAMES for folder in FONT_DIRS if (folder / name).exists()]
    if not found:
        raise RuntimeError("no TrueType font found: install fonts-dejavu-core (scripts/test.sh does)")
    return found


def random_imei(rng: np.random.Generator) -> str:
    body = "".join(str(d) for d in rng.integers(0, 10, 14))
    return body + luhn.calc_check_digit(body)


def _shown(imei: str, grouped: bool) -> str:
    return f"{imei[:2]} {imei[2:8]} {imei[8:14]} {imei[14]}" if grouped else imei


def _lines(rng: np.random.Generator) -> tuple[list[tuple[str, bool]], list[str], list[str]]:
    """(text, is a label) lines of the screen, the IMEIs and the decoys."""
    imeis = [random_imei(rng) for _ in range(2 if rng.random() < 0.5 else 1)]
    grouped = bool(rng.random() < 0.5)
    lines: list[tuple[str, bool]] = []
    for n, imei in enumerate(imeis, 1):
        lines += [(f"IMEI {n}" if len(imeis) > 1 else "IMEI", True), (_shown(imei, grouped), False)]
    decoys = []
    if rng.random() < 0.5:
        eid = "".join(str(d) for d in rng.integers(0, 10, 32))
        decoys.append(eid)
        lines += [("EID", True), (eid if rng.random() < 0.5 else f"{eid[:16]} {eid[16:]}", False)]
    if rng.random() < 0.3:
        meid = "".join(rng.choice(list("0123456789ABCDEF"), 14))
        decoys.append(meid)
        lines += [("MEID", True), (meid, False)]
    return lines, imeis, decoys


def _render(rng: np.random.Generator, lines: list[tuple[str, bool]]) -> np.ndarray:
    dark = bool(rng.random() < 0.4)
    ink, paper = ((235, 235, 235), (18, 18, 22)) if dark else ((20, 20, 24), (246, 246, 248))
    font_path = fonts()[int(rng.integers(0, len(fonts())))]
    size = int(rng.integers(30, 56))
    width, height = 1080, int(220 + len(lines) * size * 1.9)
    page = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(page)
    draw.text((60, 40), "Device Info" if rng.random() < 0.5 else "Informations", font=ImageFont.truetype(
        str(font_path), size + 8), fill=ink)
    y = 40 + size * 2.4
    for text, is_label in lines:
        face = ImageFont.truetype(str(font_path), int(size * (0.8 if is_label else 1.0)))
        draw.text((60, y), text, font=face, fill=tuple(c // 2 + 60 for c in ink) if is_label else ink)
        y += size * (1.2 if is_label else 1.7)
    draw.text((width // 2 - 40, height - 80), "OK", font=ImageFont.truetype(str(font_path), size), fill=ink)
    return cv2.cvtColor(np.array(page), cv2.COLOR_RGB2BGR)


def _photograph(rng: np.random.Generator, screen: np.ndarray, tier: str) -> np.ndarray:
    rotation, blur, noise = TIERS[tier]
    h, w = screen.shape[:2]
    canvas = np.full((h + 240, w + 240, 3), [int(v) for v in rng.integers(30, 90, 3)], np.uint8)  # the desk
    canvas[120:120 + h, 120:120 + w] = screen
    ch, cw = canvas.shape[:2]
    jitter = rng.uniform(-0.02, 0.02, (4, 2)) * np.float32([cw, ch]) if tier != "easy" else np.zeros((4, 2))
    corners = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    warp = cv2.getPerspectiveTransform(corners, (corners + jitter).astype(np.float32))
    turn = cv2.getRotationMatrix2D((cw / 2, ch / 2), float(rng.uniform(-rotation, rotation)), 1.0)
    image = cv2.warpPerspective(canvas, warp, (cw, ch), borderMode=cv2.BORDER_REPLICATE)
    image = cv2.warpAffine(image, turn, (cw, ch), borderMode=cv2.BORDER_REPLICATE)
    image = cv2.GaussianBlur(image, (0, 0), blur)
    image = np.clip(image + rng.normal(0, noise, image.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 92))])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def make_screen(rng: np.random.Generator, tier: str = "medium") -> Screen:
    lines, imeis, decoys = _lines(rng)
    return Screen(_photograph(rng, _render(rng, lines), tier), imeis, decoys)
