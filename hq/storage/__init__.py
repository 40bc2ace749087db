"""HQ storage: one interface, two backends. SQLite (an embedded file, the default) and PostgreSQL
(psycopg 3, when HQ_DATABASE_URL is set: hq.storage.postgres). SQL is written once with %s placeholders; the bulk
steps that differ (PostgreSQL takes whole batches by COPY or by arrays) are the backends' own."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, MultiFernet

from core.clock import utcnow_ms
from core.markets import DEFAULT_MARKET, market_of
from core.settings import folder_held, private_file
from hq.storage.schema import MIGRATIONS

RECORD_COLUMNS = ("record_uuid, store_id, seq, kind, payload, payload_hash, batch_id, received_at, identifier, "
                  "entity_uuid")


class RaceLost(Exception):
    """Another transaction wrote a key this one found absent: run the whole transaction again."""


def _noting(rows: Iterable[tuple], keys: list[str]) -> Iterator[tuple]:
    for row in rows:
        keys.append(row[0])
        yield row


class Tx:
    """One open transaction; the ingest logic (hq.services.ingest) talks only to this."""

    def __init__(self, cursor: Any, placeholder: str) -> None:
        self.cursor, self.placeholder = cursor, placeholder

    def sql(self, text: str) -> str:
        return text.replace("%s", self.placeholder)

    def run(self, text: str, params: Sequence = ()) -> Any:
        return self.cursor.execute(self.sql(text), params)

    def rows(self, text: str, params: Sequence = ()) -> list[tuple]:
        return list(self.run(text, params).fetchall())

    def many(self, text: str, rows: Sequence[Sequence]) -> None:
        if rows:
            self.cursor.executemany(self.sql(text), rows)

    def store(self, store_id: str, lock: bool = False) -> tuple | None:
        suffix = " FOR UPDATE" if lock and self.placeholder == "%s" else ""
        rows = self.rows("SELECT id, secret, acked_through_seq FROM hq_stores WHERE id = %s" + suffix, [store_id])
        return rows[0] if rows else None

    def claim_batch(self, store_id: str, batch_id: str, count: int, now: str) -> bool:
        """False when this batch id was seen before: a replay."""
        done = self.rows("INSERT INTO hq_batches VALUES (%s, %s, %s, %s) ON CONFLICT (batch_id) DO NOTHING "
                         "RETURNING batch_id", [batch_id, store_id, now, count])
        return bool(done)

    def rows_keyed(self, table: str, key: str, keys: Sequence[str], columns: str) -> list[tuple]:
        """`columns` of the table's rows whose `key` column is one of `keys` (SQLite: 500 keys a statement)."""
        found: list[tuple] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            found += self.rows(f"SELECT {columns} FROM {table} WHERE {key} IN ({', '.join(['%s'] * len(chunk))})",
                               chunk)
        return found

    def existing(self, uuids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """record_uuid -> (the store that sent it, its payload hash), for the ids HQ holds."""
        rows = self.rows_keyed("hq_records", "record_uuid", uuids, "record_uuid, store_id, payload_hash")
        return {record_uuid: (store_id, digest) for record_uuid, store_id, digest in rows}

    def keys_in(self, table: str, column: str, keys: Sequence[str]) -> set[str]:
        """Which of `keys` the table's `column` holds."""
        return {row[0] for row in self.rows_keyed(table, column, keys, column)}

    def write_new(self, table: str, columns: str, rows: Iterable[tuple]) -> list[str]:
        """Insert rows whose keys (their first column) the caller found absent in this transaction; returns
        those keys. (SQLite: the write lock is ours, so nothing absent can appear before the insert.)"""
        keys: list[str] = []
        marks = ", ".join(["%s"] * (columns.count(",") + 1))
        self.cursor.executemany(self.sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), _noting(rows, keys))
        return keys

    def insert_records(self, rows: Iterable[tuple]) -> set[str]:
        """Store records whose id ingest found new under the store's lock; returns their ids."""
        return set(self.write_new("hq_records", RECORD_COLUMNS, rows))

    def insert_tradeins(self, columns: Sequence[str], rows: list[tuple]) -> set[str]:
        """Insert the read-model rows (one a uuid) whose uuid HQ does not hold yet; returns those uuids."""
        present = self.keys_in("hq_tradeins", "uuid", [row[0] for row in rows]) if rows else set()
        return set(self.write_new("hq_tradeins", ", ".join(columns), [row for row in rows if row[0] not in present]))

    def mark_seen(self, store_id: str, seqs: Sequence[int]) -> None:
        self.cursor.executemany(self.sql("INSERT INTO hq_seen_seqs VALUES (%s, %s) ON CONFLICT DO NOTHING"),
                                [(store_id, seq) for seq in seqs])

    def log_rejections(self, rows: list[tuple]) -> None:
        if not rows:
            return
        self.cursor.executemany(self.sql("INSERT INTO hq_rejections VALUES (%s, %s, %s, %s, %s) "
                                         "ON CONFLICT DO NOTHING"), rows)

    def seen_after(self, store_id: str, acked: int, limit: int) -> list[int]:
        return [r[0] for r in self.rows("SELECT seq FROM hq_seen_seqs WHERE store_id = %s AND seq > %s "
                                        "ORDER BY seq LIMIT %s", [store_id, acked, limit])]

    def set_acked(self, store_id: str, acked: int, now: str, forget_seen: bool) -> None:
        self.run("UPDATE hq_stores SET acked_through_seq = %s, last_batch_at = %s WHERE id = %s",
                 [acked, now, store_id])
        if forget_seen:
            self.run("DELETE FROM hq_seen_seqs WHERE store_id = %s AND seq <= %s", [store_id, acked])


