"""Retry delays: exponential backoff with full jitter, so a fleet of terminals (or a queue of print
jobs) does not retry in step when HQ or a printer comes back."""

from __future__ import annotations

import random


def full_jitter(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Anywhere between 0 and min(cap, base * 2^(attempt-1)) seconds."""
    return (rng or random).uniform(0, min(cap, base * 2 ** max(attempt - 1, 0)))
