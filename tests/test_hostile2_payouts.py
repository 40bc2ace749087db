"""The outside attack run's payout findings (issue 29), one test per item, named after it: a real terminal enrolled
at a real HQ served over HTTP (SQLite and PostgreSQL), the seller form, signed batches as a hostile or outdated
terminal would send them, and HQ's payout page as a supervisor uses it."""

from __future__ import annotations

import html
import json
import re
from uuid import uuid4

from flask import Flask

from core.payout import BankAccount, seal_for_hq
from kiosk.compliance.staff import add_staff
from sync import pusher
from testing.hostile import send
from testing.samples import BANK_SELLER, french_iban
from tests.conftest import KioskClient
from tests.test_golive import MANAGER, MANAGER_PIN, PAIN_001, client_of, live_store, to_quote
from tests.test_hq_receiving import HQStaff

ARABIC_INDIC_IBAN = "FR١٤20041010050500013M02606"  # python-stdnum's mod-97 takes these digits
HQ_IBAN = "FR1420041010050500013M02606"


def _supervisor(hq_app: Flask) -> HQStaff:
    hq_app.config.update(PAYOUT_NAME="Marketplace SAS", PAYOUT_IBAN=HQ_IBAN)
    return HQStaff(hq_app, "Inès Moreau", "supervisor")


def _forged_tradein(app: Flask, code: str, total_minor: int, seq: int, account: BankAccount | None = None) -> str:
    """A trade-in (and its transfer, sealed with the store's own secret) as a hostile or outdated terminal sends
    them, without the counter's checks: the store's signature is genuine."""
    tradein_uuid = str(uuid4())
    records = [("tradein.accepted", {"uuid": tradein_uuid, "code": code, "total_minor": total_minor,
                                     "currency": "EUR", "payout_method": "bank_transfer",
                                     "accepted_at": "2026-11-28T10:00:00Z"})]
    if account is not None:
        records.append(("payout.requested", {"tradein_uuid": tradein_uuid, "code": code, "amount_minor": total_minor,
                                             "currency": "EUR", "account_sealed": seal_for_hq(
                                                 account, app.config["SYNC_SECRET"])}))
    ack = send(client_of(app), *records, first_seq=seq)
    assert not ack["rejected"], ack
    return tradein_uuid


def _taken_before_this_fix(hq_app: Flask, store_id: str, tradein_uuid: str, code: str, account: dict) -> None:
    """A payout HQ stored before this fix (it opened sealed accounts without the alphabet check): such rows are in
    hq_payouts now, and the export must carry on with them there."""
    storage = hq_app.extensions["hq.storage"]
    with storage.transaction() as tx:
        tx.run("INSERT INTO hq_payouts (tradein_uuid, store_id, code, amount_minor, currency, account, iban_last4, "
               "status, attempt, requested_at, updated_at, note) VALUES (%s, %s, %s, 5000, 'EUR', %s, %s, "
               "'pending', 1, '2026-11-28T10:00:00.000Z', '2026-11-28T10:00:00.000Z', '')",
               [tradein_uuid, store_id, code, storage.box.seal(json.dumps(account)), account["iban"][-4:]])


def _export(supervisor: HQStaff) -> tuple[str, str]:
    """POST /hq/payouts/export as the button does: (the page it lands on, the file's XML checked against the XSD)."""
    page = supervisor.post("/hq/payouts/export", follow_redirects=True)
    assert page.status_code == 200, page.status_code
    text = _page(page)
    found = re.search(r"SEPA file (\w+):", text)
    if not found:
        return text, ""
    xml = supervisor.get(f"/hq/payouts/exports/{found.group(1)}.xml").get_data(as_text=True)
    PAIN_001.validate(xml)
    return text, xml


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _check_in(supervisor: HQStaff, code: str) -> None:
    assert "Received" in supervisor.post("/hq/checkin", {"code": f"BAG:{code}"}).get_data(as_text=True)


def _end_to_end(xml: str) -> list[str]:
    return sorted(re.findall(r"<EndToEndId>(\w+)</EndToEndId>", xml))


