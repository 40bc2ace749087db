"""The kiosk's SQLite file: opened through sqlite-utils with durable pragmas, and its numbered migrations.

The transaction and row helpers (write_transaction, fetch_all, fetch_one) are sync.localdb's, re-exported
here so that every kiosk service reads and writes one way; the request-scoped connection is
kiosk.store.connection's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from core.settings import folder_held, private_file
from kiosk.store.migrations import MIGRATIONS
from sync.localdb import fetch_all, fetch_one, write_transaction

__all__ = ["fetch_all", "fetch_one", "migrate", "open_database", "schema_version", "write_transaction"]

# Durability first: a trade-in acknowledged on screen must survive a power cut.
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000")


def open_database(path: str | Path) -> sqlite_utils.Database:
    """The database file, readable by the kiosk user only (0600: SQLite gives its -wal and -shm files the
    same mode), in a folder created 0700."""
    path = private_file(path)
    conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    with folder_held(path.parent):  # a CLI command may open the file while the server does
        for pragma in PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
    return sqlite_utils.Database(conn)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database, upto: int | None = None) -> list[int]:
    """Apply pending migrations (those up to `upto`, if given), each in its own transaction with its
    user_version bump."""
    applied = []
    for number, _name, sql in MIGRATIONS:
        if number <= schema_version(db) or (upto is not None and number > upto):
            continue
        with write_transaction(db):
            if number <= schema_version(db):  # read again under the write lock: another process just applied it
                continue
            for statement in _statements(sql):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        applied.append(number)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (executescript would commit on its own)."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
