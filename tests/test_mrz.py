"""Reading an identity document's machine-readable zone with the camera (issue 31, item 2): hardware.ocr.read_mrz on
documents testing/mrz_documents.py renders (a passport, a 2021 identity card or residence permit, a French identity
card of 1988–2021), flat and photographed; a number printed wrong is never read as a number; what is no picture of a
document is refused without raising; and core.identity_documents fills the seller form the kiosk checks."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import cv2
import numpy as np
import pytest
from mrz.base.functions import hash_string
from PIL import Image, ImageDraw, ImageFont

from core.identity_documents import NAMES_NOTE, issuer_name, seller_fields
from core.seller import parse_seller
from hardware import mrz_cells, mrz_fields, mrz_glyphs, mrz_parse
from hardware.mrz_checks import another_passes
from hardware.ocr import read_mrz
from hardware.uploads import MAX_WORKING_PIXELS, PictureRefused, check_picture
from testing.mrz_documents import LAYOUTS, OCR_B_SHARP, make_document, passport_photo

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("photographed", [False, True], ids=["rendered", "photographed"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_format_is_read_exactly_flat_and_photographed(layout, photographed):
    document = make_document(np.random.default_rng(3), layout, photographed)
    assert read_mrz(document.image, TODAY) == document.truth
    assert read_mrz(cv2.cvtColor(document.image, cv2.COLOR_BGR2GRAY), TODAY) == document.truth  # gray as well


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_number_printed_with_one_character_changed_is_never_read(layout):
    """Its check digit no longer matches: the reading gives nothing (never the number as printed, nor a guess)."""
    for seed in range(1, 5):
        for photographed in (False, True):
            document = make_document(np.random.default_rng(seed), layout, photographed, tamper=True)
            assert read_mrz(document.image, TODAY) is None, (seed, photographed, document.lines)


def _glyph_scores(lines, runner_up=None):
    """Likeness to OCR-B's glyphs as hardware.mrz_glyphs gives it for each cell of these lines: its own character's
    0.9, the others' 0.5; `runner_up` {(line, cell): character} a second one at 0.88, closer than mrz_glyphs.CLOSE."""
    scores = []
    for row, line in enumerate(lines):
        cells = {}
        for col, char in enumerate(line):
            cells[col] = np.full(len(mrz_glyphs.SYMBOLS), 0.5, np.float32)
            cells[col][mrz_glyphs.SYMBOLS.index(char)] = 0.9
            if (row, col) in (runner_up or {}):
                cells[col][mrz_glyphs.SYMBOLS.index(runner_up[row, col])] = 0.88
        scores.append(cells)
    return scores


def _passport(number: str, birth: str = "850312", state: str = "GBR") -> tuple[str, str]:
    """A TD3 zone's lines with their check digits (ICAO 9303 part 4 §4.2.2)."""
    line2 = number + hash_string(number) + state + birth + hash_string(birth) + "M300101" + hash_string("300101")
    line2 += "<" * 14 + "0"
    return ("P<" + state + "SMITH<<JOHN").ljust(44, "<"), line2 + hash_string(line2[0:10] + line2[13:20] + line2[21:43])


def test_a_name_read_two_ways_is_no_name_and_a_misread_digit_no_date():
    lines = ("P<FRAMARTIN<<ELODIE".ljust(44, "<"), "18CV123453FRA8503127F3001019<<<<<<<<<<<<<<04")
    read = mrz_parse.parse_mrz(lines, TODAY)
    assert read.surname == "MARTIN" and read.number == "18CV12345" and read.birth_date == date(1985, 3, 12)
    other_name = (lines[0].replace("ELODIE", "ELOOIE"), lines[1])
    assert mrz_parse.parse(mrz_fields.reading([lines, other_name]), TODAY) is None
    wrong_digit = (lines[0], lines[1].replace("850312", "850812"))
    assert mrz_parse.parse_mrz(wrong_digit, TODAY) is None


def test_the_check_digit_never_chooses_between_readings_a_third_one_does():
    """Two readings, one with the birth date misread: the check digit passes the other's, but it is not asked to
    choose (a misprinted date read alike twice would then pass with a misreading one time in ten); the glyphs,
    a reading of their own, break the tie, and the check digit verifies what they voted."""
    lines = ("P<FRAMARTIN<<ELODIE".ljust(44, "<"), "18CV123453FRA8503127F3001019<<<<<<<<<<<<<<04")
    wrong_digit = (lines[0], lines[1].replace("850312", "850812"))
    assert mrz_parse.parse(mrz_fields.reading([lines, wrong_digit]), TODAY) is None
    read = mrz_parse.parse(mrz_fields.reading([wrong_digit, lines], glyphs=_glyph_scores(lines)), TODAY)
    assert read == mrz_parse.parse_mrz(lines, TODAY)
    # the glyphs sure of the misread digit: their vote fails the check digit, nothing is read
    assert mrz_parse.parse(mrz_fields.reading([lines], glyphs=_glyph_scores(wrong_digit)), TODAY) is None


