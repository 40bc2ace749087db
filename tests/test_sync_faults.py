"""Exactly once through a hostile network: 200 seeded rounds of pushes through a fault-injecting proxy
(drop, delay, duplicate, late delivery, 5xx, cut after HQ's commit), with the pusher process
SIGKILLed at random moments, on both HQ backends. Afterwards HQ holds exactly the kiosk's records,
each once, byte for byte."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync import pusher
from sync.client import HQClient, HQRefused, HQUnavailable
from testing.factories import accepted_tradeins
from tests.conftest import make_app
from tests.fault_proxy import FaultProxy

ROUNDS = 200
KILL_EVERY = 10  # one round in ten runs the pusher as a process and SIGKILLs it
ROOT = Path(__file__).parent.parent
FLASK = Path(sys.executable).parent / "flask"
pytestmark = pytest.mark.slow


def killed_push(app, rng: random.Random) -> None:
    env = {**os.environ, "KIOSK_DATA_DIR": app.config["DATA_DIR"], "KIOSK_SYNC_URL": app.config["SYNC_URL"],
           "KIOSK_SYNC_STORE_ID": app.config["SYNC_STORE_ID"], "KIOSK_SYNC_SECRET": app.config["SYNC_SECRET"],
           "KIOSK_SYNC_BATCH_SIZE": "2"}
    process = subprocess.Popen([str(FLASK), "--app", "kiosk", "sync", "push"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.2, 0.9))  # start-up is ~0.4 s: some kills land before, most during the push
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_exactly_once_through_faults_and_kills(tmp_path, hq_app, hq_url, hq_store, db_of):
    rng = random.Random(4242)
    with FaultProxy(hq_url, seed=4242) as proxy:
        app = make_app(tmp_path / "kiosk", SYNC_URL=proxy.url, SYNC_STORE_ID=hq_store[0], SYNC_SECRET=hq_store[1],
                       SYNC_TIMEOUT=2)
        db = db_of(app)
        client = HQClient(proxy.url, hq_store[0], hq_store[1], timeout=2)
        made, errors = 0, 0
        for round_no in range(ROUNDS):
            new = rng.randint(0, 3)
            accepted_tradeins(db, new, first=made)
            made += new
            if round_no % KILL_EVERY == KILL_EVERY - 1:
                killed_push(app, rng)
                continue
            try:
                pusher.push_once(db, client, batch_size=rng.randint(1, 5))
            except (HQUnavailable, HQRefused):
                errors += 1
        proxy.weights = {"pass": 1.0}  # the network heals
        proxy.deliver_held()
        pusher.drain(db, client, batch_size=50)
        faults = dict(proxy.counts)

    outbox = db.execute("SELECT record_uuid, kind, payload FROM outbox ORDER BY seq").fetchall()
    stored = hq_app.extensions["hq.storage"].records(hq_store[0])
    assert len(outbox) == 2 * made and made > 200  # each trade-in and the transfer HQ is to make
    assert [(r[0], r[3], r[4]) for r in stored] == [tuple(row) for row in outbox]  # each once, byte for byte
    assert pusher.status(db)["pending"] == 0 and pusher.status(db)["rejections"] == 0
    assert min(faults.values()) > 0, faults  # every kind of fault actually happened
    print(f"\n{hq_app.extensions['hq.storage'].backend}: {ROUNDS} rounds, {len(outbox)} records, "
          f"{errors} failed pushes, "
          f"{ROUNDS // KILL_EVERY} SIGKILLs, faults {faults}: 0 lost, 0 duplicated")
