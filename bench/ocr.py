"""Reading IMEIs from photos of *#06# screens, on two generators: the original one (testing/imei_screens.py: a
screen filling the photo, three tiers of rotation, blur and noise) and the wide one (testing/imei_screens_wide.py
and _photo.py: iOS, Android and Samsung layouts in system-like fonts and four languages, dark mode, a phone held in
a hand inside a bigger photo, tilt to ±12° with perspective, glare, moiré, blur, JPEG at 50-90, EIDs wrapped after
their 15th digit and elsewhere, MEIDs). Ours (hardware.ocr.read_imeis) against the floor measured in the same
run, photo by photo: one plain Tesseract pass (PSM.SPARSE_TEXT, no preparation), its text filtered by the same
rule (hardware.ocr.imeis_in_text).

Each generator runs a main seed and a held-back seed that the reader was never tuned on. Reports screens read
exactly (every IMEI shown, in order, nothing else), IMEIs read exactly (share of those shown), wrong IMEIs
accepted (any IMEI returned that the screen does not show: the target is none), median and p90 ms per photo.

    .venv/bin/python -m bench.ocr [photos per tier, default 40: the wide generator takes three times as many]
    .venv/bin/python -m bench.ocr 40 --json bench/results/2026-12-07-ocr.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator

import numpy as np
import tesserocr
from PIL import Image

from hardware import ocr
from testing import imei_screens, imei_screens_wide

SEEDS = {"original": {"main": 20261128, "held back": 7319}, "wide": {"main": 20261207, "held back": 3109}}
TARGET = {"screens_exact": 0.95, "wrong_accepted": 0, "median_ms": 300}
FLOOR, OURS = "plain Tesseract, sparse text (floor)", "ours (hardware.ocr)"


def screens(generator: str, seed: int, per_tier: int) -> Iterator[imei_screens.Screen]:
    rng = np.random.default_rng(seed)
    if generator == "original":
        yield from (imei_screens.make_screen(rng, tier) for tier in imei_screens.TIERS for _ in range(per_tier))
    else:
        yield from (imei_screens_wide.make_screen(rng) for _ in range(3 * per_tier))


def plain_tesseract() -> Callable[[np.ndarray], list[str]]:
    api = tesserocr.PyTessBaseAPI(path=str(ocr._tessdata()), lang="eng", psm=tesserocr.PSM.SPARSE_TEXT)

    def read(image: np.ndarray) -> list[str]:
        api.SetImage(Image.fromarray(np.ascontiguousarray(image[:, :, ::-1])))
        return ocr.imeis_in_text(api.GetUTF8Text())
    return read


def _row(results: list[tuple[imei_screens.Screen, list[str], float, float]]) -> dict:
    times = sorted(seconds * 1000 for _, _, seconds, _ in results)
    shown = sum(len(screen.imeis) for screen, *_ in results)
    return {"screens": len(results), "imeis_shown": shown,
            "screens_exact": round(sum(got == screen.imeis for screen, got, *_ in results) / len(results), 4),
            "imeis_exact": round(sum(imei in got for screen, got, *_ in results for imei in screen.imeis) / shown, 4),
            "wrong_accepted": sum(imei not in screen.imeis for screen, got, *_ in results for imei in got),
            "median_ms": round(statistics.median(times), 1), "p90_ms": round(times[int(len(times) * 0.9)], 1),
            "cpu_median_ms": round(statistics.median(cpu * 1000 for *_, cpu in results), 1)}


def run_seed(generator: str, seed: int, per_tier: int) -> dict:
    """Both readers on the same photos, one photo at a time (so the machine's load moves both alike)."""
    readers = {FLOOR: plain_tesseract(), OURS: ocr.read_imeis}
    results: dict[str, list] = {name: [] for name in readers}
    for screen in screens(generator, seed, per_tier):
        for name, read in readers.items():
            start, cpu = time.perf_counter(), time.process_time()
            got = read(screen.image)
            results[name].append((screen, got, time.perf_counter() - start, time.process_time() - cpu))
    return {name: _row(rows) for name, rows in results.items()}


def _verdict(row: dict) -> str:
    met = (row["screens_exact"] >= TARGET["screens_exact"] and row["wrong_accepted"] == 0
           and row["median_ms"] <= TARGET["median_ms"])
    return "OK" if met else "OVER"


def main(per_tier: int = 40, only: str | None = None) -> dict:
    report: dict = {"what": "*#06# screen OCR: hardware.ocr.read_imeis against one plain Tesseract pass, photo by "
                    "photo", "command": f"python -m bench.ocr {per_tier}", "target": TARGET,
                    "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0], "runs": []}
    for generator, seeds in SEEDS.items():
        for seed_name, seed in seeds.items():
            if only and seed_name != only:
                continue
            rows = run_seed(generator, seed, per_tier)
            print(f"\n*#06# screens, {generator} generator, seed {seed} ({seed_name}): {rows[OURS]['screens']} "
                  f"photos, {rows[OURS]['imeis_shown']} IMEIs shown")
            for name, row in rows.items():
                print(f"  {name:<38} screens {row['screens_exact']:6.1%}  IMEIs {row['imeis_exact']:6.1%}  "
                      f"wrong {row['wrong_accepted']:2}  median {row['median_ms']:6.1f} ms  p90 {row['p90_ms']:6.1f} ms"
                      f"  CPU median {row['cpu_median_ms']:6.1f} ms")
            verdict = _verdict(rows[OURS])
            print(f"  target >= 95% screens exact, 0 wrong, median <= 300 ms: {verdict}")
            report["runs"].append({"generator": generator, "seed_name": seed_name, "seed": seed, "rows": rows,
                                   "verdict": verdict})
    report["load_average_at_end"] = os.getloadavg()[0]
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="*#06# screen OCR against plain Tesseract")
    parser.add_argument("per_tier", nargs="?", type=int, default=40)
    parser.add_argument("--only", choices=["main", "held back"], help="one seed of each generator (tuning)")
    parser.add_argument("--json", help="also write the figures to this file")
    arguments = parser.parse_args(sys.argv[1:])
    figures = main(arguments.per_tier, arguments.only)
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=1)
