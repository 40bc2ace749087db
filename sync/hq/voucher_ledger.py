"""HQ's voucher ledger: every store's vouchers, so one can be spent at any store while HQ is reachable,
and never twice. Online spends go through redeem() (a conditional UPDATE, one use per sale); spends a store
made offline arrive with its sale records and are applied once (sync.hq.projection)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.clock import utcnow_ms
from sync.hq.storage import Storage


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
        tx.run("INSERT INTO hq_voucher_uses VALUES (%s, %s, %s, %s, %s)",
               [sale_uuid, code, store_id, amount, utcnow_ms()])
    return done[0][0]


def release(storage: Storage, store_id: str, code: str, sale_uuid: str) -> None:
    """A sale that could not be saved after HQ took the amount: give it back (once)."""
    with storage.transaction() as tx:
        gone = tx.rows("DELETE FROM hq_voucher_uses WHERE sale_uuid = %s AND code = %s AND store_id = %s "
                       "RETURNING amount_minor", [sale_uuid, code, store_id])
        if gone:
            tx.run("UPDATE hq_vouchers SET balance_minor = balance_minor + %s WHERE code = %s", [gone[0][0], code])


def apply_store_uses(tx, store_id: str, uses: list[tuple[str, str, int]], now: str) -> None:
    """Voucher tenders of synced sales and returns (sale uuid, code, amount; negative = credited back),
    each applied once: a spend already taken online (same sale) is not taken again."""
    for sale_uuid, code, amount in uses:
        if tx.rows("INSERT INTO hq_voucher_uses VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING code",
                   [sale_uuid, code, store_id, amount, now]):
            tx.run("UPDATE hq_vouchers SET balance_minor = balance_minor - %s WHERE code = %s", [amount, code])
