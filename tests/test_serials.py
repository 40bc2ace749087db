"""Serial numbers per kind (issue 15, item 3): the makers' published formats (core/data/serials.toml), the
classifier that tells a serial from other codes, and a scanned serial picking its kind (or asking)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.codes import classify
from core.imei import IdentifierError, clean
from core.serials import check_for_model, kinds_of, nintendo_check_digit
from tests.browser import chromium_page, live_server, screenshot
from tests.conftest import model_id
from tests.test_browser import scan, settled, sign_in

SWITCH = "XAW10075273452"  # switchbrew's worked example of the check digit
MISREAD_SWITCH = "XAW10075273453"  # one digit misread


def test_a_nintendo_serials_check_digit_is_the_published_one_and_catches_a_misread_digit():
    assert nintendo_check_digit("1007527345") == "2"
    assert kinds_of(SWITCH) == ("console",)
    assert kinds_of(MISREAD_SWITCH) == ("watch", "console", "tablet")  # no longer recognised: ask the clerk
    check_for_model(SWITCH, "Nintendo", "Switch OLED")
    with pytest.raises(IdentifierError, match="XAW10075273452"):  # the message shows what one looks like
        check_for_model(MISREAD_SWITCH, "Nintendo", "Switch OLED")
    check_for_model("HAB12345678901", "Nintendo", "Switch 2")  # no public format for it: length and characters
    with pytest.raises(IdentifierError):
        check_for_model("E0123456789ABCDEF", "Apple", "Apple Watch Series 10")  # Apple's are 8 to 14 long


def test_the_classifier_tells_a_serial_from_codes_and_noise():
    assert classify("s/n xaw10075273452") == classify(SWITCH)
    assert classify(SWITCH).kind == "serial"
    assert classify("SNH4TF2K9WQ1").value == "SNH4TF2K9WQ1"  # a serial that starts with SN keeps it
    assert clean("SN: H4TF2K9WQ1") == "H4TF2K9WQ1" and clean("Serial H4TF2K9WQ1") == "H4TF2K9WQ1"
    for noise in ("ABCDEFGH", "12345", "HELLO WORLD", "A1", "49015420323751A"):  # the last a misread IMEI
        assert classify(noise).kind != "serial"
    assert classify("490154203237518").kind == "imei" and classify("TI-ABCD-1234").kind == "tradein_code"


def test_a_scanned_serial_picks_its_kind_or_the_clerk_is_asked(app, staff, db):
    started = staff.post("/tradeins", {"device_kind": "phone", "identifier": SWITCH})  # "Phone" left chosen
    assert started.status_code == 303
    assert db.execute("SELECT device_kind, serial, imei FROM tradeins").fetchone() == ("console", SWITCH, None)
    asked = staff.post("/tradeins", {"device_kind": "phone", "identifier": "H4TF2K9WQ1"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422 and "choose whether the device is a watch, a console or a tablet" in page
    assert 'value="H4TF2K9WQ1"' in page  # kept in the field: choose the kind and press Start
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 1
    assert staff.post("/tradeins", {"device_kind": "watch", "identifier": "H4TF2K9WQ1"}).status_code == 303


def test_a_serial_that_does_not_fit_the_chosen_models_format_is_refused_at_the_device_step(app, staff, db):
    started = staff.post("/tradeins", {"device_kind": "console", "identifier": "E01234567Z7"})
    refused = staff.post(started.headers["Location"], {"device_id": model_id(app, "Switch OLED"), "storage_gb": 64})
    assert refused.status_code == 422 and "is not a Nintendo Switch OLED serial number" in refused.get_data(
        as_text=True)
    assert staff.post(started.headers["Location"], {"device_id": model_id(app, "PlayStation 5 Slim"),
                                                    "storage_gb": 1024}).status_code == 303


@pytest.mark.browser
def test_serial_bursts_on_the_home_page_start_a_console_or_ask_the_kind(app, db):
    """A wedge scanner reads the console's label (a Switch: its format says console) and then a watch's (an Apple
    serial could be a watch or a tablet: the start form asks, with the serial kept)."""
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.locator("h1").click()  # outside any field: the burst goes to /scan
        scan(page, SWITCH)
        page.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}/device$"))
        expect(page.locator("#device_id optgroup").first).to_have_attribute("label", "Game consoles")  # consoles first
        screenshot(page, "serial-console-device-step")
        page.goto(base + "/tradeins")
        settled(page)
        page.locator("h1").click()
        scan(page, "H4TF2K9WQ1")
        expect(page.get_by_role("alert")).to_contain_text("watch, a console or a tablet")
        expect(page.locator("#identifier")).to_have_value("H4TF2K9WQ1")
        screenshot(page, "serial-asks-kind")
        page.get_by_role("radio", name="Watch").check()
        page.get_by_role("button", name="Start").click()
        page.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}/device$"))
    assert db.execute("SELECT device_kind, serial FROM tradeins ORDER BY created_at").fetchall() == [
        ("console", SWITCH), ("watch", "H4TF2K9WQ1")]