def test_high_2_an_iban_with_arabic_indic_digits_or_an_emoji_holder_is_refused_and_never_blocks_the_export(
        tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    db = db_of(app)
    uuid = to_quote(staff, app)
    for field, value, said in (("iban", ARABIC_INDIC_IBAN, "only the letters A to Z and the digits 0 to 9"),
                               ("account_holder", "😀😀😀", "Latin letters")):
        refused = staff.post(f"/tradeins/{uuid}/seller", {**BANK_SELLER, field: value})
        assert refused.status_code == 422 and said in refused.get_data(as_text=True), field
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0  # nothing saved
    assert staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER).status_code == 303  # "Élodie": the bank reads "E"
    pusher.drain(db, client_of(app), 50)
    good = db["tradeins"].get(uuid)["code"]
    # A terminal that skips the counter's check seals such an account itself: HQ opens it with the same code.
    store_id = app.config["SYNC_STORE_ID"]
    forged = str(uuid4())
    ack = send(client_of(app), ("tradein.accepted", {"uuid": forged, "code": "TI-FAKE-0001", "total_minor": 5000,
                                                     "currency": "EUR", "payout_method": "bank_transfer"}),
               ("payout.requested", {"tradein_uuid": forged, "code": "TI-FAKE-0001", "amount_minor": 5000,
                                     "currency": "EUR", "account_sealed": seal_for_hq(
                                         BankAccount(ARABIC_INDIC_IBAN, "Ali Haddad"), app.config["SYNC_SECRET"])}),
               first_seq=1000)
    assert [r["code"] for r in ack["rejected"]] == ["payout_account_invalid"], ack
    # Two payouts HQ took before this fix, for the store's own trade-ins, with the same defects.
    emoji, arabic = (_forged_tradein(app, code, 5000, seq) for code, seq in (("TI-0D0D-0001", 1010),
                                                                              ("TI-0D0D-0002", 1020)))
    _taken_before_this_fix(hq_app, store_id, emoji, "TI-0D0D-0001",
                           {"iban": "FR7630006000011234567890189", "holder": "😀😀😀", "bic": ""})
    _taken_before_this_fix(hq_app, store_id, arabic, "TI-0D0D-0002",
                           {"iban": ARABIC_INDIC_IBAN, "holder": "Ali Haddad", "bic": ""})
    supervisor = _supervisor(hq_app)
    for code in (good, "TI-0D0D-0001", "TI-0D0D-0002"):
        _check_in(supervisor, code)
    page, xml = _export(supervisor)  # was a 500 for every store
    assert "2 payout(s) set aside" in page
    assert _end_to_end(xml) == [good.replace("-", "")] and "<Nm>Elodie Dupont</Nm>" in xml
    held = _page(supervisor.get("/hq/payouts?status=held"))
    assert "TI-0D0D-0001" in held and "TI-0D0D-0002" in held and "cannot be carried in a SEPA file" in held
    # The supervisor corrects the holder's name of one and rejects the other, on that page.
    wrong = supervisor.post(f"/hq/payouts/{emoji}/holder", {"holder": "🙂"}, follow_redirects=True)
    assert "Latin letters" in wrong.get_data(as_text=True)
    supervisor.post(f"/hq/payouts/{emoji}/holder", {"holder": "Zoé Laurent"})
    supervisor.post(f"/hq/payouts/{arabic}/reject", {"reason": "IBAN unreadable: pay in store credit"})
    page, xml = _export(supervisor)
    assert _end_to_end(xml) == ["TI0D0D0001"] and "<Nm>Zoe Laurent</Nm>" in xml
    returned = _page(supervisor.get("/hq/payouts?status=returned"))
    assert "TI-0D0D-0002" in returned and "IBAN unreadable: pay in store credit" in returned
    assert "No payout is" in _page(supervisor.get("/hq/payouts?status=held"))


