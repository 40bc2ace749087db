"""python -m sync.hq: serve HQ with waitress (SQLite by default, PostgreSQL with HQ_DATABASE_URL)."""

from __future__ import annotations

import argparse

import waitress

from sync.hq import create_app
from sync.hq.settings import help_text


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Trade-in HQ service.", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Settings (environment):\n" + help_text())
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    app = create_app()
    storage = app.extensions["hq.storage"]
    print(f"HQ on http://{args.host}:{args.port}/ ({storage.backend}); register a store with "
          "`flask --app sync.hq stores add NAME`", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="tradein-hq")


if __name__ == "__main__":
    main()
