"""The accept's own SQL, without its Python: record every statement a real accept sends to SQLite, with its
parameters, then replay the same statements raw in one transaction on a copy of the same database. The accept
against that replay is what our Python costs on top of the writes the law needs (bench_accept)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlite_utils

Statement = tuple[str, tuple | list | dict]
TRANSACTION = ("BEGIN IMMEDIATE", "COMMIT")


class _RecordingConnection:
    """Stands for the sqlite3 connection inside sqlite_utils.Database: passes every call on, and writes down
    each statement and its parameters as our code sends them (a trigger's statements are SQLite's own)."""

    def __init__(self, conn: sqlite3.Connection, log: list[Statement]) -> None:
        self._conn, self._log = conn, log

    def execute(self, sql: str, parameters=()):
        self._log.append((sql, parameters))
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, rows):
        rows = list(rows)
        self._log.extend((sql, row) for row in rows)
        return self._conn.executemany(sql, rows)

    def __enter__(self):
        return self._conn.__enter__()

    def __exit__(self, *exc):
        return self._conn.__exit__(*exc)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


@contextmanager
def recorded(db: sqlite_utils.Database) -> Iterator[list[Statement]]:
    """The statements sent through `db` inside the block. SQLite's own trace counts what reached it, so a
    statement sent some other way (a cursor of its own) fails the recording instead of passing unseen."""
    log: list[Statement] = []
    traced: list[str] = []
    real = db.conn
    real.set_trace_callback(traced.append)
    db.conn = _RecordingConnection(real, log)
    try:
        yield log
    finally:
        db.conn = real
        real.set_trace_callback(None)
    ours = [s for s in traced if not s.startswith("--")]  # "-- TRIGGER name": run by SQLite, replayed by it too
    if len(ours) != len(log):
        raise RuntimeError(f"{len(ours)} statements reached SQLite, {len(log)} were recorded")


def record_each(db: sqlite_utils.Database, act: Callable[[str], object], keys: list[str]) -> list[list[Statement]]:
    """The statements of `act(key)` for each key in turn, without the transaction's BEGIN and COMMIT."""
    scripts = []
    for key in keys:
        with recorded(db) as log:
            act(key)
        scripts.append([(sql, params) for sql, params in log if sql not in TRANSACTION])
    return scripts


def replay(conn: sqlite3.Connection, script: list[Statement]) -> None:
    """One recorded accept, raw: the same statements and parameters in one BEGIN IMMEDIATE ... COMMIT, each
    result read to its end as the accept reads it."""
    conn.execute("BEGIN IMMEDIATE")
    for sql, params in script:
        conn.execute(sql, params).fetchall()
    conn.execute("COMMIT")
