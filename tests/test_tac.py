"""Issue 31, item 5 and the device step of item 4: HQ publishes the TAC table (CSV or JSON, bounded, every row checked
by the one rule HQ and the terminal share, a bad row named by its line), the terminal picks the model from a scanned
IMEI's TAC, and a second IMEI whose TAC names another model is shown to the clerk, never recorded silently."""

from __future__ import annotations

import html
import io
import re

import pytest
from playwright.sync_api import expect
from stdnum import luhn

from kiosk.tradein import catalog
from kiosk.tradein.reference import pull
from tests.browser import chromium_page, live_server, screenshot
from tests.conftest import KioskClient, model_id, tradein_uuid_from
from tests.test_browser import scan, settled, sign_in
from tests.test_golive import publish_demo_kinds
from tests.test_hq_receiving import HQStaff
from tests.test_sync import client_of, kiosk_for

# Illustrative TACs (real ones are the GSMA's); the demo table names 35000011 iPhone 15 and 35000013 Galaxy S24.
PIXEL_9, FAIRPHONE_6, SECOND_S24 = "35111101", "35111102", "35111103"
IPHONE_15, GALAXY_S24 = "35000011", "35000013"
TABLE = [("49015420", "Apple", "iPhone 13"), (GALAXY_S24, "Samsung", "Galaxy S24"),
         (SECOND_S24, "Samsung", "Galaxy S24"), (PIXEL_9, "Google", "Pixel 9"),
         (FAIRPHONE_6, "Fairphone", "Fairphone 6")]
TABLE_CSV = ("tac,brand,model\n" + "".join(f"{t},{b},{m}\n" for t, b, m in TABLE)).encode()


def imei_of(tac: str, serial: str = "123456") -> str:
    """A valid IMEI (Luhn check digit) with this TAC."""
    return tac + serial + luhn.calc_check_digit(tac + serial)


