"""Run every benchmark and write the figures to bench/results/latest.json and a dated copy (2026-12-07T0847.json):
`results` (title, ratio, limit), `sync` (ingest, drain, fleet, failover) and `camera` (per-set tables and the checks
against the issue's targets).
The OCR benchmark runs on its own (python -m bench.ocr).

    .venv/bin/python -m bench.run
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    bench_accept,
    bench_big_pages,
    bench_drain,
    bench_fragment,
    bench_hq_pages,
    bench_ingest,
    bench_scan_to_cart,
    decode,
    failover,
    fleet,
)


def main() -> None:
    results = [bench_accept.main(), *bench_fragment.main(), bench_scan_to_cart.main(), *bench_hq_pages.main(),
               *bench_big_pages.main()]
    sync_results = {"ingest": bench_ingest.main(), "drain": bench_drain.main(), "fleet": fleet.main(),
                    "failover": failover.main()}
    camera = decode.main()
    results += camera["ratios"]
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
              "python": platform.python_version(), "results": results, "sync": sync_results, "camera": camera}
    # latest.json is this machine's scratch copy; the dated copy is what a reference run commits (bench/README.md)
    for name in ("latest.json", f"{record['at'][:16].replace(':', '')}.json"):
        (out / name).write_text(json.dumps(record, indent=2))
    over = [r["title"] for r in results if r["ratio"] > r["limit"]]
    print(f"\n{len(results)} ratio benchmarks, {len(over)} over their target" + (f": {over}" if over else ""))
    missed = [c["title"] for c in camera["checks"] if not c["met"]]
    print(f"{len(camera['checks'])} camera checks, {len(missed)} missed" + (f": {missed}" if missed else ""))
    ingest, fleet_runs = sync_results["ingest"], sync_results["fleet"]
    print(f"HQ ingest {ingest['share_of_copy']:.0%} of raw COPY (information, no target)")
    for paced in (fleet_runs["paced"], fleet_runs["two_nodes"]):
        if "p99_ms" in paced:
            print(f"fleet {paced['mode']}: {paced['records_per_s']} records/s, ack p99 {paced['p99_ms']} ms "
                  f"(target p99 <= {fleet_runs['p99_limit_ms']} ms at >= 2000 records/s); lost {paced['lost']}, "
                  f"duplicated {paced['duplicated']}")
    failed_over = sync_results["failover"]
    print(f"failover: backlog drained {failed_over['backlog_drained_after_promotion_s']} s after the promotion; "
          f"acknowledged records lost {failed_over['acked_lost']}, duplicated {failed_over['duplicated']}")


if __name__ == "__main__":
    main()
