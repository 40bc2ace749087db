"""Retention periods: how long a record of each kind is kept, each with its legal source. Pure. The periods are data
of the store's jurisdiction pack (core/data/jurisdictions/<name>.toml, [retention]): France keeps its police register
ten years, New York City its dealer record six, and a seller's identity goes by the periods of the pack the store
trades under. The terminal's purge, HQ's purge and `register verify` read them from the store's pack
(core.jurisdiction), so a purge mark younger than the law allows is seen as what it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A year is counted as 365 days, plus these days for the leap days ten years can hold: a purge never goes early.
LEAP_DAYS_PER_DECADE = 3
# The periods every pack gives, because every store's purge applies them: a seller's identity goes once both have
# passed (from their last activity, from their last order: a trade-in is the seller's order).
SELLER_AFTER_ACTIVITY, SELLER_AFTER_ORDER = "seller_after_activity", "seller_after_order"
SELLER_PERIODS = (SELLER_AFTER_ACTIVITY, SELLER_AFTER_ORDER)


@dataclass(frozen=True)
class Period:
    name: str
    years: int
    source: str

    def cutoff(self, now: datetime) -> datetime:
        """The moment before which a record of this kind may go, at `now` (never earlier than the law says)."""
        slack = -(-self.years * LEAP_DAYS_PER_DECADE // 10)  # rounded up
        return now - timedelta(days=365 * self.years + slack)
