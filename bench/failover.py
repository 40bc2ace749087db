"""Failover: HQ loses its database server mid-run. A primary PostgreSQL with a synchronous standby and HAProxy in
front (testing.pg_cluster), two HQ nodes behind HAProxy (bench.cluster), and a fleet of terminals, each a real SQLite
outbox written at the fleet benchmark's pace (bench.fleet.due_times) and pushed by the kiosk's own sync thread
(sync.pusher.BackgroundSync: new batch id per attempt, backoff with full jitter). The primary is killed, the standby
promoted some seconds later (as an operator or Patroni would), and nothing else is done: the terminals resume by
themselves. Counted afterwards on the new primary: every record a terminal holds as acknowledged is there (0 lost),
once (0 duplicated); how long after the promotion HQ acknowledged again, every store resumed, the backlog drained;
what HQ answered meanwhile (503, never 500); the push's p99 before the kill and after the drain."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import psycopg
import requests
import sqlite_utils
from cryptography.fernet import Fernet

from bench import cluster
from bench.bench_ingest import synthetic_payload
from bench.common import scratch_folder
from bench.fleet import RECORDS_PER_BATCH, due_times
from hq.storage.backends import open_storage
from kiosk.store.db import migrate, open_database
from sync import outbox, pusher
from sync.client import HQClient
from sync.localdb import write_transaction
from testing.pg_cluster import Cluster, running_cluster

STORES = int(os.environ.get("FAILOVER_STORES", 500))
RATE = float(os.environ.get("FAILOVER_RATE", 2500))  # records/s written by the fleet, as bench.fleet's paced run
SECONDS = float(os.environ.get("FAILOVER_SECONDS", 60))  # of writing; the primary dies a third of the way in
PROMOTE_AFTER_SECONDS = 5.0  # from the kill to the promotion: the operator's (or Patroni's) time to act
SYNC_INTERVAL_SECONDS = 1.0  # the terminals' wait when all is sent (the kiosk's default is 15 s)
SYNC_BATCH_SIZE = 200  # the kiosk's default
DRAIN_LIMIT_SECONDS = 60.0  # every backlog drained within this of the promotion
WRITERS = 8  # threads writing the terminals' records on time


class Push(NamedTuple):
    """One batch push as the terminal's HTTP client saw it: HQ's status, or the failure's name."""

    store_id: str
    started: float
    ended: float
    outcome: int | str
    why: str = ""  # the failure's message


class ObservedSession(requests.Session):
    """The terminal's own HTTP session, noting every batch push it makes (the requests library's, not ours)."""

    def __init__(self, store_id: str, log: list[Push]) -> None:
        super().__init__()
        self.store_id, self.log = store_id, log

    def request(self, method, url, *args, **kwargs):  # requests.Session's own signature
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as err:
            self._note(url, started, type(err).__name__, str(err))
            raise
        self._note(url, started, response.status_code)
        return response

    def _note(self, url: str, started: float, outcome: int | str, why: str = "") -> None:
        if url.endswith("/batches"):
            self.log.append(Push(self.store_id, started, time.monotonic(), outcome, why[:160]))


@dataclass
class Terminal:
    store_id: str
    db: sqlite_utils.Database  # the counter's connection: its trade-ins and their outbox rows
    lock: threading.Lock
    sync: pusher.BackgroundSync

    def last_seq(self) -> int:
        with self.lock:
            return self.db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]

    def acked(self) -> int:
        with self.lock:
            return pusher.checkpoint(self.db)


def terminals(storage, base: str, count: int, log: list[Push]) -> list[Terminal]:
    """`count` enrolled terminals on migrated kiosk databases, their sync threads not started yet."""
    folder = scratch_folder("bench-failover-stores-")
    template = open_database(folder / "template.db")
    migrate(template)
    template.close()
    made = []
    for n in range(count):
        store_id, secret = storage.add_store(f"store {n}")
        path = folder / f"{store_id}.db"
        shutil.copyfile(folder / "template.db", path)
        client = HQClient(base, store_id, secret)
        client.session = ObservedSession(store_id, log)
        loop = pusher.BackgroundSync(lambda p=path: open_database(p), client, SYNC_BATCH_SIZE, SYNC_INTERVAL_SECONDS)
        made.append(Terminal(store_id, open_database(path), threading.Lock(), loop))
    return made


def write_trade_ins(terminal: Terminal, number: int, batch: int) -> None:
    """RECORDS_PER_BATCH accepted trade-ins at the counter, each with its outbox row, in one transaction."""
    with terminal.lock, write_transaction(terminal.db):
        for k in range(RECORDS_PER_BATCH):
            payload = json.loads(synthetic_payload(number * 100_000 + batch * RECORDS_PER_BATCH + k + 1))
            outbox.append(terminal.db, payload["uuid"], "tradein.accepted", payload)


