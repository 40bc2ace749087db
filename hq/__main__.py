"""python -m hq: serve HQ with waitress (SQLite by default, PostgreSQL with HQ_DATABASE_URL)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import waitress

from hq import create_app
from hq.services.counter_offers import deadline_sweep
from hq.services.demo import publish_demo
from hq.services.retention import daily_purge
from hq.settings import help_text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Trade-in HQ service.", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Settings (environment):\n" + help_text())
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--demo", action="store_true",
                        help="publish the demo catalog, invented grid, promos and products (kinds HQ publishes "
                             "nothing of yet) and print an enrolment code for the demo store")
    args = parser.parse_args(argv)
    try:
        app = create_app()
    except ValueError as err:  # a setting that is unknown or has a bad value: one line, no traceback
        raise SystemExit(f"hq: {err}") from None
    if args.demo:
        published, store_id, code = publish_demo(app.extensions["hq.storage"], date.today(),
                                                 app.config["ENROLMENT_HOURS"])
        print(f"demo: published {', '.join(published) or 'nothing new'}; demo store {store_id}, enrolment code: "
              f"{code}", flush=True)
    storage = app.extensions["hq.storage"]
    keys_file, database = Path(app.config["DATA_KEYS_FILE"]), Path(app.config["DATA_DIR"]) / "hq.db"
    if not app.config["DATA_KEYS"] and storage.backend == "sqlite" and keys_file.parent == database.parent:
        print(f"WARNING: the keys that seal the stores' secrets ({keys_file}) sit beside the database: set "
              "HQ_DATA_KEYS_FILE to another disk or mount in production.", flush=True)
    daily_purge(storage).start()  # the sellers' data the retention periods no longer allow: at start, then daily
    deadline_sweep(storage).start()  # counter-offers past their deadline get their policy: at start, then hourly
    print(f"HQ on http://{args.host}:{args.port}/ ({storage.backend}); register a store with "
          "`flask --app hq stores add NAME --siret … --address …`", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="tradein-hq")


if __name__ == "__main__":
    main()
