"""The self-service kiosk in a real headless Chromium: a customer's estimate by touch alone, the
clerk's pick-up with a changed answer on screen and receipt, the idle wipe and the back button."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from testing.samples import ADULT_SELLER, IMEI_UNKNOWN_TAC, PERFECT_PHONE
from tests.browser import chromium, live_server, new_page, screenshot
from tests.conftest import make_app
from tests.test_browser import fill_seller, settled, sign_in

pytestmark = pytest.mark.browser
# Portrait totem and landscape counter tablet: the two screens partner shops use.
VIEWPORTS = {"portrait": (1080, 1920), "landscape": (1280, 800)}


def customer_estimate(page, base: str, shots: str | None = None) -> str:
    """Tap through an estimate (light scratches declared) and take the ticket; returns its code."""
    def shot(name: str) -> None:
        if shots:
            screenshot(page, f"customer-{shots}-{name}")
        if page.viewport_size["height"] >= 1500:  # the portrait totem: no step scrolls (issue 17, item 11)
            overflow = page.evaluate("document.documentElement.scrollHeight - innerHeight")
            assert overflow <= 0, f"{name} runs {overflow}px past the screen"

    page.goto(base + "/customer/")
    shot("01-start")
    page.get_by_role("button", name="A phone").click()
    page.get_by_role("link", name="Apple").click()
    shot("02-brand")
    if page.viewport_size["height"] >= 1500:  # the portrait totem: a brand's models never run off the screen
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
        page.get_by_role("link", name="More models").click()
        expect(page.get_by_role("link", name="iPhone Air")).to_be_visible()  # the rest of the list
        page.get_by_role("link", name="Previous models").click()
    page.get_by_role("link", name="iPhone 12", exact=True).click()
    page.get_by_role("button", name="64 GB").click()
    for question_id, value in {**PERFECT_PHONE, "screen": "light_scratches"}.items():
        expect(page.locator("#question-text")).to_be_visible()
        if question_id == "battery_health":
            for digit in value:  # the on-screen keypad: no keyboard on a kiosk
                page.locator(f'.keypad .key[data-key="{digit}"]').click()
            expect(page.locator("#answer")).to_have_value(value)
            shot("04-keypad")
            if page.viewport_size["height"] >= 1500:  # the portrait totem (issue 17, item 11)
                heights = page.locator(".keypad .key").evaluate_all("keys => keys.map(k => k.offsetHeight)")
                assert min(heights) >= 96, heights  # keys a finger hits without looking twice
                assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")  # no scrolling
            page.get_by_role("button", name="Next").click()
        else:
            if question_id == "screen":
                shot("03-question")
            page.locator(f'button[name="answer"][value="{value}"]').click()
    expect(page.locator("#estimate-range")).to_be_visible()
    shot("05-estimate")
    page.get_by_role("button", name="Get my ticket").click()
    code = page.locator("#ticket-code").inner_text()
    expect(page.get_by_role("status")).to_contain_text("Your ticket is printing")
    shot("06-ticket")
    return code


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_a_customer_gets_a_ticket_by_touch_and_a_clerk_finishes_with_a_changed_answer(app, db, screen):
    width, height = VIEWPORTS[screen]
    with live_server(app) as base, chromium() as browser:
        kiosk = new_page(browser, width, height, has_touch=True)
        code = customer_estimate(kiosk, base, shots=screen)
        assert re.fullmatch(r"E-[0-9A-Z]{6}", code)
        estimate_high = db.execute("SELECT high_minor FROM estimates WHERE code = ?", [code]).fetchone()[0]

        clerk = new_page(browser)
        sign_in(clerk, base)
        clerk.locator("#identifier").fill(code)  # typed, or scanned from the ticket's QR
        clerk.locator("#identifier").press("Enter")
        clerk.wait_for_url(re.compile(rf"/tradeins/pickup/{code}$"))
        expect(clerk.locator("dl.summary")).to_contain_text("Light scratches")
        clerk.locator("#identifier").fill(IMEI_UNKNOWN_TAC)
        clerk.get_by_role("button", name="Start the trade-in").click()
        clerk.wait_for_url(re.compile(r"/device$"))
        expect(clerk.locator("#device_id")).to_have_value(str(db.execute(
            "SELECT device_id FROM estimates WHERE code = ?", [code]).fetchone()[0]))
        expect(clerk.get_by_label("64 GB")).to_be_checked()
        clerk.get_by_role("button", name="Continue to the checklist").click()
        clerk.wait_for_url(re.compile(r"/checklist$"))
        settled(clerk)
        # The customer's answers come pre-selected, marked as theirs; the clerk changes what the device shows.
        expect(clerk.locator('input[name="screen"][value="light_scratches"]')).to_be_checked()
        expect(clerk.locator("#q-screen .customer-said")).to_contain_text("customer's answer")
        expect(clerk.locator('input[name="battery_health"]')).to_have_value(PERFECT_PHONE["battery_health"])
        clerk.locator('input[name="screen"][value="deep_scratches"]').check()
        clerk.get_by_role("button", name="Quote").first.click()
        clerk.wait_for_url(re.compile(r"/quote$"))
        comparison = clerk.locator("section.changed")
        expect(comparison).to_contain_text(f"Customer estimate {code}")
        expect(comparison).to_contain_text("Screen: Light scratches, checked: Deep scratches")
        total = db.execute("SELECT total_minor FROM tradeins WHERE estimate_uuid IS NOT NULL").fetchone()[0]
        drop = estimate_high - total
        expect(comparison).to_contain_text(f"- {drop // 100},{drop % 100:02d}")
        screenshot(clerk, f"customer-{screen}-07-clerk-quote")
        clerk.get_by_role("link", name="Customer accepts: seller details").click()
        fill_seller(clerk)
        clerk.get_by_role("button", name="Accept and save the trade-in").click()
        clerk.wait_for_url(re.compile(r"/tradeins/[0-9a-f-]{36}$"))
        receipt = clerk.locator("article.receipt")
        expect(receipt).to_contain_text("Votre estimation et notre contrôle")  # paper speaks the store's French
        expect(receipt).to_contain_text("Écran : Rayures légères, constaté : Rayures profondes")
        screenshot(clerk, f"customer-{screen}-08-clerk-receipt")
        assert ADULT_SELLER["surname"] not in db.execute("SELECT answers FROM estimates").fetchone()[0]


def test_the_idle_countdown_wipes_the_customer_and_back_shows_nothing(tmp_path, db_of):
    app = make_app(tmp_path / "instance", CUSTOMER_IDLE_SECONDS=2, CUSTOMER_COUNTDOWN_SECONDS=3)
    with live_server(app) as base, chromium() as browser:
        page = new_page(browser, 1080, 1920, has_touch=True)
        page.goto(base + "/customer/")
        page.get_by_role("button", name="A phone").click()
        page.get_by_role("link", name="Apple").click()
        page.get_by_role("link", name="iPhone 12", exact=True).click()
        page.get_by_role("button", name="64 GB").click()
        page.locator('button[name="answer"][value="yes"]').click()
        expect(page.locator("#question-text")).to_contain_text("signed out of your Apple or Google account")
        dialog = page.locator("#idle-dialog")
        expect(dialog).to_be_visible(timeout=6_000)
        expect(dialog).to_contain_text("your answers will be cleared in")
        screenshot(page, "customer-idle-countdown")
        expect(page.get_by_role("heading", name="How much is your device worth?")).to_be_visible(timeout=8_000)
        assert page.url == base + "/customer/"
        assert db_of(app).execute("SELECT count(*) FROM estimates").fetchone()[0] == 0
        page.go_back()
        expect(page.get_by_role("heading", name="How much is your device worth?")).to_be_visible()
        expect(page.locator("#question-text")).to_have_count(0)


def test_touching_the_screen_keeps_the_customer_session(tmp_path):
    app = make_app(tmp_path / "instance", CUSTOMER_IDLE_SECONDS=2, CUSTOMER_COUNTDOWN_SECONDS=30)
    with live_server(app) as base, chromium() as browser:
        page = new_page(browser, 1080, 1920, has_touch=True)
        page.goto(base + "/customer/")
        page.get_by_role("button", name="A phone").click()
        dialog = page.locator("#idle-dialog")
        expect(dialog).to_be_visible(timeout=6_000)
        page.get_by_role("button", name="I am still here").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_role("heading", name="Which model is it?")).to_be_visible()


def test_the_photo_button_sends_the_picture_as_soon_as_it_is_taken(app, tmp_path):
    """The IMEI help on the portrait totem: one large labelled button instead of "Choose File / No file chosen";
    the picture goes as soon as the camera hands it over, and the model it names is chosen (issue 17, item 11)."""
    import cv2
    import numpy as np
    import zxingcpp

    screen = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode("490154203237518", zxingcpp.BarcodeFormat.Code128),
                                             scale=3)
    picture = tmp_path / "imei-screen.png"  # what the *#06# screen shows, photographed
    cv2.imwrite(str(picture), cv2.copyMakeBorder(np.array(screen), 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255))
    with live_server(app) as base, chromium() as browser:
        page = new_page(browser, 1080, 1920, has_touch=True)
        page.goto(base + "/customer/")
        page.get_by_role("button", name="A phone").click()
        page.get_by_text("Not sure? Identify it by its IMEI").click()
        button = page.locator("label.photo-button")
        expect(button).to_have_text("Take a picture of the *#06# screen")
        assert button.bounding_box()["height"] >= 72
        assert page.locator("#photo").bounding_box()["width"] <= 1  # the browser's raw input is not what shows
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")  # brands step aside
        expect(page.get_by_role("button", name="Read the IMEI from the picture")).to_be_hidden()  # sent at once
        screenshot(page, "customer-portrait-02b-imei-help")
        with page.expect_file_chooser() as chooser:
            button.click()  # the label opens the camera (here: the file chooser)
        chooser.value.set_files(str(picture))  # no further press: the picture is sent at once
        expect(page.locator("#storage-title")).to_contain_text("iPhone")
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
