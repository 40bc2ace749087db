"""A broader *#06# screen generator than testing/imei_screens.py, so that tuning hardware.ocr to that one cannot
pass (issue 31): the screen as iOS, Android and Samsung lay it out (an alert or a dialog, centred or left-aligned,
the label above the number or before it, labels in several languages), fonts like the phones' own (Inter for
iOS's SF, Roboto and Noto Sans for Android and Samsung, DejaVu, Liberation), light or dark over a dimmed home
screen, one or two IMEIs, the 32-digit EID wrapped where the dialog's width breaks it (after its 15th digit too),
a MEID (14 hex digits, or the IMEI's first 14 digits as a CDMA iPhone shows it), Samsung's "/01" after a number.
The photo of it, a phone held in a hand, is testing/imei_screens_photo.py. Seeded: bench.ocr runs a main seed and
a held-back one (never looked at while tuning)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from stdnum import luhn

from testing.imei_screens import Screen
from testing.imei_screens_photo import photograph

FONT_ROOT = Path("/usr/share/fonts")
FALLBACK = ("truetype/dejavu/DejaVuSans.ttf", "truetype/dejavu/DejaVuSans-Bold.ttf")  # fonts-dejavu-core
# (regular, bold) faces per layout, each like a phone's system font; Debian packages: fonts-inter, fonts-roboto,
# fonts-noto-core, fonts-liberation2, fonts-dejavu-core (scripts/test.sh installs them all).
FACES = {
    "ios": (("opentype/inter/Inter-Regular.otf", "opentype/inter/Inter-SemiBold.otf"),
            ("opentype/inter/Inter-Medium.otf", "opentype/inter/Inter-Bold.otf"),
            ("truetype/liberation2/LiberationSans-Regular.ttf", "truetype/liberation2/LiberationSans-Bold.ttf"),
            FALLBACK),
    "android": (("truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf",
                 "truetype/roboto/unhinted/RobotoTTF/Roboto-Medium.ttf"),
                ("truetype/noto/NotoSans-Regular.ttf", "truetype/noto/NotoSans-Bold.ttf"),
                ("truetype/roboto/unhinted/RobotoCondensed-Regular.ttf",
                 "truetype/roboto/unhinted/RobotoCondensed-Bold.ttf"),
                ("truetype/dejavu/DejaVuSansCondensed.ttf", "truetype/dejavu/DejaVuSansCondensed-Bold.ttf")),
    "samsung": (("truetype/noto/NotoSans-Regular.ttf", "truetype/noto/NotoSans-Bold.ttf"),
                ("truetype/roboto/unhinted/RobotoTTF/Roboto-Light.ttf",
                 "truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf"),
                ("truetype/liberation2/LiberationSans-Regular.ttf", "truetype/liberation2/LiberationSans-Bold.ttf"),
                FALLBACK),
}
# What a phone in each language calls things on that screen (the IMEI label n is 1 or 2).
WORDS = {
    "en": {"title": "Device Info", "slot": "IMEI (slot {n})", "button": "Dismiss"},
    "fr": {"title": "Infos sur l'appareil", "slot": "IMEI (emplacement {n})", "button": "Fermer"},
    "de": {"title": "Geräteinfo", "slot": "IMEI (Steckplatz {n})", "button": "Schließen"},
    "es": {"title": "Información", "slot": "IMEI (ranura {n})", "button": "Cerrar"},
}
DIALOG_WIDTH = {"ios": 0.69, "android": 0.86, "samsung": 0.9}  # of the screen's width
SCREEN_WIDTH = 1080
# The first two digits of a real TAC: the body that allotted it (01 and 35 for most phones, 86 China, 99 ...).
REPORTING_BODIES = ("01", "35", "35", "86", "99", "49", "30", "33", "44", "45", "53", "54")
LAYOUTS = ("ios", "android", "samsung")


@dataclass
class Item:
    text: str
    role: str  # title, label, value, button


@dataclass
class Content:
    items: list[Item]
    imeis: list[str]  # in screen order
    decoys: list[str]  # the EID and MEID shown: never an IMEI
    traits: dict = field(default_factory=dict)  # what was drawn, for reading a benchmark's misses


def face_paths(layout: str, rng: np.random.Generator) -> tuple[Path, Path]:
    """A (regular, bold) pair for the layout; DejaVu where the chosen family is not installed. The draw does not
    depend on what is installed, so a seed gives the same screens wherever the fonts are."""
    regular, bold = FACES[layout][int(rng.integers(0, len(FACES[layout])))]
    if not (FONT_ROOT / regular).exists() or not (FONT_ROOT / bold).exists():
        regular, bold = FALLBACK
    return FONT_ROOT / regular, FONT_ROOT / bold


def _labels(rng: np.random.Generator, layout: str, words: dict, count: int) -> list[str]:
    """The IMEI labels of one screen, in one style: iOS says "IMEI" then "IMEI2"; Android and Samsung "IMEI",
    "IMEI1:", "IMEI 2" or the slot in the phone's language."""
    if count == 1:
        return ["IMEI" + (":" if layout == "android" and rng.random() < 0.3 else "")]
    if layout == "ios":
        style = ("IMEI", "IMEI2") if rng.random() < 0.6 else ("IMEI 1", "IMEI 2")
        return list(style)
    if rng.random() < 0.4:
        return [words["slot"].format(n=n) for n in (1, 2)]
    pattern = "IMEI{n}" if rng.random() < 0.5 else "IMEI {n}"
    colon = ":" if layout == "android" and rng.random() < 0.5 else ""
    return [pattern.format(n=n) + colon for n in (1, 2)]


