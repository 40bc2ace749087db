"""The terminal's health report (core.health), as it rides with every batch to HQ and is sent alone, as a heartbeat,
when there was nothing to push for HEARTBEAT_SECONDS: what the sync client knows itself (software version, outbox
and photo backlogs, the clock against HQ's), and what the kiosk hands it (printer, last print, free disk)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import sqlite_utils

from core.clock import utcnow
from core.health import parse_health
from sync import photos
from sync.client import HQClient, HQRefused, HQUnavailable
from sync.localdb import get_mark, set_mark, write_transaction

log = logging.getLogger(__name__)
DISTRIBUTION = "tradein-kiosk"  # pyproject.toml's [project] name
HEARTBEAT_SECONDS = 300
CLOCK_OFFSET, CLOCK_CHECKED_AT, REPORTED_AT = "clock_offset_s", "clock_checked_at", "health_reported_at"
LocalFacts = Callable[[sqlite_utils.Database], dict]  # the kiosk's own facts: printer, last print, free disk


@functools.cache  # read from the package's metadata files (a few ms); an upgrade restarts the process
def software_version() -> str:
    """The installed package's version ("" when the code runs from a folder that was never installed)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return ""


def _age_s(instant: str | None) -> int:
    return max(0, int((datetime.now(UTC) - datetime.fromisoformat(instant)).total_seconds())) if instant else 0


def remaining(db: sqlite_utils.Database, after_seq: int) -> dict:
    """The outbox past `after_seq`: what is still to send once the records up to it are in."""
    count, oldest = db.execute("SELECT count(*), min(created_at) FROM outbox WHERE seq > ?", [after_seq]).fetchone()
    return {"pending": count, "oldest_at": oldest}


def report(db: sqlite_utils.Database, backlog: dict, local: LocalFacts | None = None) -> dict:
    """This terminal's report, written through the schema HQ reads it with. The kiosk's facts never stop a push:
    a driver that fails here leaves its fields out (printer "unknown")."""
    shots = photos.backlog(db)
    facts = {"software": software_version(), "outbox_pending": backlog["pending"],
             "outbox_oldest_age_s": _age_s(backlog["oldest_at"]), "photo_files": shots["files"],
             "photo_bytes": shots["bytes"], "clock_offset_s": clock_offset(db)}
    if local is not None:
        try:
            facts.update(local(db))
        except Exception:  # a printer driver or the disk may fail in ways of their own: the push goes on
            log.warning("the terminal's health facts could not all be read", exc_info=True)
    return parse_health(facts).as_json()


def read_once(local: LocalFacts | None) -> LocalFacts | None:
    """The kiosk's facts read once for a whole drain (a printer asked once, not once a batch)."""
    if local is None:
        return None
    held: list[dict] = []

    def facts(db: sqlite_utils.Database) -> dict:
        if not held:
            held.append(local(db))
        return held[0]

    return facts


def clock_offset(db: sqlite_utils.Database) -> int | None:
    held = get_mark(db, CLOCK_OFFSET)
    return int(held) if held else None


def note_contact(db: sqlite_utils.Database, client: HQClient, reported: bool) -> None:
    """Inside the caller's write transaction: the clock offset HQ's last answer showed, and (`reported`) that HQ
    has this terminal's report as of now."""
    if client.clock_offset_s is not None:
        set_mark(db, CLOCK_OFFSET, str(client.clock_offset_s))
        set_mark(db, CLOCK_CHECKED_AT, utcnow())
    if reported:
        set_mark(db, REPORTED_AT, utcnow())


def heartbeat_due(db: sqlite_utils.Database) -> bool:
    """Whether HQ last had this terminal's report HEARTBEAT_SECONDS ago or more (or never)."""
    reported = get_mark(db, REPORTED_AT)
    return not reported or _age_s(reported) >= HEARTBEAT_SECONDS


def heartbeat(db: sqlite_utils.Database, client: HQClient, last_seq: int, local: LocalFacts | None) -> None:
    """The report alone, for an HQ that has heard nothing from this terminal for a while. Raises HQUnavailable or
    HQRefused like a push."""
    body = json.dumps({"health": report(db, remaining(db, last_seq), local)}, separators=(",", ":")).encode()
    try:
        client.post_health(body)
    except (HQUnavailable, HQRefused) as err:
        older_hq = getattr(err, "status", 0) == 404  # an HQ before reports sent alone: they ride with batches only
        with write_transaction(db):
            note_contact(db, client, reported=older_hq)  # a refusal's Date still tells the clock
        if not older_hq:
            raise
        return
    with write_transaction(db):
        note_contact(db, client, reported=True)


def local_view(db: sqlite_utils.Database, last_seq: int, local: LocalFacts | None) -> dict:
    """What the /sync page shows of this terminal: the report HQ gets, and when its clock was last compared."""
    return {**report(db, remaining(db, last_seq), local), "clock_checked_at": get_mark(db, CLOCK_CHECKED_AT) or None,
            "reported_at": get_mark(db, REPORTED_AT) or None}
