"""Markets: HQ publishes prices and what it sells per market, and a market is a currency (`EUR`, `USD`): the
currency of the jurisdiction packs' [market] sections (core/data/jurisdictions). Pure.

A grid, a catalog, the promos and the products are published for one market and pulled only by the stores that
trade in its currency; the blocklist of lost or stolen devices and the TAC table name devices, whatever they cost,
and are published once for every market (''). Sums of money are made per currency, never across two; a bank
transfer is a SEPA credit transfer, which carries euros only, so only a euro store offers one.
"""

from __future__ import annotations

from collections.abc import Iterable

from core import jurisdiction
from core.messages import N_, Message
from core.payout import PAYOUT_METHODS, STORE_CREDIT

MARKET_KINDS = ("catalog", "grid", "promos", "products")  # published per market
SHARED_KINDS = ("blocklist", "tacs")  # one version for every market
EVERY_MARKET = ""
MARKETS = tuple(sorted({pack.currency for pack in jurisdiction.PACKS.values()}))
DEFAULT_MARKET = jurisdiction.pack(jurisdiction.DEFAULT).currency  # every store made before markets: France's
SEPA_CURRENCY = "EUR"
SEPA_SOURCE = ("Regulation (EU) No 260/2012 art. 1(1) (SEPA credit transfers are transactions denominated in euro); "
               "EPC SEPA Credit Transfer Rulebook (euro only)")
STORE_CREDIT_ONLY = N_("In this store the seller is paid in store credit: HQ's bank transfers are SEPA transfers, "
                       "which carry euros only.")


class MarketUnknown(ValueError):
    """A market that is none of the packs' currencies."""


def market_named(raw: object) -> str:
    """A market as typed ("usd", " EUR "): one of MARKETS, upper-case, or MarketUnknown."""
    name = str(raw or "").strip().upper()[:8]
    if name not in MARKETS:
        raise MarketUnknown(f"market {name or '(none)'} is not one of {', '.join(MARKETS)}")
    return name


def market_of(kind: str, market: str) -> str:
    """Where a version of `kind` is published: the market for a per-market kind, EVERY_MARKET for the others."""
    return market if kind in MARKET_KINDS else EVERY_MARKET


def grid_currency_problem(kind: str, data: dict, market: str) -> str | None:
    """Why a grid cannot be published into `market`: its prices are in another currency (a dollar grid quoted in
    euros by a Paris store). None for any other kind, or a grid in the market's currency."""
    if kind != "grid" or data.get("currency") == market:
        return None
    return f"is {data.get('currency')}, but this grid is published for the {market} market: prices in {market} only"


def payout_methods(currency: str | None) -> dict[str, str]:
    """The ways a store trading in `currency` may pay a seller (key -> label): both in euros, store credit only
    elsewhere (SEPA_SOURCE)."""
    if (currency or SEPA_CURRENCY) == SEPA_CURRENCY:
        return dict(PAYOUT_METHODS)
    return {STORE_CREDIT: PAYOUT_METHODS[STORE_CREDIT]}


def payout_note(currency: str | None) -> Message | None:
    """What the seller form says when a bank transfer is not offered, and why."""
    return None if (currency or SEPA_CURRENCY) == SEPA_CURRENCY else Message(STORE_CREDIT_ONLY)


def per_currency(rows: Iterable[tuple[str | None, int, int]]) -> list[tuple[str, int, int]]:
    """(currency, count, minor) rows summed per currency, in currency order: never one total across two currencies.
    A row without a currency is of a store made before markets: DEFAULT_MARKET."""
    totals: dict[str, list[int]] = {}
    for currency, count, minor in rows:
        entry = totals.setdefault(currency or DEFAULT_MARKET, [0, 0])
        entry[0] += int(count or 0)
        entry[1] += int(minor or 0)
    return [(currency, count, minor) for currency, (count, minor) in sorted(totals.items())]
