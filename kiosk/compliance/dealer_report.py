"""The daily dealer report of a store that keeps New York City's second-hand dealer record (kiosk.compliance.
dealer_record): one ZIP a day, `records.csv` (core.dealer_record's columns, one row per purchase) and `photos/
<sha256>.<ext>` (every photo the records name), made once after midnight in the store's time zone by the kiosk's
background loop (or by `flask --app kiosk dealer-report`), kept in <data dir>/dealer_reports/ six years, then marked
handed over once staff uploaded it to the city's service. HQ hears of both (core.protocol.DEALER_REPORT_MADE,
DEALER_REPORT_HANDED_OVER: counts and the file's SHA-256, no seller's data).

Its format is ours (docs/going-live.md): the designated service's own is not public."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from core import dealer_record, protocol
from core.clock import now_utc, utcnow
from core.jurisdiction import Deadline
from core.messages import N_, UserError
from core.photos import MEDIA_TYPES
from kiosk.compliance.crypto import DataCipher
from kiosk.compliance.dealer_record import keeps_record, pack_of_store, records_of_day
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from sync import outbox
from sync.photos import photo_path, photos_folder


class DealerReportRefused(UserError):
    """A report that cannot be made or handed over; says why."""


def reports_folder(db: sqlite_utils.Database) -> Path:
    """dealer_reports/ beside the database (the data folder's, by default)."""
    return photos_folder(db).parent / "dealer_reports"


def _store(db: sqlite_utils.Database) -> dict:
    return fetch_one(db, "SELECT id, name FROM stores ORDER BY rowid LIMIT 1") or {}


def local_today(db: sqlite_utils.Database, now: datetime | None = None) -> date:
    """Today in the store's time zone: a report is made once its day is over there."""
    _, zone = pack_of_store(db, _store(db).get("id", ""))
    return (now or now_utc()).astimezone(ZoneInfo(zone)).date()


def _zip(day: str, records: list[tuple[dict, list]], folder: Path) -> tuple[bytes, int]:
    """(the ZIP's bytes, photos in it): the same records give the same bytes (fixed names, dates and order)."""
    stamp = (*date.fromisoformat(day).timetuple()[:3], 0, 0, 0)
    out, shots = io.BytesIO(), sorted({(sha, media) for _, taken in records for _, sha, media in taken})
    written = 0
    with zipfile.ZipFile(out, "w") as archive:
        entry = zipfile.ZipInfo("records.csv", stamp)
        entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
        archive.writestr(entry, dealer_record.csv_bytes(record for record, _ in records))
        for sha, media in shots:
            source = photo_path(folder, sha, media)
            if not source.is_file():  # gone since the accept (it should not): the CSV still names it
                continue
            entry = zipfile.ZipInfo(f"photos/{sha}.{MEDIA_TYPES[media]}", stamp)
            entry.external_attr = 0o600 << 16  # stored: a JPEG does not shrink
            archive.writestr(entry, source.read_bytes())
            written += 1
    return out.getvalue(), written


def _keep(path: Path, data: bytes) -> None:
    """Written whole or not at all, readable by the kiosk's user only (it holds sellers' data)."""
    path.parent.mkdir(mode=0o700, exist_ok=True)
    aside = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)


