"""The photo a person takes of a *#06# screen (testing/imei_screens_wide.py draws the screen): the phone in its
bezel, held in a hand over a table or a counter, the screen a quadrilateral in a bigger picture, tilted up to ±12°
with perspective; then what the glass and the camera add: glare, moiré, exposure and colour cast, blur (focus or
a shaking hand), sensor noise, JPEG at quality 50 to 90. The digits stay as legible as a person would need: never
smaller than about 14 px in the photo."""

from __future__ import annotations

import cv2
import numpy as np

PHOTO_SIZES = ((1200, 1600), (1536, 2048), (1080, 1920), (1600, 1200), (1280, 960))  # (width, height)
SKIN = ((255, 219, 172), (241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36), (92, 56, 32))  # RGB
TABLES = ((120, 84, 52), (168, 128, 90), (200, 200, 196), (90, 92, 98), (40, 40, 44), (230, 228, 220),
          (70, 90, 120), (150, 60, 50))  # RGB: woods, a grey or white counter, dark cloth, a blue or red sleeve
MIN_TEXT_PX = 20  # the value font's size in the photo: its digits are about 14 px tall
DIGIT_HEIGHT = 0.72  # a digit's height as a share of the font's size (DejaVu, Roboto, Inter alike)


def _phone(rng: np.random.Generator, screen: np.ndarray) -> tuple[np.ndarray, int]:
    """The screen inside its bezel (RGB) and the bezel's width."""
    height, width = screen.shape[:2]
    bezel = int(width * rng.uniform(0.03, 0.06))
    body = [int(v) for v in (rng.integers(5, 35, 3) if rng.random() < 0.7 else rng.integers(120, 230, 3))]
    phone = np.zeros((height + 2 * bezel, width + 2 * bezel, 3), np.uint8)
    cv2.rectangle(phone, (0, 0), (phone.shape[1], phone.shape[0]), body, -1)
    phone[bezel:bezel + height, bezel:bezel + width] = screen
    return phone, bezel


def _rounded_mask(shape: tuple[int, int], radius: int) -> np.ndarray:
    height, width = shape
    mask = np.zeros((height, width), np.uint8)
    cv2.rectangle(mask, (radius, 0), (width - radius, height), 255, -1)
    cv2.rectangle(mask, (0, radius), (width, height - radius), 255, -1)
    for x in (radius, width - radius):
        for y in (radius, height - radius):
            cv2.circle(mask, (x, y), radius, 255, -1)
    return mask


def _pose(rng: np.random.Generator, phone_size: tuple[int, int], dialog: np.ndarray, photo: tuple[int, int],
          text_size: float, tilt: float | None = None) -> tuple[np.ndarray, float, float]:
    """(The homography from the phone's pixels into the photo, its scale, its turn in degrees): scaled so the
    dialog spans 40-85% of the photo's width (never below MIN_TEXT_PX for the text), turned by up to ±12°,
    keystoned, the dialog inside the photo."""
    width, height = phone_size
    photo_w, photo_h = photo
    dialog_w = float(dialog[:, 0].max() - dialog[:, 0].min())
    scale = max(rng.uniform(0.4, 0.85) * min(photo_w, photo_h * 0.75) / dialog_w, MIN_TEXT_PX / text_size)
    top, side = rng.uniform(0.88, 1.0, 2)  # one edge of each pair seen shorter: the phone leans away
    half_w, half_h = width * scale / 2, height * scale / 2
    corners = np.float32([[-half_w * top, -half_h * side], [half_w * top, -half_h], [half_w, half_h],
                          [-half_w, half_h * side]])
    if rng.random() < 0.5:
        corners = corners[[1, 0, 3, 2]] * np.float32([-1, 1])  # the other way round
    drawn = float(rng.uniform(-12, 12))
    degrees = drawn if tilt is None else tilt
    angle = np.deg2rad(degrees)
    turn = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(source, corners @ turn.T)
    placed = cv2.perspectiveTransform(dialog[None].astype(np.float32), matrix)[0]
    low, high = placed.min(axis=0), placed.max(axis=0)
    margin = np.float32([photo_w, photo_h]) * 0.03
    room_low, room_high = margin - low, np.float32([photo_w, photo_h]) - margin - high
    shift = np.where(room_low <= room_high, rng.uniform(0, 1, 2) * (room_high - room_low) + room_low,
                     (room_low + room_high) / 2)
    return np.float32([[1, 0, shift[0]], [0, 1, shift[1]], [0, 0, 1]]) @ matrix, float(scale), degrees


