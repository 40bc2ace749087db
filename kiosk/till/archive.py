"""The fiscal archive of a period (a month 'YYYY-MM' or a fiscal year 'YYYY': at most a year, BOI-TVA-DECLA-30-10-30
§ 140): the period's chain records in core.fiscal_archive's XML, signed by this terminal's key; the archive made is
itself recorded (fiscal_archives, a JET event, a chain record)."""

from __future__ import annotations

import hashlib
import re
import uuid

import sqlite_utils

from core import fiscal_archive
from core.clock import utcnow
from kiosk.store.db import fetch_one, write_transaction
from kiosk.till import fiscal_chain, journal

PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")


def period_records(db: sqlite_utils.Database, period: str) -> list[dict]:
    if not PERIOD.fullmatch(period):
        raise ValueError("a period is a month (2026-12) or a fiscal year (2026)")
    return [r for r in fiscal_chain.records(db) if r["local_date"].startswith(period)]


def make(db: sqlite_utils.Database, period: str, terminal_id: str) -> bytes:
    """The archive's bytes; the archive is recorded in the chain (its own record falls after the ones it holds)."""
    records = period_records(db, period)
    store = fetch_one(db, "SELECT * FROM stores ORDER BY rowid LIMIT 1") or {}
    with write_transaction(db):
        private = fiscal_chain.ensure_key(db, terminal_id)
    header = {"period": period, "store": store.get("name", ""), "legalName": store.get("legal_name") or "",
              "siret": store.get("siret") or "", "softwareVersion": fiscal_chain.software_version(), "madeAt": utcnow()}
    data = fiscal_archive.to_xml(header, fiscal_chain.public_keys(db), records, terminal_id, private)
    row = {"uuid": str(uuid.uuid4()), "period": period, "first_seq": records[0]["seq"] if records else 0,
           "last_seq": records[-1]["seq"] if records else 0, "sha256": hashlib.sha256(data).hexdigest(),
           "made_at": header["madeAt"]}
    with write_transaction(db):
        db["fiscal_archives"].insert(row)
        fiscal_chain.append(db, "archive", row["uuid"], f"archive {period}", terminal_id, {})
        journal.record(db, "archive", terminal_id, period=period, sha256=row["sha256"], records=len(records))
    return data


def verify_file(data: bytes, trusted_key: str | None = None) -> list[str]:
    """An archive checked without the database: its records' signatures and chain, and its own signature."""
    try:
        archive = fiscal_archive.from_xml(data)
    except ValueError as err:
        return [str(err)]
    return fiscal_archive.problems(archive, trusted_key)