def _entity(store_id: str, day: str) -> str:
    """One id per store and day: the report's records are derived from it (core.protocol.event_uuid)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dealer-report:{store_id}:{day}"))


def make(db: sqlite_utils.Database, cipher: DataCipher, day: str, now: datetime | None = None) -> dict:
    """The day's report, made once (its row and HQ's record commit together); the row as it stands."""
    store = _store(db)
    if not keeps_record(db, store.get("id", "")):
        raise DealerReportRefused(N_("This store keeps no second-hand dealer record: its jurisdiction does not ask "
                                     "for one."))
    if date.fromisoformat(day) >= local_today(db, now):
        raise DealerReportRefused(N_("The day %(day)s is not over in the store's time zone: its report is made "
                                     "after midnight."), day=day)
    if made := fetch_one(db, "SELECT * FROM dealer_reports WHERE day = ?", [day]):
        return made
    records = records_of_day(db, cipher, day)
    data, photos = _zip(day, records, photos_folder(db))
    path = reports_folder(db) / f"dealer-record-{day}.zip"
    _keep(path, data)
    pack, _ = pack_of_store(db, store["id"])
    row = {"day": day, "made_at": utcnow(), "records": len(records), "photos": photos, "file": path.name,
           "sha256": hashlib.sha256(data).hexdigest(), "retain_until": Deadline(
               months=12 * dealer_record.retention_years(pack)).after(date.fromisoformat(day)).isoformat()}
    with write_transaction(db):
        if db.execute("INSERT OR IGNORE INTO dealer_reports (day, made_at, records, photos, file, sha256, "
                      "retain_until) VALUES (?, ?, ?, ?, ?, ?, ?)", list(row.values())).rowcount:
            outbox.append(db, _entity(store["id"], day), protocol.DEALER_REPORT_MADE, {
                "day": day, "made_at": row["made_at"], "records": row["records"], "photos": photos,
                "sha256": row["sha256"]})
    return fetch_one(db, "SELECT * FROM dealer_reports WHERE day = ?", [day])


def report_bytes(db: sqlite_utils.Database, cipher: DataCipher, day: str) -> bytes:
    """The day's file as made (made again, byte for byte, when the file went missing from the folder)."""
    row = fetch_one(db, "SELECT file FROM dealer_reports WHERE day = ?", [day])
    if row is None:
        raise DealerReportRefused(N_("There is no report for %(day)s: it is made after that day's midnight."),
                                  day=day)
    path = reports_folder(db) / row["file"]
    if path.is_file():
        return path.read_bytes()
    data, _ = _zip(day, records_of_day(db, cipher, day), photos_folder(db))
    _keep(path, data)
    return data


def make_due(db: sqlite_utils.Database, cipher: DataCipher, now: datetime | None = None) -> list[str]:
    """Every report whose day is over in the store's time zone and not made yet (the kiosk's background loop runs
    this each round, so the night's report is made minutes after midnight); the days made."""
    if not keeps_record(db, _store(db).get("id", "")):
        return []
    today = local_today(db, now).isoformat()
    days = [r["local_day"] for r in fetch_all(
        db, "SELECT DISTINCT local_day FROM dealer_records WHERE local_day < ? AND local_day NOT IN "
            "(SELECT day FROM dealer_reports) ORDER BY local_day", [today])]
    for day in days:
        make(db, cipher, day, now)
    return days


def hand_over(db: sqlite_utils.Database, day: str, staff_id: str | None = None) -> dict:
    """Staff uploaded the day's file to the city's service: said once, and told to HQ."""
    with write_transaction(db):
        row = fetch_one(db, "SELECT * FROM dealer_reports WHERE day = ?", [day])
        if row is None:
            raise DealerReportRefused(N_("There is no report for %(day)s: it is made after that day's midnight."),
                                      day=day)
        if row["handed_over_at"]:
            raise DealerReportRefused(N_("The report of %(day)s was already marked handed over."), day=day)
        at = utcnow()
        db.execute("UPDATE dealer_reports SET handed_over_at = ?, handed_over_by = ? WHERE day = ?",
                   [at, staff_id, day])
        name = fetch_one(db, "SELECT name FROM staff WHERE id = ?", [staff_id]) if staff_id else None
        outbox.append(db, _entity(_store(db)["id"], day), protocol.DEALER_REPORT_HANDED_OVER, {
            "day": day, "handed_over_at": at, "staff_name": name["name"] if name else None})
    return fetch_one(db, "SELECT * FROM dealer_reports WHERE day = ?", [day])


def panel(db: sqlite_utils.Database) -> list[dict] | None:
    """The sync page's reports, newest first; None for a store that keeps no dealer record."""
    return recent(db) if keeps_record(db, _store(db).get("id", "")) else None


def recent(db: sqlite_utils.Database, limit: int = 14) -> list[dict]:
    """The last reports, newest first, with who handed each over (the sync page)."""
    return fetch_all(db, "SELECT r.*, s.name AS handed_over_name FROM dealer_reports r LEFT JOIN staff s ON "
                         "s.id = r.handed_over_by ORDER BY r.day DESC LIMIT ?", [limit])


def purge_expired(db: sqlite_utils.Database, now: datetime | None = None) -> int:
    """Records and reports past their six years go (the database refuses an earlier delete); how many reports."""
    today = (now or datetime.now(UTC)).date().isoformat()
    gone = fetch_all(db, "SELECT file FROM dealer_reports WHERE retain_until < ?", [today])
    with write_transaction(db):
        db.execute("DELETE FROM dealer_records WHERE retain_until < ?", [today])
        db.execute("DELETE FROM dealer_reports WHERE retain_until < ?", [today])
    for row in gone:
        (reports_folder(db) / row["file"]).unlink(missing_ok=True)
    return len(gone)
