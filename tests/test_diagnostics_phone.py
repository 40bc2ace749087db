"""The phone test as a customer runs it (issue 33, item 3): HQ's page in headless Chromium emulating a phone (390 x 844,
touch, mobile), real touch events (a tap on every square of the grid; two fingers at once through CDP's
Input.dispatchTouchEvent), the colour screens, Chromium's fake camera and a fake microphone fed a WAV file, the motion
sensors through CDP's sensor overrides; and the clerk's checklist, in another browser context, pre-answered when the
report comes. Chromium treats http://127.0.0.1 as a secure context, so the page gets its camera and microphone over
loopback here; a plain http:// name on the shop's network gets none (checked below).

Chromium's own fake microphone plays a click every half second, never what the page plays (its capture is not wired
to its output): our tone cannot loop back through it. The test therefore writes a WAV of the tone HQ drew for the link
and gives it to Chromium (--use-file-for-fake-audio-capture): what is tested is the page's play-and-detect chain and
HQ's judgement, against a known tone, and that a wrong tone fails; not a real speaker and microphone."""

from __future__ import annotations

import math
import re
import struct
import wave
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from hq import create_app as create_hq_app
from testing.samples import PERFECT_PHONE
from tests.browser import chromium, live_server, new_page, screenshot
from tests.conftest import make_app
from tests.test_browser import sign_in
from tests.test_counter import to_checklist

pytestmark = pytest.mark.browser

FAKE_MEDIA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--autoplay-policy=no-user-gesture-required")
PIXEL_7 = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile " \
          "Safari/537.36"
SENSORS = ("accelerometer", "linear-acceleration", "gravity", "gyroscope")


def tone_wav(path: Path, hz: float, seconds: int = 3, rate: int = 48_000) -> Path:
    """A pure tone, what a phone's microphone hears of its own speaker (Chromium loops the file)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(14_000 * math.sin(2 * math.pi * hz * i / rate)))
                                 for i in range(rate * seconds)))
    return path


def phone(browser):
    """A Pixel 7-like phone held upright: 390 x 844, touch, mobile; its sensors giving readings (CDP overrides,
    set before the page listens)."""
    page = new_page(browser, 390, 844, is_mobile=True, has_touch=True, device_scale_factor=3, user_agent=PIXEL_7,
                    screen={"width": 390, "height": 844},
                    permissions=["camera", "microphone", "accelerometer", "gyroscope"])
    cdp = page.context.new_cdp_session(page)
    for sensor in SENSORS:
        cdp.send("Emulation.setSensorOverrideEnabled", {"enabled": True, "type": sensor})
        cdp.send("Emulation.setSensorOverrideReadings", {"type": sensor, "reading": {"xyz": {
            "x": 0.12, "y": 9.78 if sensor in ("accelerometer", "gravity") else 0.3, "z": 0.21}}})
    return page, cdp


def step(page, name: str):
    section = page.locator(f"[data-step='{name}']")
    expect(section).to_be_visible(timeout=15_000)
    return section


def tap_every_square(page, halfway_shot: str | None = None) -> None:
    box = page.locator("[data-grid]").bounding_box()
    columns, rows = 6, 10
    for index in range(columns * rows):
        row, column = divmod(index, columns)
        page.touchscreen.tap(box["x"] + (column + 0.5) * box["width"] / columns,
                             box["y"] + (row + 0.5) * box["height"] / rows)
        if index == columns * rows // 2 - 1 and halfway_shot:
            expect(page.locator("[data-touched]")).to_have_text("30")
            screenshot(page, halfway_shot)


def two_fingers(page, cdp) -> None:
    box = page.locator("[data-touch-box]").bounding_box()
    y = box["y"] + box["height"] / 2
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [
        {"x": box["x"] + 60, "y": y, "id": 0}, {"x": box["x"] + box["width"] - 60, "y": y, "id": 1}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def outcomes(page) -> dict[str, str]:
    rows = page.locator("[data-summary] tr[data-test]")
    return {rows.nth(i).get_attribute("data-test"): rows.nth(i).locator("[data-outcome]").get_attribute("class")
            for i in range(rows.count())}


def test_a_customers_phone_runs_every_test_and_the_clerks_checklist_is_pre_answered(tmp_path: Path, db_of):
    hq = create_hq_app({"DATABASE_URL": "", "DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    store = hq.extensions["hq.storage"].add_store("Boutique Démo Paris 11e")
    with live_server(hq) as hq_base:
        app = make_app(tmp_path / "kiosk", SYNC_URL=hq_base, SYNC_STORE_ID=store[0], SYNC_SECRET=store[1])
        with live_server(app) as base:
            run_the_test(app, base, tmp_path, db_of)


def run_the_test(app, base: str, tmp_path: Path, db_of) -> None:
    with chromium(*FAKE_MEDIA) as plain:
        clerk = new_page(plain, 1280, 800)
        sign_in(clerk, base)
        uuid = to_checklist(_client(app), 601)
        clerk.goto(f"{base}/tradeins/{uuid}/checklist")
        clerk.get_by_role("button", name="Show the QR code").click()
        url = clerk.locator("#device-test-url").inner_text()
        expect(clerk.locator("#device-test-status")).to_contain_text("Waiting for the phone's results")
        clerk.get_by_label("Light scratches").check()  # the clerk goes on while the customer tests the phone
        screenshot(clerk, "diag-clerk-1-qr")
        tone = int(re.search(r'data-tone="(\d+)"', requests.get(url, timeout=5).text).group(1))
        customer_tests_the_phone(url, tone, tmp_path)
        # the clerk's page, left open: its panel asks every 3 s, and the report's answers are chosen in the form
        expect(clerk.locator("#device-test-summary")).to_contain_text("7 passed, 1 failed", timeout=10_000)
        expect(clerk.locator("input[name=display_works][value=no]")).to_be_checked()
        expect(clerk.locator("input[name=screen][value=light_scratches]")).to_be_checked()  # the clerk's, kept
        expect(clerk.locator("#q-display_works")).to_have_class(re.compile("device-tested"))
        clerk.get_by_label("Battery health, in percent?").fill(PERFECT_PHONE["battery_health"])
        clerk.locator("#device-test details").evaluate("details => details.open = true")
        screenshot(clerk, "diag-clerk-2-pre-answered")
        clerk.get_by_role("button", name="Quote").first.click()
        clerk.wait_for_url(re.compile(r"/quote$"))
    row = db_of(app).execute("SELECT detail FROM audit_log WHERE action = 'device_test_checked' AND tradein_uuid = ?",
                             [uuid]).fetchone()
    assert '"display_works": {"clerk": "no", "device": "failed", "pre_answer": "no"}' in row[0]


def customer_tests_the_phone(url: str, tone: int, tmp_path: Path) -> None:
    with chromium(*FAKE_MEDIA, f"--use-file-for-fake-audio-capture={tone_wav(tmp_path / 'tone.wav', tone)}") as browser:
        page, cdp = phone(browser)
        page.goto(url)
        screenshot(page, "diag-phone-0-intro")
        page.get_by_role("button", name="Start the test").tap()
        step(page, "touch-help").get_by_role("button", name="Show the squares").tap()
        tap_every_square(page, "diag-phone-1-touch-half")
        step(page, "multitouch")
        two_fingers(page, cdp)
        step(page, "dead_pixels").get_by_role("button", name="Show the colours").tap()
        for colour in ("red", "green", "blue", "white", "black"):
            expect(page.locator(f"[data-step='colour'][data-colour='{colour}']")).to_be_visible()
            if colour == "green":
                screenshot(page, "diag-phone-2-colour")
            page.get_by_role("button", name="I see a spot" if colour == "white" else "I see no spot").tap()
        step(page, "audio").get_by_role("button", name="Play and listen").tap()
        step(page, "cameras").get_by_role("button", name="Open the cameras").tap()
        vibration = step(page, "vibration")
        vibration.get_by_role("button", name="Vibrate").tap()
        vibration.get_by_role("button", name="Yes").tap()
        step(page, "motion").get_by_role("button", name="Check the sensors").tap()
        step(page, "done")
        assert outcomes(page) == {
            "touch": "passed", "multitouch": "passed", "dead_pixels": "failed", "audio": "passed",
            "camera_front": "passed", "camera_back": "passed", "vibration": "passed", "motion": "passed",
            "battery": "info", "screen": "info"}
        screenshot(page, "diag-phone-3-summary")
        page.reload()  # the link is used: the page says so
        expect(page.locator("#refused")).to_contain_text("This test link was already used")
        screenshot(page, "diag-phone-4-used")


def _client(app):
    """The clerk's own session, for driving the flow to the checklist through its HTTP routes."""
    from tests.conftest import KioskClient

    client = KioskClient(app.test_client())
    client.login(app)
    return client


