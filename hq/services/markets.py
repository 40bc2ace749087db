"""HQ per market (core.markets): which market a store pulls from (its profile's currency), the markets HQ
publishes for, and the dashboard's sums per currency. Read-only."""

from __future__ import annotations

from core.markets import DEFAULT_MARKET, MARKETS
from hq.storage import Storage


def store_market(storage: Storage, store_id: str) -> str:
    """The market a store pulls reference data from: its currency (validated against its jurisdiction pack when
    the store was added, core.store_profile); a store added before profiles: DEFAULT_MARKET."""
    with storage.read() as tx:
        rows = tx.rows("SELECT currency FROM hq_stores WHERE id = %s", [store_id])
    return (rows[0][0] if rows and rows[0][0] else DEFAULT_MARKET).upper()


def latest_per_market(storage: Storage) -> dict[str, dict[str, dict]]:
    """Market -> kind -> the version its stores pull now (the publish page's table)."""
    return {market: storage.latest_references(market) for market in MARKETS}


def stores_per_market(storage: Storage) -> dict[str, int]:
    """Market -> how many stores pull from it (the publish page says who a version reaches)."""
    with storage.read() as tx:
        rows = tx.rows("SELECT currency, count(*) FROM hq_stores GROUP BY currency")
    counts = {market: 0 for market in MARKETS}
    for currency, count in rows:  # a store added before profiles has none: DEFAULT_MARKET's
        market = str(currency or DEFAULT_MARKET).upper()
        counts[market] = counts.get(market, 0) + count
    return counts
