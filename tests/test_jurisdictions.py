"""Issue 34: a store's rules come from its jurisdiction pack (core/data/jurisdictions), not from French code paths.
A New York pop-up is added at HQ by the README's command (`stores add … --jurisdiction us-ny-nyc --ein …
--dcwp-licence …`, no SIRET) and enrolled with the kiosk's `enrol`, beside a Paris store: its screens and paper are
en_US (MM/DD/YYYY, 12-hour clock, $), its seller form takes US documents and says the US notice at collection, its
customers' requests are due in 45 days where a French one is due in a month. Real HQ over HTTP, real SQLite."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from core import jurisdiction
from core.demo import demo_references
from core.jurisdiction import PackInvalid, load_pack
from core.store_profile import ProfileInvalid, validate_profile
from hq.services import enrolment
from kiosk import create_app
from kiosk.provisioning.setup import prepare_database
from testing.paper import paper_text
from tests.conftest import KioskClient
from tests.test_golive import add_store_by_cli, enrol_by_cli, first_manager, to_quote
from tests.test_hq_receiving import HQStaff

NY_EIN, NY_LICENCE = "04-1234567", "2087654-DCA"
NY_ADDRESS = "151 W 34th St, New York, NY 10001"
US_SELLER = {"surname": "Rivera", "first_names": "Ana Sofia", "birth_date": "04/12/1990",
             "address": "20 W 64th St, New York, NY 10023", "id_doc_type": "state_driver_license",
             "id_doc_number": "123456789", "id_doc_issuer": "New York State DMV", "id_doc_issued_on": "06/01/2021",
             "payout_method": "store_credit", "identifier_altered": "no"}  # the NYC dealer record asks
SHOTS = Path("/work/scratch/shots/ny")  # the screenshots a person looks at (not checked in)
SECOND_IMEI = "490154203237526"  # another phone of the same model (Luhn-checked)
MM_DD_YYYY_12H = re.compile(r"\b\d{2}/\d{2}/20\d{2}, \d{1,2}:\d{2}\s(AM|PM)\b")


def add_ny_store_by_cli(hq_app: Flask, name: str = "Trade-In Pop-Up NYC") -> tuple[str, str, str]:
    """The README's command for a New York store: (store id, enrolment code, the command's output)."""
    out = hq_app.test_cli_runner().invoke(args=[
        "stores", "add", name, "--jurisdiction", "us-ny-nyc", "--legal-name", "Pop-Up Trade-In NY LLC",
        "--ein", NY_EIN.replace("-", ""), "--dcwp-licence", NY_LICENCE, "--address", NY_ADDRESS]).output
    return re.search(r"store id: (\S+)", out).group(1), re.search(r"enrolment code: (\S+)", out).group(1), out


def publish_usd_grid(hq_app: Flask) -> None:
    """HQ's demo catalog and a grid in dollars for the USD market (core.markets), the New York store's quotes."""
    storage = hq_app.extensions["hq.storage"]
    if "grid" not in storage.latest_references("USD"):
        references = demo_references(date.today())
        storage.publish("catalog", references["catalog"][0], json.dumps(references["catalog"][1]), market="USD")
        version, grid = references["grid"]
        storage.publish("grid", f"USD-{version}", json.dumps({**grid, "currency": "USD"}), market="USD")


def new_terminal(folder: Path, language: str = "") -> Flask:
    """A terminal out of its box; LANGUAGE "" speaks the store's language (the default setting)."""
    app = create_app({"DATA_DIR": str(folder), "PRINTER_DRIVER": "file", "LANGUAGE": language})
    prepare_database(app.config["DATABASE"])
    return app


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def ny_store(tmp_path: Path, hq_app: Flask, hq_url: str) -> tuple[Flask, KioskClient]:
    """The New York store enrolled by the two commands, HQ's catalog and grid pulled, its first manager signed in."""
    publish_usd_grid(hq_app)
    _, code, _ = add_ny_store_by_cli(hq_app)
    result, app = enrol_by_cli(new_terminal(tmp_path / "nyc"), hq_url, code)
    assert result.exit_code == 0, result.output
    app.config["LANGUAGE"] = ""  # enrol_by_cli restarts in English; this store is English by its own locale
    return app, first_manager(app)