def _background(rng: np.random.Generator, photo: tuple[int, int]) -> np.ndarray:
    """A table, a counter, a sleeve: a plain colour with slow shading and a grain."""
    width, height = photo
    base = np.float32(TABLES[int(rng.integers(0, len(TABLES)))]) * rng.uniform(0.7, 1.2)
    shade = rng.normal(0, 18, (6, 8, 1)).astype(np.float32) + base + rng.normal(0, 6, (6, 8, 3)).astype(np.float32)
    picture = cv2.resize(shade.clip(0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_CUBIC)
    return _noisy(rng, picture, 6, soften=2)


def _noisy(rng: np.random.Generator, picture: np.ndarray, sigma: float, soften: float = 0) -> np.ndarray:
    """Gaussian noise drawn by OpenCV (seeded from rng: numpy's normals cost a tenth of a second a photo)."""
    cv2.setRNGSeed(int(rng.integers(0, 2**31)))
    noise = np.empty(picture.shape, np.int16)
    cv2.randn(noise, 0, sigma)
    if soften:
        noise = cv2.GaussianBlur(noise, (0, 0), soften)
    return cv2.add(picture.astype(np.int16), noise).clip(0, 255).astype(np.uint8)


def _ellipse(layer: np.ndarray, alpha: np.ndarray, centre, axes, angle: float, colour) -> None:
    centre, axes = tuple(int(v) for v in centre), tuple(max(1, int(v)) for v in axes)
    cv2.ellipse(layer, centre, axes, angle, 0, 360, colour, -1)
    cv2.ellipse(alpha, centre, axes, angle, 0, 360, 255, -1)


def _hand(rng: np.random.Generator, matrix: np.ndarray, phone_size: tuple[int, int], dialog_bottom: float,
          photo_shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The palm behind the phone, the fingers round its edges and a thumb on the glass below the dialog, as
    (palm layer, palm alpha, fingers layer, fingers alpha)."""
    width, height = phone_size
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:2, :2]))))
    angle = float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0])))
    skin = [int(v) for v in np.clip(np.float32(SKIN[int(rng.integers(0, len(SKIN)))]) * rng.uniform(0.8, 1.1), 0, 255)]

    def at(x: float, y: float) -> np.ndarray:
        return cv2.perspectiveTransform(np.float32([[[x, y]]]), matrix)[0, 0]

    palm, palm_alpha = np.zeros((*photo_shape, 3), np.uint8), np.zeros(photo_shape, np.uint8)
    _ellipse(palm, palm_alpha, at(width * rng.uniform(0.3, 0.7), height * 1.05), (width * 0.75 * scale,
             height * 0.35 * scale), angle, skin)
    fingers, alpha = np.zeros_like(palm), np.zeros_like(palm_alpha)
    side = -0.02 if rng.random() < 0.5 else 1.02
    for y in np.linspace(max(dialog_bottom / height + 0.08, 0.6), 0.95, int(rng.integers(2, 5))):
        _ellipse(fingers, alpha, at(width * side, height * y), (width * 0.07 * scale, height * 0.028 * scale),
                 angle, skin)
    if rng.random() < 0.5 and dialog_bottom < height * 0.7:  # a thumb resting on the lower glass
        _ellipse(fingers, alpha, at(width * (1.02 - side) * 0.9, height * rng.uniform(0.8, 0.95)),
                 (width * 0.24 * scale, height * 0.045 * scale), angle - 30, skin)
    shade = cv2.resize(rng.uniform(0.7, 1.1, (4, 4)).astype(np.float32), photo_shape[::-1])[..., None]
    return (palm * shade).astype(np.uint8), palm_alpha, (fingers * shade).astype(np.uint8), alpha


def _over(picture: np.ndarray, layer: np.ndarray, alpha: np.ndarray, soften: float = 1.5) -> np.ndarray:
    """The layer laid over the picture where alpha says, its edge softened; only inside alpha's box."""
    x, y, w, h = cv2.boundingRect(cv2.dilate(alpha, None, iterations=int(soften * 3) + 1))
    if not w or not h:
        return picture
    box = np.s_[y:y + h, x:x + w]
    weight = cv2.GaussianBlur(alpha[box], (0, 0), soften).astype(np.float32) / 255
    picture = picture.copy()
    picture[box] = cv2.blendLinear(layer[box], picture[box], weight, 1 - weight)
    return picture


def _glass(rng: np.random.Generator, picture: np.ndarray, screen_mask: np.ndarray) -> tuple[np.ndarray, dict]:
    """What the glass adds: a reflection's glare and the moiré of the screen's pixels beating with the sensor's."""
    height, width = screen_mask.shape
    light = np.zeros((height // 8 + 1, width // 8 + 1), np.float32)  # glare is smooth: drawn at 1/8
    traits = {"glare": False, "moire": False}
    ys, xs = np.nonzero(screen_mask[::8, ::8])
    if rng.random() < 0.55 and len(xs):
        pick = int(rng.integers(0, len(xs)))
        spread, stretch = rng.uniform(0.05, 0.2) * width / 8, rng.uniform(0.3, 1.0)
        yy, xx = np.mgrid[0:light.shape[0], 0:light.shape[1]].astype(np.float32)
        light += rng.uniform(40, 120) * np.exp(-(((xx - xs[pick]) * stretch) ** 2 + (yy - ys[pick]) ** 2)
                                                / (2 * spread ** 2))
        traits["glare"] = True
    light = cv2.resize(light, (width, height), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.4:
        light += _moire(rng, width, height)
        traits["moire"] = True
    light *= screen_mask.astype(np.float32) / 255
    return np.clip(picture + light[..., None], 0, 255).astype(np.uint8), traits


def _moire(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Two gratings a little apart in angle and pitch: their product beats in slow bands. Each grating is
    sin(a·x + b·y) = sin(a·x)cos(b·y) + cos(a·x)sin(b·y): one matrix product."""
    beat = np.ones((height, width), np.float32)
    phi, wavelength = rng.uniform(0, np.pi), rng.uniform(3, 9)
    for turn, pitch in ((0.0, wavelength), (0.2, wavelength * 1.07)):
        kx, ky = 2 * np.pi * np.cos(phi + turn) / pitch, 2 * np.pi * np.sin(phi + turn) / pitch
        x, y = np.arange(width, dtype=np.float32) * kx, np.arange(height, dtype=np.float32) * ky
        beat *= np.stack([np.cos(y), np.sin(y)], axis=1) @ np.stack([np.sin(x), np.cos(x)])
    return beat * np.float32(rng.uniform(5, 15))


def _camera(rng: np.random.Generator, picture: np.ndarray, digit_px: float) -> tuple[np.ndarray, dict]:
    """Exposure and white balance, then focus or shake, the sensor's noise and the JPEG the phone sends. A shake
    is an angle the hand turns through, so in pixels it grows with the zoom as the text does: it is drawn
    relative to the digits' height, a tenth to three tenths of it (past that the doubled strokes run digits
    together: a photo to take again, which no reader here reads), as the defocus is (2 to 9%)."""
    cast, gamma, gain = rng.uniform(0.92, 1.08, 3), rng.uniform(0.8, 1.25), rng.uniform(0.8, 1.15)
    levels = np.arange(256, dtype=np.float32)[:, None] / 255
    curve = 255 * np.clip(levels * (cast * gain)[None], 0, 1) ** gamma
    image = cv2.LUT(picture, curve.astype(np.uint8)[:, None, :])
    if rng.random() < 0.3:
        length = max(2, int(round(digit_px * rng.uniform(0.1, 0.3))))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2] = 1 / length
        kernel = cv2.warpAffine(kernel, cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5),
                                                                float(rng.uniform(0, 180)), 1.0), (length, length))
        image = cv2.filter2D(image, -1, kernel / max(kernel.sum(), 1e-6))
        blur = f"shake {length}"
    else:
        sigma = max(0.3, digit_px * rng.uniform(0.02, 0.09))
        image = cv2.GaussianBlur(image, (0, 0), sigma)
        blur = f"focus {sigma:.1f}"
    image = _noisy(rng, image, rng.uniform(2, 9))
    quality = int(rng.integers(50, 91))
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR), {"blur": blur, "jpeg": quality}


def photograph(rng: np.random.Generator, screen: np.ndarray, dialog: tuple[int, int, int, int], text_size: float,
               traits: dict, tilt: float | None = None) -> np.ndarray:
    """The photo (BGR, as a camera hands it over) of a phone showing `screen` (RGB), its dialog at `dialog`."""
    phone, bezel = _phone(rng, screen[:, :, ::-1])
    left, top, right, bottom = (v + bezel for v in dialog)
    photo = PHOTO_SIZES[int(rng.integers(0, len(PHOTO_SIZES)))]
    corners = np.float32([[left, top], [right, top], [right, bottom], [left, bottom]])
    matrix, scale, tilt = _pose(rng, (phone.shape[1], phone.shape[0]), corners, photo, text_size, tilt)
    picture = _background(rng, photo)
    palm, palm_alpha, fingers, finger_alpha = _hand(rng, matrix, (phone.shape[1], phone.shape[0]), bottom,
                                                    (photo[1], photo[0]))
    picture = _over(picture, palm[:, :, ::-1], palm_alpha, 6)
    outline = _rounded_mask(phone.shape[:2], bezel * 3)
    placed = cv2.warpPerspective(phone, matrix, photo, flags=cv2.INTER_AREA)
    picture = _over(picture, placed, cv2.warpPerspective(outline, matrix, photo), 0.8)
    glass = np.zeros(phone.shape[:2], np.uint8)
    glass[bezel:-bezel, bezel:-bezel] = 255
    picture, seen = _glass(rng, picture, cv2.warpPerspective(glass, matrix, photo))
    picture = _over(picture, fingers[:, :, ::-1], finger_alpha, 3)
    digit_px = text_size * scale * DIGIT_HEIGHT
    picture, taken = _camera(rng, picture, digit_px)
    traits.update(seen, **taken, photo=photo, tilt=round(tilt, 1), digit_px=round(digit_px, 1))
    return picture
