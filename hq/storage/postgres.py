"""HQ storage on PostgreSQL (psycopg 3, the hq-postgres extra): the bulk steps take whole batches, by COPY or by
one statement of arrays, in one or two round trips. HQ survives losing its database server (a primary failing over
to its standby, docs/scaling.md): HQ answers 503 while no writable node answers, and its pool reconnects."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from werkzeug.exceptions import ServiceUnavailable

from core.messages import N_
from hq.storage import RaceLost, Storage, Tx

if TYPE_CHECKING:
    from psycopg import Connection

COPY_FROM = 64  # rows: fewer go in as one INSERT (one round trip; COPY's handshake takes two)
BIGINT_COLUMNS = frozenset({"seq", "storage_gb", "functional_grade", "total_minor"})  # of hq_records, hq_tradeins
# A request waits this long for a connection, then HQ answers 503 (psycopg_pool's default, 30 s, held a worker
# thread, and the terminal's 10 s push timeout, through a whole failover). The pool also gives up reconnecting in
# the background after as long, and tries again when a request asks: its own retries wait 1, 2, 4, 8 s..., and
# after a 20 s outage HQ acknowledged again 9.6 s after the standby's promotion, against 0.7 s so.
POOL_WAIT_SECONDS = 3.0
CONNECT_TIMEOUT_SECONDS = 3  # unless the URL says otherwise
# Once a request found no server, the next second's are answered 503 at once (a circuit breaker, per process): at
# 500 stores, each of them holding a worker thread for POOL_WAIT_SECONDS queued the stores' retries past their
# timeout: HQ answered the first batch 10.2 s after the standby's promotion, 2.9 s with the breaker.
NO_SERVER_PAUSE_SECONDS = 1.0
UNAVAILABLE = N_("HQ's database cannot be reached right now: try again in a few seconds.")  # a store's push too


class DatabaseUnavailable(ServiceUnavailable):
    """No writable PostgreSQL (down, or its standby being promoted), or the connection died during COMMIT: 503
    wherever it is raised (a werkzeug HTTP exception: no page or API route answers 500 for it). A commit whose
    outcome is unknown is never acknowledged: the store sends the batch again, which record ids and payload hashes
    make safe (the records are stored once, acknowledged as duplicates when the first commit did land)."""


class ConnectionLost(RaceLost, DatabaseUnavailable):
    """The connection died (or the server refused the transaction) before COMMIT: nothing of it was written. A
    RaceLost, so a caller that runs its transaction again on a fresh connection does (ingest); any other answers
    503."""


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
        from pybreaker import CircuitBreaker

        connect = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        self.pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=True, timeout=POOL_WAIT_SECONDS,
                                   reconnect_timeout=POOL_WAIT_SECONDS, kwargs=connect)
        self.no_server = CircuitBreaker(fail_max=1, reset_timeout=NO_SERVER_PAUSE_SECONDS,
                                        throw_new_error_on_trip=False)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One transaction on a pooled connection. The server gone before COMMIT: ConnectionLost (nothing written,
        the caller may run it again); no connection to be had, or the server gone during COMMIT (its outcome
        unknown): DatabaseUnavailable. Both are 503s."""
        from psycopg import OperationalError
        from psycopg.errors import ReadOnlySqlTransaction  # a standby reached: no writable server yet
        from psycopg_pool import PoolTimeout
        from pybreaker import CircuitBreakerError

        committing = False
        try:
            with ExitStack() as held:
                with self.no_server.calling():  # open: no server a moment ago, answered at once
                    conn = self._begun(held)
                with conn.cursor() as cursor:
                    yield PostgresTx(cursor, "%s")
                committing = True  # held's exit commits
        except (OperationalError, ReadOnlySqlTransaction, CircuitBreakerError) as err:
            if committing or isinstance(err, PoolTimeout | CircuitBreakerError):
                raise DatabaseUnavailable(UNAVAILABLE) from err
            raise ConnectionLost(UNAVAILABLE) from err

    def _begun(self, held: ExitStack) -> Connection:
        """A pooled connection with its transaction begun, held open (and committed) by `held`. One whose server
        went away while it sat in the pool fails at BEGIN, before anything was done, and so would every idle one (a
        failover ends them all): psycopg_pool's check sweeps them out and replaces them, and BEGIN is tried once
        more, on a fresh connection."""
        from psycopg import OperationalError
        from psycopg_pool import PoolTimeout

        try:
            return self._begin(held)
        except PoolTimeout:
            raise
        except OperationalError:
            self.pool.check()
        return self._begin(held)

    def _begin(self, held: ExitStack) -> Connection:
        with ExitStack() as attempt:  # a failure here hands the broken connection back: the pool discards it
            conn = attempt.enter_context(self.pool.connection())
            attempt.enter_context(conn.transaction())  # BEGIN: the first round trip
            held.enter_context(attempt.pop_all())
            return conn

    def close(self) -> None:
        self.pool.close()
