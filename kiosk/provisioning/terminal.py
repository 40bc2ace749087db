"""This terminal's store and terminal rows: the store profile every page and receipt shows, and which
terminal a signed-in clerk acts on."""

from __future__ import annotations

import sqlite_utils

from kiosk.store.db import fetch_one


def store_profile(db: sqlite_utils.Database) -> dict | None:
    """The store this terminal belongs to (one per database)."""
    return fetch_one(db, "SELECT * FROM stores ORDER BY rowid LIMIT 1")


def terminal_id_for(db: sqlite_utils.Database, store_id: str, terminal_id: str = "") -> str | None:
    """The terminal named in the settings, or the store's first staff terminal; None when not registered."""
    sql = "SELECT id FROM terminals WHERE store_id = ? AND " + ("id = ?" if terminal_id else "mode = 'staff'")
    params = [store_id, terminal_id] if terminal_id else [store_id]
    row = db.execute(sql + " ORDER BY rowid LIMIT 1", params).fetchone()
    return row[0] if row else None


def terminal_name(db: sqlite_utils.Database, terminal_id: str) -> str:
    row = fetch_one(db, "SELECT name FROM terminals WHERE id = ?", [terminal_id])
    return row["name"] if row else ""
