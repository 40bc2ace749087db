"""What HQ holds of a seller, blanked when the store erases them or the retention periods pass.

- `erase_accounts`: a store's `seller.erased` record (the seller's request, or the terminal's own purge) blanks the
  sealed account of that store's payouts for those trade-ins, and the account in the request it came in.
- `purge`: HQ's own daily purge, each store's payouts by the seller periods of that store's jurisdiction pack
  ([retention] seller_after_activity and seller_after_order: 3 years from the last activity, 6 from the order, in
  France and New York City alike today): run by `daily_purge` in the HQ process (python -m hq) once at start and
  every day after, and by `flask --app hq privacy purge` for a deployment that serves HQ another way (run it from
  cron daily)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from core import jurisdiction
from core.clock import utcnow_ms
from core.messages import N_
from core.protocol import PAYOUT_REQUESTED, canonical_json, event_uuid
from core.retention import SELLER_AFTER_ACTIVITY, SELLER_AFTER_ORDER
from hq.services.periodic import Periodic
from hq.storage import Storage

ERASED_NOTE = N_("seller's data erased at the store: pay them there another way")  # kept in English, shown translated
DAY_SECONDS = 24 * 3600


def erase_accounts(tx, store_id: str, tradein_uuids: list[str], now: str) -> None:
    """Only this store's payouts. One already in a bank file keeps only what accounting law needs (amount, code, dates,
    the last 4 digits); one not yet exported cannot be paid without the account: returned, with the reason."""
    for tradein_uuid in tradein_uuids:
        tx.run("UPDATE hq_payouts SET account = '', account_fp = NULL, iban_last4 = '', status = 'returned', "
               "note = %s, updated_at = %s WHERE tradein_uuid = %s AND store_id = %s AND status = 'pending'",
               [ERASED_NOTE, now, tradein_uuid, store_id])
        tx.run("UPDATE hq_payouts SET account = '', account_fp = NULL WHERE tradein_uuid = %s AND store_id = %s AND "
               "account <> ''",
               [tradein_uuid, store_id])
        _blank_request(tx, store_id, event_uuid(tradein_uuid, PAYOUT_REQUESTED))


def _blank_request(tx, store_id: str, record_uuid: str) -> None:
    """The synced request without its sealed account (its payload hash stays: the same record again is a duplicate)."""
    rows = tx.rows("SELECT payload FROM hq_records WHERE record_uuid = %s AND store_id = %s", [record_uuid, store_id])
    if rows and "account_sealed" in rows[0][0]:
        payload = {k: v for k, v in json.loads(rows[0][0]).items() if k != "account_sealed"}
        tx.run("UPDATE hq_records SET payload = %s WHERE record_uuid = %s", [canonical_json(payload), record_uuid])


def purge(storage: Storage, now: datetime | None = None) -> int:
    """Blank the accounts of payouts asked for longer ago than the order period of their store's pack and untouched
    for its activity period (6 and 3 years): returns how many."""
    now = now or datetime.now(UTC)
    blanked = 0
    with storage.transaction() as tx:
        for name, stores in _stores_by_pack(tx).items():
            blanked += _purge_stores(tx, jurisdiction.pack(name), stores, now)
    return blanked


def _stores_by_pack(tx) -> dict[str, list[str]]:
    """Every store's id under its pack's name (a name no pack has: France's, as the terminals read it)."""
    grouped: dict[str, list[str]] = {}
    for store_id, name in tx.rows("SELECT id, jurisdiction FROM hq_stores ORDER BY id"):
        grouped.setdefault(jurisdiction.pack_for({"jurisdiction": name}).name, []).append(store_id)
    return grouped


def _purge_stores(tx, pack: jurisdiction.Pack, stores: list[str], now: datetime) -> int:
    """Inside the purge's transaction: these stores' payouts and requests past their pack's seller periods."""
    order_cutoff = pack.retention[SELLER_AFTER_ORDER].cutoff(now).isoformat(timespec="milliseconds")
    activity_cutoff = pack.retention[SELLER_AFTER_ACTIVITY].cutoff(now).isoformat(timespec="milliseconds")
    marks = ", ".join(["%s"] * len(stores))
    due = tx.rows(f"SELECT tradein_uuid, store_id FROM hq_payouts WHERE store_id IN ({marks}) AND requested_at < %s "
                  "AND updated_at < %s AND account <> ''", [*stores, order_cutoff, activity_cutoff])
    for tradein_uuid, store_id in due:
        erase_accounts(tx, store_id, [tradein_uuid], utcnow_ms())
    # Requests whose payout never came to be (refused, another store's trade-in): their account goes too.
    stale = tx.rows(f"SELECT record_uuid, store_id FROM hq_records WHERE store_id IN ({marks}) AND kind = %s AND "
                    "received_at < %s AND payload LIKE %s",
                    [*stores, PAYOUT_REQUESTED, order_cutoff, "%account_sealed%"])
    for record_uuid, store_id in stale:
        _blank_request(tx, store_id, record_uuid)
    return len(due) + len(stale)


def daily_purge(storage: Storage, interval: float = DAY_SECONDS) -> Periodic:
    """HQ's purge, in its own process: at start, then every day."""
    return Periodic("hq-retention-purge", lambda: purge(storage), interval,
                    "retention purge: %s payout account(s) blanked")
