"""A thin wrapper over sqlite-utils: pragmas, migrations, write transactions, one connection per request."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from kiosk.migrations import MIGRATIONS

# Durability first: a trade-in acknowledged on screen must survive a power cut.
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000")


def utcnow() -> str:
    """UTC ISO-8601 with seconds, the only time format stored."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_database(path: str | Path) -> sqlite_utils.Database:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    for pragma in PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    return sqlite_utils.Database(conn)


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


def get_state(db: sqlite_utils.Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_state(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("INSERT INTO sync_state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               [key, value])


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply pending migrations, each in its own transaction with its user_version bump."""
    applied = []
    for number, _name, sql in MIGRATIONS:
        if number <= schema_version(db):
            continue
        with write_transaction(db):
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