class SecretBox:
    """Stores' HMAC secrets encrypted at rest (Fernet) under keys kept outside the database: a copy of the
    database alone lets nobody sign as a store. Rows written before this (plain text) are sealed at start."""

    PREFIX = "fernet:"

    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        # A key of its own for fingerprints, derived from the newest data key (never the Fernet key itself).
        self._fingerprint_key = hashlib.sha256(b"hq account fingerprint\x00" + keys[0].encode()).digest()

    def fingerprint(self, text: str) -> str:
        """A keyed fingerprint (HMAC-SHA256): equal texts match, and a copy of the database alone cannot test
        guesses (an IBAN has too few unknown digits for a plain hash)."""
        return hmac.new(self._fingerprint_key, text.encode(), hashlib.sha256).hexdigest()

    def seal(self, secret: str) -> str:
        return self.PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(self.PREFIX):
            return stored  # not sealed yet (sealed at the next start)
        return self._fernet.decrypt(stored[len(self.PREFIX):].encode()).decode()


class Storage:
    """Backend-neutral operations; subclasses provide transaction()."""

    backend = ""
    box: SecretBox

    @contextmanager
    def transaction(self) -> Iterator[Tx]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read-only look: the same as a transaction unless the backend can do better (SQLite)."""
        with self.transaction() as tx:
            yield tx

    def migrate(self) -> None:
        with self.transaction() as tx:
            tx.run("CREATE TABLE IF NOT EXISTS hq_migrations (number INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {r[0] for r in tx.rows("SELECT number FROM hq_migrations")}
            for number, script in MIGRATIONS:
                if number in done:
                    continue
                for statement in filter(None, (s.strip() for s in script.split(";"))):
                    tx.run(statement)
                tx.run("INSERT INTO hq_migrations VALUES (%s, %s)", [number, utcnow_ms()])

    def add_store(self, name: str) -> tuple[str, str]:
        store_id, secret = f"st_{uuid.uuid4().hex[:16]}", secrets.token_urlsafe(32)
        with self.transaction() as tx:
            tx.run("INSERT INTO hq_stores (id, name, secret, created_at) VALUES (%s, %s, %s, %s)",
                   [store_id, name, self.box.seal(secret), utcnow_ms()])
        return store_id, secret

    def store_secret(self, store_id: str) -> str | None:
        return self.store_access(store_id)[0]

    def store_access(self, store_id: str) -> tuple[str | None, bool]:
        """(the store's secret, whether HQ revoked its access) in one look; (None, False) for an unknown store."""
        with self.read() as tx:
            rows = tx.rows("SELECT secret, revoked_at FROM hq_stores WHERE id = %s", [store_id])
        return (self.box.open(rows[0][0]), bool(rows[0][1])) if rows else (None, False)

    def seal_plain_secrets(self) -> int:
        """Encrypt the store secrets still kept in plain text (written before secrets were sealed)."""
        with self.transaction() as tx:
            plain = tx.rows("SELECT id, secret FROM hq_stores WHERE secret NOT LIKE 'fernet:%%'")
            for store_id, secret in plain:
                tx.run("UPDATE hq_stores SET secret = %s WHERE id = %s", [self.box.seal(secret), store_id])
        return len(plain)

    def records(self, store_id: str | None = None) -> list[tuple]:
        """(record_uuid, store_id, seq, kind, payload) in seq order: for checks and exports."""
        with self.transaction() as tx:
            where, params = ("WHERE store_id = %s", [store_id]) if store_id else ("", [])
            return tx.rows(f"SELECT record_uuid, store_id, seq, kind, payload FROM hq_records {where} "
                           "ORDER BY store_id, seq", params)

    def publish(self, kind: str, version: str, data: str, market: str = DEFAULT_MARKET) -> None:
        """A version of `kind` for `market` (core.markets: the blocklist and TAC table go to every market)."""
        market = market_of(kind, market)
        with self.transaction() as tx:
            if tx.rows("SELECT 1 FROM hq_reference WHERE kind = %s AND market = %s AND version = %s",
                       [kind, market, version]):
                raise ValueError(f"{kind} version {version} is already published: versions are immutable")
            tx.run("INSERT INTO hq_reference (kind, market, version, published_at, data) VALUES (%s, %s, %s, %s, %s)",
                   [kind, market, version, utcnow_ms(), data])

    def latest_references(self, market: str = DEFAULT_MARKET) -> dict[str, dict]:
        """Kind -> the version a store of `market` pulls: its market's newest, and the newest for every market."""
        with self.transaction() as tx:
            rows = tx.rows("SELECT kind, version, published_at FROM hq_reference r WHERE market IN (%s, '') AND "
                           "published_at = (SELECT max(published_at) FROM hq_reference WHERE kind = r.kind AND "
                           "market = r.market)", [market])
        return {kind: {"version": version, "published_at": at} for kind, version, at in rows}

    def reference(self, kind: str, version: str, market: str = DEFAULT_MARKET) -> str | None:
        with self.transaction() as tx:
            rows = tx.rows("SELECT data FROM hq_reference WHERE kind = %s AND version = %s AND market = %s",
                           [kind, version, market_of(kind, market)])
        return rows[0][0] if rows else None


class SqliteStorage(Storage):
    backend = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(private_file(path))  # SQLite gives its -wal and -shm files the database file's mode
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            with folder_held(Path(self.path).parent):
                for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
                    conn.execute(f"PRAGMA {pragma}")
            self._local.conn = conn
        return conn

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A deferred transaction: HQ's pages read a snapshot without taking the write lock from ingest."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield Tx(conn.cursor(), "?")
        finally:
            conn.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time: ingest is serialised, never interleaved
        try:
            yield Tx(conn.cursor(), "?")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
