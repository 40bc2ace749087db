"""The request-scoped connection to the kiosk's database: one per thread, kept, never left in a transaction."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlite_utils
from flask import Flask, current_app

from kiosk.store.db import open_database


def get_db() -> sqlite_utils.Database:
    """This thread's connection to the kiosk database, opened once and kept: opening one (and
    setting its pragmas) costs more than a typical htmx fragment request does."""
    per_thread = current_app.extensions["kiosk.connections"]
    db = getattr(per_thread, "db", None)
    if db is None:
        db = per_thread.db = open_signing_database(current_app.config)
    return db


def open_signing_database(config) -> sqlite_utils.Database:
    """A connection whose fiscal records are signed with this terminal's key, kept beside the police register's key
    (kiosk.till.fiscal_chain): requests, the launcher's journal and every CLI command that may sign open it so."""
    db = open_database(config["DATABASE"])
    db.fiscal_key_folder = str(Path(config["REGISTER_KEY_FILE"]).parent)
    return db


def release_db(_exc: BaseException | None = None) -> None:
    """After each request: never leave a transaction open on a kept connection."""
    db = getattr(current_app.extensions["kiosk.connections"], "db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def init_app(app: Flask) -> None:
    app.extensions["kiosk.connections"] = threading.local()
    app.teardown_appcontext(release_db)
