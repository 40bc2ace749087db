"""The pages a clerk opens all day, on a big store's ten years (bench/big_store.py: 1,000,000 trade-ins and
2,000,000 sales), over real HTTP (waitress, keep-alive) vs the floor: a signed-in empty route of the same app,
registered here on the app the benchmark builds (never in production code), so the floor pays the session, the
clerk's row, the limiter and the headers a page pays, and the ratio is what the page's queries and HTML cost.
Taken in turns with the pages. Target: each page at most 2.5x the floor (median) and under 20 ms at p95. Run on
the main seed and on a held-back one, so the indexes are not tuned to one data set. A bare Flask route is kept as
information. BIG_STORE_TRADEINS (and twice as many sales) seeds a smaller store where a million takes too long."""

from __future__ import annotations

import os

from flask import Flask

from bench import big_store
from bench.bench_fragment import PIN, Session, serve, signed_in_session
from bench.common import report, sample_side_by_side, scratch_folder, summary
from kiosk import create_app
from kiosk.auth import login_required
from kiosk.provisioning.setup import prepare_database

RUNS = 200
SEEDS = {"main": 1, "held back": 2}
LIMIT = 2.5
P95_LIMIT_MS = 20.0
TRADEINS = int(os.environ.get("BIG_STORE_TRADEINS", 1_000_000))


def _page_list(data: big_store.BigStore) -> list[tuple[str, str, dict]]:
    rows = {"HX-Request": "true", "HX-Target": "tradein-rows"}
    return [("search fragment (an IMEI's 8 digits)", f"/tradeins?q={data.imei_fragment}", rows),
            ("today's list fragment", "/tradeins", rows),
            ("till page", "/pos", {}),
            ("trade-in page (years old)", f"/tradeins/{data.old_tradein}", {}),
            ("sync page", "/sync", {}),
            ("shipments page", "/shipments", {}),
            ("X/Z page", "/pos/reports", {})]


def pages(seed: int) -> tuple[Session, list[tuple[str, str, dict]]]:
    folder = scratch_folder("bench-big-")
    kiosk = create_app({"DATA_DIR": str(folder), "PRINTER_DRIVER": "dummy"})
    # The floor: signed in like every page (login_required, the app's hooks), then nothing read, nothing rendered.
    kiosk.add_url_rule("/bench-empty", "bench_empty", login_required(lambda: "<p>ok</p>"))
    prepare_database(kiosk.config["DATABASE"], demo=True, demo_pin=PIN)
    data = big_store.cached(kiosk.config["DATABASE"], TRADEINS, TRADEINS * 2, seed)
    session, _ = signed_in_session(serve(kiosk))
    return session, _page_list(data)


def main() -> list[dict]:
    bare = Flask("bare")
    bare.add_url_rule("/", "bare", lambda: "<p>ok</p>")
    port, results = serve(bare), []
    size = f"{TRADEINS:,} trade-ins + {TRADEINS * 2:,} sales"
    for label, seed in SEEDS.items():
        session, measured = pages(seed)
        bare_session = Session(port)  # after the seeding: an idle connection is closed by the server meanwhile
        calls = {"bare": lambda b=bare_session: b.request("GET", "/"),
                 "floor": lambda s=session: s.request("GET", "/bench-empty")}
        for name, path, headers in measured:
            calls[name] = lambda s=session, p=path, h=headers: s.request("GET", p, headers=h)
        times = sample_side_by_side(calls, RUNS)  # the floors and the pages in turns
        floor = summary("signed-in empty route of the same app", times["floor"])
        bare_row = summary("bare Flask route (information)", times["bare"])
        print(f"\n{size}, {label} seed: signed-in empty route {floor['median_ms']:.3f} ms, "
              f"{floor['median_ms'] / bare_row['median_ms']:.2f}x a bare route ({bare_row['median_ms']:.3f} ms)")
        for name, _, _ in measured:
            page = summary(name, times[name])
            result = report(f"{name}, {size}, {label} seed, vs signed-in empty route", page, floor, LIMIT)
            result.update(p95_limit_ms=P95_LIMIT_MS, bare_route=bare_row, tradeins=TRADEINS)
            print(f"  p95 {page['p95_ms']:.2f} ms (target < {P95_LIMIT_MS} ms): "
                  f"{'OK' if page['p95_ms'] < P95_LIMIT_MS else 'OVER'}")
            results.append(result)
    return results


if __name__ == "__main__":
    main()
