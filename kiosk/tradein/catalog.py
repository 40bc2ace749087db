"""Reference data in the kiosk database: device catalog, TAC table, price grids, promos.

Loaders turn rows into the pure pricing types; importers apply a whole version in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from core.clock import utcnow
from core.device_names import display_name, shown_name
from core.pricing import PriceGrid, Promo
from kiosk.store.db import fetch_all, fetch_one, write_transaction


@dataclass(frozen=True)
class CatalogDevice:
    id: int
    kind: str
    brand: str
    model: str
    storages_gb: tuple[int, ...]
    names: dict = field(default_factory=dict)  # the model's name in other languages, from HQ's catalog

    @property
    def name(self) -> str:
        """The maker's name, brand once: what the police register records."""
        return display_name(self.brand, self.model)

    def shown(self, language: str, gettext) -> str:
        """The name a reader of `language` sees (core.device_names.shown_name): the receipt's, in the store's."""
        return shown_name(self.brand, self.model, self.names, language, gettext)


def _device(row: dict) -> CatalogDevice:
    return CatalogDevice(row["id"], row["kind"], row["brand"], row["model"], tuple(json.loads(row["storages_gb"])),
                         json.loads(row.get("names") or "{}"))


def get_device(db: sqlite_utils.Database, device_id: int) -> CatalogDevice | None:
    row = fetch_one(db, "SELECT * FROM devices WHERE id = ?", [device_id])
    return _device(row) if row else None


def device_for_tac(db: sqlite_utils.Database, tac: str) -> CatalogDevice | None:
    row = fetch_one(db, "SELECT d.* FROM devices d JOIN device_tacs t ON t.device_id = d.id WHERE t.tac = ?", [tac])
    return _device(row) if row else None


def devices_of_kind(db: sqlite_utils.Database, kind: str) -> list[CatalogDevice]:
    return [_device(r) for r in fetch_all(db, "SELECT * FROM devices WHERE kind = ? ORDER BY brand, model", [kind])]


def import_catalog(db: sqlite_utils.Database, version: str, models: list[dict], tacs: list[dict]) -> int:
    """Insert or update every model and TAC row of a catalog version, atomically.
    Storage options come as a list of GB or as "64;128" text (the shipped CSV)."""
    with write_transaction(db):
        for m in models:
            options = m["storages_gb"].split(";") if isinstance(m["storages_gb"], str) else m["storages_gb"]
            db.execute(
                "INSERT INTO devices (kind, brand, model, storages_gb, release_year, catalog_version, names) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand, model) DO UPDATE SET kind = excluded.kind, "
                "storages_gb = excluded.storages_gb, catalog_version = excluded.catalog_version, "
                "names = excluded.names",
                [m["kind"], m["brand"], m["model"], json.dumps(sorted(int(s) for s in options)),
                 int(m["release_year"]) if m.get("release_year") else None, version,
                 json.dumps(m.get("names") or {}, ensure_ascii=False)],
            )
        for t in tacs:
            db.execute(
                "INSERT OR REPLACE INTO device_tacs (tac, device_id) "
                "SELECT ?, id FROM devices WHERE brand = ? AND model = ?",
                [t["tac"], t["brand"], t["model"]],
            )
    return len(models)


def replace_tacs(db: sqlite_utils.Database, rows: list[dict]) -> int:
    """HQ's TAC table, whole, in place of the one here (a version is the table as HQ publishes it); a row whose
    model this terminal lacks is left out: that IMEI gets the model list, as an unknown TAC does."""
    with write_transaction(db):
        db.execute("DELETE FROM device_tacs")
        db.execute("INSERT INTO device_tacs (tac, device_id) SELECT json_extract(value, '$.tac'), d.id "
                   "FROM json_each(?) JOIN devices d ON d.brand = json_extract(value, '$.brand') "
                   "AND d.model = json_extract(value, '$.model') WHERE true ON CONFLICT (tac) DO NOTHING",
                   [json.dumps(rows)])
        return db.execute("SELECT count(*) FROM device_tacs").fetchone()[0]


