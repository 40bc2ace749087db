"""HQ's voucher ledger: every store's vouchers, so one can be spent at any store while HQ is reachable,
and never twice. Online spends go through redeem() (a conditional UPDATE, one use per sale); spends a store
made offline arrive with its sale records and are applied once, within what the store's own records allow
(hq.services.projection). The table's CHECK keeps every balance between 0 and the amount issued, on both backends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.clock import utcnow_ms
from core.protocol import SALE_COMPLETED, event_uuid
from hq.storage import Storage


class VoucherRefused(ValueError):
    """The voucher cannot pay this amount now; str(err) is the reason the clerk reads."""


class UnknownVoucher(VoucherRefused):
    """HQ has no such voucher (never issued, or its store has not synced it yet)."""


def _reason(tx, code: str, amount: int) -> str:
    rows = tx.rows("SELECT status, expires_at, balance_minor FROM hq_vouchers WHERE code = %s", [code])
    if not rows:
        raise UnknownVoucher(f"Unknown voucher {code}: no store has issued it (or its store has not synced yet).")
    status, expires, balance = rows[0]
    if status != "active":
        return f"Voucher {code} was cancelled (its trade-in was cancelled)."
    if expires < datetime.now(UTC).date().isoformat():
        return f"Voucher {code} expired on {expires}."
    return f"Voucher {code} has only {balance / 100:.2f} left, less than {amount / 100:.2f}."


def redeem(storage: Storage, store_id: str, code: str, sale_uuid: str, amount: int) -> int:
    """Take `amount` off the voucher for this sale (again for the same sale: nothing more); returns the balance."""
    if not 0 < amount < 10**9:
        raise VoucherRefused("The amount must be above zero.")
    with storage.transaction() as tx:
        if tx.rows("SELECT 1 FROM hq_voucher_uses WHERE sale_uuid = %s AND code = %s", [sale_uuid, code]):
            return tx.rows("SELECT balance_minor FROM hq_vouchers WHERE code = %s", [code])[0][0]
        done = tx.rows("UPDATE hq_vouchers SET balance_minor = balance_minor - %s WHERE code = %s AND "
                       "status = 'active' AND expires_at >= %s AND balance_minor >= %s RETURNING balance_minor",
                       [amount, code, datetime.now(UTC).date().isoformat(), amount])
        if not done:
            raise VoucherRefused(_reason(tx, code, amount))
        tx.run(USES, [sale_uuid, code, store_id, amount, utcnow_ms(), None])
    return done[0][0]


def release(storage: Storage, store_id: str, code: str, sale_uuid: str) -> bool:
    """A sale that could not be saved after HQ took the amount: give it back (once), to the store that redeemed
    it only (False: this store took nothing for that sale). A sale HQ has recorded, or one a return has credited
    back already, was saved after all: its spend stands (VoucherRefused), or a store could spend and un-spend."""
    with storage.transaction() as tx:
        if tx.rows("SELECT 1 FROM hq_records WHERE entity_uuid = %s AND kind = %s AND store_id = %s",
                   [sale_uuid, SALE_COMPLETED, store_id]) or \
                tx.rows("SELECT 1 FROM hq_voucher_uses WHERE original_uuid = %s AND code = %s", [sale_uuid, code]):
            raise VoucherRefused(f"Sale {sale_uuid} is recorded at HQ: what it took from voucher {code} stays taken "
                                 "(a return gives it back).")
        gone = tx.rows("DELETE FROM hq_voucher_uses WHERE sale_uuid = %s AND code = %s AND store_id = %s "
                       "AND amount_minor > 0 RETURNING amount_minor", [sale_uuid, code, store_id])
        if not gone:
            return False
        if not tx.rows("UPDATE hq_vouchers SET balance_minor = balance_minor + %s WHERE code = %s "
                       "AND balance_minor + %s <= issued_minor RETURNING code", [gone[0][0], code, gone[0][0]]):
            raise VoucherRefused(f"Voucher {code} cannot take back more than it was issued for.")  # rolled back
    return True


@dataclass(frozen=True)
class StoreUse:
    """A voucher tender in a synced sale (amount > 0: a spend) or return (amount < 0: credited back to it)."""

    sale_uuid: str
    code: str
    amount: int
    original_uuid: str | None = None  # a return's sale


USES = "INSERT INTO hq_voucher_uses (sale_uuid, code, store_id, amount_minor, at, original_uuid) " \
       "VALUES (%s, %s, %s, %s, %s, %s)"


def apply_store_uses(tx, store_id: str, uses: list[StoreUse], now: str) -> None:
    """Voucher movements of a store's synced sales and returns, each applied at most once and only as far as
    the store's own records allow: a store spends offline only its own vouchers and only what is left; it
    credits back no more than its own sale took from that voucher. Anything else changes no balance (the
    record itself is kept as sent in hq_records)."""
    for use in uses:
        if tx.rows("SELECT 1 FROM hq_voucher_uses WHERE sale_uuid = %s AND code = %s", [use.sale_uuid, use.code]):
            continue  # taken online already for this sale, or applied from an earlier batch
        if use.amount > 0:
            _offline_spend(tx, store_id, use, now)
        elif use.amount < 0 and use.original_uuid:
            _credit_back(tx, store_id, use, now)


def _offline_spend(tx, store_id: str, use: StoreUse, now: str) -> None:
    if tx.rows("UPDATE hq_vouchers SET balance_minor = balance_minor - %s WHERE code = %s AND store_id = %s "
               "AND balance_minor >= %s RETURNING code", [use.amount, use.code, store_id, use.amount]):
        tx.run(USES, [use.sale_uuid, use.code, store_id, use.amount, now, None])


def _credit_back(tx, store_id: str, use: StoreUse, now: str) -> None:
    taken = tx.rows("SELECT amount_minor FROM hq_voucher_uses WHERE sale_uuid = %s AND code = %s AND store_id = %s "
                    "AND amount_minor > 0", [use.original_uuid, use.code, store_id])
    credited = tx.rows("SELECT coalesce(sum(amount_minor), 0) FROM hq_voucher_uses WHERE original_uuid = %s "
                       "AND code = %s", [use.original_uuid, use.code])[0][0]
    credit = -use.amount
    if not taken or credit > taken[0][0] + credited:  # credited is <= 0: what earlier returns gave back
        return
    if tx.rows("UPDATE hq_vouchers SET balance_minor = balance_minor + %s WHERE code = %s "
               "AND balance_minor + %s <= issued_minor RETURNING code", [credit, use.code, credit]):
        tx.run(USES, [use.sale_uuid, use.code, store_id, use.amount, now, use.original_uuid])


# A counter-offer's adjustment is a use of the voucher like a sale's, under an id derived from the trade-in: the
# ledger shows it, and its primary key lets it happen once (hq.services.counter_offers).
COUNTER_OFFER_USE = "counter_offer.accepted"


def take_difference(tx, tradein_uuid: str, difference: int, now: str) -> dict:
    """A counter-offer accepted on a trade-in paid in store credit: its voucher's balance goes down by the
    difference, once, as far as the balance goes. What the seller spent already stays theirs: the shortfall is
    written off (HQ bears it), never a debt."""
    # An UPDATE that changes nothing takes the row's lock (PostgreSQL) before the balance is read: a spend at
    # another store's till cannot come in between.
    rows = tx.rows("UPDATE hq_vouchers SET balance_minor = balance_minor WHERE tradein_uuid = %s AND "
                   "status = 'active' RETURNING code, store_id, balance_minor", [tradein_uuid])
    if not rows:
        return {"voucher": None, "taken_minor": 0, "written_off_minor": difference}
    code, store_id, balance = rows[0]
    take = min(balance, difference)
    if take > 0 and tx.rows(USES + " ON CONFLICT (sale_uuid, code) DO NOTHING RETURNING code",
                            [event_uuid(tradein_uuid, COUNTER_OFFER_USE), code, store_id, take, now, None]):
        tx.run("UPDATE hq_vouchers SET balance_minor = balance_minor - %s WHERE code = %s", [take, code])
    return {"voucher": code, "taken_minor": take, "written_off_minor": difference - take}


def void_unspent(tx, tradein_uuid: str) -> str:
    """A counter-offer refused on a trade-in paid in store credit: its voucher is voided if nothing of it was spent
    ("voided"); "spent" when some was (the seller keeps it: hq.services.counter_offers), "none" without a voucher."""
    if tx.rows("UPDATE hq_vouchers SET status = 'cancelled' WHERE tradein_uuid = %s AND status = 'active' AND "
               "balance_minor = issued_minor RETURNING code", [tradein_uuid]):
        return "voided"
    return "spent" if tx.rows("SELECT 1 FROM hq_vouchers WHERE tradein_uuid = %s AND status = 'active'",
                              [tradein_uuid]) else "none"
