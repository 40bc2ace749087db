"""Seeded identity documents with a machine-readable zone, for hardware.mrz's tests and bench.mrz: a passport's data
page (TD3), an identity card or residence permit of 2021 (TD1) and the French identity card of 1988–2021 (2 × 36),
with random but check-digit-valid data (the `mrz` package's generators for TD1 and TD3): names of several lengths,
accents and hyphens transliterated as ICAO 9303 writes them, long ones truncated; printed in OCR-B (Debian's
fonts-ocr-b) at ICAO's 2.54 mm pitch on a tinted, guilloched page with the visual zone's text above; then, when
photographed, lying on a table with a thumb over its edge: perspective, tilt up to ±10°, blur, glare, noise and JPEG
at quality 50–90."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
from mrz.base.functions import hash_string, transliterate
from mrz.generator._transliterations import latin_based
from mrz.generator.td1 import TD1CodeGenerator
from mrz.generator.td3 import TD3CodeGenerator
from PIL import Image, ImageDraw, ImageFont

from hardware.mrz import MrzRead

OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
LABEL_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LAYOUTS = ("td3", "td1", "cni")
SEEDS = {"main": 20261207, "held back": 90311}
SIZES_MM = {"td3": (125, 88), "td1": (85.6, 54), "cni": (105, 74)}  # ICAO 9303 part 4, part 5; the old card: TD2
PITCH_MM, LINE_MM = 2.54, 4.23  # ICAO 9303 part 3 §4.3: 10 characters an inch, 6 lines an inch
SURNAMES = ("Martin", "Bernard", "Lefèvre", "N'Diaye", "Da Silva", "García López", "Müller", "O'Brien", "Le Goff",
            "Benali", "Kowalczyk", "Şahin", "Li", "Øvergård", "Popescu", "Nguyen Van",
            "Wolfeschlegelsteinhausenbergerdorff", "de La Tour d'Auvergne-Lauraguais", "Ab", "Fernández-Castillo")
GIVEN = ("Élodie", "Jean", "Marie", "Pierre", "Anaïs", "Zoé", "Mohamed", "Fatoumata", "Chloé", "Léa", "Hugo",
         "Karim", "Thi Minh", "Jean-Baptiste", "Maximilien", "Ioana", "Bartholomew", "Christopher", "Ève", "Yusuf")
COUNTRIES = ("FRA", "FRA", "FRA", "BEL", "D", "ESP", "ITA", "PRT", "ROU", "GBR", "MAR", "DZA", "USA", "TUN")
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# A webcam's frames (a passport's characters then 10 to 20 px high) up to a phone camera's 8 megapixels.
FRAMES = ((1280, 960), (1600, 1200), (1920, 1080), (1200, 1600), (2400, 1800), (3264, 2448))


@dataclass(frozen=True)
class MrzDocument:
    image: np.ndarray  # BGR, as a camera (or a scanner, not photographed) hands it over
    truth: MrzRead  # what the zone says
    lines: tuple[str, ...]  # the zone as printed


def _mrz_name(name: str) -> str:
    """A name as a zone writes it (`mrz`'s Latin transliteration, apostrophes dropped), `<` between its parts."""
    name = transliterate(name.replace("'", ""), latin_based())
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()


def _identifier(surname: str, given: str, width: int) -> str:
    """`SURNAME<<GIVEN<NAMES` cut to the zone's width (a long name is truncated, ICAO 9303 part 3 §6 B)."""
    return (surname + "<<" + given)[:width].rstrip("<")


def _split(identifier: str) -> tuple[str, str]:
    surname, _, given = identifier.partition("<<")
    return surname.replace("<", " ").strip(), " ".join(part for part in given.split("<") if part)


def _person(rng: np.random.Generator) -> tuple[str, str, date, str]:
    surname = str(rng.choice(SURNAMES))
    given = " ".join(str(g) for g in rng.choice(GIVEN, int(rng.integers(1, 4)), replace=False))
    birth = date(1935, 1, 1) + timedelta(days=int(rng.integers(0, 72 * 365)))
    return surname, given, birth, str(rng.choice(["M", "F", "F", "M", "<"]))


def _code(rng: np.random.Generator, pattern: str) -> str:
    """A code after a pattern: 9 a digit, A a letter, X either."""
    pools = {"9": "0123456789", "A": ALNUM[:26], "X": ALNUM}
    return "".join(str(rng.choice(list(pools[kind]))) for kind in pattern)


def _zone(rng: np.random.Generator, layout: str) -> tuple[tuple[str, ...], MrzRead, tuple[str, str]]:
    """The printed lines, the truth, and the names as the visual zone prints them."""
    surname, given, birth, sex = _person(rng)
    expiry = date(2027, 1, 1) + timedelta(days=int(rng.integers(0, 10 * 365)))
    width = {"td3": 39, "td1": 30, "cni": 25}[layout]
    shown = (surname, given)
    if layout == "cni":
        return _cni_zone(rng, surname, given, birth, sex, shown)
    identifier = _identifier(_mrz_name(surname), _mrz_name(given), width)
    mrz_surname, mrz_given = _split(identifier)
    state = "FRA" if layout == "td1" or rng.random() < 0.5 else str(rng.choice(COUNTRIES))
    nationality = state if rng.random() < 0.8 else str(rng.choice(COUNTRIES))
    optional = _code(rng, "9" * int(rng.integers(4, 10))) if rng.random() < 0.4 else ""
    # No check digit covers the names: the generator gets a stand-in, the (truncated) identifier is put in after.
    common = dict(surname="X", given_names="Y", birth_date=birth.strftime("%y%m%d"), sex=sex,
                  expiry_date=expiry.strftime("%y%m%d"), nationality=nationality)
    if layout == "td3":
        number = _code(rng, "99AA99999" if state == "FRA" else "AXXXXXXXX")
        made = str(TD3CodeGenerator("P", state, document_number=number, optional_data=optional, **common))
        lines = [made.splitlines()[0][:5] + identifier.ljust(39, "<"), made.splitlines()[1]]
        kind = "passport"
    else:
        code = str(rng.choice(["ID", "ID", "IR"]))
        number = _code(rng, "XXXXXXXXX")
        made = str(TD1CodeGenerator(code, state, number, optional_data1=optional, **common))
        lines = [*made.splitlines()[:2], identifier.ljust(30, "<")]
        kind = "residence_permit" if code == "IR" else "national_id"
    truth = MrzRead(kind, number, mrz_surname, mrz_given, birth, expiry, nationality, state,
                    sex.replace("<", ""), layout)
    return tuple(lines), truth, shown


def _cni_zone(rng, surname: str, given: str, birth: date, sex: str, shown) -> tuple:
    """The French card of 1988–2021: no generator knows it, so its lines are composed here (hardware.mrz_fields)."""
    sex = sex if sex != "<" else "F"
    mrz_surname = _mrz_name(surname)[:25].rstrip("<")
    mrz_given = "<<".join(_mrz_name(g) for g in given.split())[:14].rstrip("<")
    department, issued = _code(rng, "999"), date(2008, 1, 1) + timedelta(days=int(rng.integers(0, 13 * 365)))
    number = issued.strftime("%y%m") + department + _code(rng, "99999")
    line1 = "IDFRA" + mrz_surname.ljust(25, "<") + department + _code(rng, "999")
    born = birth.strftime("%y%m%d")
    line2 = number + hash_string(number) + mrz_given.ljust(14, "<") + born + hash_string(born) + sex
    line2 += hash_string(line1 + line2)
    truth = MrzRead("national_id", number, mrz_surname.replace("<", " ").strip(),
                    " ".join(p for p in mrz_given.split("<") if p), birth, None, "FRA", "FRA", sex, "cni")
    return (line1, line2), truth, shown


def _guilloche(rng: np.random.Generator, draw: ImageDraw.ImageDraw, width: int, height: int, tint) -> None:
    ink = tuple(max(0, c - int(rng.integers(25, 45))) for c in tint)
    for n in range(int(rng.integers(8, 16))):
        phase, period = rng.uniform(0, 6.3), rng.uniform(0.05, 0.2) * width
        amplitude, base = rng.uniform(0.02, 0.08) * height, height * (n + 0.5) / 14
        xs = np.arange(0, width, 3)
        ys = base + amplitude * np.sin(xs / period * 6.283 + phase)
        draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=ink, width=1)