def test_a_name_the_glyphs_contradict_is_no_name():
    """Tesseract reading a name the same way twice is not enough when the glyphs are sure of another letter (a
    blurred filler Tesseract took for a K, an I it took for an L): no check digit covers a name."""
    lines = _passport("LA8C27Y3K")
    assert mrz_parse.parse(mrz_fields.reading([lines], glyphs=_glyph_scores(lines)), TODAY).surname == "SMITH"
    misread = (lines[0].replace("SMITH<<", "SMITH<K"), lines[1])
    assert mrz_parse.parse(mrz_fields.reading([misread, misread], glyphs=_glyph_scores(lines)), TODAY) is None


def test_a_doubt_no_check_digit_can_see_leaves_the_number_unread():
    """An 8 and an I differ by 10 in the 7-3-1 sum: when the glyphs are not sure which, the number's check digit
    passes either way and cannot vouch for it. An O in doubt with a 0 (24 apart) it can."""
    lines = _passport("LA8C27Y3K")
    assert mrz_parse.parse(mrz_fields.reading([lines], glyphs=_glyph_scores(lines)), TODAY).number == "LA8C27Y3K"
    in_doubt = _glyph_scores(lines, {(1, 2): "I"})
    assert mrz_parse.parse(mrz_fields.reading([lines], glyphs=in_doubt), TODAY) is None
    lines = _passport("LAOC27Y3K")
    told = _glyph_scores(lines, {(1, 2): "0"})
    assert mrz_parse.parse(mrz_fields.reading([lines], glyphs=told), TODAY).number == "LAOC27Y3K"


def test_a_department_code_holds_digits_or_corsicas_letters():
    """The old French card's department (in its line 1 and its number) is digits, or Corsica's 2A and 2B: an O read
    there is a 0, which the composite check digit then verifies."""
    line1 = "IDFRA" + "MARTIN".ljust(25, "<") + "750" + "123"
    number, born = "1203" + "750" + "12345", "800308"
    line2 = number + hash_string(number) + "ELODIE".ljust(14, "<") + born + hash_string(born) + "F"
    lines = (line1, line2 + hash_string(line1 + line2))
    read = mrz_parse.parse_mrz(lines, TODAY)
    assert (read.number, read.surname, read.given_names) == (number, "MARTIN", "ELODIE")
    assert mrz_parse.parse_mrz((line1.replace("750123", "75O123"), lines[1]), TODAY) == read


def test_another_value_passing_is_found_whatever_the_number_of_doubts():
    """II and 11 at weights 7 and 3 have the same check digit, as G and 6 anywhere; one look-alike alone, or an
    O for a 0, changes it."""
    assert another_passes("29UKM711G", ["", "", "", "", "", "", "I", "I", ""])
    assert not another_passes("29UKM711G", ["", "", "", "", "", "", "I", "", ""])
    assert another_passes("RWUDW3GN1", ["", "", "", "", "", "", "6", "", ""])
    assert not another_passes("RWUDW3GN1", ["0", "", "", "O", "", "", "", "", ""])
    # a check digit read two ways: the field with one character changed may pass with the other
    assert another_passes("123456789", ["", "", "", "", "", "", "", "", "0"], digit_alternatives="8")
    assert not another_passes("123456789", ["", "", "", "", "", "", "", "", "0"], digit_alternatives="7")


def test_the_glyphs_tell_look_alikes_apart_on_a_line_seen_at_a_slant():
    """OCR-B's O is wider than its 0, which is taller: a line photographed at a slant narrows both. The cells are
    compared across by the line's own pitch and up by its own height, so a 0 narrowed to four fifths is no O; the
    line is drawn in another cut of OCR-B than the glyphs (square stroke ends), and blurred."""
    text = "O0AO0HQ0KD0XO0EB8MS5NI1TZ2WG6F"  # 30 characters: a TD1 line's width
    font = ImageFont.truetype(str(OCR_B_SHARP), 56)
    picture = Image.new("L", (int(56 * 0.723 * (len(text) + 4)), 100), 235)
    for n, char in enumerate(text):
        ImageDraw.Draw(picture).text((56 * 0.723 * (n + 2), 20), char, font=font, fill=30)
    strip = cv2.resize(
        cv2.GaussianBlur(np.array(picture), (0, 0), 1.8), None, fx=0.8, fy=1.0, interpolation=cv2.INTER_AREA
    )
    cells = mrz_cells.cells_of(strip, 40)
    cells.cells = list(text)  # as Tesseract reads its letters and digits without look-alikes: the line's scale
    scores = mrz_glyphs.scores(cells.blanked, cells.boxes, mrz_glyphs.ems(cells.heights, cells.scale_along()))
    assert "".join(mrz_glyphs.reading(scores[cell], mrz_glyphs.SYMBOLS)[0] for cell in range(len(text))) == text


