"""A document's page photographed, for testing/mrz_documents.py: lying on a table (grained or striped, in a colour),
a thumb holding it by one side over its visual zone, the whole tilted up to ±10° and seen in perspective in a
camera's frame, with glare, blur, sensor noise and JPEG at quality 50-90."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image


def _scene(rng: np.random.Generator, page: np.ndarray, frame: tuple[int, int], layout: str) -> np.ndarray:
    """The page on a table, a thumb over one side, the whole tilted and seen in perspective, in a frame."""
    fw, fh = frame
    ph, pw = page.shape[:2]
    scale = rng.uniform(0.62, 0.9) * min(fw / pw, fh / ph)
    table = np.full((fh, fw, 3), [int(c) for c in rng.integers(40, 170, 3)], np.float32)
    grain = np.sin(np.arange(fw) / rng.uniform(3, 12))[None, :, None] * rng.uniform(4, 14)
    table = np.clip(table + grain + rng.normal(0, 4, (fh, fw, 1)), 0, 255).astype(np.uint8)
    corners = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    centre = np.float32([fw / 2, fh / 2]) + rng.uniform(-0.06, 0.06, 2) * [fw, fh]
    angle = np.radians(rng.uniform(-10, 10))
    turn = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    placed = (corners - [pw / 2, ph / 2]) * scale @ turn.T + centre
    placed += rng.uniform(-0.035, 0.035, (4, 2)) * scale * max(pw, ph)
    warp = cv2.getPerspectiveTransform(corners, placed.astype(np.float32))
    seen = cv2.warpPerspective(page, warp, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), warp, (fw, fh))
    scene = np.where(mask[:, :, None] > 127, seen, table)
    _thumb(rng, scene, placed, layout)
    return scene


def _thumb(rng: np.random.Generator, scene: np.ndarray, placed: np.ndarray, layout: str) -> None:
    """A thumb holding the page by one side, over the visual zone, never over the machine-readable zone."""
    side = int(rng.integers(0, 2))  # 0: left edge, 1: right edge
    top, bottom = placed[0 if side == 0 else 1], placed[3 if side == 0 else 2]
    where = top + (bottom - top) * rng.uniform(0.15, 0.4 if layout == "td1" else 0.5)
    length = float(np.linalg.norm(bottom - top)) * rng.uniform(0.18, 0.28)
    skin = float(rng.integers(90, 230)) * np.float32([0.72, 0.84, 1.0])  # BGR: more red than blue
    axes = (int(length), int(length * 0.42))
    tilt = float(np.degrees(np.arctan2(*(bottom - top)[::-1]))) + 90
    cv2.ellipse(scene, (int(where[0]), int(where[1])), axes, tilt, 0, 360, skin.tolist(), -1, cv2.LINE_AA)


def photograph(rng: np.random.Generator, page: Image.Image, layout: str, frame: tuple[int, int]) -> np.ndarray:
    """A camera's photo of the page in a frame of FRAMES: scene, glare, blur, sensor noise, JPEG at quality 50-90
    (BGR)."""
    image = _scene(rng, cv2.cvtColor(np.array(page), cv2.COLOR_RGB2BGR), frame, layout).astype(np.float32)
    fh, fw = image.shape[:2]
    gx, gy, radius = rng.uniform(0, fw), rng.uniform(0, fh), rng.uniform(0.1, 0.3) * max(fw, fh)
    yy, xx = np.ogrid[:fh, :fw]
    image += rng.uniform(40, 110) * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))[:, :, None]
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.4, 1.3))
    image = np.clip(image + rng.normal(0, rng.uniform(2, 6), image.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(50, 91))])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
