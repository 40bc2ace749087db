"""Accepting a trade-in (state, seller, audit, outbox, print job: one synchronous=FULL transaction)
vs the floor: one bare INSERT committed alone, same file, same pragmas."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

from bench.common import report, sample_side_by_side, scratch_folder, summary
from core.seller import parse_seller
from kiosk.provisioning.setup import prepare_database
from kiosk.store.db import open_database, write_transaction
from kiosk.tradein import acceptance
from testing.factories import TEST_CIPHER, actor_of, quoted_tradeins
from testing.samples import ADULT_SELLER

RUNS = 300
P99_LIMIT_MS = 10.0


def main() -> dict:
    folder = scratch_folder("bench-accept-")
    path = folder / "kiosk.db"
    prepare_database(str(path), demo=True, demo_pin="123456")
    db = open_database(path)
    actor = actor_of(db)
    pending = iter(quoted_tradeins(db, RUNS + 40))
    seller = parse_seller(ADULT_SELLER, date.today())
    db.execute("CREATE TABLE IF NOT EXISTS bare (id TEXT PRIMARY KEY, payload TEXT)")
    payload = "x" * 900  # about the size of an outbox payload
    counter = itertools.count()

    def bare_insert():
        with write_transaction(db):
            db.execute("INSERT INTO bare VALUES (?, ?)", [f"{next(counter)}-{uuid.uuid4()}", payload])

    def accept():
        acceptance.accept(db, actor, next(pending), seller, date.today(), TEST_CIPHER)

    # Paid in store credit, the default: the voucher and its outbox record are written too (8 rows + register).
    times = sample_side_by_side({"floor": bare_insert, "accept": accept}, RUNS)
    floor = summary("bare INSERT + COMMIT (WAL, synchronous=FULL)", times["floor"])
    measured = summary("acceptance.accept (8 writes + register, 1 tx)", times["accept"])
    result = report("Trade-in accept vs bare insert", measured, floor, limit=3.0)
    result["p99_limit_ms"] = P99_LIMIT_MS
    print(f"  accept p99 {measured['p99_ms']:.2f} ms (target < {P99_LIMIT_MS} ms): "
          f"{'OK' if measured['p99_ms'] < P99_LIMIT_MS else 'OVER'}")
    return result


if __name__ == "__main__":
    main()
