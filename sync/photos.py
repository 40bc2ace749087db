"""The photo channel: a terminal's photos reach HQ on their own, never in the way of the records.

Each photo's record (core.protocol.PHOTO_TAKEN: which trade-in, which shot, the file's SHA-256 and size) travels
in the outbox like any record; the file follows here, once HQ has acknowledged that record, in signed chunks:
`HEAD /api/v1/stores/<id>/photos/<sha256>` says how many bytes HQ holds, `PUT` with `Content-Range` sends the next
chunk. A kill at any moment loses nothing: the next round asks HQ again and goes on from there, and a file HQ holds
whole is a no-op. HQ checks the whole file's SHA-256 before it shows it.

`upload()` runs after the outbox is drained in each sync round (sync.pusher.BackgroundSync), within a bandwidth
(bytes a second), and stops between two chunks as soon as a record waits: the round ends, the record goes first.
The folder and file names are the kiosk's (kiosk.evidence): photos/ beside the database, <sha[:2]>/<sha>.<ext>."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from core.clock import utcnow
from core.photos import MEDIA_TYPES
from sync.client import HQClient, HQRefused, HQUnavailable
from sync.localdb import fetch_all, get_mark, write_transaction

CHUNK_BYTES = 256 * 1024  # at most: a slower line gets smaller chunks (a quarter of a second's worth each)
MIN_CHUNK_BYTES = 4 * 1024
ROUND_SECONDS = 30.0  # a round gives way after this, so the puller's reference data is not held up by a backlog
RECEIVED, COMPLETE = "X-Photo-Received", "X-Photo-Complete"  # HEAD's answer, and PUT's (also in its JSON)


def photos_folder(db: sqlite_utils.Database) -> Path:
    """The photos/ folder beside the database file (the data folder's, by default)."""
    main = next(row for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main")
    return Path(main[2]).parent / "photos"


def photo_path(folder: Path, sha256: str, media_type: str) -> Path:
    return folder / sha256[:2] / f"{sha256}.{MEDIA_TYPES[media_type]}"


def _acked(db: sqlite_utils.Database) -> int:
    return int(get_mark(db, "acked_through_seq", "0"))  # sync.pusher's checkpoint (read here: no import cycle)


def records_waiting(db: sqlite_utils.Database) -> bool:
    """Whether the outbox holds a record HQ has not acknowledged: then photos wait."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM outbox WHERE seq > ?)", [_acked(db)]).fetchone()[0] == 1


def backlog(db: sqlite_utils.Database) -> dict:
    """What the /sync page shows: files still to send (count, bytes; a file shared by two shots counts once),
    and those HQ refused. The files to send through their partial index: left to itself SQLite read every shot
    of the years in the order of photos_sha256, for the GROUP BY."""
    waiting = db.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM (SELECT sha256, max(bytes) AS bytes FROM "
                         "photos INDEXED BY photos_to_send WHERE uploaded_at IS NULL AND upload_refused IS NULL "
                         "GROUP BY sha256)").fetchone()
    refused = db.execute("SELECT count(*) FROM photos WHERE upload_refused IS NOT NULL").fetchone()[0]
    return {"files": waiting[0], "bytes": waiting[1], "refused": refused}


def refusals(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    return fetch_all(db, "SELECT uuid, tradein_uuid, kind, sha256, upload_refused FROM photos "
                         "WHERE upload_refused IS NOT NULL ORDER BY taken_at DESC LIMIT ?", [limit])


def due(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    """Files whose record HQ acknowledged and that HQ does not hold yet, oldest record first."""
    return fetch_all(db, "SELECT sha256, media_type, max(bytes) AS bytes FROM photos WHERE uploaded_at IS NULL "
                         "AND upload_refused IS NULL AND record_seq IS NOT NULL AND record_seq <= ? "
                         "GROUP BY sha256 ORDER BY min(record_seq) LIMIT ?", [_acked(db), limit])


def _mark(db: sqlite_utils.Database, sha256: str, column: str, value: str) -> None:
    with write_transaction(db):
        db.execute(f"UPDATE photos SET {column} = ? WHERE sha256 = ? AND uploaded_at IS NULL "
                   "AND upload_refused IS NULL AND record_seq IS NOT NULL AND record_seq <= ?",
                   [value, sha256, _acked(db)])


class Throttle:
    """At most `rate` bytes a second on average (0: no limit), by sleeping after what was sent."""

    def __init__(self, rate: int, sleep: Callable[[float], object] = time.sleep) -> None:
        self.rate, self.sleep, self.sent, self.start = rate, sleep, 0, time.monotonic()

    @property
    def chunk(self) -> int:
        return CHUNK_BYTES if not self.rate else max(MIN_CHUNK_BYTES, min(CHUNK_BYTES, self.rate // 4))

    def pace(self, sent: int) -> None:
        self.sent += sent
        ahead = self.sent / self.rate - (time.monotonic() - self.start) if self.rate else 0
        if ahead > 0:
            self.sleep(ahead)


@dataclass
class Round:
    """What one upload round did, and why it ended."""

    files: int = 0
    bytes: int = 0
    refused: int = 0
    ended: str = "done"  # done (nothing left), records (a record waits), time, stop


def held_by_hq(client: HQClient, sha256: str) -> tuple[int, bool]:
    """(bytes HQ holds of this file, whether it holds it whole)."""
    answer = client.photo("HEAD", sha256)
    return int(answer.headers.get(RECEIVED, "0")), answer.headers.get(COMPLETE) == "1"


def _put(client: HQClient, sha256: str, data: bytes, start: int, size: int) -> tuple[int, bool]:
    chunk = data[start:start + size]
    end = start + len(chunk) - 1
    answer = client.photo("PUT", sha256, chunk, {"Content-Range": f"bytes {start}-{end}/{len(data)}",
                                                 "Content-Type": "application/octet-stream"})
    body = answer.json()
    return int(body["received"]), bool(body["complete"])


def _local_file(db: sqlite_utils.Database, photo: dict) -> bytes | None:
    """The file's bytes, or None (and the photo marked refused, with why) when it is gone or damaged."""
    path = photo_path(photos_folder(db), photo["sha256"], photo["media_type"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _mark(db, photo["sha256"], "upload_refused", "the file is missing on this terminal")
        return None
    if hashlib.sha256(data).hexdigest() != photo["sha256"]:
        _mark(db, photo["sha256"], "upload_refused", "the file on this terminal is damaged (its SHA-256 changed)")
        return None
    return data


class Uploader:
    """One round's state: the client, the pace, when to give way."""

    def __init__(self, db: sqlite_utils.Database, client: HQClient, rate: int,
                 should_stop: Callable[[], bool], deadline: float, sleep: Callable[[float], object]) -> None:
        self.db, self.client, self.should_stop, self.deadline = db, client, should_stop, deadline
        self.throttle, self.result = Throttle(rate, sleep), Round()

    def give_way(self) -> str | None:
        """Why the round must end now (between two chunks), or None."""
        if self.should_stop():
            return "stop"
        if records_waiting(self.db):
            return "records"
        return "time" if time.monotonic() > self.deadline else None

    def send(self, photo: dict) -> str | None:
        """Send one file from where HQ stands; why the round ended meanwhile, or None when the file is done."""
        data = _local_file(self.db, photo)
        if data is None:
            self.result.refused += 1
            return None
        received, complete = held_by_hq(self.client, photo["sha256"])
        started_over = False
        while not complete:
            if reason := self.give_way():
                return reason
            before = received
            try:
                received, complete = _put(self.client, photo["sha256"], data, received, self.throttle.chunk)
            except HQUnavailable:  # busy, or another offset than ours (409): ask HQ where it stands, go on
                received, complete = held_by_hq(self.client, photo["sha256"])
                continue
            except HQRefused as err:  # the whole file's hash: ours is checked, so HQ's copy went wrong; once more
                if getattr(err, "status", 0) != 422 or started_over:
                    raise
                started_over, received = True, 0
                continue
            self.throttle.pace(max(received - before, 0))
            self.result.bytes += max(received - before, 0)
        _mark(self.db, photo["sha256"], "uploaded_at", utcnow())
        self.result.files += 1
        return None


def upload(db: sqlite_utils.Database, client: HQClient, rate: int, should_stop: Callable[[], bool] = lambda: False,
           round_seconds: float = ROUND_SECONDS, sleep: Callable[[float], object] = time.sleep) -> Round:
    """Send the files HQ expects, oldest first, until none is left, a record waits, the round's time is up or
    `should_stop()`. Raises HQUnavailable when HQ cannot be reached (nothing is lost: the next round resumes)."""
    uploader = Uploader(db, client, rate, should_stop, time.monotonic() + round_seconds, sleep)
    while batch := due(db):
        for photo in batch:
            if reason := uploader.give_way():
                uploader.result.ended = reason
                return uploader.result
            try:
                reason = uploader.send(photo)
            except HQRefused as err:  # HQ does not expect this file (its record was refused): kept for staff
                _mark(db, photo["sha256"], "upload_refused", str(err)[:300])
                uploader.result.refused += 1
                continue
            if reason:
                uploader.result.ended = reason
                return uploader.result
    return uploader.result