def test_a_document_on_a_striped_table_is_found():
    """A striped or grained table fills the photo with dark marks the zone's finder keeps as well as print: the
    print is told by its contrast (hardware.mrz_lines._ink_level)."""
    document = make_document(np.random.default_rng(2), "cni", photographed=False)
    height, width = document.image.shape[:2]
    stripes = (np.sin(np.arange(int(width * 1.4)) / 2.0) * 25).astype(np.int16)
    table = np.clip(120 + stripes[None, :, None] + np.zeros((int(height * 1.6), 1, 3), np.int16), 0, 255)
    table = table.astype(np.uint8)
    top, left = (table.shape[0] - height) // 2, (table.shape[1] - width) // 2
    table[top : top + height, left : left + width] = document.image
    assert read_mrz(table, TODAY) == document.truth


@pytest.mark.parametrize(
    "picture",
    [
        np.full((900, 1200, 3), 255, np.uint8),  # a blank page
        np.zeros((1, 1, 3), np.uint8),  # one pixel
        np.random.default_rng(7).integers(0, 256, (600, 800), dtype=np.uint8),  # noise
        np.full((20, 4000), 128, np.uint8),  # a strip no photo has the shape of
        np.zeros((400, 600, 3), np.float32),  # not 8-bit pixels
        np.zeros((400, 600, 2), np.uint8),  # two channels
    ],
    ids=["blank", "one-pixel", "noise", "strip", "float", "two-channels"],
)
def test_what_is_no_photo_of_a_document_reads_as_nothing(picture):
    assert read_mrz(picture) is None


def test_a_picture_of_huge_dimensions_is_refused_before_any_pixel_is_touched():
    huge = np.broadcast_to(np.uint8(255), (60_000, 60_000, 3))  # 10.8 GB if it were real: a view of one byte
    assert huge.shape[0] * huge.shape[1] > MAX_WORKING_PIXELS
    assert read_mrz(huge) is None
    header = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(header, "PNG")  # a small file that claims 400 megapixels
    with pytest.raises(PictureRefused):
        check_picture(header.getvalue())


def test_the_passport_photo_for_the_browser_test_is_an_upload_the_kiosk_accepts_and_reads():
    jpeg, truth = passport_photo(5)
    assert check_picture(jpeg)  # within the upload bounds
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert read_mrz(image, TODAY) == truth and truth.kind == "passport"


def test_what_the_zone_reads_fills_a_seller_form_the_kiosk_accepts_once_completed():
    document = make_document(np.random.default_rng(3), "td1", photographed=True)
    read = read_mrz(document.image, TODAY)
    fields = seller_fields(read, "fr_FR")
    assert fields["id_doc_type"] == read.kind and fields["id_doc_number"] == read.number
    assert fields["birth_date"] == read.birth_date.strftime("%d/%m/%Y")  # as a French clerk types it
    assert fields["address"] == fields["id_doc_issued_on"] == ""  # the zone carries neither
    completed = {
        **fields,
        "address": "3 place de la République, 75003 Paris",
        "id_doc_issued_on": "01/06/2021",
        "payout_method": "store_credit",
    }
    seller = parse_seller(completed, TODAY, "fr_FR")
    assert (seller.surname, seller.birth_date, seller.id_doc_number) == (read.surname, read.birth_date, read.number)
    assert "accents" in str(NAMES_NOTE)


def test_the_issuer_is_the_issuing_state_in_the_store_language():
    assert issuer_name("FRA", "fr_FR") == "République française"
    assert issuer_name("FRA", "en_US") == "French Republic"
    assert issuer_name("D", "fr_FR") == "Allemagne"  # ICAO's code for Germany, not ISO's
    assert issuer_name("GBR", "en_US") == "United Kingdom"
    assert issuer_name("XXA", "fr_FR") == "XXA"  # a stateless person's document names no country
    read = dataclasses.replace(make_document(np.random.default_rng(3), "cni", False).truth, issuing_state="BEL")
    assert seller_fields(read, "en_US")["id_doc_issuer"] == "Belgium"
    assert seller_fields(read, "en_US")["birth_date"] == read.birth_date.strftime("%-m/%-d/%Y")
