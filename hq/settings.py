"""Every HQ setting, declared once (core.settings): HQ_<NAME> environment variables, or overrides passed
to create_app(). `python -m hq --help` prints them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from core.protocol import PROTOCOL_ACCEPTED
from core.settings import Setting, resolve, settings_help

ENV_PREFIX = "HQ_"
SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "postgresql://user@host/db for PostgreSQL; empty = SQLite file in HQ_DATA_DIR."),
    Setting("DATA_DIR", "hq-instance", "Folder for the embedded SQLite database and the generated session key."),
    Setting("MAX_BODY_BYTES", 8 * 1024 * 1024, "Largest batch body accepted."),
    Setting("PHOTOS_DIR", "", "Folder of the stores' trade-in photos (hq.storage.photos); empty = HQ_DATA_DIR/photos. "
            "HQ workers on several machines need it on a filesystem they share."),
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
    Setting("RATE_LIMIT_SELLER_ANSWER", "10 per minute", "Answers to a counter-offer (accept or refuse) one address "
            "may send from the sellers' tracking pages."),
    Setting("RATE_LIMIT_DEVICE_TEST", "60 per minute", "Phone test pages opened and reports sent from one address "
            "(a shop's phones on its guest Wi-Fi share one public address: far above a few customers, far below a "
            "script trying tokens)."),
    Setting("DEVICE_TEST_MAX_MINUTES", 60, "Longest a phone test link a terminal registers may stay open "
            "(the terminal asks for its KIOSK_DEVICE_TEST_MINUTES).", minimum=1),
    Setting("COUNTER_OFFER_DAYS", 14, "Days a seller has to accept or refuse HQ's counter-offer (made when a "
            "supervisor settles a dispute for HQ's lower grade) before COUNTER_OFFER_POLICY applies.", minimum=1),
    Setting("COUNTER_OFFER_POLICY", "accept", "What a counter-offer left unanswered by its deadline becomes: accept "
            "(the lower amount is paid, as Back Market does) or return (the device goes back to the store for "
            "pickup). Frozen on each offer when it is made, and told to the seller.", choices=("accept", "return")),
    Setting("PAYOUT_EXPECTED_DAYS", 10, "Days after HQ receives a device (or the seller answers a counter-offer) "
            "by which the seller's tracking page says a bank transfer is expected, until HQ orders it.", minimum=1),
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
    Setting("PROTOCOL_OLDEST", PROTOCOL_ACCEPTED[0], "Oldest batch protocol HQ reads (core.protocol): its own and the "
            "previous minor by default. Raise it once every terminal is updated; an older terminal is then told "
            "on its /sync page that its software is too old for HQ.", choices=PROTOCOL_ACCEPTED),
    Setting("FLEET_SILENT_HOURS", 6, "Hours without a signed batch or health report after which the Fleet page "
            "lists a terminal as silent (a terminal reports every 5 minutes while it is on and HQ answers).",
            minimum=1),
    Setting("FLEET_BACKLOG_MINUTES", 60, "Age in minutes of a terminal's oldest unsent record past which the Fleet "
            "page lists its backlog.", minimum=1),
    Setting("FLEET_CLOCK_SECONDS", 120, "Seconds a terminal's clock may be off HQ's before the Fleet page lists it "
            "(beyond 300 s HQ refuses its signed requests altogether).", minimum=1),
    Setting("FLEET_OLDEST_SOFTWARE", "", "Oldest terminal software version still supported (PEP 440, e.g. 0.2.0): "
            "the Fleet page lists older ones; empty means only the protocol is judged."),
    Setting("FLEET_MONITOR_TOKEN", "", "Bearer token an external monitor sends (Authorization: Bearer …) to read "
            "/hq/fleet.json without an HQ staff session; at least 32 characters; empty means staff sessions only."),
)


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    values = resolve(SETTINGS, ENV_PREFIX, overrides, environ)
    values["DATA_DIR"] = str(Path(values["DATA_DIR"]).resolve())
    values["DATA_KEYS_FILE"] = values["DATA_KEYS_FILE"] or str(Path(values["DATA_DIR"]) / "data_keys")
    values["PHOTOS_DIR"] = values["PHOTOS_DIR"] or str(Path(values["DATA_DIR"]) / "photos")
    _check_fleet(values)
    return values


def _check_fleet(values: dict) -> None:
    """A software floor that is not a version, or a monitor token short enough to guess, stops the start."""
    try:
        if values["FLEET_OLDEST_SOFTWARE"]:
            Version(values["FLEET_OLDEST_SOFTWARE"])
    except InvalidVersion:
        raise ValueError(f"{ENV_PREFIX}FLEET_OLDEST_SOFTWARE must be a version such as 0.2.0, "
                         f"not {values['FLEET_OLDEST_SOFTWARE']!r}") from None
    if 0 < len(values["FLEET_MONITOR_TOKEN"]) < 32:
        raise ValueError(f"{ENV_PREFIX}FLEET_MONITOR_TOKEN must be at least 32 characters (or empty)")


def help_text() -> str:
    return settings_help(SETTINGS, ENV_PREFIX)
