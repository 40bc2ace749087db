"""Push the outbox to HQ in seq order: bounded batches, checkpoint moved only by HQ's ack,
exponential backoff with full jitter, rejections kept for staff."""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from core.backoff import full_jitter
from core.clock import utcnow
from core.messages import stored_text
from core.protocol import rejection_from_json
from sync import health, photos
from sync.client import HQClient, HQRefused, HQUnavailable, batch_body, said
from sync.localdb import fetch_all, get_mark, set_mark, write_transaction

log = logging.getLogger(__name__)
CHECKPOINT = "acked_through_seq"
FISCAL_ANCHORED = "fiscal_anchored_seq"  # HQ's last fiscal head, from its last ack ("" when none)
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 60.0


@dataclass(frozen=True)
class PushResult:
    sent: int
    acked_through: int
    rejected: int


def checkpoint(db: sqlite_utils.Database) -> int:
    return int(get_mark(db, CHECKPOINT, "0"))


def fiscal_anchored_seq(db: sqlite_utils.Database) -> int | None:
    """The fiscal record HQ anchored last, as its last ack said; None before any ack told it (links from the
    chain's start then: HQ skips those it already holds)."""
    held = get_mark(db, FISCAL_ANCHORED, "")
    return int(held) if held else None


def _record_error(db: sqlite_utils.Database, message: str, client: HQClient | None = None) -> None:
    """The last error for the /sync page (HQ's coded refusal kept as a Message: said in the reader's words)."""
    with write_transaction(db):
        set_mark(db, "last_error", stored_text(message))
        set_mark(db, "last_error_at", utcnow())
        if client is not None:
            health.note_contact(db, client, reported=False)


def apply_ack(db: sqlite_utils.Database, ack: dict, rows: list[dict], client: HQClient | None = None) -> PushResult:
    """HQ's ack is the truth: the checkpoint follows it (never past what was sent), and a lower ack
    (HQ restored from a backup) makes the terminal send again what HQ no longer has. With `client`, HQ has this
    terminal's health report (it rode with the batch) and its Date told the clock."""
    acked = min(int(ack["acked_through_seq"]), rows[-1]["seq"])
    with write_transaction(db):
        set_mark(db, CHECKPOINT, str(acked))
        if client is not None:
            health.note_contact(db, client, reported=True)
        for rejection in ack.get("rejected", []):
            db.execute("INSERT OR IGNORE INTO sync_rejections SELECT seq, record_uuid, ?, ? FROM outbox "
                       "WHERE seq = ? AND record_uuid = ?",
                       [stored_text(rejection_from_json(rejection)), utcnow(), rejection.get("seq"),
                        rejection.get("record_uuid")])
        set_mark(db, "last_success_at", utcnow())
        set_mark(db, "last_error", "")
        # HQ refused the police register's head this batch carried (a fork): kept for staff until a head is taken.
        refused = ack.get("register")
        set_mark(db, "register_refused", stored_text(rejection_from_json(refused)) if isinstance(refused, dict) else "")
        refused = ack.get("fiscal")  # the same for the till's fiscal chain's head
        set_mark(db, "fiscal_refused", stored_text(rejection_from_json(refused)) if isinstance(refused, dict) else "")
        held = ack.get("fiscal_anchor")  # the fiscal head HQ holds: the next batch's links start after it
        if isinstance(held, dict) and isinstance(held.get("seq"), int | None):
            set_mark(db, FISCAL_ANCHORED, "" if held["seq"] is None else str(held["seq"]))
    return PushResult(len(rows), acked, len(ack.get("rejected", [])))


Anchor = Callable[[sqlite_utils.Database], dict]  # what the store anchors at HQ with each batch


def push_once(db: sqlite_utils.Database, client: HQClient, batch_size: int,
              anchor: Anchor | None = None, local: health.LocalFacts | None = None) -> PushResult | None:
    """Send the next batch; None when everything is acknowledged. Raises HQUnavailable/HQRefused.
    `anchor(db)` (the kiosk's police-register head) rides along with the batch, and the terminal's health report
    (sync.health, with the kiosk's `local` facts)."""
    rows = fetch_all(db, "SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", [checkpoint(db), batch_size])
    if not rows:
        return None
    backlog = health.remaining(db, rows[-1]["seq"])  # what is still waiting once this batch is in
    try:
        head = anchor(db) if anchor else None
        body = batch_body(uuid.uuid4().hex, rows, backlog, head, health.report(db, backlog, local))
        ack = client.post_batch(body)  # a new batch id per attempt
    except (HQUnavailable, HQRefused) as err:
        _record_error(db, said(err), client)
        raise
    return apply_ack(db, ack, rows, client)


