"""Issue 29 (the second outside attack run), area A: pictures. One test per finding, named after it, against the real
kiosk and HQ processes over HTTP, as the attacker sent them."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from hq.services.staff import add_staff
from testing.hostile import AT_ONCE, Browser, blank_png, hq_staff, kiosk_staff, probe_picture_uploads, quoted_over_http
from testing.processes import hq_process, kiosk_process, peak_rss_mb
from testing.samples import IMEI_KNOWN_TAC, PIN
from tests.hq_fixtures import create_hq_app

HQ_PIN = "135790"
STICKER = "TI-7K4Q-2M9C"
LONGEST_TAKEN = (1024, 8192)  # 1:8, 8192 px a side: hardware.uploads' bounds
# Peak memory, measured on the fixed code (2 shared cores, three runs): the kiosk 235-265 MB and HQ 178-183 MB once
# everything below went through (Tesseract and the decoder loaded, the longest picture still taken read three times at
# once). The unbounded code reached 5.4 GB and 1.3 GB on these pictures. The margins absorb a library update, not
# a working copy past hardware.uploads' budget (12 MP; OCR's copy of the longest picture taken is 900 × 7200).
KIOSK_PEAK_MB = 400
HQ_PEAK_MB = 300


@pytest.fixture
def hq_serving(tmp_path):
    """HQ as its own process, in English, with a receiver made through HQ's own code before it starts."""
    setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    add_staff(setup.extensions["hq.storage"], "Inès Moreau", "receiver", HQ_PIN)
    with hq_process(tmp_path / "hq", LANGUAGE="en") as (base, process):
        yield base, process


def _normal_photos() -> tuple[bytes, bytes]:
    """A photo of a *#06# screen (no barcode: read by Tesseract, the path the attack took) for the kiosk's routes,
    a bag sticker's QR code for HQ's."""
    import cv2
    import numpy as np
    import qrcode
    from PIL import Image, ImageDraw, ImageFont

    from testing.imei_screens import fonts

    screen = Image.new("RGB", (1080, 320), (246, 246, 248))
    ImageDraw.Draw(screen).multiline_text((60, 60), f"IMEI\n{IMEI_KNOWN_TAC}", fill=(20, 20, 24), spacing=46,
                                          font=ImageFont.truetype(str(fonts()[0]), 44))
    photo = cv2.GaussianBlur(cv2.cvtColor(np.array(screen), cv2.COLOR_RGB2BGR), (0, 0), 0.6)
    sticker = io.BytesIO()
    qrcode.make(f"BAG:{STICKER}", border=4, box_size=8).save(sticker, format="PNG")
    return cv2.imencode(".jpg", photo)[1].tobytes(), sticker.getvalue()


def _read_normally(routes: dict[str, tuple]) -> dict[str, tuple[int, bool]]:
    """Each route's answer to a normal photo, and whether it read it: the staff snapshot and the customer's photo
    go on with the IMEI (303), the hardware page shows it, HQ names the bag (unknown there: a 422 in words), the
    seller form fills in the passport's number from its machine-readable zone."""
    from testing.mrz_documents import passport_photo

    screen, sticker = _normal_photos()
    passport, truth = passport_photo(3)
    answers = {}
    for name, (browser, path, *named) in routes.items():
        photo = sticker if "/hq/" in path else passport if named else screen
        response = browser.post(path, files={named[0] if named else "image": ("photo", photo)})
        read = {"/hq/checkin/photo": STICKER in response.text,
                "/hardware/camera": f"IMEI {IMEI_KNOWN_TAC}" in response.text}.get(path, response.status_code == 303)
        answers[name] = (response.status_code, f'value="{truth.number}"' in response.text if named else read)
    return answers


def _largest_accepted_at_once(routes: dict[str, tuple[Browser, str]]) -> dict[str, list[int]]:
    """The longest picture still taken (1:8, 8192 px: decoded, searched for codes, read by Tesseract within the
    working budget), AT_ONCE together on each route: each answer's status (nothing to read on it: 422)."""
    picture = blank_png(*LONGEST_TAKEN)
    with ThreadPoolExecutor(AT_ONCE) as pool:
        return {name: list(pool.map(lambda _, b=browser, p=path: b.post(p, files={"image": ("p.png", picture)})
                                    .status_code, range(AT_ONCE))) for name, (browser, path) in routes.items()}


def test_high_1_a_1_kb_50_by_80000_png_is_refused_on_every_picture_route_without_the_memory_it_claims(
        tmp_path, hq_serving):
    """The 50 × 80,000 and 100 × 40,000 PNGs, alone and three at once, on the kiosk's four picture routes (the ID
    document's photo on the seller form too: hardware.uploads.decode_bounded decodes them all) and HQ's:
    a 4xx naming their size (probe_picture_uploads), in the reader's language; the longest picture still taken,
    three at once, read within bounded memory; a normal photo read afterwards on every route."""
    hq_base, hq = hq_serving
    with kiosk_process(tmp_path / "kiosk", DEMO="true", DEMO_PIN=PIN, PRINTER_DRIVER="dummy") as (base, kiosk):
        staff = kiosk_staff(base, "Camille Martin", PIN)
        customer = Browser(base)
        customer.get("/customer/")
        assert customer.post("/customer/start", {"kind": "phone"}).status_code == 303
        customer.get("/customer/device")
        receiver = hq_staff(hq_base, "Inès Moreau", HQ_PIN)
        quoted = quoted_over_http(staff, IMEI_KNOWN_TAC)
        routes = {"staff snapshot": (staff, "/scan/image"), "customer photo": (customer, "/customer/device/photo"),
                  "hardware page camera test": (staff, "/hardware/camera"),
                  "ID document photo": (staff, f"/tradeins/{quoted}/seller/document", "document"),
                  "HQ sticker": (receiver, "/hq/checkin/photo")}
        findings = probe_picture_uploads(routes)
        customer.post("/lang", {"lang": "fr", "next": "/customer/device"})
        customer.get("/customer/device")
        thin = {"image": ("p.png", blank_png(50, 80_000))}
        in_french, in_english = customer.post("/customer/device/photo", files=thin), \
            receiver.post("/hq/checkin/photo", files=thin)
        at_the_bounds = _largest_accepted_at_once({name: routes[name] for name in ("customer photo", "HQ sticker")})
        afterwards = _read_normally(routes)
        kiosk_peak, hq_peak = peak_rss_mb(kiosk.pid), peak_rss_mb(hq.pid)
    assert all(f.held for f in findings), "\n".join(f.line() for f in findings)
    assert in_french.status_code == 422 and "trop longue et trop étroite" in in_french.text
    assert in_english.status_code == 422 and "too long and too narrow" in in_english.text
    assert at_the_bounds == {"customer photo": [422] * AT_ONCE, "HQ sticker": [422] * AT_ONCE}, at_the_bounds
    assert all(read for _status, read in afterwards.values()), afterwards  # a normal photo is still read everywhere
    assert kiosk_peak < KIOSK_PEAK_MB and hq_peak < HQ_PEAK_MB, (kiosk_peak, hq_peak)