def write_paced(fleet: list[Terminal], rate: float, seconds: float, start: float) -> None:
    """The fleet's trade-ins at `rate` records/s for `seconds`, each store's on its own beat."""
    batches = max(1, round(seconds * rate / (len(fleet) * RECORDS_PER_BATCH)))

    def write(event: tuple[float, int, int]) -> None:
        at, number, batch = event
        time.sleep(max(0.0, at - time.monotonic()))
        write_trade_ins(fleet[number], number, batch)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, due_times(len(fleet), rate, batches, start)))


def wait_drained(fleet: list[Terminal], targets: dict[str, int], deadline: float) -> float | None:
    """When every terminal's ack reached its target seq (monotonic time), or None at the deadline."""
    waiting = [t for t in fleet if t.store_id in targets]
    while waiting and time.monotonic() < deadline:
        waiting = [t for t in waiting if t.acked() < targets[t.store_id]]
        if waiting:
            time.sleep(0.2)
    return None if waiting else time.monotonic()


@dataclass
class Timeline:
    kill: float = 0.0
    promoted: float = 0.0
    routed_after: float = 0.0  # seconds from the promotion to HAProxy routing to the new primary
    backlog_drained: float | None = None  # what the stores held at the promotion, all acknowledged
    last_write: float = 0.0
    all_drained: float | None = None  # everything written, all acknowledged
    replication: tuple = ()


def fail_over_under_load(pg: Cluster, fleet: list[Terminal], rate: float, seconds: float,
                         during_outage: Callable[[], object] | None) -> Timeline:
    """Write at pace; kill the primary a third of the way in, promote the standby PROMOTE_AFTER_SECONDS later;
    wait for the drains. `during_outage` runs (as a user would, e.g. a probe) between the kill and the promotion."""
    times, start = Timeline(), time.monotonic() + 0.5
    writer = threading.Thread(target=write_paced, args=(fleet, rate, seconds, start))
    writer.start()
    time.sleep(max(0.0, start + seconds / 3 - time.monotonic()))
    times.replication = tuple(pg.replication())
    times.kill = time.monotonic()
    pg.primary.kill()
    if during_outage:
        during_outage()
    time.sleep(max(0.0, times.kill + PROMOTE_AFTER_SECONDS - time.monotonic()))
    pg.fail_over()
    times.promoted = time.monotonic()
    times.routed_after = pg.wait_routed_to(pg.primary)
    held = {t.store_id: t.last_seq() for t in fleet}
    times.backlog_drained = wait_drained(fleet, held, times.promoted + DRAIN_LIMIT_SECONDS)
    writer.join()
    times.last_write = time.monotonic()
    times.all_drained = wait_drained(fleet, {t.store_id: t.last_seq() for t in fleet},
                                     time.monotonic() + DRAIN_LIMIT_SECONDS)
    return times


def on_new_primary(url: str, fleet: list[Terminal]) -> dict:
    """What the terminals hold as acknowledged against what the new primary holds."""
    ids, acked, written = [t.store_id for t in fleet], {}, 0
    for t in fleet:
        mark = t.acked()
        rows = t.db.execute("SELECT seq, record_uuid FROM outbox").fetchall()
        written += len(rows)
        acked.update({record_uuid: t.store_id for seq, record_uuid in rows if seq <= mark})
    with psycopg.connect(url) as conn:
        stored = conn.execute("SELECT record_uuid, store_id FROM hq_records WHERE store_id = ANY(%s)", [ids]).fetchall()
        seqs = conn.execute("SELECT count(DISTINCT (store_id, seq)) FROM hq_records WHERE store_id = ANY(%s)",
                            [ids]).fetchone()[0]
        hq_acks = dict(conn.execute("SELECT id, acked_through_seq FROM hq_stores WHERE id = ANY(%s)", [ids]))
        rejected = conn.execute("SELECT count(*) FROM hq_rejections WHERE store_id = ANY(%s)", [ids]).fetchone()[0]
    held = dict(stored)
    return {"records_written": written, "records_acked": len(acked), "records_stored": len(stored),
            "acked_lost": sum(1 for record_uuid, store in acked.items() if held.get(record_uuid) != store),
            "duplicated": len(stored) - min(len(held), seqs), "rejected": rejected,
            "acks_agree": all(hq_acks.get(t.store_id) == t.acked() for t in fleet)}


