"""The SQLite primitives the terminal's sync runs on, over the connection it is handed: write
transactions, rows as dicts, and the sync marks (checkpoint, last error, reference versions) in the
`sync_state` table. The kiosk's store (kiosk.store.db) builds on the same primitives; nothing here
knows a business table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


def fetch_all(db: sqlite_utils.Database, sql: str, params: list | tuple = ()) -> list[dict]:
    """Rows as dicts straight from the connection. (sqlite-utils' query() wraps every read in a
    savepoint; reads inside our own transactions do not need that, and the accept path is hot.)"""
    cursor = db.conn.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor]


def fetch_one(db: sqlite_utils.Database, sql: str, params: list | tuple = ()) -> dict | None:
    rows = fetch_all(db, sql, params)
    return rows[0] if rows else None


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE: take the write lock up front, so read-then-write never deadlocks
    between terminals. Everything inside commits together or not at all. Nested use becomes a
    savepoint of the outer transaction (e.g. a pulled catalog and its version mark)."""
    if db.conn.in_transaction:
        db.conn.execute("SAVEPOINT nested")
        try:
            yield db
        except BaseException:
            db.conn.execute("ROLLBACK TO SAVEPOINT nested")
            db.conn.execute("RELEASE SAVEPOINT nested")
            raise
        db.conn.execute("RELEASE SAVEPOINT nested")
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def get_mark(db: sqlite_utils.Database, key: str, default: str = "") -> str:
    """A sync mark (e.g. acked_through_seq, reference.grid); `default` when never set."""
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_mark(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("INSERT INTO sync_state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               [key, value])
