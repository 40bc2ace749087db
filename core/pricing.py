"""Quotes from an immutable, versioned price grid. Pure: no Flask, no SQL.

The grid maps (device, storage, cosmetic grade, functional band) to a base value in minor
units; promotions are bonuses listed apart from the base so the customer sees both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from core.grading import Grade
from core.messages import N_, UserError

# Functional grade 0-9 collapses into three price bands (lowest grade of each band).
FUNCTIONAL_BANDS = (("F1", 8), ("F2", 5), ("F3", 0))
QUOTE_VALIDITY_DAYS = 7


class PricingError(UserError):
    """No price can be given; str(err) tells the clerk why and what to do."""


# A terminal quotes only from a grid HQ published: never from invented prices.
NO_GRID = N_("No price grid from HQ yet: sync, or ask HQ to publish one. Nothing can be quoted before.")


@dataclass(frozen=True)
class Device:
    id: int
    kind: str
    brand: str
    model: str
    storage_gb: int


@dataclass(frozen=True)
class PriceGrid:
    version: str
    currency: str
    valid_from: date
    valid_until: date
    values: Mapping[tuple[int, int, str, str], int]  # (device_id, storage_gb, cosmetic, band) -> minor


@dataclass(frozen=True)
class Promo:
    code: str
    label: str
    bonus_minor: int
    starts: date
    ends: date
    brand: str = ""  # "" = every brand
    device_id: int | None = None  # None = every model

    def applies(self, device: Device, today: date) -> bool:
        return (
            self.starts <= today <= self.ends
            and self.brand in ("", device.brand)
            and self.device_id in (None, device.id)
        )


@dataclass(frozen=True)
class Quote:
    eligible: bool
    reasons: tuple[str, ...]
    grid_version: str
    currency: str
    base_minor: int = 0
    bonuses: tuple[tuple[str, int], ...] = ()  # (label, minor)
    valid_until: date | None = None

    @property
    def bonus_minor(self) -> int:
        return sum(minor for _, minor in self.bonuses)

    @property
    def total_minor(self) -> int:
        return self.base_minor + self.bonus_minor


def functional_band(functional: int) -> str:
    for band, lowest in FUNCTIONAL_BANDS:
        if functional >= lowest:
            return band
    raise ValueError(f"functional grade {functional} is below 0")


def quote(device: Device, grade: Grade, grid: PriceGrid, promos: Iterable[Promo], today: date) -> Quote:
    """Price a graded device. Gates make it not eligible (with reasons) rather than raising."""
    if not grade.complete:
        raise PricingError(N_("The checklist is not finished: answer every question before quoting."))
    if not grid.valid_from <= today <= grid.valid_until:
        raise PricingError(N_("Price grid %(version)s is valid from %(start)s to %(end)s: "
                              "sync with HQ to get the current grid before quoting."),
                           version=grid.version, start=grid.valid_from.isoformat(), end=grid.valid_until.isoformat())
    if grade.gates:
        return Quote(False, grade.gates, grid.version, grid.currency)
    key = (device.id, device.storage_gb, grade.cosmetic, functional_band(grade.functional))
    if key not in grid.values:
        raise PricingError(N_("Grid %(version)s has no price for %(device)s %(gb)s GB, grade %(grade)s: "
                              "check the storage, or call HQ for a manual quote."),
                           version=grid.version, device=f"{device.brand} {device.model}", gb=device.storage_gb,
                           grade=f"{grade.cosmetic}/{grade.functional}")
    base = grid.values[key]
    # No bonus on a device we only take for recycling (base value 0).
    bonuses = tuple((p.label, p.bonus_minor) for p in promos if base > 0 and p.applies(device, today))
    valid_until = min(today + timedelta(days=QUOTE_VALIDITY_DAYS), grid.valid_until)
    return Quote(True, (), grid.version, grid.currency, base, bonuses, valid_until)
