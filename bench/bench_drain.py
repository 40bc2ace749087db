"""End to end: a terminal back online with a 10,000-record backlog drains it to HQ over real HTTP
(waitress on 127.0.0.1), on both HQ backends. Target: under 10 s."""

from __future__ import annotations

import json
import tempfile
import threading
import time
import uuid
from pathlib import Path

import waitress

from hq import create_app as create_hq_app
from kiosk.provisioning.setup import prepare_database
from kiosk.store.db import open_database, write_transaction
from sync import pusher
from sync.client import HQClient
from testing.factories import accepted_tradeins
from testing.pg import pg_schema

BACKLOG = 10_000
BATCH = 500


def kiosk_with_backlog(folder: Path):
    """50 real accepted trade-ins, their outbox rows cloned (new ids) up to the backlog size."""
    path = folder / "kiosk.db"
    prepare_database(str(path), demo=True, demo_pin="123456")
    db = open_database(path)
    accepted_tradeins(db, 50)
    templates = db.execute("SELECT kind, payload FROM outbox").fetchall()
    with write_transaction(db):
        for n in range(BACKLOG - len(templates)):
            kind, payload = templates[n % len(templates)]
            entity = str(uuid.uuid4())
            data = {**json.loads(payload), "uuid": entity}
            db.execute("INSERT INTO outbox (record_uuid, entity_uuid, kind, payload, created_at) "
                       "VALUES (?, ?, ?, ?, datetime('now'))",
                       [str(uuid.uuid4()), entity, kind, json.dumps(data, sort_keys=True, separators=(",", ":"))])
    return db


def serve(app) -> tuple[str, waitress.server.BaseWSGIServer]:
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def drain_once(database_url: str, folder: Path) -> dict:
    hq = create_hq_app({"DATABASE_URL": database_url, "DATA_DIR": str(folder / "hq")})
    storage = hq.extensions["hq.storage"]
    store_id, secret = storage.add_store("bench store")
    db = kiosk_with_backlog(folder)
    url, server = serve(hq)
    start = time.perf_counter()
    sent = pusher.drain(db, HQClient(url, store_id, secret, timeout=30), batch_size=BATCH)
    seconds = time.perf_counter() - start
    server.close()
    stored = len(storage.records(store_id))
    assert sent == BACKLOG == stored and pusher.status(db)["pending"] == 0, (sent, stored)
    if hasattr(storage, "close"):
        storage.close()
    return {"backend": storage.backend, "records": BACKLOG, "seconds": round(seconds, 2),
            "records_per_s": round(BACKLOG / seconds)}


def main() -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(drain_once("", Path(tmp) / "sqlite"))
    with tempfile.TemporaryDirectory() as tmp, pg_schema() as url:
        results.append(drain_once(url, Path(tmp) / "pg"))
    print(f"\nDrain a {BACKLOG}-record backlog to HQ over HTTP, batches of {BATCH} (target < 10 s)")
    for r in results:
        print(f"  HQ on {r['backend']:<10} {r['seconds']:6.2f} s   {r['records_per_s']:6d} records/s   "
              f"{'OK' if r['seconds'] < 10 else 'OVER'}")
    return results


if __name__ == "__main__":
    main()
