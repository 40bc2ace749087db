"""Go-live for a real store, over real HTTP between a terminal and HQ (both HQ backends): enrolment with the two
CLI commands and no demo data, a first manager who sets their own PIN, no quote before HQ publishes a grid, bank
transfers paid through a SEPA pain.001 file (validated against its XSD) exactly once, the seller's tracking page,
the re-trade policy at scan time, and a revoked terminal."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
import sepaxml
import xmlschema
from flask import Flask

from core.demo import demo_references
from core.payout import BankAccount, seal_for_hq
from hq.services import payouts
from kiosk import create_app
from kiosk.provisioning.setup import prepare_database
from sync import pusher
from sync.client import HQClient, batch_body
from testing.paper import paper_text
from testing.samples import BANK_SELLER, IMEI_KNOWN_TAC, PERFECT_PHONE, SELLER_IBAN, french_iban
from tests.conftest import KioskClient, model_id, tradein_uuid_from
from tests.test_hq_receiving import HQStaff

MANAGER, MANAGER_PIN = "Nadia Benali", "482913"
SIRET = "73282932000074"
PAIN_001 = xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"))
HQ_IBAN = "FR1420041010050500013M02606"


def add_store_by_cli(hq_app: Flask, name: str = "Télé Shop Saint-Denis") -> tuple[str, str]:
    """`flask --app hq stores add …`: (store id, enrolment code) as the command prints them."""
    out = hq_app.test_cli_runner().invoke(args=[
        "stores", "add", name, "--legal-name", "Télé Shop SARL", "--siret", SIRET,
        "--address", "5 rue de Paris, 97400 Saint-Denis", "--timezone", "Indian/Reunion"]).output
    return re.search(r"store id: (\S+)", out).group(1), re.search(r"enrolment code: (\S+)", out).group(1)


def fresh_terminal(folder: Path) -> Flask:
    app = create_app({"DATA_DIR": str(folder), "PRINTER_DRIVER": "file", "LANGUAGE": "en"})
    prepare_database(app.config["DATABASE"])  # no demo: a terminal as it comes out of its box
    return app


def enrol_by_cli(app: Flask, hq_url: str, code: str):
    """`flask --app kiosk enrol --hq URL --code CODE`, then the terminal restarts on the settings it stored."""
    result = app.test_cli_runner().invoke(args=["enrol", "--hq", hq_url, "--code", code])
    restarted = create_app({"DATA_DIR": app.config["DATA_DIR"], "PRINTER_DRIVER": "file", "LANGUAGE": "en"})
    restarted.config["TESTING"] = True
    return result, restarted


def first_manager(app: Flask) -> KioskClient:
    client = KioskClient(app.test_client())
    assert client.get("/").headers["Location"].endswith("/setup/manager")
    client.get("/setup/manager")
    differs = client.post("/setup/manager", {"name": MANAGER, "pin": MANAGER_PIN, "pin_again": "111111"})
    assert differs.status_code == 422 and "The two PINs differ" in differs.get_data(as_text=True)
    made = client.post("/setup/manager", {"name": MANAGER, "pin": MANAGER_PIN, "pin_again": MANAGER_PIN})
    assert made.status_code == 303
    again = client.post("/setup/manager", {"name": "Intruder", "pin": "999999", "pin_again": "999999"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")  # the page is gone
    client.login(app, MANAGER, MANAGER_PIN)
    return client


def publish_demo_kinds(hq_app: Flask, *kinds: str) -> None:
    published = hq_app.extensions["hq.storage"].latest_references()
    for kind, (version, data) in demo_references(date.today()).items():
        if kind in kinds and kind not in published:
            hq_app.extensions["hq.storage"].publish(kind, version, json.dumps(data))


def to_quote(staff: KioskClient, app: Flask, imei: str = IMEI_KNOWN_TAC):
    response = staff.post("/tradeins", {"device_kind": "phone", "identifier": imei})
    if response.status_code != 303:
        return response
    uuid = tradein_uuid_from(response)
    staff.post(f"/tradeins/{uuid}/device", {"device_id": model_id(app), "storage_gb": 128})
    for step, value in enumerate(PERFECT_PHONE.values(), start=1):
        last = staff.post(f"/tradeins/{uuid}/checklist/{step}", {"answer": value})
    assert last.status_code == 303, last.get_data(as_text=True)
    return uuid


def live_store(tmp_path, hq_app, hq_url, name: str = "Télé Shop Saint-Denis"):
    """A store enrolled with the CLI, its first manager signed in, HQ's demo catalog and grid pulled."""
    publish_demo_kinds(hq_app, "catalog", "grid")
    _, code = add_store_by_cli(hq_app, name)
    _, app = enrol_by_cli(fresh_terminal(tmp_path / name.split()[-1]), hq_url, code)
    return app, first_manager(app)


