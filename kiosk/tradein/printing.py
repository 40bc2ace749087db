"""Print jobs: gather a receipt's facts from the database, render, deliver, record the outcome.

A job row exists before any byte is sent (it is written in the accept transaction), so a printer
fault leaves a failed job to reprint, never a lost or half-saved trade-in.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import sqlite_utils
from babel import Locale
from babel.dates import format_date

from core.backoff import full_jitter
from core.clock import utcnow
from core.grading import Spec
from core.jurisdiction import pack_for
from core.messages import stored_text
from core.money import format_money
from core.payout import BANK_TRANSFER, PAYOUT_METHODS, BankAccount
from core.receipts import Receipt, ReceiptFacts, build_bag_label, build_tradein_receipt, business_ids
from core.seller import ID_DOCUMENT_TYPES, masked_document
from hardware import escpos_render
from hardware.printer import PrinterError, PrinterSink
from kiosk.compliance.crypto import DataCipher
from kiosk.diagnostics import results as diagnostic_results
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.till import vouchers
from kiosk.tradein import catalog, estimates, tradeins
from kiosk.translations import catalogue


def receipt_facts(db: sqlite_utils.Database, tradein_uuid: str, spec: Spec, cancel_window: timedelta,
                  cipher: DataCipher, base_url: str = "") -> ReceiptFacts:
    """What the receipt shows; `base_url` is where HQ's tracking pages are (none: no tracking QR)."""
    ti = fetch_one(db, "SELECT * FROM tradeins WHERE uuid = ?", [tradein_uuid])
    store = fetch_one(db, "SELECT * FROM stores WHERE id = ?", [ti["store_id"]])
    terminal = fetch_one(db, "SELECT name FROM terminals WHERE id = ?", [ti["terminal_id"]])["name"]
    clerk = fetch_one(db, "SELECT name FROM staff WHERE id = ?", [ti["staff_id"]])["name"]
    answers = tradeins.answers_of(db, tradein_uuid)
    _ = catalogue(store["locale"]).gettext  # paper is in the store's language, whoever is on screen
    checklist = tuple(
        (_(q.short), _(q.label_of(answers[q.id]))) for q in spec.questions_for(ti["device_kind"]) if q.id in answers
    )
    ti["bonuses"] = json.loads(ti["bonuses"] or "[]")
    accepted = datetime.fromisoformat(ti["accepted_at"])
    money = lambda minor: format_money(minor, ti["currency"], store["locale"])  # noqa: E731
    identity = json.loads(cipher.decrypt(ti["seller_identity"])) if ti["seller_identity"] else {}
    register_no = db.execute("SELECT seq FROM police_register WHERE tradein_uuid = ?", [tradein_uuid]).fetchone()
    return ReceiptFacts(
        store_name=store["name"], store_address=store["address"], terminal=terminal, clerk=clerk,
        legal=_legal_identity(store, _), register_no=register_no[0] if register_no else None,
        seller_document=_document(identity, _),
        locale=store["locale"], timezone=store["timezone"], tradein=ti,
        device_name=catalog.get_device(db, ti["device_id"]).shown(
            Locale.parse(store["locale"]).language, lambda text, **values: _(text) % values if values else _(text)),
        checklist=checklist,
        payout_label=_(PAYOUT_METHODS.get(ti["payout_method"], ti["payout_method"])),
        seller_name=f"{identity['first_names']} {identity['surname']}" if identity else "(erased)",
        cancel_until=accepted + cancel_window if ti["state"] != "cancelled" else None,
        handoff=estimates.handoff_rows(db, spec, ti, _, money), translate=_,
        voucher=vouchers.for_tradein(db, tradein_uuid), transfer=_transfer(cipher, ti, store["locale"]),
        tracking_url=tracking_url(ti, base_url), jurisdiction=pack_for(store).name,
        device_tested=diagnostic_results.receipt_rows(db, tradein_uuid, _),
    )