def _visual_zone(draw: ImageDraw.ImageDraw, layout: str, shown, truth: MrzRead, px: float, room_mm: float) -> None:
    """The printed text above the zone: a title, the photo, the labelled fields (as a person reads them), fitted in
    the `room_mm` above the machine-readable zone."""
    px *= min(1.0, room_mm / 50)
    small, value = (ImageFont.truetype(str(LABEL_FONT), max(8, int(px * size))) for size in (1.9, 2.8))
    title = {"td3": "PASSEPORT / PASSPORT", "td1": "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD",
             "cni": "CARTE NATIONALE D'IDENTITÉ N° " + truth.number}[layout]
    draw.text((6 * px, 4 * px), title, font=value, fill=(40, 40, 90))
    draw.rectangle((6 * px, 12 * px, 32 * px, 45 * px), fill=(180, 178, 175))
    draw.ellipse((11 * px, 16 * px, 27 * px, 36 * px), fill=(140, 120, 110))
    fields = (("Nom / Surname", shown[0].upper()), ("Prénoms / Given names", shown[1]),
              ("Date de naiss. / Date of birth", truth.birth_date.strftime("%d.%m.%Y")),
              ("Sexe / Sex", truth.sex or "X"))
    for n, (label, text) in enumerate(fields):
        y = (12 + n * 8) * px
        draw.text((36 * px, y), label, font=small, fill=(90, 90, 110))
        draw.text((36 * px, y + 2.6 * px), text, font=value, fill=(25, 25, 30))


