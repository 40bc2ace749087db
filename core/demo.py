"""The demo store's reference data, in the very formats HQ publishes (core.reference): the shipped catalog and
TAC rows, products, a Samsung promo and an **invented** price grid. Pure. Made only when asked for: the kiosk's
`--demo` seeds it into a terminal, `python -m hq --demo` publishes it at a demo HQ, so a demo terminal and a
demo HQ quote and regrade with the same grid. Never used to quote a real trade-in.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from core.grading import COSMETIC_GRADES
from core.pricing import FUNCTIONAL_BANDS

DEMO_DATA = Path(__file__).parent / "data" / "demo"
DEMO_PROFILE = {
    "legal_name": "Boutique Démo SAS (fictitious)", "trading_name": "Boutique Démo Paris 11e",
    "siret": "73282932000074", "address": "12 rue de la Roquette, 75011 Paris", "country": "FR",
    "locale": "fr_FR", "currency": "EUR", "timezone": "Europe/Paris", "vat_regime": "margin",
}
# Demo grid shape (percent of the model's reference value); real grids come from HQ.
STORAGE_STEP_PCT = 12
COSMETIC_PCT = dict(zip(COSMETIC_GRADES, (100, 85, 65, 40), strict=True))
BAND_PCT = {"F1": 100, "F2": 60, "F3": 15}
# Where a model has a sourced public launch price (catalog.csv, README.md), its demo reference value is that price
# times a share that shrinks each year since release, per kind: (share in the release year, share kept each year).
# Invented figures, as the grid is; only the launch prices are facts.
RESIDUAL = {"phone": (0.55, 0.80), "tablet": (0.55, 0.82), "watch": (0.45, 0.72), "console": (0.60, 0.88)}
DEMO_COLUMNS = ("demo_value_eur", "launch_price_eur")  # not published with the catalog


def _read(name: str) -> list[dict]:
    with (DEMO_DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def reference_minor(model: dict, today: date) -> int:
    """A model's demo reference value in cents: from its launch price and age when it has one, else invented."""
    if model.get("launch_price_eur"):
        share, kept = RESIDUAL[model["kind"]]
        age = max(0, today.year - int(model["release_year"]))
        return int(Decimal(model["launch_price_eur"]) * 100 * Decimal(share) * Decimal(kept) ** age)
    return int(model["demo_value_eur"]) * 100


def _grid_values(models: list[dict], today: date) -> list[dict]:
    values = []
    for model in models:
        reference = reference_minor(model, today)
        for step, storage in enumerate(sorted(int(s) for s in model["storages_gb"].split(";"))):
            for cosmetic, c_pct in COSMETIC_PCT.items():
                for band, _ in FUNCTIONAL_BANDS:
                    minor = reference * (100 + STORAGE_STEP_PCT * step) * c_pct * BAND_PCT[band] // 100**3
                    values.append({"kind": model["kind"], "brand": model["brand"], "model": model["model"],
                                   "storage_gb": storage, "cosmetic": cosmetic, "functional_band": band,
                                   "base_minor": minor // 100 * 100})
    return values


def demo_references(today: date) -> dict[str, tuple[str, dict]]:
    """kind -> (version, data) for catalog, grid, promos and products, ready for core.reference.validate."""
    models = _read("catalog.csv")
    return {
        "catalog": ("demo-2", {"models": [{k: v for k, v in m.items() if k not in DEMO_COLUMNS} for m in models],
                               "tacs": _read("tac_demo.csv")}),
        "grid": (f"DEMO-{today:%Y%m%d}", {"currency": "EUR", "valid_from": (today - timedelta(days=1)).isoformat(),
                                         "valid_until": (today + timedelta(days=90)).isoformat(),
                                         "values": _grid_values(models, today)}),
        "promos": (f"DEMO-PROMOS-{today:%Y%m%d}", {"promos": [{
            "code": "DEMO-SAMSUNG-20", "label": "Samsung trade-in bonus", "bonus_minor": 2000, "brand": "Samsung",
            "model": "", "starts": (today - timedelta(days=1)).isoformat(),
            "ends": (today + timedelta(days=30)).isoformat()}]}),
        "products": ("demo-1", {"products": _read("products.csv")}),
    }