def _legal_identity(store: dict, _) -> tuple[str, ...]:
    """The company behind the shop front: its legal name and the identifiers its jurisdiction prints (SIRET; EIN
    and DCWP licence in New York City); a demo store has none to print."""
    lines = (store["legal_name"],) if store["legal_name"] and store["legal_name"] != store["name"] else ()
    return lines + business_ids(store, _)


def _document(identity: dict, _) -> str:
    if not identity:
        return ""
    kind = _(ID_DOCUMENT_TYPES.get(identity["id_doc_type"], identity["id_doc_type"]))
    return f"{kind} {masked_document(identity['id_doc_number'])}"


def tracking_url(ti: dict, base_url: str) -> str:
    """The seller's page at HQ (`/track/<code>/<token>`); none when the terminal has no HQ."""
    if not base_url or not ti["tracking_token"]:
        return ""
    return f"{base_url.rstrip('/')}/track/{ti['code']}/{ti['tracking_token']}"


def _transfer(cipher: DataCipher, ti: dict, locale: str) -> tuple[str, str] | None:
    """(masked account, due date) of a bank transfer still to be made by HQ."""
    if ti["payout_method"] != BANK_TRANSFER or not ti["payout_due_on"]:
        return None
    account = BankAccount(**json.loads(cipher.decrypt(ti["payout_account"]))).masked() if ti["payout_account"] \
        else "(erased)"  # the seller's erasure took the account; the receipt still never says "paid"
    return account, format_date(date.fromisoformat(ti["payout_due_on"]), "medium", locale=locale)


def tradein_receipt(db, tradein_uuid: str, spec: Spec, cancel_window: timedelta, cipher: DataCipher,
                    base_url: str = "") -> Receipt:
    return build_tradein_receipt(receipt_facts(db, tradein_uuid, spec, cancel_window, cipher, base_url))


def job_bytes(kind: str, facts: ReceiptFacts, profile: str) -> tuple[str, bytes]:
    """(name, ESC/POS bytes) of a job of this kind, made from the trade-in's facts."""
    if kind == "label":
        label = build_bag_label(facts)
        return label.code, escpos_render.render_label(label, profile)
    receipt = build_tradein_receipt(facts)
    return receipt.code, escpos_render.render(receipt, profile)


def run_job(db, job_id: int, sink: PrinterSink, facts: ReceiptFacts, profile: str) -> dict:
    """Deliver one job (receipt or bag label) and record printed/failed; the first printed receipt
    moves an accepted trade-in to printed."""
    job = fetch_one(db, "SELECT * FROM print_jobs WHERE id = ?", [job_id])
    first = db.execute("SELECT min(id) FROM print_jobs WHERE tradein_uuid = ? AND kind = ?",
                       [job["tradein_uuid"], job["kind"]]).fetchone()[0]
    if job["kind"] == "receipt" and job_id != first:  # a reprint (a retried job is still the original)
        facts = dataclasses.replace(facts, duplicate=True)
    code, data = job_bytes(job["kind"], facts, profile)
    try:
        ref = sink.send(data, f"{job['id']:06d}-{code}-{job['kind']}")
    except PrinterError as err:
        delay = full_jitter(job["attempts"] + 1, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS)
        retry_at = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat(timespec="seconds")
        with write_transaction(db):
            db.execute("UPDATE print_jobs SET status = 'failed', attempts = attempts + 1, last_error = ?, "
                       "next_attempt_at = ? WHERE id = ?", [stored_text(err.message), retry_at, job_id])
        return {**job, "status": "failed", "last_error": err.message}  # shown in the reader's language
    with write_transaction(db):
        db.execute("UPDATE print_jobs SET status = 'printed', attempts = attempts + 1, last_error = NULL, "
                   "output_ref = ?, printed_at = ? WHERE id = ?", [ref, utcnow(), job_id])
        if job["kind"] == "receipt":
            tradeins.mark_printed(db, job["tradein_uuid"])
    return {**job, "status": "printed", "output_ref": ref}