def accept_us_trade_in(app: Flask, staff: KioskClient) -> str:
    """A trade-in at the New York store: the four shots its pack requires, a US seller, store credit."""
    uuid = to_quote(staff, app)
    refused = staff.post(f"/tradeins/{uuid}/seller", US_SELLER)
    assert refused.status_code == 422 and "4 required photo(s) missing" in refused.get_data(as_text=True)
    for n, kind in enumerate(("front", "back", "screen", "imei_screen")):
        taken = staff.post(f"/tradeins/{uuid}/photos", {"kind": kind, "image": (io.BytesIO(jpeg((n * 60, 9, 9))),
                                                                                  "p.jpg")},
                           content_type="multipart/form-data")
        assert taken.status_code == 303, taken.get_data(as_text=True)
    accepted = staff.post(f"/tradeins/{uuid}/seller", US_SELLER)
    assert accepted.status_code == 303, accepted.get_data(as_text=True)
    return uuid


def test_every_pack_rule_names_its_source_and_a_pack_without_one_is_refused(tmp_path):
    for pack in jurisdiction.PACKS.values():
        for section in ("market", "tax", "seller", "photos", "dealer_record", "privacy", "receipt", "fiscal"):
            assert pack.raw[section].get("source") or pack.raw[section].get("file"), (pack.name, section)
        assert all(rule.source for rule in pack.business_ids) and pack.tax.source and pack.privacy.source
    ny = jurisdiction.pack("us-ny-nyc")
    assert [c["percent"] for c in ny.raw["tax"]["components"]] == ["4", "4.5", "0.375"]
    assert ny.raw["tax"]["rounding_source"].startswith("20 NYCRR 530.1(a)")
    assert "1101(b)(3)" in ny.raw["tax"]["tradein_credit_source"] and ny.tax.tradein_credit == "voucher_is_payment"
    assert ny.retention["dealer_record"].years == 6 and ny.raw["market"]["currency"] == "USD"
    text = (jurisdiction.PACKS_DIR / "us-ny-nyc.toml").read_text(encoding="utf-8")
    broken = tmp_path / "us-ny-nyc.toml"
    broken.write_text(text.replace('source = "NYS Publication 718', 'note = "NYS Publication 718'), encoding="utf-8")
    with pytest.raises(PackInvalid, match=r"\[tax\] has no source"):
        load_pack(broken)
    broken.write_text(text.replace('rate_percent = "8.875"', 'rate_percent = "8.5"'), encoding="utf-8")
    with pytest.raises(PackInvalid, match="add up to rate_percent"):
        load_pack(broken)


def test_new_york_sales_tax_is_added_once_per_receipt_a_half_cent_rounding_up():
    tax = jurisdiction.pack("us-ny-nyc").tax
    assert (tax.on(2999), tax.on(400), tax.on(399), tax.on(-2999)) == (266, 36, 35, -266)  # 35.5 cents: 36
    assert jurisdiction.pack("fr").tax.on(2999) == 0  # France: VAT is in the price, nothing is added


def test_a_store_profile_takes_its_jurisdictions_identifiers_and_market():
    ny = validate_profile({"legal_name": "Pop-Up Trade-In NY LLC", "address": NY_ADDRESS,
                           "jurisdiction": "us-ny-nyc", "ein": "041234567", "dealer_licence": "2087654"})
    assert (ny["siret"], ny["ein"], ny["dealer_licence"]) == ("", NY_EIN, NY_LICENCE)
    assert (ny["country"], ny["currency"], ny["locale"], ny["timezone"], ny["vat_regime"]) == (
        "US", "USD", "en_US", "America/New_York", "sales_tax")
    with pytest.raises(ProfileInvalid) as refused:  # the mistake: a SIRET typed in and a euro store
        validate_profile({**ny, "siret": "73282932000074", "currency": "EUR", "vat_regime": "margin",
                          "ein": "00-1234567", "dealer_licence": "DCA"})
    assert set(refused.value.errors) == {"siret", "currency", "vat_regime", "ein", "dealer_licence"}
    paris = validate_profile({"legal_name": "Télé Shop SARL", "siret": "73282932000074", "address": "Paris"})
    assert (paris["jurisdiction"], paris["currency"], paris["vat_regime"]) == ("fr", "EUR", "margin")
    with pytest.raises(ProfileInvalid, match="siret"):
        validate_profile({"legal_name": "Télé Shop SARL", "address": "Paris"})  # France still needs its SIRET


