"""Seeded identity documents with a machine-readable zone, for hardware.mrz's tests and bench.mrz: a passport's data
page (TD3), an identity card or residence permit of 2021 (TD1) and the French identity card of 1988–2021 (2 × 36),
with random but check-digit-valid data (the `mrz` package's generators for TD1 and TD3): names of several lengths,
accents and hyphens transliterated as ICAO 9303 writes them, long ones truncated; printed in OCR-B (Debian's
fonts-ocr-b, in either of its cuts) at ICAO's 2.54 mm pitch, each character a little off its place and the ink
spread, thinned or as drawn, on a tinted, guilloched page with the visual zone's text above; then, when
photographed (testing/mrz_photos.py), lying on a table with a thumb over its edge: perspective, tilt up to ±10°,
blur, glare, noise and JPEG at quality 50–90."""

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
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from hardware.mrz import MrzRead
from testing.mrz_photos import photograph

OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
# OCR-B as other printers draw it: the same glyphs with square stroke ends (Debian's "Sharp" cut). The reader
# compares cells with OCRB.otf only (hardware.mrz_glyphs), so a zone printed in this one is a rendering it never saw.
OCR_B_SHARP = Path("/usr/share/fonts/opentype/ocr-b/OCRBS.otf")
PRINT_SUPERSAMPLE = 3  # the zone is printed this much finer, then reduced: its ink can spread or thin by a fraction
JITTER_MM = 0.08  # how far a printer may set a character off its place, each way
LABEL_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LAYOUTS = ("td3", "td1", "cni")
# The main seed is tuned on; 90311 was held back until the first reader's run, 26233635 (drawn from `date +%N`) until
# the glyphs' (bench/README.md).
SEEDS = {"main": 20261207, "held back": 90311, "held back 2": 26233635}
SIZES_MM = {"td3": (125, 88), "td1": (85.6, 54), "cni": (105, 74)}  # ICAO 9303 part 4, part 5; the old card: TD2
PITCH_MM, LINE_MM = 2.54, 4.23  # ICAO 9303 part 3 §4.3: 10 characters an inch, 6 lines an inch
SURNAMES = (
    "Martin",
    "Bernard",
    "Lefèvre",
    "N'Diaye",
    "Da Silva",
    "García López",
    "Müller",
    "O'Brien",
    "Le Goff",
    "Benali",
    "Kowalczyk",
    "Şahin",
    "Li",
    "Øvergård",
    "Popescu",
    "Nguyen Van",
    "Wolfeschlegelsteinhausenbergerdorff",
    "de La Tour d'Auvergne-Lauraguais",
    "Ab",
    "Fernández-Castillo",
)
GIVEN = (
    "Élodie",
    "Jean",
    "Marie",
    "Pierre",
    "Anaïs",
    "Zoé",
    "Mohamed",
    "Fatoumata",
    "Chloé",
    "Léa",
    "Hugo",
    "Karim",
    "Thi Minh",
    "Jean-Baptiste",
    "Maximilien",
    "Ioana",
    "Bartholomew",
    "Christopher",
    "Ève",
    "Yusuf",
)
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
    common = dict(
        surname="X",
        given_names="Y",
        birth_date=birth.strftime("%y%m%d"),
        sex=sex,
        expiry_date=expiry.strftime("%y%m%d"),
        nationality=nationality,
    )
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
    truth = MrzRead(
        kind, number, mrz_surname, mrz_given, birth, expiry, nationality, state, sex.replace("<", ""), layout
    )
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
    truth = MrzRead(
        "national_id",
        number,
        mrz_surname.replace("<", " ").strip(),
        " ".join(p for p in mrz_given.split("<") if p),
        birth,
        None,
        "FRA",
        "FRA",
        sex,
        "cni",
    )
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
    title = {
        "td3": "PASSEPORT / PASSPORT",
        "td1": "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD",
        "cni": "CARTE NATIONALE D'IDENTITÉ N° " + truth.number,
    }[layout]
    draw.text((6 * px, 4 * px), title, font=value, fill=(40, 40, 90))
    draw.rectangle((6 * px, 12 * px, 32 * px, 45 * px), fill=(180, 178, 175))
    draw.ellipse((11 * px, 16 * px, 27 * px, 36 * px), fill=(140, 120, 110))
    fields = (
        ("Nom / Surname", shown[0].upper()),
        ("Prénoms / Given names", shown[1]),
        ("Date de naiss. / Date of birth", truth.birth_date.strftime("%d.%m.%Y")),
        ("Sexe / Sex", truth.sex or "X"),
    )
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
        changed = number[:at] + str(rng.choice([c for c in pool if c != number[at]])) + number[at + 1 :]
        if hash_string(changed) != hash_string(number):
            line = lines[row][:start] + changed + lines[row][end:]
            return (*lines[:row], line, *lines[row + 1 :])


def render(
    rng: np.random.Generator, layout: str, px_per_mm: float, tamper: bool = False
) -> tuple[Image.Image, tuple[str, ...], MrzRead]:
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
    left, top = (width - PITCH_MM * px_per_mm * len(lines[0])) / 2, top_mm * px_per_mm
    draw.rectangle(
        (left - 2 * px_per_mm, top - 1.5 * px_per_mm, width - left + 2 * px_per_mm, height - px_per_mm),
        fill=tuple(min(255, c + 8) for c in tint),
    )
    ink = tuple(int(c) for c in rng.integers(10, 50, 3))
    corner = (int(left - px_per_mm), int(top - px_per_mm))  # the zone's ink is drawn from here on
    page.paste(ink, corner, _printed_zone(rng, lines, (left - corner[0], top - corner[1]), px_per_mm))
    return page, lines, truth


def _printed_zone(
    rng: np.random.Generator, lines: tuple[str, ...], origin: tuple[float, float], px_per_mm: float
) -> Image.Image:
    """The zone's ink as a mask, its first character at `origin`: OCR-B (either cut) at ICAO's pitch, each character
    a little off its place as a printer sets it, the ink spread (an inkjet page), thinned (a laser-engraved card) or
    as drawn."""
    fine = PRINT_SUPERSAMPLE * px_per_mm
    pitch = PITCH_MM * fine
    font_file = OCR_B if rng.random() < 0.6 else OCR_B_SHARP
    font = ImageFont.truetype(str(font_file), int(round(pitch / 0.723)))  # OCR-B's advance is 0.723 em
    width_mm, height_mm = (len(lines[0]) + 1) * PITCH_MM, (len(lines) + 1) * LINE_MM
    size = (int(width_mm * px_per_mm + origin[0]), int(height_mm * px_per_mm + origin[1]))
    mask = Image.new("L", (size[0] * PRINT_SUPERSAMPLE, size[1] * PRINT_SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(mask)
    left, top = origin[0] * PRINT_SUPERSAMPLE, origin[1] * PRINT_SUPERSAMPLE
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            dx, dy = rng.uniform(-JITTER_MM, JITTER_MM, 2) * fine
            draw.text((left + col * pitch + dx, top + row * LINE_MM * fine + dy), char, font=font, fill=255)
    spread = rng.choice(["thin", "as drawn", "as drawn", "spread"])
    if spread != "as drawn":
        mask = mask.filter(ImageFilter.MaxFilter(3) if spread == "spread" else ImageFilter.MinFilter(3))
    return mask.resize(size, Image.Resampling.BOX)


def make_document(
    rng: np.random.Generator, layout: str, photographed: bool = True, tamper: bool = False
) -> MrzDocument:
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
