"""Issue 29's findings on sellers, reference data and enrolment (area E), one test per finding, named after it,
through the real routes and processes: the seller form, HQ's publish pages and a terminal's pull, a running kiosk
re-enrolled with the CLI, parallel code exchanges on both HQ backends, and a huge CSV field."""

from __future__ import annotations

import io
import json
import re
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from core.demo import DEMO_PROFILE, demo_references
from hq import create_app as create_hq_app
from hq.services import enrolment
from testing.factories import imei_number as _imei_number
from testing.hostile import Browser, kiosk_staff, quoted_over_http
from testing.processes import clean_environ, hq_process, kiosk_process
from testing.samples import ADULT_SELLER, BANK_SELLER, PIN
from tests.browser import live_server
from tests.conftest import KioskClient, model_id, run_to_quote
from tests.test_compliance import FLASK, ROOT, flask_cli
from tests.test_golive import publish_demo_kinds
from tests.test_hq_receiving import HQStaff
from tests.test_sync import kiosk_for


def imei_number(n: int) -> str:
    return _imei_number(n).number


LOOK_ALIKES = {  # what the attack run typed for "AB1234567", each taken as a new seller before
    "variation selector U+FE0F": "AB1234567\ufe0f", "combining grapheme joiner U+034F": "AB\u034f1234567",
    "Hangul filler U+3164": "AB\u31641234567", "Hangul choseong filler U+115F": "AB\u115f1234567",
    "Braille blank U+2800": "AB\u28001234567", "Cyrillic А": "\u0410B1234567", "Cyrillic В": "A\u04121234567"}


def test_medium_5_an_id_number_with_invisible_or_look_alike_characters_is_refused_and_never_a_new_seller(
        app, staff, db):
    seller = {**ADULT_SELLER, "id_doc_number": "AB1234567"}
    for n in range(3):  # the most one seller may sell in a day without a manager
        uuid = run_to_quote(staff, imei=imei_number(n), device_id=model_id(app))
        assert staff.post(f"/tradeins/{uuid}/seller", seller).status_code == 303
    fourth = run_to_quote(staff, imei=imei_number(3), device_id=model_id(app))
    for name, typed in LOOK_ALIKES.items():
        answer = staff.post(f"/tradeins/{fourth}/seller", {**seller, "id_doc_number": typed})
        assert answer.status_code == 422, name
        assert "only the letters A to Z and the digits printed on the document" in answer.get_data(as_text=True), name
    counted = db.execute("SELECT count(*), count(DISTINCT seller_ref) FROM tradeins WHERE accepted_at IS NOT NULL")
    assert counted.fetchone() == (3, 1)  # nothing saved, no second seller
    typed_ways = ("ab-123 4567", "AB\u00ad1234\u200b567", "ＡＢ１２３４５６７")  # the same document: one seller
    answer = staff.post(f"/tradeins/{fourth}/seller", {**seller, "id_doc_number": typed_ways[2]})
    assert answer.status_code == 422 and "more than 3 trade-ins by the same seller today" in answer.get_data(
        as_text=True)
    # The privacy commands hash an ID number the same way: a look-alike is refused, not another seller's key.
    found = flask_cli(app, "privacy", "export", "--doc-type", "national_id", "--doc-number", typed_ways[0])
    assert found.returncode == 0 and len(json.loads(found.stdout)["trade_ins"]) == 3
    refused = flask_cli(app, "privacy", "export", "--doc-type", "national_id", "--doc-number",
                        LOOK_ALIKES["Cyrillic А"])
    assert refused.returncode != 0 and "letters A to Z" in refused.stderr and "Traceback" not in refused.stderr


