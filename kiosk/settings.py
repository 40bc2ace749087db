"""Every kiosk setting, declared once with its default and help text.

Precedence (last wins): defaults < <data dir>/kiosk.toml < KIOSK_<NAME> environment variables
< values passed to create_app(). `python run_kiosk.py --help-settings` prints this table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.settings import Setting, resolve
from core.settings import settings_help as _help
from hardware.printer import DRIVERS

SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "instance", "Folder for the SQLite file, print output, secret key and kiosk.toml."),
    Setting("DATABASE", "", "SQLite file; empty means <DATA_DIR>/kiosk.db."),
    Setting("SECRET_KEY", "", "Session signing key; empty means one generated into <DATA_DIR>/secret_key."),
    Setting("PRINTER_DRIVER", "file", "Receipt printer driver.", tuple(DRIVERS)),
    Setting("PRINTER_TARGET", "", "file: folder (default <DATA_DIR>/prints); network: host:port; "
            "usb: vendor:product hex ids; serial: device path; cups: queue name."),
    Setting("PRINTER_PROFILE", "TM-T88V", "python-escpos printer profile (code pages, paper width)."),
    Setting("PRINT_FILES_DAYS", 7, "file printer: days a print file (which names the seller) is kept; older ones "
            "are removed at the next print, and `privacy erase` removes a seller's at once."),
    Setting("PRINTER_TIMEOUT", 5, "Seconds to wait for a network printer before marking the job failed."),
    Setting("LOCALE", "fr_FR", "Locale of the set-up pages, before the store's profile arrives from HQ (then "
            "the store's locale rules money, dates and numbers on screen and paper)."),
    Setting("LANGUAGE", "", "Screen language until a reader picks another; empty means the store's.", ("", "fr", "en")),
    Setting("TIMEZONE", "Europe/Paris", "Time zone of the set-up pages, before the store's profile arrives from HQ "
            "(then the store's; storage is UTC)."),
    Setting("DRAFT_EXPIRY_HOURS", 12, "Hours a trade-in may stay in progress (draft, graded, quoted) before it is "
            "closed as expired; scanning the device again within that time resumes it."),
    Setting("CANCEL_WINDOW_HOURS", 24, "Hours after acceptance during which a trade-in can be cancelled."),
    Setting("SESSION_MINUTES", 480, "Staff session lifetime in minutes, however active."),
    Setting("SESSION_IDLE_MINUTES", 10, "Minutes without activity after which a staff session ends."),
    Setting("SESSION_COOKIE_SECURE", False, "Send the session cookie over HTTPS only (set when served over TLS)."),
    Setting("LOCKOUT_ATTEMPTS", 5, "Wrong PINs in a row that lock a staff account."),
    Setting("LOCKOUT_MINUTES", 15, "How long a locked staff account stays locked."),
    Setting("RATE_LIMIT_SIGN_IN", "10 per minute", "Sign-in attempts one address may make (Flask-Limiter syntax)."),
    Setting("RATE_LIMIT_CUSTOMER", "20 per minute", "Estimates started and tickets printed from one address (the "
            "self-service screen): far above a person, far below a script."),
    Setting("RATE_LIMIT_STORAGE", "memory://", "Where rate-limit counters live: memory:// keeps them in this process "
            "(fine for run_kiosk.py, one process); redis://127.0.0.1:6379/0 shares them between processes (several "
            "workers or terminals would otherwise each allow the full limit). redis:// needs the `redis` extra; "
            "while Redis is down each process counts on its own."),
    Setting("RATE_LIMIT_KEY_PREFIX", "tradein-kiosk", "Prefix of the counters' keys in that storage, so that "
            "services sharing one Redis never share counters."),
    Setting("TRUSTED_PROXIES", 0, "Reverse proxies in front of the kiosk (Werkzeug ProxyFix): with 0 the client's "
            "address is the connection's and X-Forwarded-For is ignored; with N the address the Nth proxy from here "
            "saw is believed (rate limits count per seller, not per proxy). Never more than the proxies really "
            "there: a client could then write its own address and escape every limit.", minimum=0),
    Setting("APPROVAL_ABOVE_MINOR", 50000, "Offers above this amount (minor units) need a manager's PIN."),
    Setting("DISCOUNT_APPROVAL_ABOVE_BP", 1000, "Line discounts above this share of the line (basis points: "
            "1000 = 10 %) need a manager's PIN."),
    Setting("MAX_TRADEINS_PER_SELLER_PER_DAY", 3, "More trade-ins than this by one seller in a day need a manager."),
    Setting("DATA_KEYS", "", "Comma-separated Fernet keys for personal data, newest first; empty means the "
            "keys in DATA_KEYS_FILE."),
    Setting("DATA_KEYS_FILE", "", "File of the personal-data keys (created 0600 on first run); empty means "
            "<DATA_DIR>/data_keys. In production keep it apart from the database (another disk or mount): "
            "the kiosk warns at start when both share a folder."),
    Setting("REGISTER_KEY_FILE", "", "File of the police register's chain key (created 0600 on first use); empty "
            "means <DATA_DIR>-keys/register_key, a folder beside the data folder, never in it: a copy of the data "
            "folder cannot re-chain an edited register. In production put it on another disk or mount (and back it "
            "up apart): the kiosk warns at start when it sits beside the database."),
    Setting("TERMINAL_MODE", "staff", "staff: the counter terminal; customer: a self-service kiosk that serves only "
            "the customer pages (/customer), never a staff page.", ("staff", "customer")),
    Setting("CUSTOMER_IDLE_SECONDS", 60, "Customer kiosk: seconds without a touch before the reset countdown shows."),
    Setting("CUSTOMER_COUNTDOWN_SECONDS", 15, "Customer kiosk: seconds of countdown before the session is wiped."),
    Setting("ESTIMATE_VALID_DAYS", 7, "Days a customer's estimate ticket can be picked up by a clerk."),
    Setting("TERMINAL_ID", "", "This terminal's id; empty means the store's first terminal."),
    Setting("DEMO", False, "Seed the demo store (its staff, catalog and invented price grid) on first run. Only for "
            "trying the kiosk (`bash scripts/kiosk.sh --demo`); a real store enrols with HQ instead."),
    Setting("DEMO_PIN", "", "PIN given to the demo staff when seeding; empty means a random one."),
    Setting("SYNC_URL", "", "HQ base URL, e.g. https://hq.example/; empty means the one enrolment stored "
            "(<DATA_DIR>/hq_link.json), or none: this terminal works offline only."),
    Setting("SYNC_STORE_ID", "", "This store's id at HQ; empty means the one enrolment stored."),
    Setting("SYNC_SECRET", "", "This store's HMAC secret from HQ; empty means the one enrolment stored (mode 0600, "
            "never printed). `flask --app kiosk enrol` is the way to get one."),
    Setting("HQ_GATE_TIMEOUT", 2, "Seconds a scan waits for HQ's cross-store check before going on without it."),
    Setting("DEVICE_TEST_MINUTES", 15, "Minutes the QR code of a phone test (the customer's phone tests itself on "
            "HQ's page) stays valid; HQ caps it at its HQ_DEVICE_TEST_MAX_MINUTES.", minimum=1),
    Setting("RETRADE_MIN_DAYS", 30, "Days after a trade-in before the same device may be traded in again (once HQ "
            "has settled it); a device HQ marked resold may be traded in at once."),
    Setting("TRANSFER_DAYS", 7, "Days within which HQ pays a trade-in by bank transfer (printed on the receipt)."),
    Setting("TRACKING_URL", "", "Base URL of HQ's public tracking pages printed on receipts; empty means SYNC_URL."),
    Setting("SYNC_BATCH_SIZE", 200, "Outbox records per batch pushed to HQ."),
    Setting("SYNC_INTERVAL_SECONDS", 15, "Seconds between background pushes when all is sent."),
    Setting("SYNC_TIMEOUT", 10, "Seconds to wait for HQ before a push counts as failed (and is retried)."),
    Setting("PHOTO_UPLOAD_BYTES_PER_SECOND", 250_000, "Bandwidth the trade-in photos may take on their way to HQ "
            "(bytes a second, averaged; 0: no limit). They go after the records, in chunks, and give way to any "
            "record that waits.", minimum=0),
)
BY_NAME = {s.name: s for s in SETTINGS}
ENV_PREFIX = "KIOSK_"


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Resolve every setting; unknown names in the config file or overrides are errors."""
    environ = os.environ if environ is None else environ
    data_dir = (overrides or {}).get("DATA_DIR") or environ.get(ENV_PREFIX + "DATA_DIR") or BY_NAME["DATA_DIR"].default
    values = resolve(SETTINGS, ENV_PREFIX, overrides, environ, Path(data_dir) / "kiosk.toml")
    values["DATA_DIR"] = str(Path(values["DATA_DIR"]).resolve())
    values["DATABASE"] = values["DATABASE"] or str(Path(values["DATA_DIR"]) / "kiosk.db")
    values["DATA_KEYS_FILE"] = values["DATA_KEYS_FILE"] or str(Path(values["DATA_DIR"]) / "data_keys")
    values["REGISTER_KEY_FILE"] = values["REGISTER_KEY_FILE"] or default_register_key_file(values["DATA_DIR"])
    return with_enrolment(values)


