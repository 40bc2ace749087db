"""Accepting a trade-in (state, seller, register entry, voucher, audit, outbox, print jobs: one synchronous=FULL
transaction) vs its floor: the very statements a real accept sent, recorded with their parameters
(bench/accept_statements.py) and replayed raw in one transaction on a copy of the same database, same pragmas.
The ratio is what our Python costs on top of the writes the law needs. A bare one-row INSERT + COMMIT is kept as
information (what one durable commit costs on this disk), without a target."""

from __future__ import annotations

import itertools
import shutil
import uuid
from datetime import date

from bench.accept_statements import record_each, replay
from bench.common import report, sample_side_by_side, scratch_folder, summary
from core.seller import parse_seller
from kiosk.provisioning.setup import prepare_database
from kiosk.store.db import open_database, write_transaction
from kiosk.tradein import acceptance
from testing.factories import TEST_CIPHER, actor_of, quoted_tradeins
from testing.samples import ADULT_SELLER

RUNS = 300
WARMUP = 20
LIMIT = 1.5
P99_LIMIT_MS = 5.0


def _databases() -> tuple[object, object, list[str]]:
    """Three copies of one demo terminal holding the same quoted trade-ins: one the benchmark accepts on, one
    the accepts are recorded on, one their statements are replayed on."""
    folder = scratch_folder("bench-accept-")
    path = folder / "kiosk.db"
    prepare_database(str(path), demo=True, demo_pin="123456")
    db = open_database(path)
    pending = quoted_tradeins(db, RUNS + WARMUP * 2)
    db.execute("CREATE TABLE IF NOT EXISTS bare (id TEXT PRIMARY KEY, payload TEXT)")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for copy in ("recorded.db", "replayed.db"):
        shutil.copyfile(path, folder / copy)
    return folder, path, pending


def main() -> dict:
    folder, path, pending = _databases()
    seller = parse_seller(ADULT_SELLER, date.today())
    recording = open_database(folder / "recorded.db")
    actor = actor_of(recording)
    recorded = record_each(recording, lambda key: acceptance.accept(
        recording, actor, key, seller, date.today(), TEST_CIPHER), pending)
    scripts = iter(recorded)
    recording.close()
    db, raw = open_database(path), open_database(folder / "replayed.db").conn
    payload, counter, to_accept = "x" * 900, itertools.count(), iter(pending)  # 900: about an outbox payload

    def bare_insert():
        with write_transaction(db):
            db.execute("INSERT INTO bare VALUES (?, ?)", [f"{next(counter)}-{uuid.uuid4()}", payload])

    def accept():
        acceptance.accept(db, actor, next(to_accept), seller, date.today(), TEST_CIPHER)

    # Paid in store credit, the default: the voucher and its outbox record are written too. The replay takes the
    # recorded accepts in the order they were recorded, as the accept takes the trade-ins.
    times = sample_side_by_side({"bare": bare_insert, "raw": lambda: replay(raw, next(scripts)), "accept": accept},
                                RUNS, warmup=WARMUP)
    floor = summary("the accept's statements raw, 1 tx (WAL, FULL)", times["raw"])
    measured = summary("acceptance.accept (every write + register, 1 tx)", times["accept"])
    bare = summary("bare INSERT + COMMIT (information)", times["bare"])
    result = report("Trade-in accept vs its own statements raw", measured, floor, limit=LIMIT)
    result.update(p99_limit_ms=P99_LIMIT_MS, bare_insert=bare, statements_per_accept=len(recorded[-1]))
    print(f"  {len(recorded[-1])} statements an accept (BEGIN and COMMIT aside)")
    print(f"  bare INSERT + COMMIT median {bare['median_ms']:.3f} ms (information: raw statements are "
          f"{floor['median_ms'] / bare['median_ms']:.2f}x it)")
    print(f"  accept p99 {measured['p99_ms']:.2f} ms (target < {P99_LIMIT_MS} ms): "
          f"{'OK' if measured['p99_ms'] < P99_LIMIT_MS else 'OVER'}")
    return result


if __name__ == "__main__":
    main()