def drain(db: sqlite_utils.Database, client: HQClient, batch_size: int, max_failures: int = 8,
          on_batch: Callable[[PushResult], None] | None = None, sleep: Callable[[float], None] = time.sleep,
          rng: random.Random | None = None, anchor: Anchor | None = None,
          local: health.LocalFacts | None = None) -> int:
    """Push until nothing is pending; retries transient failures with backoff. Returns records sent. A terminal
    with nothing to send still reports its health to HQ every HEARTBEAT_SECONDS (sync.health.heartbeat)."""
    sent, failures, local = 0, 0, health.read_once(local)
    while True:
        try:
            result = push_once(db, client, batch_size, anchor, local)
        except HQUnavailable:
            failures += 1
            if failures >= max_failures:
                raise
            sleep(full_jitter(failures, BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, rng))
            continue
        if result is None:
            if sent == 0 and health.heartbeat_due(db):
                _heartbeat(db, client, local)
            return sent
        failures, sent = 0, sent + result.sent
        if on_batch:
            on_batch(result)


def _heartbeat(db: sqlite_utils.Database, client: HQClient, local: health.LocalFacts | None) -> None:
    try:
        health.heartbeat(db, client, checkpoint(db), local)
    except (HQUnavailable, HQRefused) as err:
        _record_error(db, said(err))
        raise


def status(db: sqlite_utils.Database) -> dict:
    """What the staff sync panel and /healthz show."""
    acked = checkpoint(db)
    pending, oldest = db.execute("SELECT count(*), min(created_at) FROM outbox WHERE seq > ?", [acked]).fetchone()
    age = (datetime.now(UTC) - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0
    return {
        "pending": pending, "oldest_pending_age_s": int(age), "acked_through_seq": acked,
        "last_success_at": get_mark(db, "last_success_at") or None,
        "last_error": get_mark(db, "last_error") or None, "last_error_at": get_mark(db, "last_error_at") or None,
        "rejections": db.execute("SELECT count(*) FROM sync_rejections").fetchone()[0],
        "register_refused": get_mark(db, "register_refused") or None,
        "fiscal_refused": get_mark(db, "fiscal_refused") or None,
    }


def rejections(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    """HQ's refusals kept for staff, newest first, with the record they refused."""
    return fetch_all(db, "SELECT r.*, o.kind, o.entity_uuid FROM sync_rejections r JOIN outbox o "
                         "ON o.seq = r.seq ORDER BY r.seq DESC LIMIT ?", [limit])


class BackgroundSync(threading.Thread):
    """run_kiosk.py's pusher (and puller): drains, then waits; after failures, backs off with jitter.
    `client` may be a function giving the current client, or None while the terminal has no HQ link yet (a
    terminal enrolled from its set-up page starts syncing without a restart). `housekeeping(db)` runs each round,
    HQ or not, before the push (the kiosk's daily retention purge: it decides itself when a day has passed).
    With `photo_rate` (bytes a second, 0: no limit) the photo files follow once the records are drained
    (sync.photos): a record that arrives meanwhile ends the photo round, and the next round starts at once."""

    def __init__(self, open_db: Callable[[], sqlite_utils.Database],
                 client: HQClient | Callable[[], HQClient | None], batch_size: int,
                 interval: float, pull: Callable | None = None, anchor: Anchor | None = None,
                 housekeeping: Callable[[sqlite_utils.Database], object] | None = None,
                 photo_rate: int | None = None, local: health.LocalFacts | None = None) -> None:
        super().__init__(name="hq-sync", daemon=True)
        self.open_db, self.client, self.batch_size, self.interval, self.pull, self.anchor = (
            open_db, client, batch_size, interval, pull, anchor)
        self.housekeeping, self.photo_rate, self.local = housekeeping, photo_rate, local
        self.stop = threading.Event()

    def run(self) -> None:
        db, failures = self.open_db(), 0
        while not self.stop.is_set():
            client = self.client if isinstance(self.client, HQClient) else self.client()
            try:
                if self.housekeeping:
                    self.housekeeping(db)
                more = False
                if client is not None:
                    drain(db, client, self.batch_size, max_failures=1, anchor=self.anchor, local=self.local)
                    if self.pull:
                        self.pull(db, client)
                    if self.photo_rate is not None:  # after the records, never before them
                        more = photos.upload(db, client, self.photo_rate, self.stop.is_set,
                                             sleep=self.stop.wait).ended in ("records", "time")
                failures, wait = 0, 0 if more else self.interval
            except (HQUnavailable, HQRefused) as err:
                failures += 1
                _record_error(db, said(err))
                wait = full_jitter(failures, BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS)
            except sqlite3.Error:  # the terminal's own database was busy or full: retry, never stop syncing
                failures += 1
                log.exception("sync round failed on the local database")
                wait = full_jitter(failures, BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS)
            self.stop.wait(wait)
        db.close()