def import_products(db: sqlite_utils.Database, version: str, rows: list[dict]) -> int:
    """The sellable items (refurbished devices, accessories) from HQ's catalogue; a product still in a
    cart is kept until the cart is paid or emptied."""
    eans = [str(r["ean"]) for r in rows]
    with write_transaction(db):
        db.execute("INSERT INTO products (ean, name, kind, price_minor, vat_bp, catalog_version, brand, model, "
                   "vat_scheme, purchase_minor) "
                   "SELECT json_extract(value, '$.ean'), json_extract(value, '$.name'), "
                   "json_extract(value, '$.kind'), json_extract(value, '$.price_minor'), "
                   "json_extract(value, '$.vat_bp'), ?, coalesce(json_extract(value, '$.brand'), ''), "
                   "coalesce(json_extract(value, '$.model'), ''), "
                   "coalesce(json_extract(value, '$.vat_scheme'), 'standard'), "
                   "json_extract(value, '$.purchase_minor') FROM json_each(?) WHERE true "
                   "ON CONFLICT (ean) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                   "price_minor = excluded.price_minor, vat_bp = excluded.vat_bp, brand = excluded.brand, "
                   "model = excluded.model, vat_scheme = excluded.vat_scheme, "
                   "purchase_minor = excluded.purchase_minor, catalog_version = excluded.catalog_version",
                   [version, json.dumps(rows)])
        db.execute("DELETE FROM products WHERE ean NOT IN (SELECT value FROM json_each(?)) "
                   "AND ean NOT IN (SELECT ean FROM cart_lines)", [json.dumps(eans)])
    return len(rows)


def device_ids(db: sqlite_utils.Database) -> dict[tuple[str, str], int]:
    return {(r["brand"], r["model"]): r["id"] for r in fetch_all(db, "SELECT id, brand, model FROM devices")}


def device_kinds(db: sqlite_utils.Database) -> dict[tuple[str, str], str]:
    return {(r["brand"], r["model"]): r["kind"] for r in fetch_all(db, "SELECT kind, brand, model FROM devices")}


def active_grid_version(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT version FROM price_grids WHERE active = 1").fetchone()
    return row[0] if row else None


def active_grid(db: sqlite_utils.Database, device_id: int | None = None) -> PriceGrid | None:
    version = active_grid_version(db)
    return load_grid(db, version, device_id) if version else None


def load_grid(db: sqlite_utils.Database, version: str, device_id: int | None = None) -> PriceGrid:
    """A grid version; with device_id, only that model's cells (all a quote reads)."""
    meta = fetch_one(db, "SELECT * FROM price_grids WHERE version = ?", [version])
    sql = "SELECT * FROM price_grid_values WHERE grid_version = ?" + (" AND device_id = ?" if device_id else "")
    values = {
        (r["device_id"], r["storage_gb"], r["cosmetic"], r["functional_band"]): r["base_minor"]
        for r in fetch_all(db, sql, [version, device_id] if device_id else [version])
    }
    return PriceGrid(
        version, meta["currency"], date.fromisoformat(meta["valid_from"]), date.fromisoformat(meta["valid_until"]),
        values,
    )


def import_grid(
    db: sqlite_utils.Database, grid: PriceGrid, promos: list[Promo], activate: bool = True
) -> None:
    """Store an immutable grid version (and the promos shipped with it) and make it active."""
    with write_transaction(db):
        if db.execute("SELECT 1 FROM price_grids WHERE version = ?", [grid.version]).fetchone():
            raise ValueError(f"price grid {grid.version} exists already: grids are immutable, use a new version")
        db.execute(
            "INSERT INTO price_grids (version, currency, valid_from, valid_until, imported_at, active) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            [grid.version, grid.currency, grid.valid_from.isoformat(), grid.valid_until.isoformat(), utcnow()],
        )
        db["price_grid_values"].insert_all(
            {"grid_version": grid.version, "device_id": k[0], "storage_gb": k[1], "cosmetic": k[2],
             "functional_band": k[3], "base_minor": v}
            for k, v in grid.values.items()
        )
        for p in promos:
            db.execute(
                "INSERT OR REPLACE INTO promos VALUES (?, ?, ?, ?, ?, ?, ?)",
                [p.code, p.label, p.bonus_minor, p.starts.isoformat(), p.ends.isoformat(), p.brand, p.device_id],
            )
        if activate:
            db.execute("UPDATE price_grids SET active = 0 WHERE active = 1")
            db.execute("UPDATE price_grids SET active = 1 WHERE version = ?", [grid.version])


def load_promos(db: sqlite_utils.Database) -> list[Promo]:
    return [
        Promo(r["code"], r["label"], r["bonus_minor"], date.fromisoformat(r["starts"]),
              date.fromisoformat(r["ends"]), r["brand"], r["device_id"])
        for r in fetch_all(db, "SELECT * FROM promos ORDER BY code")
    ]
