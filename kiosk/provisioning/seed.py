"""Demo data for a fresh kiosk, only when asked for (`--demo`, `flask --app kiosk seed`): one store marked demo,
two terminals, two staff, and core.demo's reference data applied through the same appliers as an HQ pull."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

import sqlite_utils

from core.demo import DEMO_PROFILE, demo_references
from core.messages import N_
from core.pins import hash_pin
from core.reference import validate
from kiosk.store.db import write_transaction
from kiosk.tradein.reference import APPLIERS
from kiosk.translations import catalogue
from sync.localdb import set_mark

DEMO_STORE = {"code": "FR-PAR-011", "name": DEMO_PROFILE["trading_name"], "demo": 1,
              **{k: v for k, v in DEMO_PROFILE.items() if k != "trading_name"}}
DEMO_STAFF = (("Camille Martin", "clerk"), ("Sacha Leroy", "manager"))


def is_seeded(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT count(*) FROM stores").fetchone()[0] > 0


def seed_demo(db: sqlite_utils.Database, pin: str | None = None, today: date | None = None) -> str:
    """Create the demo store and its reference data; returns the staff PIN (random unless given)."""
    pin = pin or f"{secrets.randbelow(10**6):06d}"
    store_id = str(uuid.uuid4())
    with write_transaction(db):
        db["stores"].insert({"id": store_id, **DEMO_STORE})
        _ = catalogue(DEMO_PROFILE["locale"]).gettext  # terminal names are printed: in the store's language
        for name, mode in ((N_("Counter 1"), "staff"), (N_("Self-service kiosk"), "customer")):
            db["terminals"].insert({"id": str(uuid.uuid4()), "store_id": store_id, "name": _(name), "mode": mode})
        for name, role in DEMO_STAFF:
            db["staff"].insert({"id": str(uuid.uuid4()), "store_id": store_id, "name": name, "role": role,
                                "pin_hash": hash_pin(pin), "active": 1})
    for kind, (version, data) in demo_references(today or date.today()).items():
        with write_transaction(db):
            APPLIERS.reference[kind](db, version, validate(kind, data))
            set_mark(db, f"reference.{kind}", version)
    return pin