def default_register_key_file(data_dir: str) -> str:
    """<data dir>-keys/register_key: out of the data folder (and so out of the database's folder and its copies)."""
    folder = Path(data_dir)
    return str(folder.with_name(folder.name + "-keys") / "register_key")


HQ_LINK_FILE = "hq_link.json"  # written 0600 by kiosk.provisioning.enrolment


def read_hq_link(data_dir: str) -> dict:
    """What enrolment stored (url, store_id, secret, tracking_url); {} for a terminal never enrolled."""
    path = Path(data_dir) / HQ_LINK_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def with_enrolment(values: dict) -> dict:
    """Fill the HQ link settings left empty from what `enrol` stored in the data folder."""
    link = read_hq_link(values["DATA_DIR"])
    # Not set by hand: the link a later `enrol` writes is taken over by the running app (kiosk.hq_link).
    values["SYNC_FOLLOWS_ENROLMENT"] = not values["SYNC_SECRET"]
    if link and not values["SYNC_SECRET"]:
        values.update(SYNC_URL=values["SYNC_URL"] or link["url"], SYNC_STORE_ID=link["store_id"],
                      SYNC_SECRET=link["secret"])
    values["TRACKING_URL"] = values["TRACKING_URL"] or link.get("tracking_url") or values["SYNC_URL"]
    return values


def settings_help() -> str:
    return _help(SETTINGS, ENV_PREFIX)
