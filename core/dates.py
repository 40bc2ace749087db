"""Dates as people type them: the locale's own order with a four-digit year (no guessing a century), or ISO
(what a script, a link or a browser's date picker sends). Pure; the kiosk's seller form and HQ's filters both
read dates here, so a date means the same on both sides."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_date_format, get_datetime_format, get_time_format, parse_date


def write_date(day: date, locale: str) -> str:
    """A date as a clerk of that locale types it in a form (four-digit year): what read_date reads back."""
    pattern = get_date_format("short", locale=locale).pattern
    return format_date(day, re.sub(r"y+", "yyyy", pattern), locale=locale)


def date_example(locale: str) -> str:
    """How a locale writes a date, shown beside each date field (25/12/1990 in France, 12/25/1990 in the US)."""
    return write_date(date(1990, 12, 25), locale)


def read_date(raw: str, locale: str) -> date | None:
    """The date typed, or None when it is not one (or its year is not written in full)."""
    raw = raw.strip()[:32]
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    numbers = re.findall(r"\d+", raw)
    if len(numbers) == 3 and len(numbers[2]) == 4:
        try:
            return parse_date(raw, locale=locale)
        except (ValueError, IndexError):  # babel's ParseError is a ValueError
            return None
    return None


def full_date_pattern(locale: str) -> str:
    """The locale's short date with the year in four digits and day and month in two: dd/MM/yyyy in France,
    MM/dd/yyyy in the United States (whose short form, M/d/yy, leaves the century to guess)."""
    pattern = re.sub(r"y+", "yyyy", get_date_format("short", locale=locale).pattern)
    return re.sub(r"(?<![Md])([Md])(?![Md])", r"\1\1", pattern)


def short_datetime(moment: datetime, timezone: str, locale: str) -> str:
    """A moment as a store's screens and paper show it, in its time zone: the full date and the locale's short time
    (24-hour in France, 12-hour in the US), joined as the locale joins them. French output is Babel's "short"."""
    return format_datetime(moment, _short_datetime_pattern(locale), tzinfo=ZoneInfo(timezone), locale=locale)


@lru_cache(maxsize=64)  # a locale's pattern, looked up and rewritten once: half of each time's formatting
def _short_datetime_pattern(locale: str) -> str:
    joined = get_datetime_format("short", locale=locale).replace("{1}", full_date_pattern(locale))
    return joined.replace("{0}", get_time_format("short", locale=locale).pattern)