def client_of(app: Flask) -> HQClient:
    return HQClient(app.config["SYNC_URL"], app.config["SYNC_STORE_ID"], app.config["SYNC_SECRET"], 5)


def test_enrolment_by_the_two_commands_gives_hq_store_and_no_demo_data_and_no_quote_before_a_grid(
        tmp_path, hq_app, hq_url, db_of):
    store_id, code = add_store_by_cli(hq_app)
    result, app = enrol_by_cli(fresh_terminal(tmp_path / "terminal"), hq_url, code)
    assert result.exit_code == 0 and "enrolled: Télé Shop Saint-Denis" in result.output
    assert "nothing published yet" in result.output and app.config["SYNC_SECRET"] not in result.output
    db = db_of(app)
    store = db["stores"].get(store_id)  # HQ's store id on the terminal too
    assert (store["legal_name"], store["siret"], store["timezone"], store["demo"]) == (
        "Télé Shop SARL", SIRET, "Indian/Reunion", 0)
    assert [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("stores", "staff", "price_grids")] == [
        1, 0, 0]
    reused = fresh_terminal(tmp_path / "other").test_cli_runner().invoke(args=["enrol", "--hq", hq_url,
                                                                              "--code", code])
    assert reused.exit_code != 0 and "already used" in reused.output
    staff = first_manager(app)
    page = staff.get("/tradeins").get_data(as_text=True)
    assert "Télé Shop Saint-Denis" in page and "Démo" not in page
    refused = staff.post("/tradeins", {"device_kind": "phone", "identifier": IMEI_KNOWN_TAC})
    assert refused.status_code == 422 and "No price grid from HQ yet" in refused.get_data(as_text=True)
    publish_demo_kinds(hq_app, "catalog", "grid")
    assert app.test_cli_runner().invoke(args=["sync", "pull"]).exit_code == 0
    uuid = to_quote(staff, app)
    assert db["tradeins"].get(uuid)["total_minor"] > 0 and db["tradeins"].get(uuid)["grid_version"].startswith("DEMO")


