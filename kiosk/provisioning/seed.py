"""Demo data for a fresh kiosk: one store, two terminals, two staff, the shipped catalog, a demo grid."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta
from pathlib import Path

import sqlite_utils

from core.grading import COSMETIC_GRADES
from core.pins import hash_pin
from core.pricing import FUNCTIONAL_BANDS, PriceGrid, Promo
from kiosk.store.db import fetch_all, write_transaction
from kiosk.tradein.catalog import DATA, import_catalog, import_grid, import_products, read_csv

DEMO_STORE = {
    "code": "FR-PAR-011", "name": "Boutique Démo Paris 11e", "address": "12 rue de la Roquette, 75011 Paris",
    "currency": "EUR", "locale": "fr_FR", "timezone": "Europe/Paris",
}
DEMO_STAFF = (("Camille Martin", "clerk"), ("Sacha Leroy", "manager"))
# Demo grid shape (percent of the model's reference value); real grids come from HQ.
STORAGE_STEP_PCT = 12
COSMETIC_PCT = dict(zip(COSMETIC_GRADES, (100, 85, 65, 40), strict=True))
BAND_PCT = {"F1": 100, "F2": 60, "F3": 15}


def is_seeded(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT count(*) FROM stores").fetchone()[0] > 0


def seed_demo(db: sqlite_utils.Database, pin: str | None = None, today: date | None = None) -> str:
    """Create the demo store and its reference data; returns the staff PIN (random unless given)."""
    pin = pin or f"{secrets.randbelow(10**6):06d}"
    store_id = str(uuid.uuid4())
    with write_transaction(db):
        db["stores"].insert({"id": store_id, **DEMO_STORE})
        for name, mode in (("Counter 1", "staff"), ("Self-service kiosk", "customer")):
            db["terminals"].insert({"id": str(uuid.uuid4()), "store_id": store_id, "name": name, "mode": mode})
        for name, role in DEMO_STAFF:
            db["staff"].insert({"id": str(uuid.uuid4()), "store_id": store_id, "name": name, "role": role,
                                "pin_hash": hash_pin(pin), "active": 1})
    import_catalog(db, "demo-1", read_csv(DATA / "catalog.csv"), read_csv(DATA / "tac_demo.csv"))
    today = today or date.today()
    import_grid(db, demo_grid(db, today), demo_promos(db, today))
    import_products(db, "demo-1", [{**r, "price_minor": int(r["price_minor"]), "vat_bp": int(r["vat_bp"])}
                                   for r in read_csv(DATA / "products.csv")])
    return pin


def _round_down_to_unit(minor: int) -> int:
    return minor // 100 * 100


def demo_grid(db: sqlite_utils.Database, today: date) -> PriceGrid:
    reference = _reference_values(DATA / "catalog.csv")
    values = {}
    for device in fetch_all(db, "SELECT id, brand, model, storages_gb FROM devices"):
        ref_minor = reference[(device["brand"], device["model"])] * 100
        for step, storage in enumerate(sorted(int(s) for s in device["storages_gb"].strip("[]").split(","))):
            for cosmetic, c_pct in COSMETIC_PCT.items():
                for band, _ in FUNCTIONAL_BANDS:
                    minor = ref_minor * (100 + STORAGE_STEP_PCT * step) * c_pct * BAND_PCT[band] // 100**3
                    values[(device["id"], storage, cosmetic, band)] = _round_down_to_unit(minor)
    version = f"DEMO-{today:%Y%m%d}"
    return PriceGrid(version, "EUR", today - timedelta(days=1), today + timedelta(days=90), values)


def demo_promos(db: sqlite_utils.Database, today: date) -> list[Promo]:
    return [Promo("DEMO-SAMSUNG-20", "Samsung trade-in bonus", 2000, today - timedelta(days=1),
                  today + timedelta(days=30), brand="Samsung")]


def _reference_values(catalog_csv: Path) -> dict[tuple[str, str], int]:
    return {(r["brand"], r["model"]): int(r["demo_value_eur"]) for r in read_csv(catalog_csv)}
