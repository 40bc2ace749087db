"""This terminal's store and terminal rows: the store profile every page and receipt shows, and which
terminal a signed-in clerk acts on."""

from __future__ import annotations

import sqlite_utils

from kiosk.store.db import fetch_one


def store_profile(db: sqlite_utils.Database) -> dict | None:
    """The store this terminal belongs to (one per database)."""
    return fetch_one(db, "SELECT * FROM stores ORDER BY rowid LIMIT 1")


def terminal_id_for(db: sqlite_utils.Database, store_id: str, terminal_id: str = "",
                    mode: str = "staff") -> str | None:
    """The terminal named in the settings, or the store's first terminal of that mode; None when not registered."""
    sql = "SELECT id FROM terminals WHERE store_id = ? AND " + ("id = ?" if terminal_id else "mode = ?")
    row = db.execute(sql + " ORDER BY rowid LIMIT 1", [store_id, terminal_id or mode]).fetchone()
    return row[0] if row else None


def this_terminal(db: sqlite_utils.Database, terminal_id: str, mode: str) -> str | None:
    """Which terminal this process is (TERMINAL_ID, else the store's first of its TERMINAL_MODE): the one whose
    print jobs it prints. None before enrolment, or when the settings name no terminal of this store."""
    store = store_profile(db)
    return terminal_id_for(db, store["id"], terminal_id, mode) if store else None


def terminal_name(db: sqlite_utils.Database, terminal_id: str) -> str:
    row = fetch_one(db, "SELECT name FROM terminals WHERE id = ?", [terminal_id])
    return row["name"] if row else ""