def test_a_new_york_store_enrolled_beside_a_paris_store_speaks_en_us_on_screen_and_paper(tmp_path, hq_app, hq_url,
                                                                                       db_of):
    paris_id, paris_code = add_store_by_cli(hq_app)
    ny_id, ny_code, out = add_ny_store_by_cli(hq_app)
    assert "flask --app kiosk enrol" in out
    profiles = {p["id"]: p for p in enrolment.profiles(hq_app.extensions["hq.storage"])}
    assert (profiles[ny_id]["jurisdiction"], profiles[ny_id]["ein"], profiles[ny_id]["siret"]) == (
        "us-ny-nyc", NY_EIN, "")
    assert profiles[paris_id]["jurisdiction"] == "fr"
    publish_usd_grid(hq_app)
    enrolled, ny = enrol_by_cli(new_terminal(tmp_path / "nyc"), hq_url, ny_code)
    assert enrolled.exit_code == 0 and f"EIN {NY_EIN}" in enrolled.output and "rules of us-ny-nyc" in enrolled.output
    assert enrol_by_cli(new_terminal(tmp_path / "paris", "en"), hq_url, paris_code)[0].exit_code == 0
    row = db_of(ny)["stores"].get(ny_id)
    assert (row["jurisdiction"], row["ein"], row["dealer_licence"], row["currency"], row["locale"],
            row["timezone"]) == ("us-ny-nyc", NY_EIN, NY_LICENCE, "USD", "en_US", "America/New_York")
    ny.config["LANGUAGE"] = ""
    staff = first_manager(ny)
    uuid = to_quote(staff, ny)
    form = staff.get(f"/tradeins/{uuid}/seller").get_data(as_text=True)
    assert '<option value="state_driver_license" selected>' in form and "Permanent resident card" in form
    assert "National identity card" not in form and "12/25/1990" in form  # US documents, US dates
    assert "We do not sell or share personal information." in form and "within 45 days" in form
    assert "one month" not in form
    uuid = accept_us_trade_in(ny, staff)
    receipt = paper_text(next((Path(ny.config["DATA_DIR"]) / "prints").glob("*-receipt.escpos")).read_bytes())
    assert MM_DD_YYYY_12H.search(receipt) and "$" in receipt and "€" not in receipt and "SIRET" not in receipt
    assert f"EIN {NY_EIN}" in receipt and f"DCWP dealer license {NY_LICENCE}" in receipt
    assert "State driver's license *****6789" in receipt and "TOTAL PAID" in receipt
    assert "We do not sell or share personal information." in " ".join(receipt.split())
    detail = staff.get(f"/tradeins/{uuid}").get_data(as_text=True)
    assert MM_DD_YYYY_12H.search(detail.replace("\u202f", " ")) and "$" in detail
    staff.post("/lang", {"lang": "fr", "next": f"/tradeins/{uuid}"})  # French is a click away
    french = staff.get(f"/tradeins/{to_quote(staff, ny, SECOND_IMEI)}/seller").get_data(as_text=True)
    assert "Nous ne vendons ni ne partageons aucune donnée personnelle." in french


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_us_request_is_due_in_45_days_and_a_french_one_in_a_month(tmp_path, hq_app, hq_url, app):
    ny, manager = ny_store(tmp_path, hq_app, hq_url)
    accept_us_trade_in(ny, manager)
    seller = ["--doc-type", "state_driver_license", "--doc-number", US_SELLER["id_doc_number"]]
    runner = ny.test_cli_runner()
    wrong = runner.invoke(args=["privacy", "request", *seller, "--kind", "erasure"])  # GDPR's word, not this store's
    assert wrong.exit_code != 0 and "know, delete, correct, opt_out" in wrong.output
    logged = runner.invoke(args=["privacy", "request", *seller, "--kind", "delete", "--note", "asked at the desk"])
    assert f"answer by {date.today() + timedelta(days=45):%Y-%m-%d}" in logged.output, logged.output
    page = manager.get("/staff").get_data(as_text=True)
    assert "right to delete" in page and "45 days, extendable once by 45 days" in page
    due = date.today() + timedelta(days=45)
    assert f"{due:%b} {due.day}, {due.year}" in page  # the deadline in en_US (medium: Mon D, YYYY)
    french = app.test_cli_runner().invoke(args=["privacy", "request", "--doc-type", "national_id", "--doc-number",
                                                "X4RTBPFW4", "--kind", "erasure"])  # the demo store: France
    one_month = jurisdiction.Deadline(months=1).after(date.today())
    assert f"answer by {one_month:%Y-%m-%d}" in french.output, french.output
    assert jurisdiction.Deadline(months=1).after(date(2027, 1, 31)) == date(2027, 2, 28)


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_hqs_store_form_adds_a_new_york_store_without_a_siret_and_refuses_a_euro_one(hq_app):
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    blank = supervisor.get("/hq/stores/new").get_data(as_text=True)
    assert '<option value="us-ny-nyc"' in blank and "New York City (United States)" in blank
    form = {"jurisdiction": "us-ny-nyc", "legal_name": "Pop-Up Trade-In NY LLC", "trading_name": "Pop-Up NYC",
            "siret": "73282932000074", "ein": "041234567", "dealer_licence": "2087654", "address": NY_ADDRESS,
            "currency": "EUR"}  # the mistake: a SIRET and euros for the New York store
    refused = supervisor.post("/hq/stores/new", form).get_data(as_text=True)
    assert "not used by stores of this jurisdiction" in refused and "must be USD for this jurisdiction" in refused
    made = supervisor.post("/hq/stores/new", {**form, "siret": "", "currency": ""})
    assert made.status_code == 200 and 'id="enrolment-code"' in made.get_data(as_text=True)
    page = supervisor.get("/hq/stores").get_data(as_text=True)
    assert "us-ny-nyc" in page and f"{NY_EIN} · {NY_LICENCE}" in page