def _shown(imei: str, layout: str, rng: np.random.Generator) -> str:
    if layout == "ios":
        return f"{imei[:2]} {imei[2:8]} {imei[8:14]} {imei[14]}"
    return imei + ("/01" if layout == "samsung" and rng.random() < 0.5 else "")


def random_imei(rng: np.random.Generator) -> str:
    body = REPORTING_BODIES[int(rng.integers(0, len(REPORTING_BODIES)))] + "".join(
        str(d) for d in rng.integers(0, 10, 12))
    return body + luhn.calc_check_digit(body)


def _eid_lines(eid: str, rng: np.random.Generator) -> list[str]:
    """The EID as one run (the dialog wraps it where it must) or broken after the 15th digit, or elsewhere, as a
    narrower dialog or a bigger font breaks it."""
    choice = rng.random()
    if choice < 0.35:
        return [eid]
    cut = 15 if choice < 0.7 else int(rng.choice([12, 14, 16, 17, 20]))
    return [eid[:cut], eid[cut:]]


def content(rng: np.random.Generator, layout: str) -> Content:
    """What the screen says, in order: the labels and numbers, a title and a button."""
    words = WORDS[str(rng.choice(list(WORDS)))]
    imeis = [random_imei(rng) for _ in range(2 if rng.random() < 0.55 else 1)]
    beside = layout == "android" and rng.random() < 0.5  # "IMEI1: 3569…" on one line
    items = [Item(words["title"] if rng.random() < 0.5 else "IMEI", "title")] if layout != "ios" else []
    for label, imei in zip(_labels(rng, layout, words, len(imeis)), imeis, strict=True):
        value = _shown(imei, layout, rng)
        items += [Item(f"{label} {value}", "value")] if beside else [Item(label, "label"), Item(value, "value")]
    decoys: list[str] = []
    shows_eid = rng.random() < 0.5
    if shows_eid:
        eid = "89" + "".join(str(d) for d in rng.integers(0, 10, 30))
        decoys.append(eid)
        items += [Item("EID", "label")] + [Item(line, "value") for line in _eid_lines(eid, rng)]
    if rng.random() < 0.3:
        meid = imeis[0][:14] if rng.random() < 0.5 else "A" + "".join(rng.choice(list("0123456789ABCDEF"), 13))
        decoys.append(meid)
        items += [Item(f"MEID {meid}", "value")] if beside else [Item("MEID", "label"), Item(meid, "value")]
    items.append(Item(words["button"] if layout == "ios" else "OK", "button"))
    return Content(items, imeis, decoys, {"layout": layout, "beside": beside, "eid": shows_eid})


@dataclass
class Theme:
    dark: bool
    ink: tuple[int, int, int]
    label_ink: tuple[int, int, int]
    dialog: tuple[int, int, int]
    accent: tuple[int, int, int]


def theme(rng: np.random.Generator, layout: str, dark: bool | None = None) -> Theme:
    drawn = bool(rng.random() < 0.45)  # drawn even when imposed: a seed gives the same screens either way
    dark = drawn if dark is None else dark
    if dark:
        dialog = (44, 44, 46) if layout == "ios" else (43, 41, 48) if layout == "android" else (24, 24, 24)
        return Theme(True, (235, 235, 240), (200, 200, 205), dialog, (10, 132, 255))
    dialog = (242, 242, 242) if layout == "ios" else (250, 250, 252)
    return Theme(False, (0, 0, 0) if layout == "ios" else (30, 30, 34), (60, 60, 67), dialog, (0, 122, 255))


