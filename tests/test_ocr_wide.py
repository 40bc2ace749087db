"""Reading the *#06# screen as a person reads it (issue 31, item 6): an EID wrapped over two lines is never an
IMEI, from text or from a picture; a tilted dark-mode photo of a phone held in a hand reads its two IMEIs; a few
photos from the wide generator (testing/imei_screens_wide.py) read exactly."""

from __future__ import annotations

import numpy as np
import pytest
from stdnum import luhn

from core import imei_screen
from hardware import ocr
from testing.imei_screens_wide import Content, Item, make_screen
from testing.samples import IMEI_KNOWN_TAC, IMEI_UNKNOWN_TAC

EID = "89049032004008882600012345678901"
WRAPPED_AT_15 = (EID[:15], EID[15:])  # "890490320040088" passes the Luhn check: the old rule took it for an IMEI


def _grouped(imei: str) -> str:
    return f"{imei[:2]} {imei[2:8]} {imei[8:14]} {imei[14]}"


def _screen(lines: list[tuple[str, str]], imeis: list[str], layout: str, dark: bool, tilt: float, seed: int):
    said = Content([Item(text, role) for text, role in lines], imeis, [EID])
    return make_screen(np.random.default_rng(seed), said, layout=layout, dark=dark, tilt=tilt)


def test_an_eid_wrapped_after_its_15th_digit_is_no_imei_in_text():
    assert luhn.is_valid(WRAPPED_AT_15[0])
    first, rest = WRAPPED_AT_15
    assert ocr.imeis_in_text(f"EID\n{first}\n{rest}") == []
    assert ocr.imeis_in_text(f"{first}\n{rest}") == []  # no label read: the wrap alone says it is one number
    assert ocr.imeis_in_text(f"IMEI\n{IMEI_KNOWN_TAC}\nEID\n{first}\n{rest}\nDismiss") == [IMEI_KNOWN_TAC]
    assert ocr.imeis_in_text(f"IMEI\n{first}") == [first]  # the same digits shown as an IMEI are one
    assert ocr.imeis_in_text(f"{IMEI_KNOWN_TAC}\n{IMEI_UNKNOWN_TAC}") == [IMEI_KNOWN_TAC, IMEI_UNKNOWN_TAC]


def test_no_window_of_a_longer_run_and_no_run_glued_to_a_letter_is_an_imei():
    eid = next("89" + f"{n:030d}" for n in range(10**12, 10**13) if luhn.is_valid(("89" + f"{n:030d}")[17:]))
    assert ocr.imeis_in_text(f"{eid[:17]}\n{eid[17:]}") == []  # wrapped after its 17th: the rest is 15, valid
    assert ocr.imeis_in_text(eid) == []
    assert ocr.imeis_in_text(f"{EID[:15]}S{EID[16:]}") == []  # a digit misread as a letter inside the EID
    assert ocr.imeis_in_text(f"MEID\n{IMEI_KNOWN_TAC}") == []  # under a decoy label up to the next label
    assert ocr.imeis_in_text(f"IMEI 2 {IMEI_KNOWN_TAC[:14]}") == []  # the label's 2 and 14 digits read


def test_labels_as_phones_write_them_and_as_ocr_misreads_them():
    grouped = _grouped(IMEI_UNKNOWN_TAC)
    assert ocr.imeis_in_text(f"IMEI (emplacement 1) {IMEI_KNOWN_TAC}\nIMEI (emplacement 2) {grouped}") == [
        IMEI_KNOWN_TAC, IMEI_UNKNOWN_TAC]
    assert ocr.imeis_in_text(f"lMEl2: {IMEI_KNOWN_TAC}/01") == [IMEI_KNOWN_TAC]
    lines = [imei_screen.parse_line(text) for text in ("IMEI", "IMEI 1", grouped, "IMEI 2", "EID", EID)]
    assert imei_screen.imei_labels(lines) == 2  # a title "IMEI" over the labels announces nothing


@pytest.mark.parametrize("layout", ["ios", "android"])
def test_a_wrapped_eid_in_a_photo_is_no_imei(layout):
    first, rest = WRAPPED_AT_15
    imei = IMEI_KNOWN_TAC
    value = _grouped(imei) if layout == "ios" else imei
    labelled = _screen([("IMEI", "label"), (value, "value"), ("EID", "label"), (first, "value"), (rest, "value"),
                        ("OK", "button")], [imei], layout, dark=False, tilt=6, seed=1)
    assert ocr.read_imeis(labelled.image) == [imei]
    unlabelled = _screen([("Device Info", "title"), (first, "value"), (rest, "value"), ("OK", "button")], [],
                         layout, dark=True, tilt=-6, seed=2)
    assert ocr.read_imeis(unlabelled.image) == []
    # the same first line alone under an IMEI label is read: what keeps it out above is the wrap, not the reading
    alone = _screen([("IMEI", "label"), (first, "value"), ("OK", "button")], [first], layout, dark=True, tilt=-6,
                    seed=2)
    assert ocr.read_imeis(alone.image) == [first]


@pytest.mark.parametrize(("layout", "tilt"), [("ios", 10), ("android", -10)])
def test_a_tilted_dark_mode_photo_of_a_phone_in_a_hand_reads_its_two_imeis(layout, tilt):
    first, second = IMEI_UNKNOWN_TAC, IMEI_KNOWN_TAC
    shown = _grouped if layout == "ios" else str
    photo = _screen([("IMEI", "label"), (shown(first), "value"), ("IMEI2", "label"), (shown(second), "value"),
                     ("EID", "label"), (EID, "value"), ("Dismiss", "button")], [first, second], layout, dark=True,
                    tilt=tilt, seed=3)
    assert photo.traits["dark"] and photo.traits["tilt"] == tilt
    assert photo.image.shape[0] * photo.image.shape[1] > 1_000_000  # the phone is a part of a bigger photo
    assert ocr.read_imeis(photo.image) == [first, second]


def test_a_few_photos_from_the_wide_generator_read_exactly():
    rng = np.random.default_rng(31)  # neither the benchmark's main seed nor its held-back one
    screens = [make_screen(rng) for _ in range(6)]
    results = [(screen, ocr.read_imeis(screen.image)) for screen in screens]
    assert [got for _, got in results] == [screen.imeis for screen in screens], [s.traits for s, _ in results]
    assert any(screen.traits["dark"] for screen in screens) and any(len(screen.imeis) == 2 for screen in screens)

