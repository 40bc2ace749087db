"""Creating and migrating the kiosk's database file, and seeding the demo store when asked."""

from __future__ import annotations

from kiosk.provisioning.seed import is_seeded, seed_demo
from kiosk.store.db import migrate, open_database


def prepare_database(path: str, demo_pin: str = "") -> str | None:
    """Create and migrate the database; seed the demo store on first run. Returns the new PIN, if seeded."""
    db = open_database(path)
    try:
        migrate(db)
        return None if is_seeded(db) else seed_demo(db, pin=demo_pin or None)
    finally:
        db.close()