def test_a_bank_transfer_is_checked_never_paid_on_paper_exported_once_as_pain001_and_reported_back(
        tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    db = db_of(app)
    uuid = to_quote(staff, app)
    wrong = staff.post(f"/tradeins/{uuid}/seller", {**BANK_SELLER, "iban": "FR76 3000 6000 0112 3456 7890 188"})
    assert wrong.status_code == 422 and "This IBAN is not valid" in wrong.get_data(as_text=True)
    assert db["tradeins"].get(uuid)["state"] == "quoted"
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0  # nothing saved
    assert staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER).status_code == 303
    paper = Path(db.execute("SELECT output_ref FROM print_jobs WHERE kind = 'receipt'").fetchone()[0]).read_bytes()
    text = paper_text(paper)  # in the store's language (fr_FR from HQ's profile), as printed
    assert "TOTAL À PAYER PAR VIREMENT" in text and "PAYÉ" not in text.upper() and "Payé par" not in text
    assert "Virement dû avant le" in text and "•••• 0189" in text and "7890189" not in text
    flat = " ".join(text.split())  # the store's legal identity and the register entry, from HQ's profile
    for legal in ("Télé Shop SARL", "SIRET 73282932000074", "Registre de police n° 1", "*****PFW4", "128 Go",
                  "Terminal : Caisse 1"):
        assert legal in flat, legal
    staff.post(f"/tradeins/{uuid}/reprint")
    again = db.execute("SELECT output_ref FROM print_jobs WHERE kind = 'receipt' ORDER BY id DESC").fetchone()[0]
    assert paper_text(Path(again).read_bytes()).startswith("DUPLICATA")
    second = to_quote(staff, app, "352099001761481")
    # Each seller has an account of their own: one account paid twice in 30 days waits for a supervisor (issue 32).
    assert staff.post(f"/tradeins/{second}/seller", {**BANK_SELLER, "iban": french_iban(2)}).status_code == 303
    pusher.drain(db, client_of(app), 50)

    hq_app.config.update(PAYOUT_NAME="Marketplace SAS", PAYOUT_IBAN=HQ_IBAN)
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    for device in (uuid, second):  # a transfer leaves once HQ has the device (unless the store's policy says so)
        supervisor.post("/hq/checkin", {"code": f"BAG:{db['tradeins'].get(device)['code']}"})
    assert "Export the 2 pending payout(s)" in supervisor.get("/hq/payouts").get_data(as_text=True)
    first_file = _export(supervisor)
    assert "No payout is waiting" in supervisor.post("/hq/payouts/export", follow_redirects=True).get_data(
        as_text=True)
    third = to_quote(staff, app, "356938035643809")
    assert staff.post(f"/tradeins/{third}/seller", {**BANK_SELLER, "iban": french_iban(3)}).status_code == 303
    pusher.drain(db, client_of(app), 50)
    supervisor.post("/hq/checkin", {"code": f"BAG:{db['tradeins'].get(third)['code']}"})
    second_file = _export(supervisor)
    codes = [db["tradeins"].get(u)["code"].replace("-", "") for u in (uuid, second, third)]
    assert sorted(re.findall(r"<EndToEndId>(\w+)</EndToEndId>", first_file)) == sorted(codes[:2])
    assert re.findall(r"<EndToEndId>(\w+)</EndToEndId>", second_file) == [codes[2]]  # none exported twice
    export_id = re.search(r"/hq/payouts/exports/(\w+)\.xml", supervisor.get("/hq/payouts").get_data(
        as_text=True)).group(1)
    supervisor.post(f"/hq/payouts/exports/{export_id}/sent")
    _pull(app)
    page = staff.get(f"/tradeins/{third}").get_data(as_text=True)
    assert "Bank transfer ordered by HQ" in page and "Bank transfer sent by HQ: the seller is paid." in page
    # The bank returns one payment: re-queued with its reason, it goes into the next file as a new attempt.
    short = supervisor.post(f"/hq/payouts/{third}/requeue", {"reason": "no"}, follow_redirects=True)
    assert "at least 5 characters" in short.get_data(as_text=True)
    supervisor.post(f"/hq/payouts/{third}/requeue", {"reason": "AC04 account closed"})
    assert re.findall(r"<EndToEndId>(\w+)</EndToEndId>", _export(supervisor)) == [codes[2]]
    assert "(attempt 2)" in supervisor.get("/hq/payouts?status=exported").get_data(as_text=True)
    _pull(app)
    assert "The bank returned the transfer (AC04 account closed)" in staff.get(f"/tradeins/{third}").get_data(
        as_text=True)
    # The seller's rights reach the account too: in the export, gone after erasure, and paper still says "to pay".
    seller = ["--doc-type", "national_id", "--doc-number", "X4RTBPFW4"]
    assert SELLER_IBAN in app.test_cli_runner().invoke(args=["privacy", "export", *seller]).output
    assert app.test_cli_runner().invoke(args=["privacy", "erase", *seller]).exit_code == 0
    assert db.execute("SELECT count(*) FROM tradeins WHERE payout_account IS NOT NULL").fetchone()[0] == 0
    reprinted = staff.get(f"/tradeins/{uuid}/receipt").get_data(as_text=True)
    assert "TOTAL À PAYER PAR VIREMENT" in reprinted and "(erased)" in reprinted


def _export(supervisor: HQStaff) -> str:
    done = supervisor.post("/hq/payouts/export", follow_redirects=True).get_data(as_text=True)
    export_id = re.search(r"SEPA file (\w+):", done).group(1)
    xml = supervisor.get(f"/hq/payouts/exports/{export_id}.xml").get_data(as_text=True)
    PAIN_001.validate(xml)  # raises on anything the XSD refuses
    return xml


def _pull(app: Flask) -> None:
    assert app.test_cli_runner().invoke(args=["sync", "pull"]).exit_code == 0


