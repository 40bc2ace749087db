"""Creating and migrating the kiosk's database file, and seeding the demo store when asked."""

from __future__ import annotations

from kiosk.provisioning.seed import is_seeded, seed_demo
from kiosk.store.db import migrate, open_database


def prepare_database(path: str, demo: bool = False, demo_pin: str = "") -> str | None:
    """Create and migrate the database; with `demo`, seed the demo store when the terminal has no store yet.
    Returns the new demo PIN, if seeded. Without `demo` a new terminal waits for enrolment with HQ."""
    db = open_database(path)
    try:
        migrate(db)
        return None if not demo or is_seeded(db) else seed_demo(db, pin=demo_pin or None)
    finally:
        db.close()
