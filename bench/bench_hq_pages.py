"""HQ staff pages with 100,000 trade-ins in HQ storage on PostgreSQL, each timed against a bare route of
the same app in the same run (session, CSRF and before-request hooks included on both sides).

    .venv/bin/python -m bench.bench_hq_pages [trade-ins]

The trade-ins arrive through the real ingest (records + the read model in one transaction), 20 stores
over 30 days, a tenth of them received and some regraded, so every filter has something to find.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.common import report, sample_side_by_side, scratch_folder, summary
from hq import create_app
from hq.services.ingest import Record, ingest
from hq.services.staff import add_staff
from testing.pg import pg_schema

STORES, DAYS, BATCH, RUNS = 20, 30, 1000, 30
MODELS = [("Apple", "iPhone 13"), ("Apple", "iPhone 12"), ("Samsung", "Galaxy S24"), ("Google", "Pixel 8")]


def payload(n: int, store: int, when: datetime) -> dict:
    brand, model = MODELS[n % len(MODELS)]
    return {"uuid": str(uuid.UUID(int=n + 1)), "code": f"TI-{n:04X}-{store:04X}", "imei": f"{350000000000000 + n}",
            "device_kind": "phone", "brand": brand, "model": model, "storage_gb": 128,
            "cosmetic_grade": "ABCD"[n % 4], "functional_grade": 9 - n % 3, "grid_version": "G1",
            "spec_version": "2026.11-1", "currency": "EUR", "total_minor": 10000 + n % 30000,
            "staff_id": "clerk", "accepted_at": when.isoformat(timespec="seconds"), "answers": {"screen": "flawless"}}


def load(app, count: int) -> tuple[float, list[str]]:
    storage, rng = app.extensions["hq.storage"], random.Random(7)
    stores = [storage.add_store(f"Store {s:02d}")[0] for s in range(STORES)]
    now, seqs, started = datetime.now(UTC), [0] * STORES, time.perf_counter()
    for start in range(0, count, BATCH):
        store = (start // BATCH) % STORES
        records = []
        for n in range(start, min(start + BATCH, count)):
            seqs[store] += 1
            when = now - timedelta(seconds=rng.randrange(DAYS * 86400))
            records.append(Record(seqs[store], str(uuid.uuid4()), "tradein.accepted",
                                  json.dumps(payload(n, store, when))))
        ingest(storage, stores[store], uuid.uuid4().hex, records)
    elapsed = time.perf_counter() - started
    with storage.transaction() as tx:  # a tenth received, one in a hundred disputed
        tx.run("UPDATE hq_tradeins SET received_at = accepted_at, received_by = 'bench' WHERE substr(uuid, 36) < '2'")
        tx.run("UPDATE hq_tradeins SET regrade_status = 'open' WHERE substr(uuid, 35) < '03'")
        tx.run("ANALYZE")
    return elapsed, stores


def signed_in_client(app):
    client = app.test_client()
    add_staff(app.extensions["hq.storage"], "Bench Supervisor", "supervisor", "24681357")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/hq/login").get_data(as_text=True)).group(1)
    signed = client.post("/hq/login", data={"csrf_token": token, "name": "Bench Supervisor", "pin": "24681357"})
    assert signed.status_code == 302, signed.get_data(as_text=True)[:300]  # the sign-in form asks for a name
    return client


def main(count: int = 100_000) -> list[dict]:
    with pg_schema() as url:
        app = create_app({"DATABASE_URL": url, "DATA_DIR": str(scratch_folder("bench-hq-"))})
        app.add_url_rule("/hq/bench-bare", "bench_bare", lambda: "ok")  # the floor: same app, same hooks
        elapsed, stores = load(app, count)
        print(f"\nloaded {count:,} trade-ins through ingest in {elapsed:.1f} s ({count / elapsed:,.0f}/s)")
        client = signed_in_client(app)
        pages = {
            "dashboard (5 charts + tables, 14 days)": "/hq/",
            "inbox, first page, no filter": "/hq/inbox",
            "inbox, store + status filter": f"/hq/inbox?store_id={stores[3]}&status=awaiting",
            "inbox, model + grade + dates, page 3": "/hq/inbox?model=Pixel+8&grade=B&date_from="
                                                     f"{(datetime.now(UTC) - timedelta(days=7)).date()}&page=3",
            "inbox, search by IMEI": "/hq/inbox?q=350000000054321",
            "trade-in page (evidence + history)": f"/hq/tradeins/{uuid.UUID(int=count // 2)}",
            "shipments": "/hq/shipments",
        }
        for path in pages.values():
            assert client.get(path).status_code == 200, path
        calls = {"floor": lambda: client.get("/hq/bench-bare")}
        calls.update({name: lambda p=path: client.get(p) for name, path in pages.items()})
        times = sample_side_by_side(calls, RUNS)  # the floor and the pages in turns, as the kiosk's benchmarks
        bare = summary("bare route (same app, signed-in session)", times["floor"])
        results = [report(f"HQ page at {count:,} trade-ins: {name}", summary(name, times[name]), bare, 30.0)
                   for name in pages]
        app.extensions["hq.storage"].close()
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