NUMBERS = {"td3": (1, 0, 9), "td1": (0, 5, 14), "cni": (1, 0, 12)}  # where each layout's document number lies


def tampered(rng: np.random.Generator, lines: tuple[str, ...], layout: str) -> tuple[str, ...]:
    """The lines with one character of the document number changed (a digit for a digit, a letter for a letter),
    its check digit left as printed, which then fails."""
    row, start, end = NUMBERS[layout]
    number = lines[row][start:end]
    while True:
        at = int(rng.integers(0, len(number)))
        pool = "0123456789" if number[at].isdigit() else ALNUM[:26]
        changed = number[:at] + str(rng.choice([c for c in pool if c != number[at]])) + number[at + 1:]
        if hash_string(changed) != hash_string(number):
            line = lines[row][:start] + changed + lines[row][end:]
            return (*lines[:row], line, *lines[row + 1:])


def render(rng: np.random.Generator, layout: str, px_per_mm: float,
           tamper: bool = False) -> tuple[Image.Image, tuple[str, ...], MrzRead]:
    """The document flat, as a scanner sees it: (RGB picture, zone lines, truth); with `tamper`, one character of
    the number printed wrong (testing/mrz_documents.tampered)."""
    lines, truth, shown = _zone(rng, layout)
    lines = tampered(rng, lines, layout) if tamper else lines
    width_mm, height_mm = SIZES_MM[layout]
    width, height = int(width_mm * px_per_mm), int(height_mm * px_per_mm)
    tint = tuple(int(c) for c in rng.integers(222, 250, 3))
    page = Image.new("RGB", (width, height), tint)
    draw = ImageDraw.Draw(page)
    _guilloche(rng, draw, width, height, tint)
    top_mm = height_mm - len(lines) * LINE_MM - 2.5
    _visual_zone(draw, layout, shown, truth, px_per_mm, top_mm - 2)
    pitch = PITCH_MM * px_per_mm
    font = ImageFont.truetype(str(OCR_B), int(round(pitch / 0.723)))  # OCR-B's advance is 0.723 em
    left, top = (width - pitch * len(lines[0])) / 2, top_mm * px_per_mm
    draw.rectangle((left - 2 * px_per_mm, top - 1.5 * px_per_mm, width - left + 2 * px_per_mm, height - px_per_mm),
                   fill=tuple(min(255, c + 8) for c in tint))
    ink = tuple(int(c) for c in rng.integers(10, 50, 3))
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            draw.text((left + col * pitch, top + row * LINE_MM * px_per_mm), char, font=font, fill=ink)
    return page, lines, truth


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


def make_document(rng: np.random.Generator, layout: str, photographed: bool = True,
                  tamper: bool = False) -> MrzDocument:
    """A document of `layout`, flat or photographed; `tamper`: its number printed with one character wrong."""
    if not photographed:
        page, lines, truth = render(rng, layout, rng.uniform(9, 13), tamper)
        return MrzDocument(cv2.cvtColor(np.array(page), cv2.COLOR_RGB2BGR), truth, lines)
    frame = FRAMES[int(rng.integers(0, len(FRAMES)))]
    fits_in = min(frame[0] / SIZES_MM[layout][0], frame[1] / SIZES_MM[layout][1])  # px per mm, page filling it
    page, lines, truth = render(rng, layout, fits_in, tamper)  # drawn at least as fine as the photo sees it
    return MrzDocument(photograph(rng, page, layout, frame), truth, lines)


def passport_photo(seed: int) -> tuple[bytes, MrzRead]:
    """A phone's JPEG of a passport's data page and what its zone says (for a browser test's upload)."""
    document = make_document(np.random.default_rng(seed), "td3", photographed=True)
    ok, jpeg = cv2.imencode(".jpg", document.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return jpeg.tobytes(), document.truth
