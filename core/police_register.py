"""The police register as the law shows it (core/data/police_register.toml, each column with its legal source):
its headings and coded values in the store's language, its dates in the store's local time. Pure: the kiosk's
export command and the manager's printable page read the same data."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale

REGISTER_FILE = Path(__file__).parent / "data" / "police_register.toml"
# A store whose language has no heading of its own reads the English ones.
FALLBACK = "en"


@dataclass(frozen=True)
class Column:
    key: str
    headings: dict[str, str]  # language -> heading
    source: str

    def heading(self, locale: str) -> str:
        return self.headings.get(language_of(locale)) or self.headings[FALLBACK]


def language_of(locale: str) -> str:
    """fr_FR, fr-BE, fr -> fr."""
    return Locale.parse(locale.replace("-", "_")).language


def _load() -> tuple[tuple[Column, ...], dict[str, dict[str, dict[str, str]]]]:
    raw = tomllib.loads(REGISTER_FILE.read_text(encoding="utf-8"))
    columns = tuple(Column(c["key"], {lang: c[lang] for lang in ("fr", "en")}, c["source"]) for c in raw["column"])
    return columns, raw.get("values", {})


COLUMNS, _VALUES = _load()


def headings(locale: str) -> list[str]:
    """The export's header row, in the register's column order."""
    return [column.heading(locale) for column in COLUMNS]


def value_label(field: str, value: str, locale: str) -> str:
    """A coded value (acquisition mode, seller's capacity) in the store's language; an unknown code as stored."""
    labels = _VALUES.get(field, {}).get(value)
    if not labels:
        return value
    return labels.get(language_of(locale)) or labels[FALLBACK]


def local_days(first: date, last: date, timezone: str) -> tuple[str, str]:
    """[start, end) in stored UTC ISO-8601 of the store's local days `first` to `last` included: an inspector's
    "from the 1st to the 30th" means the store's days, not UTC's."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    utc = ZoneInfo("UTC")
    return (start.astimezone(utc).isoformat(timespec="seconds"),
            end.astimezone(utc).isoformat(timespec="seconds"))
