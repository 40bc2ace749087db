"""Power-cut test: a process taking trade-ins is SIGKILLed at random moments, 50 times.
Afterwards every trade-in is whole (its outbox row, answers, seller, print job) or absent."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.states import TAKEN
from kiosk.store.db import open_database
from tests.conftest import make_app

ROUNDS = 50
ROOT = Path(__file__).parent.parent
UUID_LINE = re.compile(r"^[0-9a-f-]{36}$", re.MULTILINE)
pytestmark = pytest.mark.slow


def half_written(db) -> list[str]:
    """Every way a trade-in could be partly saved, as readable findings (empty = consistent)."""
    problems = []
    taken = ",".join(f"'{s}'" for s in (*TAKEN, "cancelled"))
    sql = f"SELECT uuid, state FROM tradeins WHERE accepted_at IS NOT NULL OR state IN ({taken})"
    for uuid, state in db.execute(sql):
        accepted_rows = db.execute(
            "SELECT count(*) FROM outbox WHERE entity_uuid = ? AND kind = 'tradein.accepted'", [uuid]).fetchone()[0]
        jobs = db.execute("SELECT count(*) FROM print_jobs WHERE tradein_uuid = ?", [uuid]).fetchone()[0]
        seller = db.execute("SELECT seller_identity, total_minor FROM tradeins WHERE uuid = ?", [uuid]).fetchone()
        if accepted_rows != 1 or jobs < 1 or None in seller:
            problems.append(f"{uuid} {state}: outbox={accepted_rows} jobs={jobs} seller/total={seller}")
    for seq, uuid in db.execute("SELECT seq, entity_uuid FROM outbox WHERE kind = 'tradein.accepted'"):
        row = db.execute("SELECT accepted_at FROM tradeins WHERE uuid = ?", [uuid]).fetchone()
        if row is None or row[0] is None:
            problems.append(f"outbox seq {seq} has no accepted trade-in {uuid}")
    return problems


def run_round(data_dir: Path, rng: random.Random) -> int:
    """Start a worker, let it run a random while, SIGKILL it; returns how many it reported accepted."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_worker", str(data_dir)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    seen = ""
    while not UUID_LINE.search(seen):  # killed only once it is accepting: a loaded machine starts it slowly
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        seen += line
    time.sleep(rng.uniform(0.0, 0.8))
    os.kill(worker.pid, signal.SIGKILL)
    out, _ = worker.communicate(timeout=10)
    return len(UUID_LINE.findall(seen + out))  # python-escpos prints its own chatter on stdout too


def test_sigkill_never_leaves_a_half_written_trade_in(tmp_path):
    app = make_app(tmp_path)  # migrated and seeded once, like a real terminal
    rng = random.Random(20261123)
    reported = sum(run_round(tmp_path, rng) for _ in range(ROUNDS))
    db = open_database(app.config["DATABASE"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert half_written(db) == []
    accepted = db.execute("SELECT count(*) FROM tradeins WHERE accepted_at IS NOT NULL").fetchone()[0]
    outbox = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    # Every trade-in the worker saw accepted is on disk (synchronous=FULL); some more may have
    # committed just before a kill, after the commit but before the worker printed its line.
    assert accepted >= reported and outbox == 2 * accepted  # each trade-in and its transfer, together
    # Each round was killed only after its first accepted trade-in, while taking the next: the kills landed in
    # accepts. How many more a round fits in its random while depends on the machine's load, not on safety
    # (a loaded CI machine saw 3.4 a round where an idle one sees 8), so it is printed, not asserted.
    assert reported >= ROUNDS
    print(f"\ncrash test: {ROUNDS} kills, {accepted} accepted trade-ins on disk "
          f"({reported} reported before the kill), 0 half-written")
