"""The one way a time is written for storage: UTC ISO-8601. Pure.

Terminals store seconds (what a receipt or the register needs); HQ keeps milliseconds, because it
orders the records of many stores that arrive within the same second. Two names, so that a reader
never wonders which one a column holds.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> str:
    """Now, UTC, ISO-8601 to the second: what the terminal stores."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def utcnow_ms() -> str:
    """Now, UTC, ISO-8601 to the millisecond: what HQ stores."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
