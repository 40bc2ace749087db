"""HQ's answer on a scanned device (the cross-store gate) and the resale that frees a device for a new trade-in.

HQ sees every store's trade-ins (hq_tradeins) and applies the re-trade policy of core.device_gates with its
own HQ_RETRADE_MIN_DAYS; it answers with a reason code, never with words (the kiosk translates). A device is
marked resold by a supervisor or, automatically, when any store's till sells it (a synced sale's device line).
"""

from __future__ import annotations

from datetime import date

from core.clock import utcnow_ms
from core.device_gates import Earlier, Refusal, retrade_refusal
from hq.services.receiving import event

_LIVE = "store_state NOT IN ('cancelled', 'declined')"


def refusal_for(tx, identifier: str, store_id: str, today: date, min_days: int) -> Refusal | None:
    rows = tx.rows(f"SELECT store_id, accepted_at, received_at, regrade_status, resold_at FROM hq_tradeins "
                   f"WHERE (identifier = %s OR identifier2 = %s) AND {_LIVE} AND accepted_at IS NOT NULL",
                   [identifier, identifier])  # either IMEI of a dual-SIM phone
    earlier = [Earlier(date.fromisoformat(accepted[:10]), bool(received) and regrade != "open", bool(resold),
                       owner == store_id) for owner, accepted, received, regrade, resold in rows]
    return retrade_refusal(earlier, today, min_days)


def mark_resold(tx, identifiers: list[str], staff_name: str | None, how: str, received_only: bool = False) -> int:
    """Every live trade-in of these devices is resold now; each store that bought one hears it in its feed.
    `received_only`: a store's till sale marks only devices HQ has received (a store cannot resell a device that
    is still another store's, nor clear the cross-store check on it by naming its IMEI on a sale line)."""
    marked, received = 0, " AND received_at IS NOT NULL" if received_only else ""
    for identifier in identifiers:
        rows = tx.rows(f"SELECT uuid, store_id FROM hq_tradeins WHERE (identifier = %s OR identifier2 = %s) "
                       f"AND {_LIVE} AND resold_at IS NULL{received}", [identifier, identifier])
        for tradein_uuid, store_id in rows:
            tx.run("UPDATE hq_tradeins SET resold_at = %s WHERE uuid = %s", [utcnow_ms(), tradein_uuid])
            event(tx, {"uuid": tradein_uuid, "store_id": store_id}, "resold", staff_name, how=how)
            marked += 1
    return marked


def sold_devices(payload: dict) -> list[str]:
    """The IMEIs/serials on a synced sale's device lines (a refurbished device sold again)."""
    lines = payload.get("lines")
    if not isinstance(lines, list):
        return []
    found = []
    for line in lines[:500]:
        value = line.get("imei") if isinstance(line, dict) else None
        if isinstance(value, str) and 0 < len(value) <= 32 and "\x00" not in value:
            found.append(value)
    return found


def mark_tradein_resold(storage, tradein_uuid: str, staff_name: str) -> int | None:
    """A supervisor marks the device of this trade-in resold (sold outside the stores' tills, e.g. online):
    None when HQ knows no such trade-in or no identifier for it, else how many trade-ins were marked."""
    with storage.transaction() as tx:
        rows = tx.rows("SELECT identifier FROM hq_tradeins WHERE uuid = %s", [tradein_uuid])
        if not rows or not rows[0][0]:
            return None
        return mark_resold(tx, [rows[0][0]], staff_name, "marked by a supervisor")


def refusal(storage, identifier: str, store_id: str, today, min_days: int):
    """refusal_for in a read of its own (the API's cross-store check)."""
    with storage.read() as tx:
        return refusal_for(tx, identifier, store_id, today, min_days)
