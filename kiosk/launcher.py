"""The `kiosk` console script (and run_kiosk.py, its thin launcher): start the kiosk on its embedded defaults,
SQLite file, file printer, keyboard scanner. A new terminal asks to be enrolled with HQ; `--demo` seeds the demo
store instead.

    kiosk [--host 127.0.0.1] [--port 8080] [--data-dir ./instance] [--demo]

The data dir also comes from KIOSK_DATA_DIR; every other setting from KIOSK_<NAME> or <data dir>/kiosk.toml
(`kiosk --help` lists them). `flask --app kiosk ...` uses the same settings.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    from kiosk.settings import settings_help

    parser = argparse.ArgumentParser(
        description="Trade-in kiosk (staff terminal) served by waitress.",
        epilog="Settings (environment variables, or the same names in <data dir>/kiosk.toml):\n" + settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument("--data-dir", default=os.environ.get("KIOSK_DATA_DIR", "instance"),
                        help="folder for the database, prints and config (default ./instance, or KIOSK_DATA_DIR)")
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads (default 4)")
    parser.add_argument("--demo", action="store_true", default=None,
                        help="seed the demo store (its staff, catalog and invented price grid) on first run; "
                             "without it a new terminal asks to be enrolled with HQ")
    return parser.parse_args(argv)


def start_print_retries(app) -> None:
    """This terminal's failed print jobs are retried with backoff while the kiosk runs (Reprint stays available);
    the ones a crash left pending are printed at once. Called before serving: no job of this run is pending yet."""
    from kiosk.provisioning.terminal import this_terminal
    from kiosk.store.db import open_database
    from kiosk.tradein.printing import PrintRetrier, receipt_facts, requeue_interrupted

    def facts_of(db, tradein_uuid: str):
        return receipt_facts(db, tradein_uuid, app.extensions["kiosk.spec"], app.config["CANCEL_WINDOW"],
                             app.extensions["kiosk.cipher"], app.config["TRACKING_URL"])

    def terminal_of(db) -> str | None:
        return this_terminal(db, app.config["TERMINAL_ID"], app.config["TERMINAL_MODE"])

    with open_database(app.config["DATABASE"]) as db:
        if (terminal := terminal_of(db)) and (count := requeue_interrupted(db, terminal)):
            print(f"  printer:  {count} print job(s) cut short when this terminal stopped: printing them now",
                  flush=True)
    PrintRetrier(lambda: fiscal_db(app), app.extensions["kiosk.printer"], facts_of,
                 app.config["PRINTER_PROFILE"], terminal_of, on_fault=journal_print_fault).start()


def journal_print_fault(db, job: dict) -> None:
    """A trade-in print job that failed goes in the technical event journal (JET). Recorded here, above both:
    kiosk.tradein may not import kiosk.till."""
    from kiosk.till import journal

    journal.record_now(db, "printer_fault", job["terminal_id"], job.get("staff_id"), document=job["tradein_uuid"],
                       job=job["kind"], reason=str(job["last_error"]))


def fiscal_db(app):
    """A connection that signs JET records with this terminal's key, kept beside the police register's key (as
    kiosk.store.connection's)."""
    from kiosk.store.connection import open_signing_database

    return open_signing_database(app.config)


@contextmanager
def journaled_run(app):
    """Start and stop of this terminal in the JET (a start also journals the settings changed since the last one).
    SIGTERM (a service manager's stop) ends the serving loop like Ctrl-C, so the stop is journaled too; a kill or a
    power cut leaves a start without its stop, which is what an inspector should see."""
    from core.fiscal import settings_digests
    from kiosk.provisioning.terminal import this_terminal
    from kiosk.till import journal

    with fiscal_db(app) as db:
        terminal = this_terminal(db, app.config["TERMINAL_ID"], app.config["TERMINAL_MODE"])
        if terminal and (changed := journal.started(db, terminal, settings_digests(app.config))):
            print(f"  journal:  settings changed since the last start: {', '.join(changed)}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        yield
    finally:
        if terminal:
            with fiscal_db(app) as db:
                journal.record_now(db, "stop", terminal)


def daily_jobs(app):
    """What the background loop does each round, HQ or not: the retention purge (once a day, kiosk.compliance.privacy
    .purge_if_due, with the dealer records past their six years), and a New York store's dealer report once its day
    is over in the store's time zone (kiosk.compliance.dealer_report). A report that cannot be written (disk full) is
    logged and tried again next round: it never stops the sync."""
    import logging

    from core.messages import UserError
    from kiosk.compliance.dealer_report import make_due, purge_expired
    from kiosk.compliance.privacy import purge_if_due

    def run(db) -> None:
        if purge_if_due(db) is not None:
            purge_expired(db)
        try:
            make_due(db, app.extensions["kiosk.cipher"])
        except (OSError, UserError):
            logging.getLogger("kiosk.dealer_report").exception("the dealer report could not be made")
    return run


def start_background_sync(app):
    """Push the outbox, pull reference data and send the photos (sync.photos, after the records) in the background,
    when HQ is configured; and, HQ or not, the daily jobs (`daily_jobs`: the retention purge, a New York store's
    dealer report). Returns the running thread."""
    from kiosk.diagnostics import links
    from kiosk.hq_link import ANCHOR, hq_client, local_facts
    from kiosk.store.db import open_database
    from kiosk.tradein.reference import pull
    from sync.pusher import BackgroundSync

    def pull_all(db, client) -> list[str]:  # reference data and outcomes, then any phone test report still awaited
        return pull(db, client) + links.pull(db, client)

    # The client is made each round from the settings: enrolling on the set-up page starts the sync at once.
    loop = BackgroundSync(lambda: open_database(app.config["DATABASE"]), lambda: hq_client(app.config),
                          app.config["SYNC_BATCH_SIZE"], app.config["SYNC_INTERVAL_SECONDS"], pull=pull_all,
                          anchor=ANCHOR,
                          housekeeping=daily_jobs(app), photo_rate=app.config["PHOTO_UPLOAD_BYTES_PER_SECOND"],
                          local=local_facts(app))
    loop.start()
    print(f"  sync:     to {app.config['SYNC_URL']} every {app.config['SYNC_INTERVAL_SECONDS']} s"
          if app.config["SYNC_URL"] else "  sync:     none yet (enrol this terminal with HQ)", flush=True)
    return loop


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    data_dir = str(Path(args.data_dir).resolve())
    os.environ["KIOSK_DATA_DIR"] = data_dir  # so `flask --app kiosk` and this process agree

    import waitress

    from kiosk import create_app
    from kiosk.app import keys_share_the_database_folder, register_key_beside_the_database
    from kiosk.provisioning.setup import prepare_database

    try:
        app = create_app({"DATA_DIR": data_dir, **({"DEMO": True} if args.demo else {})})
    except ValueError as err:  # a setting that is unknown or has a bad value: one line, no traceback
        print(f"kiosk: {err}", file=sys.stderr, flush=True)
        return 2
    new_pin = prepare_database(app.config["DATABASE"], app.config["DEMO"], app.config["DEMO_PIN"])
    login_file = Path(data_dir) / "DEMO_LOGIN.txt"
    if new_pin:
        login_file.write_text(f"Demo staff (Camille Martin, Sacha Leroy) PIN: {new_pin}\n")
        login_file.chmod(0o600)
    url = f"http://{args.host}:{args.port}/"
    print(f"Trade-in kiosk {app.config['VERSION']} on {url}", flush=True)
    print(f"  database: {app.config['DATABASE']}", flush=True)
    if keys_share_the_database_folder(app.config):
        print(f"  WARNING:  the personal-data keys ({app.config['DATA_KEYS_FILE']}) sit beside the database: a copy "
              "of that folder holds both. In a shop set KIOSK_DATA_KEYS_FILE to another disk or mount.", flush=True)
    if register_key_beside_the_database(app.config):
        print(f"  WARNING:  the police register's key ({app.config['REGISTER_KEY_FILE']}) sits beside the database: "
              "a copy of that folder can re-chain an edited register. Set KIOSK_REGISTER_KEY_FILE to another disk or "
              "mount.", flush=True)
    print(f"  printer:  {app.config['PRINTER_DRIVER']} -> receipts in {Path(data_dir) / 'prints'}"
          if app.config["PRINTER_DRIVER"] == "file" else f"  printer:  {app.config['PRINTER_DRIVER']}", flush=True)
    if login_file.exists():
        print(f"  sign in:  {login_file.read_text().strip()}  (kept in {login_file})", flush=True)
    elif not app.config["SYNC_SECRET"]:
        print(f"  set up:   open {url} to enrol this terminal with HQ's one-time code (or run "
              "`flask --app kiosk enrol --hq URL --code CODE`); `--demo` starts a demo store instead", flush=True)
    print(f"  customer: self-service estimates on {url}customer/"
          + ("  (customer terminal: staff pages are off)" if app.config["TERMINAL_MODE"] == "customer" else ""),
          flush=True)
    with journaled_run(app):
        start_background_sync(app)
        start_print_retries(app)
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="tradein-kiosk")
    return 0

