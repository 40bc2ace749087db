"""Timing helpers: medians of repeated samples, floors measured in the same run, ratios."""

from __future__ import annotations

import atexit
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def sample_side_by_side(calls: dict[str, Callable[[], object]], runs: int, warmup: int = 20,
                        block: int = 25) -> dict[str, list[float]]:
    """Seconds per call of each of `calls`, taken in turns, `block` calls of one then `block` of the next, so a
    floor and what is measured against it see the same stretches of a machine whose speed drifts (on the 2-core
    VM a floor measured before its page was once 0.36 ms and once 0.52 ms, and the ratio swung by as much). In
    blocks, not call by call: alternating every call left each one's code out of the CPU's caches and raised the
    floor by about a tenth (0.53-0.54 against 0.47-0.51 ms in one process), which flattered the ratio."""
    for _ in range(warmup):
        for fn in calls.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(-(-runs // block)):
        for name, fn in calls.items():
            for _ in range(min(block, runs - len(times[name]))):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    return times


def summary(name: str, times: list[float]) -> dict:
    ordered = sorted(times)
    return {"name": name, "runs": len(times), "median_ms": statistics.median(times) * 1000,
            "p90_ms": ordered[int(len(ordered) * 0.9)] * 1000, "p95_ms": ordered[int(len(ordered) * 0.95)] * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000}


def report(title: str, measured: dict, floor: dict, limit: float) -> dict:
    ratio = measured["median_ms"] / floor["median_ms"]
    verdict = "OK" if ratio <= limit else "OVER"
    print(f"\n{title}")
    for row in (floor, measured):
        print(f"  {row['name']:<46} median {row['median_ms']:8.3f} ms   p90 {row['p90_ms']:8.3f} ms")
    print(f"  ratio {ratio:.2f}x (target <= {limit}x): {verdict}")
    return {"title": title, "floor": floor, "measured": measured, "ratio": round(ratio, 3), "limit": limit}


def scratch_folder(prefix: str) -> Path:
    """A temporary folder, removed when the benchmark's process ends: a busy store's database alone is 230 MB, and
    runs used to leave theirs in /tmp."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
