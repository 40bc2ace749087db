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
from PIL import Image

from core.identity_documents import NAMES_NOTE, issuer_name, seller_fields
from core.seller import parse_seller
from hardware import mrz_fields, mrz_parse
from hardware.ocr import read_mrz
from hardware.uploads import MAX_WORKING_PIXELS, PictureRefused, check_picture
from testing.mrz_documents import LAYOUTS, make_document, passport_photo

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


def test_a_name_read_two_ways_is_no_name_and_a_misread_digit_no_date():
    lines = ("P<FRAMARTIN<<ELODIE".ljust(44, "<"), "18CV123453FRA8503127F3001019<<<<<<<<<<<<<<04")
    read = mrz_parse.parse_mrz(lines, TODAY)
    assert read.surname == "MARTIN" and read.number == "18CV12345" and read.birth_date == date(1985, 3, 12)
    other_name = (lines[0].replace("ELODIE", "ELOOIE"), lines[1])
    assert mrz_parse.parse(mrz_fields.reading([lines, other_name]), TODAY) is None
    wrong_digit = (lines[0], lines[1].replace("850312", "850812"))
    assert mrz_parse.parse_mrz(wrong_digit, TODAY) is None
    # two readings, one with the birth date misread: the other's, which passes its check digit, is kept
    assert mrz_parse.parse(mrz_fields.reading([lines, wrong_digit]), TODAY) == read


def test_look_alikes_side_by_side_that_no_check_digit_tells_apart_leave_the_number_unread():
    """II and 11 at weights 7 and 3 have the same check digit: when their shape says nothing, no number."""
    assert mrz_fields.unnoticed_swap("29UKM711G", [6, 7])
    assert not mrz_fields.unnoticed_swap("29UKM711G", [6])  # one alone: the check digit tells
    assert mrz_fields.unnoticed_swap("RWUDW3GN1", [6])  # a G for a 6: no check digit tells


@pytest.mark.parametrize("picture", [
    np.full((900, 1200, 3), 255, np.uint8),  # a blank page
    np.zeros((1, 1, 3), np.uint8),  # one pixel
    np.random.default_rng(7).integers(0, 256, (600, 800), dtype=np.uint8),  # noise
    np.full((20, 4000), 128, np.uint8),  # a strip no photo has the shape of
    np.zeros((400, 600, 3), np.float32),  # not 8-bit pixels
    np.zeros((400, 600, 2), np.uint8),  # two channels
], ids=["blank", "one-pixel", "noise", "strip", "float", "two-channels"])
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
    completed = {**fields, "address": "3 place de la République, 75003 Paris", "id_doc_issued_on": "01/06/2021",
                 "payout_method": "store_credit"}
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
