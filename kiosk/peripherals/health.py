"""What this terminal tells HQ of its own devices with each push (sync.health adds what the sync client knows): the
printer's state as its driver reads it, the outcome of its newest print job, and the free space of its data folder."""

from __future__ import annotations

import shutil

import sqlite_utils

from hardware.printer import PrinterSink
from kiosk.store.db import fetch_one


def device_facts(db: sqlite_utils.Database, printer: PrinterSink, data_dir: str, terminal_id: str | None) -> dict:
    """The printer is asked now (a network printer: one status query, at most about a second when it is silent)."""
    job = fetch_one(db, "SELECT status, coalesce(printed_at, created_at) AS at FROM print_jobs WHERE terminal_id IS ? "
                        "ORDER BY id DESC LIMIT 1", [terminal_id])
    return {"terminal_id": terminal_id or "", "printer": printer.state(),
            "last_print": job["status"] if job else "none", "last_print_at": job["at"] if job else None,
            "disk_free_bytes": shutil.disk_usage(data_dir).free}