def pending_jobs(db, tradein_uuid: str, terminal_id: str) -> list[dict]:
    """The trade-in's jobs still to print on this terminal's printer (another terminal's are its own to print)."""
    return fetch_all(db, "SELECT * FROM print_jobs WHERE tradein_uuid = ? AND terminal_id = ? AND status = 'pending' "
                         "ORDER BY id", [tradein_uuid, terminal_id])


log = logging.getLogger(__name__)
RETRY_BASE_SECONDS, RETRY_CAP_SECONDS, MAX_AUTOMATIC_ATTEMPTS = 5, 300, 8


def retry_due(db, sink: PrinterSink, facts_of: Callable[[str], ReceiptFacts], profile: str,
              now: datetime | None = None, *, terminal_id: str) -> list[dict]:
    """Print again every failed job of this terminal whose retry time has come (the clerk can always press
    Reprint). Only the terminal that made a job prints it: the store's terminals share one database, and another
    terminal's printer may stand where the customers are (a counter receipt names the seller)."""
    now_text = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    due = fetch_all(db, "SELECT id, tradein_uuid FROM print_jobs WHERE terminal_id = ? AND status = 'failed' "
                        "AND next_attempt_at <= ? AND attempts < ? ORDER BY id",
                    [terminal_id, now_text, MAX_AUTOMATIC_ATTEMPTS])
    return [run_job(db, job["id"], sink, facts_of(job["tradein_uuid"]), profile) for job in due]


def requeue_interrupted(db, terminal_id: str) -> int:
    """At start, before this terminal serves anyone: its jobs still pending were cut short by a crash or a power
    cut (the trade-in was committed, the paper never confirmed); they become due at once. Returns how many."""
    with write_transaction(db):
        return db.execute("UPDATE print_jobs SET status = 'failed', next_attempt_at = ? "
                          "WHERE terminal_id = ? AND status = 'pending'", [utcnow(), terminal_id]).rowcount


class PrintRetrier(threading.Thread):
    """run_kiosk.py's background worker: retries this terminal's failed print jobs when their time comes, the
    first round at once (what a crash left is printed at start). `terminal_of` says which terminal this process
    is (None before enrolment: nothing to print yet); it is asked each round, enrolment may happen meanwhile."""

    def __init__(self, open_db: Callable[[], sqlite_utils.Database], sink: PrinterSink,
                 facts_of: Callable[[sqlite_utils.Database, str], ReceiptFacts], profile: str,
                 terminal_of: Callable[[sqlite_utils.Database], str | None], every: float = 5.0,
                 on_fault: Callable[[sqlite_utils.Database, dict], None] | None = None) -> None:
        super().__init__(name="print-retries", daemon=True)
        self.open_db, self.sink, self.facts_of, self.profile, self.every = open_db, sink, facts_of, profile, every
        self.terminal_of = terminal_of
        self.on_fault = on_fault  # told of each job that failed again (the launcher journals it: JET)
        self.stop = threading.Event()

    def run(self) -> None:
        db = self.open_db()
        while True:
            try:
                if terminal := self.terminal_of(db):
                    done = retry_due(db, self.sink, lambda uuid: self.facts_of(db, uuid), self.profile,
                                     terminal_id=terminal)
                    for job in (j for j in done if j["status"] == "failed" and self.on_fault):
                        self.on_fault(db, job)
            except sqlite3.Error:  # a busy or full disk must not end the retries for good
                log.exception("print retry round failed; trying again in %s s", self.every)
            if self.stop.wait(self.every):
                break
        db.close()


def jobs_for(db, tradein_uuid: str) -> list[dict]:
    return fetch_all(db, "SELECT * FROM print_jobs WHERE tradein_uuid = ? ORDER BY id DESC", [tradein_uuid])