def _upload(supervisor: HQStaff, kind: str, version: str, data: dict | bytes, name: str = "data.json"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return supervisor.post("/hq/publish/preview", {"kind": kind, "version": version,
                                                   "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")


def _publish(supervisor: HQStaff, kind: str, version: str, data: dict):
    preview = _upload(supervisor, kind, version, data)
    assert preview.status_code == 200, preview.get_data(as_text=True)[-2000:]
    return supervisor.post("/hq/publish/confirm", {"kind": kind, "version": version, "data": json.dumps(data)})


def _phones(db) -> int:
    return db.execute("SELECT count(*) FROM devices WHERE kind = 'phone'").fetchone()[0]


def test_medium_6_one_bad_reference_version_never_stops_a_till_and_a_catalog_is_checked_against_the_grid(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    publish_demo_kinds(hq_app, "catalog", "grid")  # what the demo terminal holds, published by HQ
    app = kiosk_for(tmp_path, hq_url, hq_store)
    clerk, db, storage = KioskClient(app.test_client()), db_of(app), hq_app.extensions["hq.storage"]
    clerk.login(app)
    phones = _phones(db)
    supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")
    blocked = {"entries": [{"type": "imei", "identifier": imei_number(7), "reason": "reported stolen"}]}
    named = _upload(supervisor, "blocklist", "2026/12", blocked)
    assert named.status_code == 422 and "version name" in named.get_data(as_text=True)
    catalog = demo_references(date.today())["catalog"][1]
    as_watches = {**catalog, "models": [{**m, "kind": "watch"} if m["kind"] == "phone" and m["model"] != "iPhone 13"
                                        else m for m in catalog["models"]]}
    checked = _upload(supervisor, "catalog", "C-WATCHES", as_watches)
    assert checked.status_code == 422 and "the current grid prices" in checked.get_data(as_text=True)
    # What an HQ without these checks let through reaches the terminal all the same: each is parked, the rest goes on.
    storage.publish("catalog", "2026/12", json.dumps(as_watches))
    assert _publish(supervisor, "blocklist", "B-2026-12", blocked).status_code == 303
    clerk.post("/sync/now")
    page = clerk.get("/sync").get_data(as_text=True)
    refused = re.search(r'id="refused-versions".*?</section>', page, re.S).group(0)
    assert "2026/12" in refused and "not a plain version name" in refused
    assert re.search(r"Last error</dt><dd class=\"field-error\">[^<]*catalog 2026/12", page)
    scanned = clerk.post("/tradeins", {"device_kind": "phone", "identifier": imei_number(7)})
    assert scanned.status_code == 422 and "reported stolen" in scanned.get_data(as_text=True)
    storage.publish("catalog", "C-WATCHES", json.dumps(as_watches))
    clerk.post("/sync/now")
    refused = re.search(r'id="refused-versions".*?</section>', clerk.get("/sync").get_data(as_text=True), re.S)
    assert "C-WATCHES" in refused.group(0) and "the current grid prices" in refused.group(0)
    assert _phones(db) == phones > 40  # every phone still a phone, and priced
    newer = {**catalog, "models": [*catalog["models"], {**catalog["models"][0], "model": "iPhone 99"}]}
    assert _publish(supervisor, "catalog", "C-2027-01", newer).status_code == 303
    clerk.post("/sync/now")
    assert "refused-versions" not in clerk.get("/sync").get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM devices WHERE model = 'iPhone 99'").fetchone()[0] == 1


def _kiosk_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = clean_environ(KIOSK_DATA_DIR=str(data_dir))
    return subprocess.run([str(FLASK), "--app", "kiosk", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def _payouts_at_hq(storage, count: int, seconds: float = 25) -> tuple[int, list]:
    """(payout requests HQ took in, its refusals) once `count` are in or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        with storage.read() as tx:
            taken = tx.rows("SELECT count(*) FROM hq_records WHERE kind = 'payout.requested'")[0][0]
            refused = tx.rows("SELECT reason FROM hq_rejections")
        if taken >= count or time.monotonic() > deadline:
            return taken, refused
        time.sleep(0.3)


def _bank_trade_in(staff: Browser, n: int) -> None:
    uuid = quoted_over_http(staff, imei_number(20 + n))
    assert staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER).status_code == 303


def test_medium_7_a_running_kiosk_takes_the_new_secret_of_a_cli_re_enrolment_without_a_restart(tmp_path):
    setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    storage = setup.extensions["hq.storage"]
    publish_demo_kinds(setup, "catalog", "grid")
    store_id, first_code = enrolment.add_store(storage, dict(DEMO_PROFILE), 24)
    second_code = enrolment.issue_code(storage, store_id, 24)
    terminal = tmp_path / "kiosk"
    with hq_process(tmp_path / "hq") as (hq_base, _hq):
        enrolled = _kiosk_cli(terminal, "enrol", "--hq", hq_base, "--code", first_code)
        assert enrolled.returncode == 0, enrolled.stderr
        with kiosk_process(terminal, SYNC_INTERVAL_SECONDS="1", PRINTER_DRIVER="dummy",
                           APPROVAL_ABOVE_MINOR="100000000") as (base, _kiosk):
            setup_page = Browser(base)
            setup_page.get("/setup/manager")
            assert setup_page.post("/setup/manager", {"name": "Nadia Benali", "pin": PIN,
                                                      "pin_again": PIN}).status_code == 303
            staff = kiosk_staff(base, "Nadia Benali", PIN)
            _bank_trade_in(staff, 1)
            assert _payouts_at_hq(storage, 1) == (1, []), staff.get("/sync").text[-3000:]
            again = _kiosk_cli(terminal, "enrol", "--hq", hq_base, "--code", second_code)  # the kiosk runs on
            assert again.returncode == 0, again.stderr
            _bank_trade_in(staff, 2)
            assert _payouts_at_hq(storage, 2) == (2, []), staff.get("/sync").text[-3000:]
            deadline = time.monotonic() + 10  # the kiosk's side of the last ack lands just after HQ's
            while 'id="pending">0<' not in (panel := staff.get("/sync").text) and time.monotonic() < deadline:
                time.sleep(0.2)
            # nothing refused by HQ, no last error
            assert 'id="rejections"' not in panel and 'class="field-error"' not in panel, panel[-3000:]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_hq(request, tmp_path):
    """HQ over real HTTP, its enrolment door's rate limit out of the way (many exchanges from one address)."""
    url = request.getfixturevalue("pg_schema_url") if request.param == "postgresql" else ""
    app = create_hq_app({"DATABASE_URL": url, "DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en",
                         "RATE_LIMIT_ENROL": "1000 per minute"})
    with live_server(app) as base:
        yield app, base
    if hasattr(app.extensions["hq.storage"], "close"):
        app.extensions["hq.storage"].close()


def _exchanged_at_once(base: str, code: str, parallel: int = 8) -> list[int]:
    start, statuses = threading.Barrier(parallel), []

    def exchange() -> None:
        session = requests.Session()
        start.wait()
        statuses.append(session.post(base + "/api/v1/enrol", json={"code": code}, timeout=30).status_code)

    threads = [threading.Thread(target=exchange) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_medium_8_a_single_use_enrolment_code_is_exchanged_once_by_parallel_requests_on_both_backends(open_hq):
    app, base = open_hq
    storage = app.extensions["hq.storage"]
    store_id, _code = enrolment.add_store(storage, dict(DEMO_PROFILE), 24)
    for _round in range(4):
        code = enrolment.issue_code(storage, store_id, 24)
        assert _exchanged_at_once(base, code) == [200] + [403] * 7


def test_low_14_a_csv_field_over_the_csv_modules_limit_is_refused_clearly_at_the_publish_preview(hq_app):
    supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")
    huge = b"ean,name,kind,price_minor,vat_bp\n3761234500014," + b"x" * 140_000 + b",accessory,1990,2000\n"
    answer = _upload(supervisor, "products", "P-HUGE", huge, "products.csv")
    assert answer.status_code == 422
    assert "a CSV field is longer than" in answer.get_data(as_text=True)
    assert "P-HUGE" not in hq_app.extensions["hq.storage"].latest_references().get("products", {}).values()
