"""Closures (BOI-TVA-DECLA-30-10-30 § 110-130, condition of conservation): per day (each Z), month and fiscal year,
each with the period's totals and the perpetual grand totals per VAT bucket (HT, TVA, TTC; margin-scheme lines apart),
signed and chained like a ticket. A month and a fiscal year close by themselves at the first ticket of the next one.
Every ticket enters the chain here (seal_ticket), inside its own transaction."""

from __future__ import annotations

import json
import uuid

import sqlite_utils

from core import fiscal, till
from core.clock import utcnow
from kiosk.store.db import fetch_all, fetch_one
from kiosk.till import fiscal_chain, journal

PERPETUAL_PREFIX = "perpetual:"


def seal_ticket(db: sqlite_utils.Database, sale: dict, lines: list[till.Line]) -> dict:
    """Inside the sale's (or return's) transaction: the JET's clock and version watch, the closures of a month or
    year that ended, then the ticket's signed record."""
    journal.watch(db, sale["terminal_id"], sale["created_at"])
    close_elapsed(db, sale["terminal_id"], fiscal_chain.local_date(db, sale["created_at"]))
    totals = fiscal_chain.ticket_totals(sale, lines)  # per VAT rate; per sales tax rate in a US store
    return fiscal_chain.append(db, sale["kind"], sale["uuid"], sale["number"], sale["terminal_id"], totals,
                               sale["created_at"])


def close_elapsed(db: sqlite_utils.Database, terminal_id: str, today: str) -> list[dict]:
    """The month and fiscal year of the last ticket, closed if `today` (a local date) is past them and nobody
    closed them."""
    previous = fiscal_chain.last(db, fiscal.TICKET_KINDS)
    if previous and previous["seq"] <= fiscal_chain.own_start(db):  # the restored head: its periods were closed
        previous = None  # on the dead terminal, whose records they are
    closed = []
    for level, width in (("month", 7), ("year", 4)):
        label = previous["local_date"][:width] if previous else None
        if label and today[:width] > label and not get(db, level, label):
            closed.append(close(db, level, label, terminal_id))
    return closed


def get(db: sqlite_utils.Database, level: str, label: str) -> dict | None:
    row = fetch_one(db, "SELECT * FROM fiscal_closures WHERE level = ? AND label = ?", [level, label])
    return {**row, "data": json.loads(row["data"])} if row else None


def _tickets(db: sqlite_utils.Database, level: str, label: str) -> list[dict]:
    """The period's tickets on this terminal's own part of the chain (fiscal_chain.own_start)."""
    start = fiscal_chain.own_start(db)
    if level == "day":
        after = fetch_one(db, "SELECT max(last_seq) AS seq FROM fiscal_closures WHERE level = 'day'")["seq"] or 0
        return fetch_all(db, "SELECT * FROM fiscal_records WHERE kind IN ('sale', 'return') AND seq > ? "
                             "ORDER BY seq", [max(after, start)])
    return fetch_all(db, "SELECT * FROM fiscal_records WHERE kind IN ('sale', 'return') AND local_date LIKE ? "
                         "AND seq > ? ORDER BY seq", [label + "%", start])


def perpetual_totals(db: sqlite_utils.Database) -> fiscal.Totals:
    """The perpetual grand totals per bucket now: the last closure's, plus every ticket after it."""
    latest = fetch_one(db, "SELECT last_seq, data FROM fiscal_closures ORDER BY last_seq DESC, rowid DESC LIMIT 1")
    base, after = (json.loads(latest["data"])["perpetual"], latest["last_seq"]) if latest else \
        ({}, fiscal_chain.own_start(db))
    tickets = fetch_all(db, "SELECT totals FROM fiscal_records WHERE kind IN ('sale', 'return') AND seq > ?", [after])
    return fiscal.add_totals(base, *(json.loads(t["totals"]) for t in tickets))


def close(db: sqlite_utils.Database, level: str, label: str, terminal_id: str) -> dict:
    """Inside the caller's transaction: the closure of a day (label 'Z-n'), month ('2026-11') or year ('2026')."""
    tickets = _tickets(db, level, label)
    period = fiscal.add_totals(*(json.loads(t["totals"]) for t in tickets))
    perpetual = perpetual_totals(db)
    head = fiscal_chain.last(db)
    data = {"period": period, "perpetual": perpetual, "tickets": len(tickets),
            "period_minor": fiscal.grand_total(period), "perpetual_minor": fiscal.grand_total(perpetual),
            "first_ticket": tickets[0]["number"] if tickets else "", "last_ticket": tickets[-1]["number"] if tickets
            else ""}
    row = {"uuid": str(uuid.uuid4()), "level": level, "label": label,
           "first_seq": tickets[0]["seq"] if tickets else 0, "last_seq": head["seq"] if head else 0,
           "data": json.dumps(data, sort_keys=True), "created_at": utcnow()}
    db["fiscal_closures"].insert(row)
    signed = {**period, **{PERPETUAL_PREFIX + bucket: fields for bucket, fields in perpetual.items()}}
    record = fiscal_chain.append(db, "closure", row["uuid"], f"{level} {label}", terminal_id, signed,
                                 total_minor=data["period_minor"])
    return {**row, "data": data, "seq": record["seq"]}


def closures(db: sqlite_utils.Database, level: str | None = None) -> list[dict]:
    rows = fetch_all(db, "SELECT * FROM fiscal_closures WHERE ? IS NULL OR level = ? ORDER BY last_seq, rowid",
                     [level, level])
    return [{**row, "data": json.loads(row["data"])} for row in rows]
