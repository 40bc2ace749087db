"""Every HQ setting, declared once (core.settings): HQ_<NAME> environment variables, or overrides passed
to create_app(). `python -m hq --help` prints them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.settings import Setting, resolve, settings_help

ENV_PREFIX = "HQ_"
SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "postgresql://user@host/db for PostgreSQL; empty = SQLite file in HQ_DATA_DIR."),
    Setting("DATA_DIR", "hq-instance", "Folder for the embedded SQLite database and the generated session key."),
    Setting("MAX_BODY_BYTES", 8 * 1024 * 1024, "Largest batch body accepted."),
    Setting("SECRET_KEY", "", "Signs HQ staff sessions; empty = one generated into HQ_DATA_DIR/secret_key."),
    Setting("DATA_KEYS", "", "Comma-separated Fernet keys that seal the stores' secrets, newest first; empty "
            "means the keys in DATA_KEYS_FILE."),
    Setting("DATA_KEYS_FILE", "", "File of those keys (created 0600 on first run); empty means "
            "HQ_DATA_DIR/data_keys. In production keep it apart from the database."),
    Setting("LANGUAGE", "fr", "Language of HQ's pages (fr or en) until a reader switches with the language button."),
    Setting("LOCALE", "fr_FR", "HQ's territory: how money and dates are written (fr_FR: 1 234,50 €, 28/11/2026)."),
    Setting("TIMEZONE", "Europe/Paris", "Time zone of HQ-wide figures (the dashboard's days); a trade-in's times "
            "are shown in its store's time zone."),
    Setting("SESSION_IDLE_MINUTES", 30, "Minutes without activity after which an HQ staff session ends."),
    Setting("SESSION_MINUTES", 480, "An HQ staff session's lifetime in minutes, however active."),
    Setting("SESSION_COOKIE_SECURE", False, "Send the session cookie over HTTPS only (set when served over TLS)."),
    Setting("LOCKOUT_ATTEMPTS", 5, "Wrong PINs in a row that lock an HQ staff account (the kiosk's rule)."),
    Setting("LOCKOUT_MINUTES", 15, "How long a locked HQ staff account stays locked."),
    Setting("RATE_LIMIT_SIGN_IN", "10 per minute", "Sign-in attempts one address may make (Flask-Limiter syntax)."),
    Setting("RATE_LIMIT_ENROL", "10 per minute", "Enrolment code exchanges one address may make."),
    Setting("RATE_LIMIT_TRACKING", "30 per minute", "Seller tracking pages one address may open."),
    Setting("PUBLIC_URL", "", "Base URL sellers reach HQ's tracking pages at (printed on receipts by the stores "
            "enrolled after it is set); empty means the URL the terminal enrolled with."),
    Setting("ENROLMENT_HOURS", 24, "Hours an enrolment code stays valid (it is single use)."),
    Setting("RETRADE_MIN_DAYS", 30, "Days after a trade-in before the same device may be traded in again at any "
            "store (once settled here); a device marked resold may be traded in at once."),
    Setting("PAYOUT_NAME", "", "Account holder HQ pays sellers from (the debtor of the SEPA transfer file)."),
    Setting("PAYOUT_IBAN", "", "IBAN HQ pays sellers from; the payout export refuses to run without it."),
    Setting("PAYOUT_BIC", "", "BIC of that account (optional for SEPA)."),
    Setting("RATE_LIMIT_STORAGE", "memory://", "Where rate-limit counters live: memory:// keeps them in each "
            "process (`gunicorn -w 4` would then allow four times every limit); redis://127.0.0.1:6379/0 shares them "
            "between workers and nodes (needs the `redis` extra; while Redis is down each worker counts on its own)."),
    Setting("RATE_LIMIT_KEY_PREFIX", "tradein-hq", "Prefix of the counters' keys in that storage, so that services "
            "sharing one Redis never share counters."),
    Setting("TRUSTED_PROXIES", 0, "Reverse proxies in front of HQ (Werkzeug ProxyFix): with 0 the client's address "
            "is the connection's and X-Forwarded-For is ignored; with N the address the Nth proxy from here saw is "
            "believed (behind a proxy, 1: otherwise every seller shares the proxy's one counter). Never more than "
            "the proxies really there: a client could then write its own address and escape every limit.", minimum=0),
)


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    values = resolve(SETTINGS, ENV_PREFIX, overrides, environ)
    values["DATA_DIR"] = str(Path(values["DATA_DIR"]).resolve())
    values["DATA_KEYS_FILE"] = values["DATA_KEYS_FILE"] or str(Path(values["DATA_DIR"]) / "data_keys")
    return values


def help_text() -> str:
    return settings_help(SETTINGS, ENV_PREFIX)