def percentiles(when: str, pushes: list[Push]) -> dict:
    """p50 and p99 of the acknowledged pushes' times (ms), as the terminal's HTTP client timed them."""
    times = sorted(p.ended - p.started for p in pushes)
    if not times:
        return {f"p50_ms_{when}": None, f"p99_ms_{when}": None, f"pushes_{when}": 0}
    return {f"p50_ms_{when}": round(statistics.median(times) * 1000, 1),
            f"p99_ms_{when}": round(times[max(0, int(len(times) * 0.99) - 1)] * 1000, 1), f"pushes_{when}": len(times)}


def pushes_seen(log: list[Push], times: Timeline) -> dict:
    """What the terminals met: HQ's answers around the failover, when it and every store acknowledged again."""
    acked_after = [p for p in log if p.outcome == 200 and p.started > times.promoted]
    first_per_store: dict[str, float] = {}
    for p in sorted(acked_after, key=lambda p: p.ended):
        first_per_store.setdefault(p.store_id, p.ended)
    settled = times.backlog_drained or times.promoted
    return {"answers_before_kill": dict(Counter(str(p.outcome) for p in log if p.ended < times.kill)),
            "answers_from_kill_on": dict(Counter(str(p.outcome) for p in log if p.ended >= times.kill)),
            "first_ack_after_promotion_s": round(min(first_per_store.values()) - times.promoted, 2)
            if first_per_store else None,
            "stores_resumed": len(first_per_store),
            "all_stores_resumed_after_promotion_s": round(max(first_per_store.values()) - times.promoted, 2)
            if first_per_store else None,
            "failures_seen": dict(Counter(f"{p.outcome}: {p.why}" for p in log if p.why)),
            "failures_after_kill_s": sorted(round(p.ended - times.kill, 1) for p in log if p.why)[:20],
            **percentiles("before_kill", [p for p in log if p.outcome == 200 and p.ended < times.kill]),
            **percentiles("after_drain", [p for p in log if p.outcome == 200 and p.started > settled])}


def run(stores: int = STORES, rate: float = RATE, seconds: float = SECONDS,
        during_outage: Callable[[str], object] | None = None) -> dict:
    """One failover run; `during_outage(hq_base_url)` is called once the primary is dead, before the promotion."""
    key, log = Fernet.generate_key().decode(), []
    with running_cluster() as pg:
        storage = open_storage(pg.url, scratch_folder("bench-failover-hq-"), [key])
        with cluster.serving(pg.url, key, nodes=2) as base:
            fleet = terminals(storage, base, stores, log)
            storage.close()  # its pool would only reconnect; the counts below are read on the new primary itself
            for t in fleet:
                t.sync.start()
            probe = (lambda: during_outage(base)) if during_outage else None
            times = fail_over_under_load(pg, fleet, rate, seconds, probe)
            for t in fleet:
                t.sync.stop.set()
            for t in fleet:
                t.sync.join(timeout=30)
        counts = on_new_primary(pg.primary.url, fleet)
    drained = {"backlog_drained_after_promotion_s": _after(times.backlog_drained, times.promoted),
               "all_drained_after_last_write_s": _after(times.all_drained, times.last_write)}
    return {"stores": stores, "records_per_s": rate, "seconds": seconds, "hq_nodes": 2, "workers": cluster.WORKERS,
            "promote_after_kill_s": PROMOTE_AFTER_SECONDS, "sync_interval_s": SYNC_INTERVAL_SECONDS,
            "replication_before_kill": [list(r) for r in times.replication],
            "haproxy_routed_after_promotion_s": round(times.routed_after, 2), **drained, **counts,
            **pushes_seen(log, times)}


def _after(when: float | None, start: float) -> float | None:
    return None if when is None else round(when - start, 2)


def main() -> dict:
    result = run()
    print(f"\nFailover: {result['stores']} terminals at {result['records_per_s']:.0f} records/s for "
          f"{result['seconds']:.0f} s, 2 HQ nodes, primary + synchronous standby behind HAProxy; primary killed, "
          f"standby promoted {PROMOTE_AFTER_SECONDS:.0f} s later")
    print(f"  HQ acknowledged again {result['first_ack_after_promotion_s']} s after the promotion, every store "
          f"{result['all_stores_resumed_after_promotion_s']} s after; backlog drained "
          f"{result['backlog_drained_after_promotion_s']} s after (limit {DRAIN_LIMIT_SECONDS:.0f} s)")
    print(f"  acknowledged {result['records_acked']} of {result['records_written']} records; lost "
          f"{result['acked_lost']} (must be 0), duplicated {result['duplicated']} (must be 0); answers "
          f"from the kill on {result['answers_from_kill_on']}")
    print(f"  push p50/p99 {result['p50_ms_before_kill']}/{result['p99_ms_before_kill']} ms before the kill, "
          f"{result['p50_ms_after_drain']}/{result['p99_ms_after_drain']} ms after the drain")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