def test_the_tracking_page_shows_the_steps_to_the_right_token_only_and_no_personal_data(
        tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    db = db_of(app)
    uuid = to_quote(staff, app)
    staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER)
    receipt = staff.get(f"/tradeins/{uuid}/receipt").get_data(as_text=True)
    url = re.search(r'id="tracking-url">([^<]+)<', receipt).group(1)
    assert url.startswith(hq_url + "/track/")
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    supervisor.post("/hq/payouts/policy", {"store_id": app.config["SYNC_STORE_ID"], "cap": "1"})  # held above 1 €
    pusher.drain(db, client_of(app), 50)
    visitor = hq_app.test_client()
    path = url[len(hq_url):]
    page = visitor.get(path + "?lang=fr").get_data(as_text=True)
    assert "Acceptée en boutique" in page and "Virement en préparation" in page and "pas encore" in page
    english = visitor.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Accepted at the store" in english and "Received at our workshop" in english
    supervisor.post(f"/hq/payouts/{uuid}/reject", {"reason": "account closed at the bank"})
    rejected = visitor.get(path + "?lang=fr").get_data(as_text=True)  # never "on its way" once HQ will not pay
    assert "Virement non effectué" in rejected and "Virement en préparation" not in rejected
    for personal in ("Dupont", "Élodie", "X4RTBPFW4", SELLER_IBAN, SELLER_IBAN[-4:], IMEI_KNOWN_TAC):
        assert personal not in page and personal not in english
    assert visitor.get(path[:-3] + "xyz").status_code == 404
    assert visitor.get("/track/TI-0000-0000/" + path.rsplit("/", 1)[1]).status_code == 404
    statuses = [visitor.get(f"{path[:-3]}{n:03d}").status_code for n in range(40)]  # someone guessing tokens
    assert set(statuses) == {404, 429} and statuses[-1] == 429  # HQ_RATE_LIMIT_TRACKING: 30 per minute


def test_retrade_policy_refuses_open_and_recent_trade_ins_at_the_scan_and_frees_a_resold_device(
        tmp_path, hq_app, hq_url, db_of):
    first, first_staff = live_store(tmp_path, hq_app, hq_url, "Boutique Lyon")
    uuid = to_quote(first_staff, first)
    first_staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER)
    pusher.drain(db_of(first), client_of(first), 50)
    second, staff = live_store(tmp_path, hq_app, hq_url, "Boutique Lille")
    before = db_of(second).execute("SELECT count(*) FROM tradeins").fetchone()[0]
    open_elsewhere = to_quote(staff, second)
    assert open_elsewhere.status_code == 422 and "at another store" in open_elsewhere.get_data(as_text=True)
    assert db_of(second).execute("SELECT count(*) FROM tradeins").fetchone()[0] == before  # before any question
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    code = db_of(first)["tradeins"].get(uuid)["code"]
    supervisor.post("/hq/checkin", {"code": f"BAG:{code}"})  # received, no regrade dispute: settled at HQ
    recent = to_quote(staff, second)
    assert recent.status_code == 422 and "less than 30 days ago" in recent.get_data(as_text=True)
    hq_app.config["RETRADE_MIN_DAYS"] = 0
    allowed = to_quote(staff, second)
    assert isinstance(allowed, str)  # quoted: HQ settled it and the waiting time is over
    hq_app.config["RETRADE_MIN_DAYS"] = 30
    again_here = to_quote(first_staff, first)
    assert again_here.status_code == 422 and "already traded in here" in again_here.get_data(as_text=True)
    assert supervisor.post(f"/hq/tradeins/{uuid}/resold").status_code == 303  # refurbished and sold again
    _pull(first)
    assert db_of(first)["tradeins"].get(uuid)["resold_at"]
    resold = to_quote(first_staff, first)
    assert isinstance(resold, str)  # its new owner may trade it in, at the store that bought it first too


