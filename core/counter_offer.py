"""The pure rules of a counter-offer (HQ's lower grade put to the seller; hq.services.counter_offers applies them):
what the new amount is, what a seller may type as a return address, and the answers and policies there are.

The new amount keeps what the store added on top of the grid (a promo bonus): only the grid's difference between the
store's grade and HQ's comes off what the seller was paid, never below zero. A device HQ's answers make ineligible (an
activation lock the store missed) is offered at zero: the seller may accept (we recycle it) or take it back."""

from __future__ import annotations

import unicodedata

ANSWERS = ("accept", "refuse")
POLICIES = ("accept", "return")  # what an offer left unanswered by its deadline becomes
RETURN_METHODS = ("store", "post")
ADDRESS_MAX_CHARS = 300
ADDRESS_MIN_CHARS = 10
ADDRESS_MAX_LINES = 6


def new_amount(paid_minor: int | None, store_minor: int | None, hq_minor: int | None) -> int | None:
    """What the seller is offered instead of `paid_minor`, or None when HQ's grade does not lower the price (or
    the difference cannot be priced: no grid price for the store's answers)."""
    if paid_minor is None or store_minor is None:
        return None
    difference = store_minor - (hq_minor or 0)  # None: HQ's answers stop the trade-in, worth nothing on the grid
    if difference <= 0:
        return None
    return max(0, paid_minor - difference)


def postal_address(raw: str) -> str | None:
    """The address a seller typed for their device's return, in one form (NFKC, no control or invisible
    character, blank lines and runs of spaces dropped), or None when it is too short or too long to be one."""
    if len(raw) > 4 * ADDRESS_MAX_CHARS:
        return None  # bounded before any normalising
    text = unicodedata.normalize("NFKC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [" ".join("".join(ch for ch in line if unicodedata.category(ch)[0] != "C").split())
             for line in text.split("\n")]
    lines = [line for line in lines if line]
    address = "\n".join(lines)
    if not ADDRESS_MIN_CHARS <= len(address) <= ADDRESS_MAX_CHARS or len(lines) > ADDRESS_MAX_LINES:
        return None
    return address
