"""Publishing a reference version, whichever door it comes through (the browser, the CLI, the demo): the same
validators a terminal runs on its pull (core.reference), plus the checks against what HQ already publishes. A grid,
catalog, promos or products version is published for one market (core.markets: a currency) and checked against that
market's versions; a grid whose prices are in another currency is refused."""

from __future__ import annotations

import json

from core import tacs
from core.markets import DEFAULT_MARKET, MARKETS, grid_currency_problem, market_named
from core.reference import (
    VERSION_RULE,
    ReferenceInvalid,
    RowProblem,
    catalog_kind_problems,
    grid_kind_problems,
    validate,
    version_name,
)
from hq.storage import Storage


def catalog_kinds(storage: Storage, market: str = DEFAULT_MARKET) -> dict[tuple[str, str], str] | None:
    """(brand, model) -> kind in the catalog HQ publishes now for `market`; None before any catalog."""
    latest = storage.latest_references(market).get("catalog")
    data = latest and storage.reference("catalog", latest["version"], market)
    if not data:
        return None
    return {(m["brand"], m["model"]): m["kind"] for m in json.loads(data)["models"]}


def grid_kinds(storage: Storage, market: str = DEFAULT_MARKET) -> dict[tuple[str, str], str]:
    """(brand, model) -> kind in the grid HQ publishes now for `market` (rows from before grids named their kind:
    none)."""
    latest = storage.latest_references(market).get("grid")
    data = latest and storage.reference("grid", latest["version"], market)
    values = json.loads(data)["values"] if data else []
    return {(v["brand"], v["model"]): v["kind"] for v in values if v.get("kind")}


def checked(storage: Storage, kind: str, data: object, market: str = DEFAULT_MARKET) -> dict:
    """The canonical data of a version for `market`, or ReferenceInvalid listing every row at fault. A grid is in
    the market's currency and held against the market's catalog (each row's model listed there, with the same
    kind), and a catalog against the market's grid (a model the grid prices keeps its kind): the same checks a
    terminal runs as it applies them."""
    clean = validate(kind, data)
    problems = []
    if currency := grid_currency_problem(kind, clean, market):
        problems = [RowProblem(0, "currency", currency)]
    elif kind == "grid" and (kinds := catalog_kinds(storage, market)) is not None:
        problems = grid_kind_problems(clean["values"], kinds, listed_only=True)
    elif kind == "catalog":
        problems = catalog_kind_problems(clean["models"], grid_kinds(storage, market))
    elif kind == "tacs":  # each TAC names a model of a published catalog (any market's), one an IMEI identifies
        every = {key: listed for name in MARKETS for key, listed in (catalog_kinds(storage, name) or {}).items()}
        problems = tacs.catalog_problems(clean["tacs"], every, listed_only=True)
    if problems:
        raise ReferenceInvalid(kind, problems)
    return clean


def checked_tac_csv(storage: Storage, raw: bytes) -> dict:
    """A TAC table's canonical data from its CSV (core.tacs.read_csv: bounded, normalised), through `checked`;
    TacFileRefused names each row at fault by its line in the file."""
    table = tacs.read_csv(raw)
    try:
        return checked(storage, "tacs", table.data)
    except ReferenceInvalid as err:
        raise table.at_lines(err) from None


def publish(storage: Storage, kind: str, version: str, data: object, market: str = DEFAULT_MARKET) -> dict:
    """Check, then publish an immutable version for `market` under its one name (core.reference.version_name: a
    terminal fetches no other); returns what was published. MarketUnknown for a market no pack trades in."""
    name, market = version_name(version), market_named(market)
    if name is None:
        raise ReferenceInvalid(kind, [RowProblem(0, "version", f"{str(version)[:80]!r} must be {VERSION_RULE}")])
    clean = checked(storage, kind, data, market)
    storage.publish(kind, name, json.dumps(clean, ensure_ascii=False), market)
    return clean
