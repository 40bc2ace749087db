"""Scan to cart at the till over real HTTP (waitress, keep-alive): the htmx POST a wedge scanner's
burst makes (CSRF check, session, write transaction, cart fragment with totals and VAT) vs a bare Flask
route served the same way in the same run.

    .venv/bin/python -m bench.bench_scan_to_cart
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Flask

from bench.bench_fragment import PIN, Session, serve, signed_in_session
from bench.common import report, sample_side_by_side, scratch_folder, summary
from kiosk import create_app
from kiosk.provisioning.setup import prepare_database

RUNS = 500
PRODUCTS = ("3761234500014", "3761234500021", "3761234500038", "9782012345676")  # one line each, quantities grow


def main() -> dict:
    folder = scratch_folder("bench-pos-")
    kiosk = create_app({"DATA_DIR": str(folder), "PRINTER_DRIVER": "dummy"})
    prepare_database(kiosk.config["DATABASE"], demo=True, demo_pin=PIN)
    bare = Flask("bare")
    bare.add_url_rule("/", "bare", lambda: "<p>ok</p>", methods=["GET", "POST"])
    bare_session = Session(serve(bare))
    till, _ = signed_in_session(serve(kiosk))
    token = re.search(r'name="csrf_token" value="([^"]+)"', till.request("GET", "/pos")).group(1)
    headers = {"HX-Request": "true", "HX-Target": "cart"}
    scans = iter(range(10**9))

    def scan() -> None:
        code = PRODUCTS[next(scans) % len(PRODUCTS)]
        html = till.request("POST", "/pos/scan", urlencode({"csrf_token": token, "code": code}), headers)
        assert html.startswith('<section class="card" id="cart">'), html[:120]

    times = sample_side_by_side({"floor": lambda: bare_session.request("POST", "/", "x=1"), "scan": scan}, RUNS)
    floor = summary("bare Flask route over HTTP (POST)", times["floor"])
    measured = summary("scan to cart: htmx POST -> cart fragment", times["scan"])
    return report("Till: scan to cart round trip", measured, floor, 20.0)


if __name__ == "__main__":
    main()
