"""Fleet load test: 500 simulated stores (each its own id, secret and seq stream) push concurrently
to HQ served by gunicorn (several workers) on PostgreSQL, all on 127.0.0.1. Bounded in count and
time; reports sustained records/s, p50/p99 ack latency, and checks 0 lost / 0 duplicated."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from cryptography.fernet import Fernet

from bench.bench_ingest import synthetic_payload
from core.protocol import signed_headers
from sync.client import batch_body
from sync.hq.storage import open_storage
from testing.pg import pg_schema
from testing.printer_emulator import free_port

STORES = int(os.environ.get("FLEET_STORES", 500))
BATCHES_PER_STORE = 4
RECORDS_PER_BATCH = 25
CLIENT_THREADS = 48
WORKERS = 4
DEADLINE_SECONDS = 120  # the test stops by itself


def start_hq(url: str, port: int, key: str) -> subprocess.Popen:
    env = {**os.environ, "HQ_DATABASE_URL": url, "HQ_DATA_KEYS": key}  # the key that sealed the stores' secrets
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "gthread", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "sync.hq:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("HQ did not start: " + process.stderr.read())


def push_store(base: str, store: tuple[str, str], latencies: list, deadline: float) -> int:
    """One store's stream: its batches in seq order, each acknowledged before the next."""
    store_id, secret = store
    session, sent, seq = requests.Session(), 0, 0
    path = f"/api/v1/stores/{store_id}/batches"
    for _ in range(BATCHES_PER_STORE):
        if time.monotonic() > deadline:
            break
        rows = []
        for _ in range(RECORDS_PER_BATCH):
            seq += 1
            rows.append({"seq": seq, "record_uuid": str(uuid.uuid4()), "kind": "tradein.accepted",
                         "payload": synthetic_payload(seq), "created_at": ""})
        body = batch_body(uuid.uuid4().hex, rows)
        start = time.perf_counter()
        response = session.post(base + path, data=body, timeout=30, headers={
            **signed_headers(store_id, secret, int(time.time()), "POST", path, body),
            "Content-Type": "application/json"})
        latencies.append(time.perf_counter() - start)
        assert response.status_code == 200 and response.json()["acked_through_seq"] == seq, response.text[:200]
        sent += len(rows)
    return sent


def main() -> dict:
    key = Fernet.generate_key().decode()
    with pg_schema() as url:
        storage = open_storage(url, tempfile.mkdtemp(prefix="bench-fleet-"), [key])
        stores = [storage.add_store(f"store {n}") for n in range(STORES)]
        port = free_port()
        hq = start_hq(url, port, key)
        latencies: list[float] = []
        lock = threading.Lock()
        deadline = time.monotonic() + DEADLINE_SECONDS
        start = time.perf_counter()
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            sent = sum(pool.map(lambda s: push_store(f"http://127.0.0.1:{port}", s, latencies, deadline), stores))
        elapsed = time.perf_counter() - start
        hq.terminate()
        hq.wait(timeout=20)
        with lock:
            ordered = sorted(latencies)
        with storage.transaction() as tx:
            stored, distinct = tx.rows("SELECT count(*), count(DISTINCT record_uuid) FROM hq_records")[0]
            acked = tx.rows("SELECT sum(acked_through_seq) FROM hq_stores")[0][0]
        storage.close()
    result = {"stores": STORES, "workers": WORKERS, "client_threads": CLIENT_THREADS, "records_sent": sent,
              "records_stored": stored, "seconds": round(elapsed, 2), "records_per_s": round(sent / elapsed),
              "batches": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
              "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
              "lost": sent - stored, "duplicated": stored - distinct, "acked_sum_matches": acked == sent}
    print(f"\nFleet: {STORES} stores x {BATCHES_PER_STORE} batches x {RECORDS_PER_BATCH} records, gunicorn "
          f"{WORKERS} workers on PostgreSQL, {CLIENT_THREADS} client threads, all on this 2-core machine")
    print(f"  {sent} records in {elapsed:.1f} s = {result['records_per_s']} records/s "
          f"({len(ordered) / elapsed:.0f} batches/s); ack latency p50 {result['p50_ms']} ms, "
          f"p99 {result['p99_ms']} ms; lost {result['lost']}, duplicated {result['duplicated']}, "
          f"acks match: {result['acked_sum_matches']}")
    return result


if __name__ == "__main__":
    main()