def _home_screen(rng: np.random.Generator, width: int, height: int, dark: bool) -> Image.Image:
    """A wallpaper with rows of app icons, dimmed behind the dialog as the phone dims it."""
    colours = rng.integers(0, 256, (2, 1, 3)).astype(np.uint8)
    page = Image.fromarray(cv2.resize(colours, (width, height), interpolation=cv2.INTER_LINEAR))
    draw, icon = ImageDraw.Draw(page), width // 6
    for row in range(6):
        for col in range(4):
            x, y = width // 10 + col * int(icon * 1.45), height // 12 + row * int(icon * 1.7)
            tint = tuple(int(v) for v in rng.integers(0, 256, 3))
            draw.rounded_rectangle((x, y, x + icon, y + icon), radius=icon // 4, fill=tint)
    return Image.fromarray(cv2.convertScaleAbs(np.asarray(page), alpha=0.25 if dark else 0.55))


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """The lines a dialog breaks a long text into: as many characters as fit, words at a space, a run of digits
    anywhere."""
    lines = []
    while text:
        cut = len(text)
        while cut > 1 and font.getlength(text[:cut]) > width:
            cut -= 1
        space = text.rfind(" ", 0, cut + 1)
        if cut < len(text) and space > 0 and not text[:cut].replace(" ", "").isdigit():
            cut = space  # words break at a space; a number anywhere
        lines.append(text[:cut])
        text = text[cut:].lstrip()
    return lines


def _faces(regular: Path, bold: Path, size: int, layout: str) -> dict[str, ImageFont.FreeTypeFont]:
    """The font of each role: numbers regular, labels and buttons bold and larger, the title larger still."""
    return {"value": ImageFont.truetype(str(regular), size), "label": ImageFont.truetype(str(bold), int(size * 1.2)),
            "title": ImageFont.truetype(str(bold if layout == "ios" else regular), int(size * 1.45)),
            "button": ImageFont.truetype(str(bold), int(size * 1.2))}


def render(rng: np.random.Generator, layout: str, said: Content,
           dark: bool | None = None) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The phone's screen (RGB, SCREEN_WIDTH wide) and the dialog's box on it (left, top, right, bottom)."""
    look = theme(rng, layout, dark)
    regular, bold = face_paths(layout, rng)
    said.traits.update(dark=look.dark, font=regular.stem)
    height = int(SCREEN_WIDTH * rng.uniform(2.0, 2.2))
    page = _home_screen(rng, SCREEN_WIDTH, height, look.dark)
    size = int(SCREEN_WIDTH / 390 * (13 if layout == "ios" else 14.5) * rng.uniform(0.9, 1.25))
    said.traits["size"] = size
    faces = _faces(regular, bold, size, layout)
    width = int(SCREEN_WIDTH * DIALOG_WIDTH[layout])
    inner = width - 2 * int(size * 1.2)
    lines = [(text, item.role) for item in said.items for text in _wrapped(item.text, faces[item.role], inner)]
    said.traits["lines"] = [text for text, _ in lines]
    step = {"value": 1.35, "label": 1.55, "title": 2.0, "button": 2.6}
    tall = int(sum(size * step[role] for _, role in lines) + 2.5 * size)
    left, top = (SCREEN_WIDTH - width) // 2, int(height * rng.uniform(0.3, 0.45)) - tall // 2
    draw = ImageDraw.Draw(page)
    draw.rounded_rectangle((left, top, left + width, top + tall), radius=int(size * (0.9 if layout == "ios" else 1.6)),
                           fill=look.dialog)
    y = top + size * 1.2
    for text, role in lines:
        y += size * (step[role] - 1.0) if role == "button" else 0
        fill = look.accent if role == "button" else look.label_ink if role == "label" else look.ink
        centred = layout == "ios" or role == "button"
        x, anchor = (left + width / 2, "ma") if centred else (left + size * 1.2, "la")
        draw.text((x, y), text, font=faces[role], fill=fill, anchor=anchor)
        y += size * (1.0 if role == "button" else step[role])
    return np.asarray(page), (left, top, left + width, top + tall)


def make_screen(rng: np.random.Generator, said: Content | None = None, layout: str | None = None,
                dark: bool | None = None, tilt: float | None = None) -> Screen:
    """One photographed *#06# screen: what it shows (Screen.imeis in order, the decoys) and how (Screen.traits).
    A test may impose what it shows (`said`, in a `layout`), the theme or the photo's tilt in degrees."""
    drawn = str(rng.choice(LAYOUTS, p=[0.45, 0.35, 0.2]))
    layout = layout or drawn
    said = said or content(rng, layout)
    screen, dialog = render(rng, layout, said, dark)
    image = photograph(rng, screen, dialog, said.traits["size"], said.traits, tilt)
    return Screen(image, said.imeis, said.decoys, said.traits)