def hq_with_a_link(tmp_path: Path):
    """HQ with one store and one open test link, registered as a terminal would (its service, no kiosk needed)."""
    from hq.services import device_tests as links

    hq = create_hq_app({"DATABASE_URL": "", "DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    storage = hq.extensions["hq.storage"]
    store_id, _ = storage.add_store("Boutique Démo Paris 11e")
    token = "T" * 43
    answer = links.register(storage, store_id, {"token_sha256": links.token_hash(token), "minutes": 15,
                                                "tradein_uuid": "7f0d2a4e-9c1b-4f55-8a51-0c8f1f3d2b10"}, 60)
    return hq, token, answer["tone_hz"]


def test_a_wrong_tone_fails_the_loopback(tmp_path: Path):
    hq, token, tone = hq_with_a_link(tmp_path)
    wrong = tone_wav(tmp_path / "wrong.wav", tone * 1.2)  # the microphone hears something, not our tone
    with live_server(hq) as base, chromium(*FAKE_MEDIA, f"--use-file-for-fake-audio-capture={wrong}") as browser:
        page, _ = phone(browser)
        page.goto(f"{base}/device-test/{token}")
        page.get_by_role("button", name="Start the test").tap()
        step(page, "touch-help").get_by_role("button", name="Show the squares").tap()
        step(page, "touch").get_by_role("button", name="Skip").tap()
        for name in ("multitouch", "dead_pixels"):
            step(page, name).get_by_role("button", name="Skip").tap()
        step(page, "audio").get_by_role("button", name="Play and listen").tap()
        for name in ("cameras", "vibration", "motion"):
            step(page, name).get_by_role("button", name="Skip").tap()
        step(page, "done")
        found = outcomes(page)
    assert found["audio"] == "failed" and found["touch"] == found["camera_back"] == "not_run"


def test_over_plain_http_on_the_shops_network_the_page_gets_no_camera_microphone_or_sensors(tmp_path: Path):
    hq, token, _ = hq_with_a_link(tmp_path)
    with live_server(hq) as base:
        port = base.rsplit(":", 1)[1]
        # a name on the shop's network, not the loopback: Chromium does not count it as a secure context
        with chromium(*FAKE_MEDIA, "--host-resolver-rules=MAP terminal.shop.lan 127.0.0.1") as browser:
            page, _ = phone(browser)
            page.goto(f"http://terminal.shop.lan:{port}/device-test/{token}")
            assert page.evaluate("[window.isSecureContext, typeof navigator.mediaDevices]") == [False, "undefined"]
            expect(page.locator("[data-insecure]")).to_be_visible()
            expect(page.locator("[data-insecure]")).to_contain_text("This page is not secure (not HTTPS)")
