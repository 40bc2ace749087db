"""Issue 29's store-against-store and money findings, replayed over HTTP by `python -m bench.hostile` against a
real HQ: each store signs with its own genuine secret, as a hostile store would (tests/test_hostile2_*.py hold one
test per finding; this is the replay)."""

from __future__ import annotations

import uuid

from core.payout import BankAccount, seal_for_hq
from sync.client import HQClient, HQRefused
from testing.hostile import Finding, send

ARABIC_INDIC_IBAN = "FR١٤20041010050500013M02606"


def _code(prefix: str) -> str:
    body = uuid.uuid4().hex[:12].upper()
    return f"{prefix}-{body[:4]}-{body[4:8]}-{body[8:]}"


def probe_store_isolation(base: str, store_a: tuple[str, str], store_b: tuple[str, str]) -> list[Finding]:
    """High 3 (a spend of another store's voucher undone after the sale reached HQ), medium 9 (a code another store
    holds) and high 2's signed side (an IBAN in Arabic-Indic digits sealed by a store that skips the counter)."""
    a, b = HQClient(base, *store_a, timeout=10), HQClient(base, *store_b, timeout=10)
    return _release_after_sale(a, b) + [_code_taken(a, b), _foreign_digits_iban(a, store_a[1])]


def _release_after_sale(a: HQClient, b: HQClient) -> list[Finding]:
    tradein, voucher = str(uuid.uuid4()), _code("V")
    send(a, ("tradein.accepted", {"uuid": tradein, "code": _code("TI"), "total_minor": 16800}),
         ("voucher.issued", {"code": voucher, "tradein_uuid": tradein, "issued_minor": 16800,
                             "expires_at": "2099-01-01"}), first_seq=100)
    sale = str(uuid.uuid4())
    b.redeem_voucher(voucher, sale, 1000)
    send(b, ("sale.completed", {"uuid": sale, "tenders": [{"kind": "voucher", "reference": voucher,
                                                            "amount_minor": 1000}]}), first_seq=100)
    findings = []
    try:
        b.release_voucher(voucher, sale)
        findings.append(Finding("3 release after the sale reached HQ", False, "B's release answered 200"))
    except HQRefused as err:
        findings.append(Finding("3 release after the sale reached HQ", err.status == 422, f"{err.status} {err}"))
    a.release_voucher(voucher, sale)  # store A releasing B's spend: acts on nothing of A's
    try:
        a.redeem_voucher(voucher, str(uuid.uuid4()), 15801)
        held = False
    except HQRefused:
        held = a.redeem_voucher(voucher, str(uuid.uuid4()), 15800) == 0
    findings.append(Finding("3 the balance after both releases", held, "15,800 left: B's 1,000 spend stands"
                            if held else "the spend came back"))
    return findings


def _code_taken(a: HQClient, b: HQClient) -> Finding:
    code = _code("TI")
    send(a, ("tradein.accepted", {"uuid": str(uuid.uuid4()), "code": code, "total_minor": 50000}), first_seq=200)
    ack = send(b, ("tradein.accepted", {"uuid": str(uuid.uuid4()), "code": code, "total_minor": 100}),
               first_seq=200)
    codes = [r["code"] for r in ack["rejected"]]
    return Finding("9 another store's trade-in code", codes == ["code_taken"], f"B's copy of A's code: {codes}")


def _foreign_digits_iban(a: HQClient, secret: str) -> Finding:
    tradein, code = str(uuid.uuid4()), _code("TI")
    ack = send(a, ("tradein.accepted", {"uuid": tradein, "code": code, "total_minor": 5000, "currency": "EUR",
                                        "payout_method": "bank_transfer"}),
               ("payout.requested", {"tradein_uuid": tradein, "code": code, "amount_minor": 5000, "currency": "EUR",
                                     "account_sealed": seal_for_hq(BankAccount(ARABIC_INDIC_IBAN, "Ali Haddad"),
                                                                   secret)}), first_seq=300)
    codes = [r["code"] for r in ack["rejected"]]
    return Finding("2 an IBAN in Arabic-Indic digits, signed", codes == ["payout_account_invalid"],
                   f"HQ's answer: {codes or 'stored'}")
