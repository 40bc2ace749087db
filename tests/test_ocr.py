"""Reading the *#06# screen (issue 15, item 4): hardware.ocr on photos the tests render (fonts, sizes, light and
dark screens, rotation, blur), on three phone screens laid out as iOS and Android show them (rendered by
Chromium, then photographed), and through both upload routes. A wrong check digit, the 32-digit EID and the
14-digit MEID are never taken for an IMEI."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from hardware import ocr
from testing.imei_screens import fonts, make_screen, random_imei
from testing.samples import IMEI_KNOWN_TAC, IMEI_UNKNOWN_TAC
from tests.browser import ARTIFACTS, chromium, new_page


def _photo(text_lines: list[str], dark: bool = False, font: int = 0, size: int = 44) -> np.ndarray:
    page = Image.new("RGB", (1080, 140 + 90 * len(text_lines)), (18, 18, 22) if dark else (246, 246, 248))
    draw, face = ImageDraw.Draw(page), ImageFont.truetype(str(fonts()[font]), size)
    for n, line in enumerate(text_lines):
        draw.text((60, 60 + 90 * n), line, font=face, fill=(235, 235, 235) if dark else (20, 20, 24))
    return cv2.GaussianBlur(cv2.cvtColor(np.array(page), cv2.COLOR_RGB2BGR), (0, 0), 0.6)


def test_the_imeis_of_rendered_screens_are_read_in_order_and_nothing_else():
    rng = np.random.default_rng(15)
    screens = [make_screen(rng, tier) for tier in ("easy", "medium", "hard") for _ in range(6)]
    results = [(screen, ocr.read_imeis(screen.image)) for screen in screens]
    wrong = [got for screen, got in results for imei in got if imei not in screen.imeis]
    exact = sum(got == screen.imeis for screen, got in results)
    assert wrong == [] and exact >= 16, [(s.imeis, got) for s, got in results if got != s.imeis]
    assert any(len(s.imeis) == 2 for s, _ in results) and any(s.decoys for s, _ in results)


@pytest.mark.parametrize("dark", [False, True])
def test_a_wrong_check_digit_an_eid_and_a_meid_are_never_an_imei(dark):
    good = random_imei(np.random.default_rng(4))
    bad = good[:14] + str((int(good[14]) + 1) % 10)
    eid = "89049032004008882600012345678901"
    for font in range(min(3, len(fonts()))):
        assert ocr.read_imeis(_photo(["IMEI", bad, "EID", eid, "MEID", "35209900176148"], dark, font)) == []
        assert ocr.read_imeis(_photo(["IMEI", good, "EID", eid[:16] + " " + eid[16:]], dark, font)) == [good]


# Three screens as phones lay them out (Chromium renders the text, the "camera" then photographs the screen).
PHONE_SCREENS = {
    "ios-light": ("""<div style="background:#f2f2f7;font:17px -apple-system,'Liberation Sans',sans-serif;padding:40px">
      <div style="background:#fff;border-radius:14px;padding:24px;text-align:center;width:270px;margin:120px auto">
      <b style="font-size:17px">IMEI</b><p style="font-size:13px">35 209900 176148 1</p>
      <b style="font-size:17px">IMEI2</b><p style="font-size:13px">49 015420 323751 8</p>
      <b style="font-size:17px">EID</b><p style="font-size:13px">89049032004008882600012345678901</p>
      <hr><span style="color:#007aff">Dismiss</span></div></div>""", [IMEI_UNKNOWN_TAC, IMEI_KNOWN_TAC]),
    "android-dark": ("""<div style="background:#1c1b1f;color:#e6e1e5;font:16px 'DejaVu Sans',sans-serif;padding:40px">
      <div style="background:#2b2930;border-radius:28px;padding:24px;width:300px;margin:120px auto">
      <h3 style="font-weight:400">IMEI</h3><p>IMEI1: 356938035643809</p><p>IMEI2: 490154203237518</p>
      <p>MEID: A0000012345678</p><p style="text-align:right;color:#d0bcff">OK</p></div></div>""",
                     ["356938035643809", IMEI_KNOWN_TAC]),
    "samsung-light": ("""<div style="background:#fafafa;font:18px 'Liberation Serif',serif;padding:40px">
      <div style="background:#fff;padding:28px;width:320px;margin:160px auto;border:1px solid #ddd">
      <p>IMEI</p><p>490154203237518/01</p><p style="text-align:right">OK</p></div></div>""", [IMEI_KNOWN_TAC]),
}


@pytest.mark.browser
def test_three_phone_like_screens_photographed_are_read():
    with chromium() as browser:
        page = new_page(browser, 420, 760)
        for name, (html, expected) in PHONE_SCREENS.items():
            page.set_content(f"<body style='margin:0'>{html}</body>")
            shot = cv2.imdecode(np.frombuffer(page.screenshot(), np.uint8), cv2.IMREAD_COLOR)
            photo = cv2.GaussianBlur(cv2.resize(shot, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), (0, 0), 0.8)
            turned = cv2.warpAffine(photo, cv2.getRotationMatrix2D((420, 760), 2.0, 1.0), photo.shape[1::-1],
                                    borderMode=cv2.BORDER_REPLICATE)
            cv2.imwrite(str(ARTIFACTS / f"ocr-{name}.png"), turned)
            assert ocr.read_imeis(turned) == expected, name


def test_both_upload_routes_read_the_screen_when_it_shows_no_barcode(app, staff, db):
    from tests.test_customer import customer, start

    photo = cv2.imencode(".jpg", _photo(["IMEI 1", IMEI_KNOWN_TAC, "IMEI 2", IMEI_UNKNOWN_TAC]))[1].tobytes()
    kiosk = customer(app)
    start(kiosk)
    found = kiosk.post("/customer/device/photo", {"image": (io.BytesIO(photo), "screen.jpg")},
                       content_type="multipart/form-data")
    assert found.status_code == 303 and "model=" in found.headers["Location"]  # the model its TAC names
    snapped = staff.post("/scan/image", {"image": (io.BytesIO(photo), "screen.jpg")},
                         content_type="multipart/form-data")
    assert snapped.status_code == 303 and snapped.headers["Location"].endswith(f"/device?imei2={IMEI_UNKNOWN_TAC}")
    assert db.execute("SELECT imei FROM tradeins").fetchall() == [(IMEI_KNOWN_TAC,)]
    device_page = staff.get(snapped.headers["Location"]).get_data(as_text=True)
    assert f'value="{IMEI_UNKNOWN_TAC}"' in device_page  # the second IMEI waits in its field, to be checked


def test_the_hardware_page_camera_test_reads_a_screen_without_barcode(staff):
    """The camera check tests the device: a real photo of a *#06# screen reads as its IMEI."""
    photo = cv2.imencode(".jpg", _photo(["IMEI", IMEI_KNOWN_TAC]))[1].tobytes()
    page = staff.post("/hardware/camera", {"image": (io.BytesIO(photo), "screen.jpg")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert f"IMEI {IMEI_KNOWN_TAC}" in page


def test_a_label_number_on_the_same_line_is_not_part_of_the_imei():
    grouped = f"{IMEI_UNKNOWN_TAC[:2]} {IMEI_UNKNOWN_TAC[2:8]} {IMEI_UNKNOWN_TAC[8:14]} {IMEI_UNKNOWN_TAC[14]}"
    assert ocr.imeis_in_text(f"IMEI 1 {IMEI_KNOWN_TAC}\nIMEI 2 {grouped}") == [IMEI_KNOWN_TAC, IMEI_UNKNOWN_TAC]
    assert ocr.imeis_in_text("EID 8904 9032 0040 0888 2600 0123 4567 8901") == []  # groups of four: never 15
    assert ocr.imeis_in_text(f"{IMEI_KNOWN_TAC} {IMEI_UNKNOWN_TAC}") == []  # two IMEIs run together: not guessed
