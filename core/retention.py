"""Retention periods as data (core/data/retention.toml, each with its legal source): how long the police register
and a seller's data are kept. Pure: the terminal's purge, HQ's purge and the register's verification read the same
periods, so a purge mark younger than the law allows is seen as what it is."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

RETENTION_FILE = Path(__file__).parent / "data" / "retention.toml"
# A year is counted as 365 days, plus these days for the leap days ten years can hold: a purge never goes early.
LEAP_DAYS_PER_DECADE = 3


@dataclass(frozen=True)
class Period:
    name: str
    years: int
    source: str

    def cutoff(self, now: datetime) -> datetime:
        """The moment before which a record of this kind may go, at `now` (never earlier than the law says)."""
        slack = -(-self.years * LEAP_DAYS_PER_DECADE // 10)  # rounded up
        return now - timedelta(days=365 * self.years + slack)


def _load() -> dict[str, Period]:
    raw = tomllib.loads(RETENTION_FILE.read_text(encoding="utf-8"))
    return {name: Period(name, int(entry["years"]), str(entry["source"])) for name, entry in raw.items()}


PERIODS = _load()
POLICE_REGISTER = PERIODS["police_register"]
SELLER_AFTER_ACTIVITY = PERIODS["seller_after_activity"]
SELLER_AFTER_ORDER = PERIODS["seller_after_order"]
