"""The outside attack run's findings (issue 16), one test per item, named after it, against real processes over
HTTP where the finding was made that way."""

from __future__ import annotations

import pytest

from sync.hq.web_auth import add_staff
from testing.hostile import Browser, hq_staff, kiosk_staff, probe_picture_uploads, probe_voucher_forgery
from testing.processes import hq_process, kiosk_process, peak_rss_mb
from testing.samples import PIN
from tests.hq_fixtures import create_hq_app

HQ_PIN = "135790"


@pytest.fixture
def hq_with_receiver(tmp_path):
    """HQ as its own process, with a receiver (made through HQ's own code before it starts)."""
    setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq")})
    receiver = add_staff(setup.extensions["hq.storage"], "Inès Moreau", "receiver", HQ_PIN)
    stores = [setup.extensions["hq.storage"].add_store(name) for name in ("Boutique A", "Boutique B")]
    with hq_process(tmp_path / "hq") as (base, _process):
        yield base, receiver, stores


def test_high_1_picture_bomb_and_empty_upload_on_all_three_routes(tmp_path, hq_with_receiver):
    hq_base, receiver, _stores = hq_with_receiver
    with kiosk_process(tmp_path / "kiosk", DEMO_PIN=PIN, PRINTER_DRIVER="dummy") as (base, process):
        staff = kiosk_staff(base, "Camille Martin", PIN)
        customer = Browser(base)
        customer.get("/customer/")
        assert customer.post("/customer/start", {"kind": "phone"}).status_code == 303
        customer.get("/customer/device")  # the page the photo button is on (a new session: a new form token)
        findings = probe_picture_uploads({
            "staff snapshot": (staff, "/scan/image"), "customer *#06# photo": (customer, "/customer/device/photo"),
            "HQ sticker": (hq_staff(hq_base, receiver, HQ_PIN), "/hq/checkin/photo")},
            peak_mb=lambda: peak_rss_mb(process.pid))
    assert all(f.held for f in findings), "\n".join(f.line() for f in findings)


def test_high_2_a_store_cannot_mint_or_drain_another_stores_voucher(hq_with_receiver):
    base, _receiver, (store_a, store_b) = hq_with_receiver
    findings = probe_voucher_forgery(base, store_a, store_b)
    assert all(f.held for f in findings), "\n".join(f.line() for f in findings)
