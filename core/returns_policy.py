"""Returns and warranty as data (core/data/returns.toml, each rule with its source): the return window per product
kind, the warranty per kind, and the refund methods the clerk may choose. Pure: no Flask, no SQL.

A refund method gives back only tenders of its own kind, so what is still refundable per tender stays exact after
any number of partial returns; "as_paid" is the proportional split over every allowed tender, offered but never
chosen for the clerk."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from core import till

POLICY_FILE = Path(__file__).parent / "data" / "returns.toml"
AS_PAID = "as_paid"


@dataclass(frozen=True)
class Policy:
    default_days: int
    days: dict[str, int]
    warranty_months: dict[str, int]
    methods: tuple[str, ...]
    elsewhere_methods: tuple[str, ...]
    window_source: str
    refund_source: str


def _load() -> Policy:
    raw = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))
    return Policy(int(raw["window"]["default_days"]), {k: int(v) for k, v in raw["window"]["days"].items()},
                  {k: int(v) for k, v in raw["warranty"]["months"].items()}, tuple(raw["refund"]["methods"]),
                  tuple(raw["refund"]["elsewhere"]["methods"]), raw["window"]["source"], raw["refund"]["source"])


POLICY = _load()


def window_days(kind: str | None) -> int:
    return POLICY.days.get(kind or "", POLICY.default_days)


def last_return_day(sold_on: date, kind: str | None) -> date:
    """The last day (store's local date) an item of this kind may come back without a manager."""
    return sold_on + timedelta(days=window_days(kind))


def is_late(sold_on: date, kinds: list[str | None], today: date) -> bool:
    return any(today > last_return_day(sold_on, kind) for kind in kinds)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day: 31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1),
               following - timedelta(days=1))


def warranty_end(sold_at: datetime | date, kind: str | None) -> date:
    sold_on = sold_at.date() if isinstance(sold_at, datetime) else sold_at
    return add_months(sold_on, POLICY.warranty_months.get(kind or "", POLICY.warranty_months["device"]))


def refund_choices(refund_minor: int, available: list[tuple[str, int]],
                   methods: tuple[str, ...] = POLICY.methods) -> dict[str, list[tuple[str, int]]]:
    """method -> its refund split over the sale's tenders ("kind|reference", amount): each allowed method whose
    own tenders can still cover the refund, and "as_paid" when more than one kind paid and together they can."""
    allowed = [(key, amount) for key, amount in available if key.split("|")[0] in methods and amount > 0]
    choices: dict[str, list[tuple[str, int]]] = {}
    for method in methods:
        own = [(key, amount) for key, amount in allowed if key.split("|")[0] == method]
        if own and sum(amount for _, amount in own) >= refund_minor:
            choices[method] = till.allocate_refund(refund_minor, own)
    if len({key.split("|")[0] for key, _ in allowed}) > 1 and sum(a for _, a in allowed) >= refund_minor:
        choices[AS_PAID] = till.allocate_refund(refund_minor, allowed)
    return choices


def default_method(available: list[tuple[str, int]], choices: dict[str, list]) -> str | None:
    """The original means of payment when the sale was paid with one kind only; otherwise the clerk asks."""
    kinds = {key.split("|")[0] for key, amount in available if amount > 0}
    return next(iter(kinds)) if len(kinds) == 1 and next(iter(kinds)) in choices else None
