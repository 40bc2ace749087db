"""Links to files are downloads, not pages (issue 17, item 3): a boosted link would fetch the PNG through htmx and
show its bytes as text."""

from __future__ import annotations

import pytest

from testing.samples import ADULT_SELLER
from tests.browser import chromium_page, code128_in, live_server, screenshot
from tests.conftest import KioskClient, model_id, run_to_quote
from tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_receipt_as_picture_downloads_a_png(app, tmp_path):
    clerk = KioskClient(app.test_client())
    clerk.login(app)
    uuid = run_to_quote(clerk, device_id=model_id(app))
    assert clerk.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.goto(f"{base}/tradeins/{uuid}")
        with page.expect_download() as download:
            page.get_by_role("link", name="Receipt as picture").click()
        saved = tmp_path / "receipt.png"
        download.value.save_as(saved)
        assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "PNG" not in page.locator("body").inner_text()[:200]  # the page did not turn into the bytes


def test_the_receipts_barcode_scans_as_the_imei_even_one_starting_99(app, tmp_path):
    """python-barcode 0.16 drops a leading "99" from Code128: a phone whose IMEI starts 99 (reporting body
    99, GHA) got a receipt whose barcode scanned as another number. Read back from what a scanner would see:
    the screen in Chromium, and the receipt picture's bytes."""
    imei = "990012345678905"
    clerk = KioskClient(app.test_client())
    clerk.login(app)
    uuid = run_to_quote(clerk, imei=imei, device_id=model_id(app))
    assert clerk.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    picture = clerk.get(f"/tradeins/{uuid}/receipt.png")
    assert picture.status_code == 200

    assert code128_in(picture.data) == [imei]
    with live_server(app) as base, chromium_page() as page:
        sign_in(page, base)
        page.goto(f"{base}/tradeins/{uuid}")
        screenshot(page, "receipt-barcode-99-1280x800")
        shown = page.locator(".receipt .barcode svg")
        assert code128_in(shown.screenshot()) == [imei]


def test_every_page_names_an_icon_that_is_served(app, client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/assets/favicon.svg"' in page
    icon = client.get("/assets/favicon.svg")
    assert icon.status_code == 200 and icon.data.startswith(b"<svg")
