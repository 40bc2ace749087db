"""How the two HQ nodes share the fleet's requests, against one node, in one run: the paced fleet (bench.fleet) on
one node, then on two behind HAProxy as each of bench.cluster.SHARINGS says, in turns for ROUNDS rounds (the order
reversed every other round, so the machine's drift moves them alike). Every run sends the same doubled batches
(one store in ten, at once), so one node and two carry the same load. The load average is noted around each run:
this 2-core machine is shared, and the run's own comparison is what counts.

    .venv/bin/python -m bench.fleet_sharing [out.json]      (FLEET_RATE, FLEET_STORES, SHARING_ROUNDS)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from bench import cluster, fleet
from bench.common import scratch_folder
from hq.storage.backends import open_storage
from testing.pg import pg_schema

ROUNDS = int(os.environ.get("SHARING_ROUNDS", 2))
SET_UPS = [("one node", 1, "roundrobin")] + [(f"two nodes, {name}", 2, name) for name in cluster.SHARINGS]


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main(out: Path | None = None) -> dict:
    key, runs = Fernet.generate_key().decode(), []
    with pg_schema() as url:
        storage = open_storage(url, scratch_folder("bench-sharing-"), [key])
        for round_no in range(ROUNDS):
            for label, nodes, sharing in SET_UPS if round_no % 2 == 0 else SET_UPS[::-1]:
                before = _load()
                result = fleet.run(storage, url, key, fleet.PACE, nodes, sharing, twice_every=10)
                runs.append(
                    {**result, "set_up": label, "round": round_no, "load_before": before, "load_after": _load()}
                )
                print(
                    f"round {round_no} {label:30} p50 {result['p50_ms']:8.1f} ms  p99 {result['p99_ms']:8.1f} ms  "
                    f"{result['records_per_s']} records/s  lost {result['lost']}  duplicated "
                    f"{result['duplicated']}  load {before[0]}",
                    flush=True,
                )
        storage.close()
    summary = {
        label: {
            "p99_ms": [r["p99_ms"] for r in runs if r["set_up"] == label],
            "median_p99_ms": statistics.median(r["p99_ms"] for r in runs if r["set_up"] == label),
        }
        for label, _, _ in SET_UPS
    }
    record = {"pace": fleet.PACE, "stores": fleet.STORES, "rounds": ROUNDS, "runs": runs, "summary": summary}
    if out:
        out.write_text(json.dumps(record, indent=2))
    return record


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