@pytest.mark.browser
@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_the_new_york_store_in_chromium_seller_notice_till_tax_receipt_and_rights_requests(tmp_path, hq_app, hq_url):
    """The screens a New York clerk and manager see, in a real Chromium at the staff terminal's 1280×800; each is
    kept as a picture (SHOTS) to be looked at."""
    from playwright.sync_api import expect

    from tests.browser import chromium_page, live_server
    from tests.test_browser import scan, settled
    from tests.test_golive import MANAGER, MANAGER_PIN
    from tests.test_ny_till import CASE, publish_case

    ny, manager = ny_store(tmp_path, hq_app, hq_url)
    publish_case(hq_app, ny)
    bought = accept_us_trade_in(ny, manager)
    assert ny.test_cli_runner().invoke(args=[
        "privacy", "request", "--doc-type", "state_driver_license", "--doc-number", US_SELLER["id_doc_number"],
        "--kind", "know"]).exit_code == 0
    waiting = to_quote(manager, ny, SECOND_IMEI)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(ny) as base, chromium_page() as page:
        page.goto(base + "/login")
        page.get_by_label(MANAGER).check()
        page.get_by_label("PIN").fill(MANAGER_PIN)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/tradeins$"))
        page.goto(f"{base}/tradeins/{waiting}/seller")
        expect(page.locator("#privacy-notice")).to_contain_text("We do not sell or share personal information.")
        expect(page.locator("#id_doc_type")).to_have_value("state_driver_license")
        page.screenshot(path=str(SHOTS / "ny-seller-form-1280x800.png"), full_page=True)
        page.goto(base + "/pos")
        settled(page)
        page.locator("#code").focus()
        scan(page, CASE)
        expect(page.locator("#cart-tax")).to_have_text("$2.66")
        expect(page.locator("#cart-total")).to_have_text("$32.65")
        page.screenshot(path=str(SHOTS / "ny-till-tax-1280x800.png"), full_page=True)
        page.get_by_role("link", name="Payment").click()
        page.get_by_label("Cash handed over by the customer").fill("40")
        page.get_by_role("button", name="Record the payment").click()
        page.wait_for_url(re.compile(r"/pos/sales/[0-9a-f-]{36}$"))
        expect(page.locator("article.receipt")).to_contain_text("Sales tax 8.875%")
        expect(page.locator("#change")).to_have_text("$7.35")
        page.screenshot(path=str(SHOTS / "ny-sale-receipt-1280x800.png"), full_page=True)
        page.goto(base + "/staff")
        expect(page.locator("#privacy-requests")).to_contain_text("right to know")
        expect(page.locator("#privacy-requests")).to_contain_text("45 days, extendable once by 45 days")
        page.locator("#privacy-requests").screenshot(path=str(SHOTS / "ny-staff-rights-requests-1280x800.png"))
        page.screenshot(path=str(SHOTS / "ny-staff-page-1280x800.png"), full_page=True)
        png = page.request.get(f"{base}/tradeins/{bought}/receipt.png")
        assert png.ok and png.headers["content-type"] == "image/png"
        (SHOTS / "ny-tradein-receipt.png").write_bytes(png.body())