def test_a_revoked_terminal_cannot_sync_and_a_new_code_brings_it_back_with_its_store_id(
        tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    store_id = app.config["SYNC_STORE_ID"]
    runner = hq_app.test_cli_runner()
    assert "revoked" in runner.invoke(args=["stores", "revoke", store_id]).output
    uuid = to_quote(staff, app)
    staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER)
    with pytest.raises(Exception, match="revoked"):
        pusher.drain(db_of(app), client_of(app), 50)
    code = re.search(r"enrolment code: (\S+)", runner.invoke(args=["stores", "code", store_id]).output).group(1)
    result, restarted = enrol_by_cli(app, hq_url, code.lower())  # typed in lower case: still the code
    assert result.exit_code == 0 and restarted.config["SYNC_STORE_ID"] == store_id
    assert restarted.config["SYNC_SECRET"] != app.config["SYNC_SECRET"]
    assert pusher.drain(db_of(restarted), client_of(restarted), 50) == 2  # nothing was lost meanwhile
    # The transfer accepted while revoked was sealed for the old secret: enrolment sealed it again for the new.
    [payout] = payouts.payouts(hq_app.extensions["hq.storage"], "pending")
    assert payout["tradein_uuid"] == uuid and pusher.status(db_of(restarted))["rejections"] == 0
    forged = {"seq": 99, "record_uuid": str(uuid4()), "kind": "payout.requested", "created_at": "2026-11-28",
              "payload": json.dumps({"tradein_uuid": uuid, "code": "TI-0000-0000", "amount_minor": 100,
                                     "currency": "EUR", "account_sealed": seal_for_hq(
                                         BankAccount("FR7630006000011234567890189", "Mallory"), "not-the-secret")})}
    ack = client_of(restarted).post_batch(batch_body(uuid4().hex, [forged]))
    assert "cannot be read with this store's secret" in ack["rejected"][0]["reason"]


def test_hq_staff_pages_create_and_edit_a_store_profile_with_the_same_checks(hq_app):
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    form = {"legal_name": "Télé Shop SARL", "trading_name": "Télé Shop Nantes", "siret": "732 829 320 00075",
            "address": "2 quai de la Fosse, 44000 Nantes", "country": "fr", "locale": "fr_FR", "currency": "EUR",
            "timezone": "Europe/Paris", "vat_regime": "margin"}
    refused = supervisor.post("/hq/stores/new", form)
    assert refused.status_code == 422 and "not a valid SIRET" in refused.get_data(as_text=True)
    made = supervisor.post("/hq/stores/new", {**form, "siret": SIRET}).get_data(as_text=True)
    code = re.search(r'id="enrolment-code"[^>]*>([^<]+)<', made).group(1)
    store_id = re.search(r'data-store-id="(st_\w+)"', made).group(1)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", code)
    edited = supervisor.post(f"/hq/stores/{store_id}", {**form, "siret": SIRET, "timezone": "Mars/Olympus"})
    assert edited.status_code == 422 and "not a known time zone" in edited.get_data(as_text=True)
    supervisor.post(f"/hq/stores/{store_id}", {**form, "siret": SIRET, "trading_name": "Télé Shop Nantes Centre"})
    page = supervisor.get("/hq/stores").get_data(as_text=True)
    assert "Télé Shop Nantes Centre" in page and "73282932000074" in page and "FR" in page
    receiver = HQStaff(hq_app, "Léa Petit", "receiver")
    assert receiver.get("/hq/stores").status_code == 403 and receiver.get("/hq/payouts").status_code == 403


def test_hostile_enrolment_requests_and_profiles_get_a_clear_refusal_never_a_500(hq_app):
    """The enrolment door is anonymous: garbage, deep JSON, NUL, huge or guessed codes are refused with the reason,
    and a profile with control characters is refused on both sides (HQ's page here, core.store_profile)."""
    visitor = hq_app.test_client()
    bodies = [b"", b"not json", b"[]", b'{"code": 12}', b'{"code": "' + b"A" * 5000 + b'"}',
              b'{"code": "ABCD\\u0000EFGH"}', b"[" * 10_000 + b"]" * 10_000, b'{"code": "0000-0000-0000"}']
    statuses = [visitor.post("/api/v1/enrol", data=body, content_type="application/json").status_code
                for body in bodies]
    assert set(statuses) <= {403, 422, 429} and 500 not in statuses, statuses
    assert all(visitor.post("/api/v1/enrol", data=b"{}").is_json for _ in range(2))
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    forged = supervisor.post("/hq/stores/new", {
        "legal_name": "Evil\x1b[2J SARL", "trading_name": "Shop\r\nSet-Cookie: x", "siret": SIRET,
        "address": "1 rue X", "country": "FR", "locale": "fr_FR", "currency": "EUR", "timezone": "Europe/Paris",
        "vat_regime": "margin"})
    assert forged.status_code == 422 and "control characters" in forged.get_data(as_text=True)
    with hq_app.extensions["hq.storage"].read() as tx:
        assert tx.rows("SELECT count(*) FROM hq_stores")[0][0] == 0  # nothing saved
