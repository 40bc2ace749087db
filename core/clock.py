"""The one way a time is written for storage: UTC ISO-8601. Pure.

Terminals store seconds (what a receipt or the register needs); HQ keeps milliseconds, because it
orders the records of many stores that arrive within the same second. Two names, so that a reader
never wonders which one a column holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_set_at: list[datetime] = []  # a test's "now" (`set_to`), innermost last; empty: the system clock


def now_utc() -> datetime:
    """Now, UTC, as an aware datetime: the system clock, or the instant a test set (`set_to`)."""
    return _set_at[-1] if _set_at else datetime.now(UTC)


@contextmanager
def set_to(instant: datetime) -> Iterator[None]:
    """For tests: every utcnow()/utcnow_ms()/now_utc() inside reads `instant` (aware; a naive one is UTC), e.g. a
    trade-in accepted at 23:30 New York time on the night the clocks go back."""
    _set_at.append(instant if instant.tzinfo else instant.replace(tzinfo=UTC))
    try:
        yield
    finally:
        _set_at.pop()


def utcnow() -> str:
    """Now, UTC, ISO-8601 to the second: what the terminal stores."""
    return now_utc().astimezone(UTC).isoformat(timespec="seconds")


def utcnow_ms() -> str:
    """Now, UTC, ISO-8601 to the millisecond: what HQ stores."""
    return now_utc().astimezone(UTC).isoformat(timespec="milliseconds")
