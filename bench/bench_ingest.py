"""HQ ingest throughput on PostgreSQL (idempotent: hash, duplicate check, seq tracking, ack) vs the
floor of writing the same rows with raw psycopg COPY and executemany, in the same run."""

from __future__ import annotations

import json
import statistics
import time
import uuid

import psycopg
from cryptography.fernet import Fernet

from bench.common import scratch_folder
from core.clock import utcnow
from core.protocol import payload_hash
from hq.services.ingest import Record, ingest
from hq.storage import RECORD_COLUMNS
from hq.storage.backends import open_storage
from hq.storage.partitioning import partition_records
from hq.storage.postgres import PostgresStorage
from testing.pg import pg_schema

RECORDS = 20_000
ROUNDS = 3
BATCH = 500
PARTITIONS = 16
PARTITIONED = f"ingest, hq_records in {PARTITIONS} partitions"


def synthetic_payload(n: int) -> str:
    """About the size and shape of a real tradein.accepted payload (~1.1 kB)."""
    answers = {f"q{i}": "yes" for i in range(10)}
    code = f"TI-{n // 10000:04d}-{n % 10000:04d}"  # written as codes are minted: HQ refuses any other
    return json.dumps({"uuid": str(uuid.uuid4()), "code": code, "imei": f"{350000000000000 + n}",
                       "answers": answers, "brand": "Apple", "model": "iPhone 13", "storage_gb": 128,
                       "cosmetic_grade": "A", "functional_grade": 9, "total_minor": 22000, "currency": "EUR",
                       "store_id": str(uuid.uuid4()), "staff_id": str(uuid.uuid4()), "notes": "x" * 400},
                      sort_keys=True, separators=(",", ":"))


def make_records() -> list[Record]:
    return [Record(n + 1, str(uuid.uuid4()), "tradein.accepted", synthetic_payload(n)) for n in range(RECORDS)]


def rows_for(records: list[Record], store_id: str) -> list[tuple]:
    now = utcnow()
    return [(r.record_uuid, store_id, r.seq, r.kind, r.payload, payload_hash(r.payload), "b", now, str(r.seq),
             r.record_uuid) for r in records]


def time_floor(url: str, records: list[Record], how: str, table: str) -> float:
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {table} (LIKE hq_records INCLUDING ALL)")
        conn.commit()
        start = time.perf_counter()
        for i in range(0, len(records), BATCH):
            rows = rows_for(records[i:i + BATCH], "st_floor")  # hashing counted on both sides
            with conn.cursor() as cur:
                if how == "COPY":
                    with cur.copy(f"COPY {table} ({RECORD_COLUMNS}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cur.executemany(f"INSERT INTO {table} ({RECORD_COLUMNS}) VALUES "
                                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
            conn.commit()
        return time.perf_counter() - start


def time_ingest(storage: PostgresStorage, records: list[Record]) -> float:
    store_id, _ = storage.add_store("bench")
    start = time.perf_counter()
    for i in range(0, len(records), BATCH):
        ack = ingest(storage, store_id, uuid.uuid4().hex, records[i:i + BATCH])
        assert ack.accepted == len(records[i:i + BATCH]) and not ack.rejected
    assert ack.acked_through_seq == len(records)
    return time.perf_counter() - start


def main() -> dict:
    """Three interleaved rounds (COPY, executemany, ingest on fresh records each), medians reported:
    PostgreSQL's checkpoints make single runs swing by 2x."""
    times: dict[str, list[float]] = {"COPY": [], "executemany": [], "ingest": [], PARTITIONED: []}
    with pg_schema() as url, pg_schema() as url_partitioned:
        storage, partitioned = (open_storage(u, scratch_folder("bench-ingest-"),
                                             [Fernet.generate_key().decode()]) for u in (url, url_partitioned))
        partition_records(partitioned, PARTITIONS)
        for rnd in range(ROUNDS):
            records = make_records()
            times["COPY"].append(time_floor(url, records, "COPY", f"floor_copy_{rnd}"))
            times["executemany"].append(time_floor(url, records, "executemany", f"floor_many_{rnd}"))
            times["ingest"].append(time_ingest(storage, records))
            times[PARTITIONED].append(time_ingest(partitioned, records))  # its own schema: the same ids are new
        storage.close()
        partitioned.close()
    rate = {name: RECORDS / statistics.median(values) for name, values in times.items()}
    print(f"\nHQ ingest on PostgreSQL, {RECORDS} records in batches of {BATCH}, median of {ROUNDS} rounds")
    for name, value in rate.items():
        print(f"  {name:<36} {value:10.0f} records/s")
    vs_copy, vs_many = rate["ingest"] / rate["COPY"], rate["ingest"] / rate["executemany"]
    # Information, no target: the fleet's real peak is a few records/s a store, four orders of magnitude below
    # this, and what a store meets is the acknowledgement's latency (bench.fleet), not a share of raw COPY.
    print(f"  ingest / COPY: {vs_copy:.0%}   ingest / executemany: {vs_many:.0%}   (information, no target)")
    return {"title": "HQ ingest vs raw psycopg floors", "records_per_s": rate,
            "share_of_copy": round(vs_copy, 3), "share_of_executemany": round(vs_many, 3),
            "partitioned_share_of_copy": round(rate[PARTITIONED] / rate["COPY"], 3)}


if __name__ == "__main__":
    main()