def test_medium_11_a_trade_in_cannot_be_cancelled_once_hq_sent_its_transfer_and_a_late_cancel_is_flagged_at_hq(
        tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    db = db_of(app)
    supervisor = _supervisor(hq_app)
    store_id = app.config["SYNC_STORE_ID"]
    # This store's policy pays before the device reaches HQ: a transfer can leave while the device is still here.
    assert supervisor.post("/hq/payouts/policy", {"store_id": store_id, "cap": "1500",
                                                  "before_receipt": "on"}).status_code == 303
    paid, offline = to_quote(staff, app), to_quote(staff, app, "352099001761481")
    for uuid, iban in ((paid, BANK_SELLER["iban"]), (offline, french_iban(11))):  # two accounts (issue 32)
        assert staff.post(f"/tradeins/{uuid}/seller", {**BANK_SELLER, "iban": iban}).status_code == 303
    pusher.drain(db, client_of(app), 50)
    _shown, xml = _export(supervisor)
    assert len(_end_to_end(xml)) == 2
    export_id = re.search(r"/hq/payouts/exports/(\w+)\.xml", supervisor.get("/hq/payouts").get_data(
        as_text=True)).group(1)
    supervisor.post(f"/hq/payouts/exports/{export_id}/sent")
    # A clerk cancels one (the manager approves: its receipt is printed) before the terminal has heard "sent".
    manager_id = db.execute("SELECT id FROM staff WHERE name = ?", [MANAGER]).fetchone()[0]
    add_staff(db, store_id, "Léo Clerc", "clerk", "135792", manager_id)
    clerk = KioskClient(app.test_client())
    clerk.login(app, "Léo Clerc", "135792")
    manager = {"approver_id": manager_id, "approver_pin": MANAGER_PIN}
    clerk.post(f"/tradeins/{offline}/cancel", manager)
    assert db["tradeins"].get(offline)["state"] == "cancelled"
    pusher.drain(db, client_of(app), 50)  # the cancel reaches HQ after the transfer left: flagged there
    assert app.test_cli_runner().invoke(args=["sync", "pull"]).exit_code == 0  # the terminal hears "sent"
    refused = clerk.post(f"/tradeins/{paid}/cancel", manager, follow_redirects=True)
    assert "HQ has already ordered the bank transfer" in refused.get_data(as_text=True)
    assert db["tradeins"].get(paid)["state"] != "cancelled"
    assert "Cancel this trade-in" not in clerk.get(f"/tradeins/{paid}").get_data(as_text=True)
    page = _page(supervisor.get("/hq/payouts"))
    flagged = page[page.index('id="late-cancels"'):]
    offline_code = db["tradeins"].get(offline)["code"]
    assert offline_code in flagged and "cancelled at the store after its transfer was ordered" in flagged
    assert db["tradeins"].get(paid)["code"] not in flagged
    supervisor.post(f"/hq/payouts/{offline}/late-cancel", {"note": "recall asked to the bank"})
    page = _page(supervisor.get("/hq/payouts"))
    assert offline_code not in page[page.index('id="late-cancels"'):]


def test_medium_12_hq_holds_a_payout_above_the_stores_cap_and_pays_none_before_the_device_arrives(
        tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    db = db_of(app)
    uuid = to_quote(staff, app)
    assert staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER).status_code == 303
    pusher.drain(db, client_of(app), 50)
    code = db["tradeins"].get(uuid)["code"]
    account = BankAccount(french_iban(12), "Mallory Martin")  # not the seller's: one account, one payout (issue 32)
    huge = _forged_tradein(app, "TI-H1GH-0001", 999_999_999, 1000, account)  # 9,999,999.99 € self-declared
    supervisor = _supervisor(hq_app)
    page, xml = _export(supervisor)
    assert "No payout is waiting" in page and not xml  # the phone is still at the store, the other is held
    held = _page(supervisor.get("/hq/payouts?status=held"))
    assert "TI-H1GH-0001" in held and "above this store's cap" in held and code not in held
    pending = _page(supervisor.get("/hq/payouts"))
    assert code in pending and "waits for the device to reach HQ" in pending
    _check_in(supervisor, code)
    _check_in(supervisor, "TI-H1GH-0001")  # even received, 9,999,999.99 € waits for a supervisor
    page, xml = _export(supervisor)
    assert _end_to_end(xml) == [code.replace("-", "")]
    # A supervisor approves a payout above the cap on that page; it goes into the next file.
    supervisor.post(f"/hq/payouts/{huge}/approve")
    page, xml = _export(supervisor)
    assert _end_to_end(xml) == ["TIH1GH0001"]
    # A store whose policy pays before receipt is still capped, at its own cap.
    store_id = app.config["SYNC_STORE_ID"]
    assert supervisor.post("/hq/payouts/policy", {"store_id": store_id, "cap": "40",
                                                  "before_receipt": "on"}).status_code == 303
    small, large = (_forged_tradein(app, c, amount, seq, BankAccount(french_iban(seq), "Mallory Martin"))
                    for c, amount, seq in (("TI-SMAR-0001", 3000, 1100), ("TI-BGGR-0001", 4500, 1200)))
    page, xml = _export(supervisor)
    assert _end_to_end(xml) == ["TISMAR0001"]
    assert "TI-BGGR-0001" in _page(supervisor.get("/hq/payouts?status=held"))
    assert small and large


def test_audit_18_a_non_eea_sepa_iban_needs_a_bic_at_the_counter_and_at_hq(tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    db = db_of(app)
    uuid = to_quote(staff, app)
    for iban in ("CH93 0076 2011 6238 5295 7", "GB29 NWBK 6016 1331 9268 19", "MC58 1122 2000 0101 2345 6789 030"):
        refused = staff.post(f"/tradeins/{uuid}/seller", {**BANK_SELLER, "iban": iban, "bic": ""})
        assert refused.status_code == 422 and "A BIC is needed" in refused.get_data(as_text=True), iban
    outside = staff.post(f"/tradeins/{uuid}/seller", {**BANK_SELLER, "iban": "SA03 8000 0000 6080 1016 7519"})
    assert outside.status_code == 422 and "SEPA" in outside.get_data(as_text=True)
    assert staff.post(f"/tradeins/{uuid}/seller", {**BANK_SELLER, "iban": "CH93 0076 2011 6238 5295 7",
                                                   "bic": "UBSWCHZH80A"}).status_code == 303
    pusher.drain(db, client_of(app), 50)
    forged = str(uuid4())
    ack = send(client_of(app), ("tradein.accepted", {"uuid": forged, "code": "TI-GBGB-0001", "total_minor": 5000,
                                                     "currency": "EUR", "payout_method": "bank_transfer"}),
               ("payout.requested", {"tradein_uuid": forged, "code": "TI-GBGB-0001", "amount_minor": 5000,
                                     "currency": "EUR", "account_sealed": seal_for_hq(
                                         BankAccount("GB29NWBK60161331926819", "Jane Smith"),
                                         app.config["SYNC_SECRET"])}), first_seq=1000)
    assert [r["code"] for r in ack["rejected"]] == ["payout_account_invalid"], ack
    supervisor = _supervisor(hq_app)
    _check_in(supervisor, db["tradeins"].get(uuid)["code"])
    _shown, xml = _export(supervisor)
    assert "<BIC>UBSWCHZH80A</BIC>" in xml
