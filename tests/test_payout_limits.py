"""Issue 32, payouts beyond the cap: a hostile store whose policy is "cap 100, pays before receipt" sends 20 forged
trade-ins of 100.00 € each, with payouts sealed under its own secret (genuinely signed batches over HTTP), and a
supervisor exports on HQ's payouts page (SQLite and PostgreSQL). One account paid twice in 30 days, and a store's
day above its daily total before receipt, wait for a supervisor's approval on the held tab."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask

from core.payout import BankAccount
from sync import pusher
from testing.samples import BANK_SELLER, french_iban
from tests.test_golive import client_of, live_store, to_quote
from tests.test_hostile2_payouts import _end_to_end, _export, _forged_tradein, _page, _supervisor

MALLORY = BankAccount(french_iban(666), "Mallory Martin")


def _hostile_store(tmp_path, hq_app: Flask, hq_url: str, name: str = "Télé Shop Saint-Denis",
                   supervisor=None) -> tuple[Flask, object]:
    app, _staff = live_store(tmp_path, hq_app, hq_url, name)
    supervisor = supervisor or _supervisor(hq_app)
    assert supervisor.post("/hq/payouts/policy", {"store_id": app.config["SYNC_STORE_ID"], "cap": "100",
                                                  "daily": "", "before_receipt": "on"}).status_code == 303
    return app, supervisor


def _twenty_forged(app: Flask, account_of) -> dict[str, str]:
    """Code -> trade-in uuid of 20 forged trade-ins of 100.00 € paid by transfer, none received at HQ."""
    return {code: _forged_tradein(app, code, 10_000, 1000 + 10 * n, account_of(n))
            for n, code in enumerate(f"TI-FRGD-{n:04d}" for n in range(1, 21))}


def _held_rows(supervisor) -> str:
    page = _page(supervisor.get("/hq/payouts?status=held"))
    return page[page.index('id="payouts"'):]


def test_twenty_payouts_of_100_eur_to_one_account_pay_one_and_hold_19_with_the_date_of_the_other(
        tmp_path, hq_app, hq_url):
    app, supervisor = _hostile_store(tmp_path, hq_app, hq_url)
    forged = _twenty_forged(app, lambda n: MALLORY)
    page, xml = _export(supervisor)
    assert len(_end_to_end(xml)) == 1 and "<InstdAmt Ccy=\"EUR\">100.00</InstdAmt>" in xml  # not 2,000 €
    paid = _end_to_end(xml)[0]
    held = _held_rows(supervisor)
    today = datetime.now(UTC).date().isoformat()
    assert held.count(f"the same account was paid for another trade-in on {today}") == 19
    assert all(code in held for code in forged if code.replace("-", "") != paid)
    # No IBAN in clear at HQ: the account is sealed, and compared by a keyed fingerprint.
    storage = hq_app.extensions["hq.storage"]
    with storage.read() as tx:
        rows = tx.rows("SELECT account, account_fp, iban_last4 FROM hq_payouts WHERE store_id = %s",
                       [app.config["SYNC_STORE_ID"]])
    assert len(rows) == 20 and len({r[1] for r in rows}) == 1 and MALLORY.iban[-4:] == rows[0][2]
    assert not any(MALLORY.iban in " ".join(r) or MALLORY.iban[4:] in " ".join(r) for r in rows)
    assert rows[0][1] != storage.box.fingerprint(french_iban(667))
    # A supervisor approves one on the held tab: it goes into the next file, the 18 others still wait.
    chosen = next(code for code in forged if code.replace("-", "") != paid)
    approved = supervisor.post(f"/hq/payouts/{forged[chosen]}/approve", follow_redirects=True)
    assert "Approved: it goes into the next file." in _page(approved)
    _page_after, xml = _export(supervisor)
    assert _end_to_end(xml) == [chosen.replace("-", "")]
    assert _held_rows(supervisor).count("the same account was paid for another trade-in on") == 18


def test_a_second_payout_to_an_account_another_store_paid_is_held_in_french_too(tmp_path, hq_app, hq_url):
    first, supervisor = _hostile_store(tmp_path, hq_app, hq_url)
    _forged_tradein(first, "TI-0CE0-0001", 5_000, 1000, MALLORY)
    other, _ = _hostile_store(tmp_path, hq_app, hq_url, "Phone Zone Montreuil", supervisor)
    second = _forged_tradein(other, "TI-TWCE-0001", 5_000, 1000, BankAccount(MALLORY.iban, "M. Martin"))
    _forged_tradein(other, "TI-E5E5-0001", 5_000, 1010, BankAccount(french_iban(7), "Zoé Laurent"))
    _page_after, xml = _export(supervisor)
    assert _end_to_end(xml) == ["TI0CE00001", "TIE5E50001"]
    supervisor.post("/hq/lang", {"lang": "fr"})
    held = _held_rows(supervisor)
    today = datetime.now(UTC).date().isoformat()
    assert "TI-TWCE-0001" in held and f"le même compte a été payé pour une autre reprise le {today}" in held
    supervisor.post(f"/hq/payouts/{second}/approve")
    supervisor.post("/hq/lang", {"lang": "en"})  # the export helper reads the English flash
    _page_after, xml = _export(supervisor)
    assert _end_to_end(xml) == ["TITWCE0001"]


def test_twenty_payouts_before_receipt_stop_at_the_daily_total_and_the_rest_wait_for_approval(
        tmp_path, hq_app, hq_url):
    app, supervisor = _hostile_store(tmp_path, hq_app, hq_url)  # daily total left blank: 5 x the cap
    policies = _page(supervisor.get("/hq/payouts"))
    assert re.search(r"500[.,]00", policies[policies.index('id="payout-policies"'):])
    forged = _twenty_forged(app, lambda n: BankAccount(french_iban(100 + n), f"Seller {chr(65 + n)}"))
    page, xml = _export(supervisor)
    assert len(_end_to_end(xml)) == 5 and "<CtrlSum>500.00</CtrlSum>" in xml  # at most the daily total
    held = _held_rows(supervisor)
    assert held.count("above this store's daily total for payouts before the device is received") == 15
    page, xml = _export(supervisor)
    assert "No payout is waiting" in page and not xml  # the day's total is reached
    waiting = next(code for code in forged if code in held)
    supervisor.post(f"/hq/payouts/{forged[waiting]}/approve")
    page, xml = _export(supervisor)
    assert _end_to_end(xml) == [waiting.replace("-", "")]
    # A daily total the supervisor sets is kept and checked.
    store_id = app.config["SYNC_STORE_ID"]
    wrong = supervisor.post("/hq/payouts/policy", {"store_id": store_id, "cap": "100", "daily": "12.5",
                                                   "before_receipt": "on"}, follow_redirects=True)
    assert "The daily total is blank or a whole amount" in _page(wrong)
    supervisor.post("/hq/payouts/policy", {"store_id": store_id, "cap": "100", "daily": "2000",
                                           "before_receipt": "on"})
    policies = _page(supervisor.get("/hq/payouts"))
    assert re.search(r"2\W?000[.,]00", policies[policies.index('id="payout-policies"'):])


def test_a_sellers_erasure_at_the_store_removes_the_accounts_fingerprint_at_hq(tmp_path, hq_app, hq_url, db_of):
    app, staff = live_store(tmp_path, hq_app, hq_url)
    db = db_of(app)
    uuid = to_quote(staff, app)
    assert staff.post(f"/tradeins/{uuid}/seller", BANK_SELLER).status_code == 303
    pusher.drain(db, client_of(app), 50)
    storage = hq_app.extensions["hq.storage"]
    fingerprint = "SELECT account_fp FROM hq_payouts WHERE tradein_uuid = %s"
    with storage.read() as tx:
        assert tx.rows(fingerprint, [uuid])[0][0] == storage.box.fingerprint(BANK_SELLER["iban"].replace(" ", ""))
    seller = ["--doc-type", "national_id", "--doc-number", "X4RTBPFW4"]
    assert app.test_cli_runner().invoke(args=["privacy", "erase", *seller]).exit_code == 0
    pusher.drain(db, client_of(app), 50)
    with storage.read() as tx:
        assert tx.rows(fingerprint, [uuid])[0][0] is None
