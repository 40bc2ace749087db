"""HQ storage on PostgreSQL (psycopg 3, the hq-postgres extra): the bulk steps take whole batches, by COPY or by
one statement of arrays, in one or two round trips."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from hq.storage import RaceLost, Storage, Tx

COPY_FROM = 64  # rows: fewer go in as one INSERT (one round trip; COPY's handshake takes two)
BIGINT_COLUMNS = frozenset({"seq", "storage_gb", "functional_grade", "total_minor"})  # of hq_records, hq_tradeins


class PostgresTx(Tx):
    def rows_keyed(self, table: str, key: str, keys: Sequence[str], columns: str) -> list[tuple]:
        # One index probe a key, whatever the planner knows: on a partitioned table not yet analysed, `= ANY`
        # was planned as a scan of every row: 80 ms a batch of 500 at 30,000 records.
        return self.rows(f"SELECT found.* FROM unnest(%s::text[]) AS wanted(id), LATERAL (SELECT {columns} "
                         f"FROM {table} WHERE {key} = wanted.id LIMIT 1) AS found", [list(keys)])

    def write_new(self, table: str, columns: str, rows: Iterable[tuple]) -> list[str]:
        """COPY, the fastest way in for a big batch: rows go to the server while the next ones are made.
        Another store's transaction may have written one of the keys since we looked (a unique key, not our
        lock, guards that): RaceLost, and the caller runs its transaction again."""
        from psycopg.errors import UniqueViolation

        rows = iter(rows)
        first = list(itertools.islice(rows, COPY_FROM))
        try:
            if len(first) < COPY_FROM:
                return self._insert(table, columns, first)
            keys: list[str] = []
            with self.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in itertools.chain(first, rows):
                    copy.write_row(row)
                    keys.append(row[0])
            return keys
        except UniqueViolation as err:
            raise RaceLost(str(err)) from err

    def insert_tradeins(self, columns: Sequence[str], rows: list[tuple]) -> set[str]:
        if len(rows) < COPY_FROM:  # one statement, no look first: the key leaves out the uuids HQ has
            return set(self._insert("hq_tradeins", ", ".join(columns), rows, "ON CONFLICT (uuid) DO NOTHING"))
        return super().insert_tradeins(columns, rows)

    def _insert(self, table: str, columns: str, rows: list[tuple], conflict: str = "") -> list[str]:
        """The rows in one INSERT from one array a column (binary: text arrays would escape every quote of
        every JSON payload; a VALUES list took 1.8x as long); the first column of those written."""
        if not rows:
            return []
        names = [name.strip() for name in columns.split(",")]
        arrays = ", ".join(f"%b::{'bigint' if name in BIGINT_COLUMNS else 'text'}[]" for name in names)
        self.cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {conflict} "
                            f"RETURNING {names[0]}", [list(column) for column in zip(*rows, strict=True)])
        return [r[0] for r in self.cursor.fetchall()]

    def mark_seen(self, store_id: str, seqs: Sequence[int]) -> None:
        self.run("INSERT INTO hq_seen_seqs SELECT %s, unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                 [store_id, list(seqs)])


class PostgresStorage(Storage):
    backend = "postgresql"

    def __init__(self, url: str, max_connections: int = 10) -> None:
        from psycopg_pool import ConnectionPool  # optional extra: hq-postgres

        self.pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=True)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            yield PostgresTx(cursor, "%s")

    def close(self) -> None:
        self.pool.close()
