"""The margin scheme for second-hand goods (régime de la marge, CGI art. 297 A): the VAT due on a sale's margin,
per VAT rate, and the mention the ticket carries. Pure: no Flask, no SQL. Money is integer minor units (cents).

Every rule and its source is in core/data/margin_scheme.toml. The arithmetic, stated once:
- a line's margin = its paid total (VAT included, after discount) - quantity × unit purchase price, and never below
  zero (item by item: one sale's loss is not set against another's margin);
- per rate, the VAT on margin = round_half_up(sum of margins × rate / (1 + rate)), as core.till rounds VAT per rate.

`margin_breakdown(lines)` is what a ticket total, a Z report or a month/year closure calls; standard-rate lines are
left to core.till.vat_breakdown, which skips margin lines: the two together account for every line once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.till import BASIS_POINTS, Line, round_half_up

RULES_FILE = Path(__file__).parent / "data" / "margin_scheme.toml"
RULES = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
SCHEMES = ("standard", "margin")


@dataclass(frozen=True)
class MarginRow:
    """The margin-scheme lines of one VAT rate: what was paid, what they cost, the margin and the VAT on it."""
    rate_bp: int
    gross_minor: int  # the customer's price, VAT included (no VAT shown on the ticket)
    purchase_minor: int
    margin_minor: int  # sum of the lines' margins, each never below zero
    vat_minor: int  # VAT due on the margin (the margin is VAT included)


def line_margin(line: Line) -> int:
    """A margin-scheme line's margin, never negative (CGI art. 297 A, I-1°: item by item)."""
    if line.margin_purchase_minor is None:
        raise ValueError(f"{line.ean} is not sold under the margin scheme")
    margin = line.total_minor - line.quantity * line.margin_purchase_minor
    return max(margin, 0) if RULES["per_item"]["never_negative"] else margin


def vat_on_margin(margin_minor: int, rate_bp: int) -> int:
    """VAT included in a margin: margin × rate / (1 + rate), rounded half up to the cent."""
    return round_half_up(margin_minor * rate_bp, BASIS_POINTS + rate_bp)


def margin_breakdown(lines: Iterable[Line]) -> tuple[MarginRow, ...]:
    """The margin-scheme lines among `lines`, summed per VAT rate, each rate's VAT on margin computed once."""
    sums: dict[int, list[int]] = {}
    for line in lines:
        if line.margin_purchase_minor is None:
            continue
        row = sums.setdefault(line.vat_bp, [0, 0, 0])
        row[0] += line.total_minor
        row[1] += line.quantity * line.margin_purchase_minor
        row[2] += line_margin(line)
    return tuple(MarginRow(rate, gross, purchase, margin, vat_on_margin(margin, rate))
                 for rate, (gross, purchase, margin) in sorted(sums.items()))


def mention(language: str) -> str:
    """The mention a ticket with a margin-scheme line carries, in the paper's language (French by default: the
    CGI's wording)."""
    return RULES["mention"].get(language, RULES["mention"]["fr"])