def upload(supervisor: HQStaff, content: bytes, version: str = "T-2026-12", name: str = "tacs.csv"):
    return supervisor.post("/hq/publish/preview", {"kind": "tacs", "version": version,
                                                   "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")


def publish_table(supervisor: HQStaff, content: bytes, version: str) -> str:
    """The publish page as a supervisor uses it: the upload's preview, then its confirmation."""
    preview = upload(supervisor, content, version)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[-2000:]
    data = html.unescape(re.search(r'name="data" value="([^"]*)"', page).group(1))
    assert supervisor.post("/hq/publish/confirm", {"kind": "tacs", "version": version, "data": data}).status_code == 303
    return page


def publish_by_cli(hq_app, path, version: str):
    """`flask --app hq publish tacs FILE --version V` (the command runs in the app's context, as `flask` gives it)."""
    with hq_app.app_context():
        return hq_app.test_cli_runner().invoke(args=["publish", "tacs", str(path), "--version", version])


def tac_rows(db) -> set[tuple[str, str, str]]:
    return set(db.execute("SELECT t.tac, d.brand, d.model FROM device_tacs t JOIN devices d ON d.id = t.device_id"))


def test_a_tac_csv_published_at_hq_is_pulled_and_a_scan_starts_with_its_model_chosen(tmp_path, hq_app, hq_url,
                                                                                      hq_store, db_of):
    publish_demo_kinds(hq_app, "catalog")  # the models the table names, as the terminal has them
    supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")
    page = publish_table(supervisor, TABLE_CSV, "T-2026-12")
    assert "5 added" in page and "Google" in page  # counted per brand against nothing published yet
    assert hq_app.extensions["hq.storage"].latest_references()["tacs"]["version"] == "T-2026-12"
    kiosk = kiosk_for(tmp_path, hq_url, hq_store)
    db = db_of(kiosk)
    staff = KioskClient(kiosk.test_client())
    staff.login(kiosk)
    unknown = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": imei_of(PIXEL_9)}))
    assert db["tradeins"].get(unknown)["device_id"] is None  # before the pull: the model list, as today
    assert "tacs T-2026-12" in pull(db, client_of(kiosk))
    assert tac_rows(db) == set(TABLE)  # the whole table, in place of the demo's six rows
    started = staff.post("/tradeins", {"device_kind": "phone", "identifier": imei_of(PIXEL_9, "654321")})
    uuid = tradein_uuid_from(started)
    assert db["tradeins"].get(uuid)["device_id"] == model_id(kiosk, "Pixel 9")
    device_page = staff.get(started.headers["Location"]).get_data(as_text=True)
    assert "Identified from the IMEI: <strong>Google Pixel 9</strong>" in device_page
    assert f'<option value="{model_id(kiosk, "Pixel 9")}" selected' in device_page
    assert re.findall(r'name="storage_gb" value="(\d+)"', device_page) == ["128", "256"]  # that model's sizes


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_bad_row_refuses_the_whole_file_naming_its_line_on_the_page_and_in_the_cli(tmp_path, hq_app):
    publish_demo_kinds(hq_app, "catalog")
    supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")
    cases = {  # the rows after the header and a good S24 row (line 2), and what the page says
        "3500001X,Samsung,Galaxy S24\n": "line 3: tac must be 8 digits",
        f"{PIXEL_9},Google,Pixel 9\n\n{PIXEL_9},Google,Pixel 9a\n": "line 5: tac appears twice",  # line 4 blank
        f"{PIXEL_9},Apple,iPhone 99\n": "line 3: model Apple iPhone 99 is not in the catalog",
        f"{PIXEL_9},Nintendo,Switch OLED\n": "line 3: model Nintendo Switch OLED is a console",
        f"{PIXEL_9},Goo\x1b[31mgle,Pixel 9\n": "line 3: brand must be at most 80 characters, without control",
        f'{PIXEL_9},Google,"Pixel\n9"\n': "line 3: a cell holds a line break",
        f"{PIXEL_9},Google\n": "line 3: has 2 cells where the header has 3",
    }
    for rows, said in cases.items():
        refused = upload(supervisor, f"tac,brand,model\n{GALAXY_S24},Samsung,Galaxy S24\n{rows}".encode())
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and said in html.unescape(page), (rows, page[-1500:])
        assert "\x1b" not in page
    misspelt = upload(supervisor, b"tac,brand,modle\n35111101,Google,Pixel 9\n").get_data(as_text=True)
    assert "line 1: the header must be tac,brand,model (&#39;modle&#39;, model missing)" in misspelt
    bad = tmp_path / "tacs.csv"
    bad.write_bytes(b"tac,brand,model\n35000013,Samsung,Galaxy S24\n3500001,Samsung,Galaxy S24\n")
    cli = publish_by_cli(hq_app, bad, "T-BAD")
    assert cli.exit_code == 1 and "not published: tacs: line 3: tac must be 8 digits" in cli.output
    assert "tacs" not in hq_app.extensions["hq.storage"].latest_references()  # nothing published, by either door
    good = tmp_path / "good.csv"
    good.write_bytes(TABLE_CSV)
    cli = publish_by_cli(hq_app, good, "T-GOOD")
    assert cli.exit_code == 0, cli.output
    assert hq_app.extensions["hq.storage"].latest_references()["tacs"]["version"] == "T-GOOD"


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_10_mb_file_is_refused_before_it_is_parsed(tmp_path, hq_app):
    publish_demo_kinds(hq_app, "catalog")
    supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")
    junk = b"not,a,header\n" + b"\x00\xff=cmd|' /C calc'!A0\n" * (10 * 1024 * 1024 // 24)  # nothing a row could be
    huge = upload(supervisor, junk)
    assert huge.status_code == 413 and "larger than 8 MB: nothing was read" in huge.get_data(as_text=True)
    over_the_table_bound = upload(supervisor, junk[: 5 * 1024 * 1024])  # under HQ's body limit, over the TAC file's
    page = html.unescape(over_the_table_bound.get_data(as_text=True))
    assert over_the_table_bound.status_code == 422 and "tacs: file: is larger than 4 MB: not read" in page
    assert "header" not in page.split("Not published:")[1][:200]  # refused on its size alone: no line was read
    lines = upload(supervisor, b"tac,brand,model\n" + b"\n" * 100_001)
    assert "has more than 100000 rows: not read" in lines.get_data(as_text=True)
    big = tmp_path / "big.csv"
    big.write_bytes(junk)
    cli = publish_by_cli(hq_app, big, "T-BIG")
    assert cli.exit_code == 1 and "is larger than 4 MB: not read" in cli.output
    assert "tacs" not in hq_app.extensions["hq.storage"].latest_references()


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_the_terminal_runs_the_same_row_check_on_a_table_that_skipped_hqs(tmp_path, hq_app, hq_url, hq_store, db_of):
    """A version put into HQ's storage past its publish checks: the terminal's pull refuses it whole with the same
    rule, keeps its table, and takes the next good version."""
    import json

    storage = hq_app.extensions["hq.storage"]
    kiosk = kiosk_for(tmp_path, hq_url, hq_store)
    db = db_of(kiosk)
    demo_table = tac_rows(db)
    storage.publish("tacs", "T-BAD", json.dumps({"tacs": [{"tac": "3500001", "brand": "Google", "model": "Pixel 9"}]}))
    assert pull(db, client_of(kiosk)) == ["tacs T-BAD refused"] and tac_rows(db) == demo_table
    storage.publish("tacs", "T-CONSOLE", json.dumps({"tacs": [
        {"tac": PIXEL_9, "brand": "Google", "model": "Pixel 9"},
        {"tac": FAIRPHONE_6, "brand": "Nintendo", "model": "Switch OLED"}]}))
    assert pull(db, client_of(kiosk)) == ["tacs T-CONSOLE refused"] and tac_rows(db) == demo_table
    storage.publish("tacs", "T-OK", json.dumps({"tacs": [
        {"tac": PIXEL_9, "brand": "Google", "model": "Pixel 9"},
        {"tac": FAIRPHONE_6, "brand": "Fairphone", "model": "Fairphone 7"}]}))  # a model this terminal lacks yet
    assert pull(db, client_of(kiosk)) == ["tacs T-OK"]
    assert tac_rows(db) == {(PIXEL_9, "Google", "Pixel 9")}  # the row it can apply; that IMEI gets the list


def test_a_second_imei_of_another_model_is_shown_and_kept_only_at_the_clerks_choice(app, db, staff):
    s24 = model_id(app, "Galaxy S24")
    uuid = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": imei_of(GALAXY_S24)}))
    page = f"/tradeins/{uuid}/device"
    next_customer = imei_of(IPHONE_15)
    for form in ({"device_id": s24, "storage_gb": 128, "imei2": next_customer},
                 {"device_id": s24, "imei2": next_customer}):  # the scanner's Enter, before any storage was chosen
        shown = staff.post(page, form)
        text = shown.get_data(as_text=True)
        assert shown.status_code == 422
        assert f"Second IMEI {next_customer} is an IMEI of the Apple iPhone 15, not of the Samsung Galaxy S24." in \
            html.unescape(text)
        assert f"Start a new trade-in for {next_customer}" in text and 'name="imei2_kept"' in text
        assert db.execute("SELECT storage_gb, imei2 FROM tradeins WHERE uuid = ?", [uuid]).fetchone() == (None, None)
    hostile = staff.post(page, {"device_id": s24, "storage_gb": 128, "imei2": "", "imei2_kept": "=cmd|'\x1b!A0" * 9})
    assert hostile.status_code == 303  # a kept value that is no IMEI is no second IMEI, never a 500
    assert db.execute("SELECT imei2 FROM tradeins WHERE uuid = ?", [uuid]).fetchone() == (None,)
    kept = staff.post(page, {"device_id": s24, "storage_gb": 128, "imei2_kept": next_customer})
    assert kept.status_code == 303
    assert db.execute("SELECT imei2 FROM tradeins WHERE uuid = ?", [uuid]).fetchone() == (next_customer,)
    catalog.replace_tacs(db, [{"tac": t, "brand": b, "model": m} for t, b, m in TABLE])
    another_s24 = imei_of(GALAXY_S24, "222222")
    other = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": another_s24}))
    same_model = staff.post(f"/tradeins/{other}/device", {"device_id": s24, "storage_gb": 256,
                                                          "imei2": imei_of(SECOND_S24)})
    assert same_model.status_code == 303  # another TAC range of the same model: accepted at once
    assert db.execute("SELECT imei2 FROM tradeins WHERE uuid = ?", [other]).fetchone() == (imei_of(SECOND_S24),)


DEVICE_STEP = re.compile(r"/tradeins/[0-9a-f-]{36}/device$")


def start_by_scan(page, identifier: str) -> str:
    page.locator("#identifier").focus()
    scan(page, identifier)
    page.wait_for_url(DEVICE_STEP)
    settled(page)
    return page.url


@pytest.mark.browser
def test_the_next_customers_imei_scanned_into_second_imei_is_shown_then_started_as_its_own_trade_in(app, db):
    """Three bursts as a clerk scans: the phone's IMEI at the start, then the next customer's into the focused
    Second IMEI field (its Enter sends the form), then, back on this phone, its real second IMEI."""
    first, next_customer, real_second = imei_of(GALAXY_S24), imei_of(IPHONE_15), "352099001761481"
    with live_server(app) as base, chromium_page(1280, 800) as page:
        sign_in(page, base)
        device_step = start_by_scan(page, first)
        expect(page.locator(".notice").first).to_contain_text("Identified from the IMEI: Samsung Galaxy S24")
        page.get_by_label("128 GB").check()
        page.locator("#imei2").focus()
        scan(page, next_customer)
        doubt = page.locator("#imei2-doubt")
        expect(doubt).to_contain_text(f"Second IMEI {next_customer} is an IMEI of the Apple iPhone 15, not of the "
                                      "Samsung Galaxy S24.")
        assert page.url == device_step
        assert db.execute("SELECT imei2, storage_gb FROM tradeins").fetchall() == [(None, None)]  # not recorded
        expect(page.locator("#imei2")).to_have_value("")
        expect(page.get_by_label("128 GB")).to_be_checked()
        screenshot(page, "tac-second-imei-of-another-model")
        doubt.get_by_role("button", name=f"Start a new trade-in for {next_customer}").click()
        page.wait_for_url(DEVICE_STEP)
        settled(page)
        assert page.url != device_step
        expect(page.locator(".notice").first).to_contain_text("Identified from the IMEI: Apple iPhone 15")
        page.goto(base + "/")
        assert start_by_scan(page, first) == device_step  # this phone's trade-in, resumed where it stood
        page.get_by_label("128 GB").check()
        page.locator("#imei2").focus()
        scan(page, real_second)  # an unknown TAC: accepted as before
        page.wait_for_url(re.compile(r"/checklist"))
    assert sorted(db.execute("SELECT imei, imei2, storage_gb FROM tradeins").fetchall()) == sorted([
        (first, real_second, 128), (next_customer, None, None)])


@pytest.mark.browser
def test_a_known_tac_of_a_one_storage_model_is_confirmed_in_one_click(app, db):
    catalog.replace_tacs(db, [{"tac": t, "brand": b, "model": m} for t, b, m in TABLE])
    with live_server(app) as base, chromium_page(1280, 800) as page:
        sign_in(page, base)
        start_by_scan(page, imei_of(FAIRPHONE_6))
        expect(page.locator(".notice").first).to_contain_text("Identified from the IMEI: Fairphone 6")
        screenshot(page, "tac-identified-one-storage")
        page.get_by_role("button", name="Continue to the checklist").click()
        page.wait_for_url(re.compile(r"/checklist"))
    assert db.execute("SELECT d.model, t.storage_gb FROM tradeins t JOIN devices d ON d.id = t.device_id"
                      ).fetchall() == [("Fairphone 6", 256)]
