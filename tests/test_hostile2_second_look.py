"""Issue 29, a second look: what an attack on the round's own fixes found (one test each), two real stores
signing real batches to HQ (its own process) over HTTP."""

from __future__ import annotations

import uuid

import pytest

from core.payout import BankAccount, seal_for_hq
from hq.services.staff import add_staff
from sync.client import HQClient
from testing.hostile import hq_staff, send
from testing.processes import hq_process
from tests.hq_fixtures import create_hq_app

PIN = "135790"


@pytest.fixture
def hq(tmp_path):
    setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    add_staff(setup.extensions["hq.storage"], "Nadia Benali", "supervisor", PIN)
    stores = [setup.extensions["hq.storage"].add_store(name) for name in ("Boutique A", "Boutique B")]
    with hq_process(tmp_path / "hq") as (base, _process):
        yield base, stores, [HQClient(base, *store, timeout=10) for store in stores]


def _tradein(code: str, method: str, total: int = 10000) -> dict:
    return {"uuid": str(uuid.uuid4()), "code": code, "total_minor": total, "currency": "EUR",
            "payout_method": method, "accepted_at": "2026-12-07T10:00:00Z"}


def _voucher(code: str, tradein: dict) -> tuple[str, dict]:
    return ("voucher.issued", {"code": code, "tradein_uuid": tradein["uuid"], "issued_minor": tradein["total_minor"],
                               "expires_at": "2099-01-01"})


def test_one_trade_in_is_paid_once_never_five_vouchers_nor_a_voucher_and_a_transfer(hq):
    _base, _stores, (a, b) = hq
    credit = _tradein("TI-1BBB-BBBB-0001", "store_credit")
    send(b, ("tradein.accepted", credit), *(_voucher(f"V-1BBB-BBBB-000{n}", credit) for n in range(5)))
    assert a.redeem_voucher("V-1BBB-BBBB-0000", str(uuid.uuid4()), 10000) == 0  # the first one is the voucher
    for n in range(1, 5):
        assert a.redeem_voucher(f"V-1BBB-BBBB-000{n}", str(uuid.uuid4()), 10000) is None  # HQ never took them
    transfer = _tradein("TI-1BBB-BBBB-0002", "bank_transfer")
    send(b, ("tradein.accepted", transfer), _voucher("V-1BBB-BBBB-0009", transfer), first_seq=10)
    assert a.redeem_voucher("V-1BBB-BBBB-0009", str(uuid.uuid4()), 10000) is None  # a transfer pays it


def test_a_payout_names_the_trade_in_hq_holds_not_the_code_its_request_claims(hq):
    base, (_store_a, store_b), (a, b) = hq
    send(a, ("tradein.accepted", _tradein("TI-2AAA-AAAA-0001", "bank_transfer")))
    mine = _tradein("TI-2BBB-BBBB-0001", "bank_transfer", 5000)
    send(b, ("tradein.accepted", mine), ("payout.requested", {
        "tradein_uuid": mine["uuid"], "code": "TI-2AAA-AAAA-0001", "amount_minor": 5000, "currency": "USD",
        "account_sealed": seal_for_hq(BankAccount("FR7630006000011234567890189", "Ali Haddad"), store_b[1])}))
    page = hq_staff(base, "Nadia Benali", PIN).get("/hq/payouts?status=pending").text
    assert "TI-2BBB-BBBB-0001" in page and "TI-2AAA-AAAA-0001" not in page


@pytest.mark.parametrize("look_alike", ["TI-3AAA-AAAA-0001\u200b", "TI-3OAA-AAAA-0001", "TI-3AAA-AAAA-0001\n",
                                        "ＴＩ-3AAA-AAAA-0001", "ti-3aaa-aaaa-0001", "TI-3\u0410AA-AAAA-0001",
                                        "TI-3AAA-AAAA-0001 ", "TI\u20113AAA-AAAA-0001"])
def test_a_code_written_with_look_alikes_is_refused_at_hq(hq, look_alike):
    """Codes are Crockford base 32 (no I, L, O, U): a letter O beside another store's 0 is refused like a
    fullwidth or invisible character, on a declined trade-in as on an accepted one."""
    _base, _stores, (a, b) = hq
    send(a, ("tradein.accepted", _tradein("TI-3AAA-AAAA-0001", "store_credit")))
    ack = send(b, ("tradein.accepted", _tradein(look_alike, "store_credit")),
               ("tradein.declined", _tradein(look_alike, "store_credit")))
    assert [r["code"] for r in ack["rejected"]] == ["bad_code", "bad_code"], ack
