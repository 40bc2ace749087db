"""Run every benchmark and write the ratios to bench/results/latest.json.

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
    fleet,
)


def main() -> None:
    results = [bench_accept.main(), *bench_fragment.main(), bench_scan_to_cart.main(), *bench_hq_pages.main(),
               *bench_big_pages.main()]
    sync_results = {"ingest": bench_ingest.main(), "drain": bench_drain.main(), "fleet": fleet.main()}
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
              "python": platform.python_version(), "results": results, "sync": sync_results}
    (out / "latest.json").write_text(json.dumps(record, indent=2))
    over = [r["title"] for r in results if r["ratio"] > r["limit"]]
    print(f"\n{len(results)} ratio benchmarks, {len(over)} over their target" + (f": {over}" if over else ""))


if __name__ == "__main__":
    main()
