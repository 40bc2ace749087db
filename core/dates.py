"""Dates as people type them: the locale's own order with a four-digit year (no guessing a century), or ISO
(what a script, a link or a browser's date picker sends). Pure; the kiosk's seller form and HQ's filters both
read dates here, so a date means the same on both sides."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date, get_date_format, parse_date


def date_example(locale: str) -> str:
    """How a locale writes a date, shown beside each date field (25/12/1990 in France, 12/25/1990 in the US)."""
    pattern = get_date_format("short", locale=locale).pattern
    return format_date(date(1990, 12, 25), re.sub(r"y+", "yyyy", pattern), locale=locale)


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
