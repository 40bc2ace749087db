"""Store-credit vouchers: issued with a trade-in paid in store credit, spent on sales (partly or whole),
credited back on returns. The balance lives in one row whose CHECK keeps it between 0 and the amount
issued, and every spend is a conditional UPDATE inside the sale's write transaction: two terminals
racing for the same voucher cannot both have it."""

from __future__ import annotations

from datetime import date, timedelta

import sqlite_utils

from core import protocol
from core.clock import utcnow
from core.codes import VOUCHER
from core.messages import N_, Amount, UserError
from kiosk.store.db import fetch_one
from sync import outbox

VALID_DAYS = 365


class VoucherError(UserError):
    """A voucher that cannot be used as asked; the message says why."""


def get(db: sqlite_utils.Database, code: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM vouchers WHERE code = ?", [code.strip().upper()])


def for_tradein(db: sqlite_utils.Database, tradein_uuid: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM vouchers WHERE tradein_uuid = ?", [tradein_uuid])


def issue_for_tradein(db: sqlite_utils.Database, ti: dict, today: date) -> dict:
    """Inside the accept transaction: the payout as a voucher, and its record for HQ."""
    expires = (today + timedelta(days=VALID_DAYS)).isoformat()
    voucher = {"code": VOUCHER.mint(), "store_id": ti["store_id"], "tradein_uuid": ti["uuid"],
               "issued_minor": ti["total_minor"], "balance_minor": ti["total_minor"], "currency": ti["currency"],
               "status": "active", "issued_at": utcnow(), "expires_at": expires}
    db.execute(f"INSERT INTO vouchers ({', '.join(voucher)}) VALUES ({', '.join(':' + k for k in voucher)})", voucher)
    outbox.append(db, ti["uuid"], protocol.VOUCHER_ISSUED, voucher)
    return voucher


def usable(db: sqlite_utils.Database, code: str, store_id: str, today: date) -> dict:
    """The voucher if it can pay now, else VoucherError with the reason a clerk can tell the customer."""
    voucher = get(db, code)
    if voucher is None:
        raise VoucherError(N_("Unknown voucher %(code)s: check the code on the trade-in receipt."), code=code[:32])
    if voucher["store_id"] != store_id:
        raise VoucherError(N_("Voucher %(code)s was issued by another store: it can be spent there."), code=code)
    if voucher["status"] == "cancelled":
        raise VoucherError(N_("Voucher %(code)s was cancelled (its trade-in was cancelled)."), code=voucher["code"])
    if voucher["expires_at"] < today.isoformat():
        raise VoucherError(N_("Voucher %(code)s expired on %(date)s."), code=voucher["code"],
                           date=voucher["expires_at"])
    if voucher["balance_minor"] == 0:
        raise VoucherError(N_("Voucher %(code)s is fully spent."), code=voucher["code"])
    return voucher


def spend(db: sqlite_utils.Database, code: str, amount_minor: int, store_id: str, today: date) -> None:
    """Take `amount_minor` off the balance, inside the caller's write transaction; refused if not there."""
    voucher = usable(db, code, store_id, today)
    done = db.execute("UPDATE vouchers SET balance_minor = balance_minor - ? WHERE code = ? AND status = 'active' "
                      "AND balance_minor >= ?", [amount_minor, voucher["code"], amount_minor]).rowcount
    if not done:
        raise VoucherError(N_("Voucher %(code)s has only %(balance)s left."), code=voucher["code"],
                           balance=Amount(get(db, code)["balance_minor"]))


def credit_back(db: sqlite_utils.Database, code: str, amount_minor: int) -> None:
    """A return refunded to the voucher it was paid with (never above what was issued: the CHECK)."""
    db.execute("UPDATE vouchers SET balance_minor = balance_minor + ? WHERE code = ?", [amount_minor, code])


def cancel_for_tradein(db: sqlite_utils.Database, tradein_uuid: str) -> None:
    """Cancelling a trade-in cancels its voucher, which must then be unspent."""
    voucher = for_tradein(db, tradein_uuid)
    if voucher is None:
        return
    if voucher["balance_minor"] != voucher["issued_minor"]:
        raise VoucherError(N_("Its voucher %(code)s was already spent (%(left)s left): the trade-in cannot be "
                              "cancelled; return the purchase first."), code=voucher["code"],
                           left=Amount(voucher["balance_minor"]))
    db.execute("UPDATE vouchers SET status = 'cancelled' WHERE code = ?", [voucher["code"]])
