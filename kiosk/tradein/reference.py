"""HQ's reference data applied to this terminal's database: one function per kind, handed to sync.puller
(which fetches, validates with core.reference and marks the version in the same transaction), plus `pull()`
for the kiosk's callers. What arrives here has passed the same validators HQ ran on the upload."""

from __future__ import annotations

from datetime import date

import sqlite_utils

from core import tacs
from core.pricing import PriceGrid, Promo
from core.reference import ReferenceInvalid, RowProblem, catalog_kind_problems, grid_kind_problems
from kiosk.tradein import catalog
from kiosk.tradein.shipping import apply_updates
from sync import puller
from sync.client import HQClient


def _apply_catalog(db, version: str, data: dict) -> None:
    if problems := catalog_kind_problems(data.get("models", []), _priced_kinds(db)):
        raise ReferenceInvalid("catalog", problems)  # refused whole: this terminal keeps every model as it is
    catalog.import_catalog(db, version, data.get("models", []), data.get("tacs", []))


def _priced_kinds(db) -> dict[tuple[str, str], str]:
    """(brand, model) -> kind of every model the grid in force prices."""
    return {(brand, model): kind for brand, model, kind in db.execute(
        "SELECT DISTINCT d.brand, d.model, d.kind FROM price_grid_values v JOIN price_grids g "
        "ON g.version = v.grid_version AND g.active = 1 JOIN devices d ON d.id = v.device_id")}


def _apply_grid(db, version: str, data: dict) -> None:
    if problem := _other_market(db, data):  # HQ serves a store its own market's (core.markets): never quoted from
        raise ReferenceInvalid("grid", [problem])
    if db.execute("SELECT 1 FROM price_grids WHERE version = ?", [version]).fetchone():
        # Already here (seeded, or pulled before a reset of the version mark): versions are immutable.
        db.execute("UPDATE price_grids SET active = (version = ?)", [version])
        return
    if problems := grid_kind_problems(data["values"], catalog.device_kinds(db)):
        raise ReferenceInvalid("grid", problems)  # refused whole: this terminal keeps the grid it has
    ids = catalog.device_ids(db)
    values = {(ids[(v["brand"], v["model"])], int(v["storage_gb"]), v["cosmetic"], v["functional_band"]):
              int(v["base_minor"]) for v in data["values"] if (v["brand"], v["model"]) in ids}
    grid = PriceGrid(version, data["currency"], date.fromisoformat(data["valid_from"]),
                     date.fromisoformat(data["valid_until"]), values)
    catalog.import_grid(db, grid, [])


def _other_market(db, data: dict) -> RowProblem | None:
    """A grid whose prices are not in this store's currency (a dollar grid at a Paris store), or None."""
    row = db.execute("SELECT currency FROM stores ORDER BY rowid LIMIT 1").fetchone()
    if row and row[0] and data.get("currency") != row[0]:
        return RowProblem(0, "currency", f"is {data.get('currency')}, but this store trades in {row[0]}")
    return None


def _apply_promos(db, version: str, data: dict) -> None:
    ids = catalog.device_ids(db)
    db.execute("DELETE FROM promos")
    for p in data.get("promos", []):
        device_id = ids.get((p.get("brand", ""), p["model"])) if p.get("model") else None
        promo = Promo(p["code"], p["label"], int(p["bonus_minor"]), date.fromisoformat(p["starts"]),
                      date.fromisoformat(p["ends"]), p.get("brand", ""), device_id)
        db.execute("INSERT INTO promos VALUES (?, ?, ?, ?, ?, ?, ?)", [
            promo.code, promo.label, promo.bonus_minor, promo.starts.isoformat(), promo.ends.isoformat(),
            promo.brand, promo.device_id])


def _apply_blocklist(db, version: str, data: dict) -> None:
    db.execute("DELETE FROM blocklist")
    for entry in data["entries"]:  # validated by sync.puller (core.reference): each a valid IMEI or serial
        db.execute("INSERT OR REPLACE INTO blocklist (type, identifier, reason, version) VALUES (?, ?, ?, ?)",
                   [entry["type"], entry["identifier"], entry["reason"], version])


def _apply_tacs(db, version: str, data: dict) -> None:
    if problems := tacs.catalog_problems(data["tacs"], catalog.device_kinds(db), listed_only=False):
        raise ReferenceInvalid("tacs", problems)  # refused whole: this terminal keeps the table it has
    catalog.replace_tacs(db, data["tacs"])


def _apply_products(db, version: str, data: dict) -> None:
    catalog.import_products(db, version, data["products"])


APPLIERS = puller.Appliers({"catalog": _apply_catalog, "grid": _apply_grid, "promos": _apply_promos,
                            "blocklist": _apply_blocklist, "products": _apply_products, "tacs": _apply_tacs},
                           apply_updates)


def pull(db: sqlite_utils.Database, client: HQClient) -> list[str]:
    """Fetch and apply every newer reference version, then HQ's outcomes; returns what changed."""
    return puller.pull(db, client, APPLIERS)
