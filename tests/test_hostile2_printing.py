"""Issue 29's printing findings, replayed against real kiosk processes sharing one store database (a counter and
the self-service kiosk, as a shop runs them) and real TCP printers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

import requests

from testing.hostile import kiosk_staff, quoted_over_http
from testing.printer_emulator import PrinterEmulator, free_port
from testing.processes import kiosk_process
from testing.samples import ADULT_SELLER, IMEI_KNOWN_TAC, PIN

# What each terminal runs with beside its own printer: the demo store seeded on the first start, English pages.
COUNTER = {"DEMO": "true", "DEMO_PIN": PIN, "LANGUAGE": "en", "PRINTER_DRIVER": "network", "PRINTER_TIMEOUT": "1"}
SELF_SERVICE = {"TERMINAL_MODE": "customer", "LANGUAGE": "en", "PRINTER_DRIVER": "network"}
RETRY_ROUND_SECONDS = 5  # the print retrier's round (kiosk.tradein.printing.PrintRetrier)


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def rows(data_dir: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(data_dir / "kiosk.db", timeout=10) as db:
        return db.execute(sql, params).fetchall()


def accept_at_the_counter(base: str) -> str:
    staff = kiosk_staff(base, "Camille Martin", PIN)
    uuid = quoted_over_http(staff, IMEI_KNOWN_TAC)
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    return uuid


def test_medium_10_a_counter_receipt_that_failed_is_never_printed_by_the_self_service_kiosk_with_the_sellers_name(
        tmp_path):
    data = tmp_path / "store"
    counter_printer = free_port()  # the counter's printer is off while the trade-in is accepted
    with kiosk_process(data, **COUNTER, PRINTER_TARGET=f"127.0.0.1:{counter_printer}") as (base, _process):
        uuid = accept_at_the_counter(base)
    assert rows(data, "SELECT kind, status FROM print_jobs ORDER BY id") == [("receipt", "failed"), ("label", "failed")]
    with PrinterEmulator() as kiosk_printer, \
            kiosk_process(data, **SELF_SERVICE, PRINTER_TARGET=f"127.0.0.1:{kiosk_printer.port}"):
        # The counter is switched off for the night; the jobs' retry time comes while the kiosk runs.
        rows(data, "UPDATE print_jobs SET next_attempt_at = '2000-01-01T00:00:00+00:00'")
        time.sleep(RETRY_ROUND_SECONDS + 1.5)
        assert kiosk_printer.jobs == [], b"\n---\n".join(kiosk_printer.jobs)[:300]
    assert rows(data, "SELECT state FROM tradeins WHERE uuid = ?", [uuid]) == [("accepted",)]
    assert {status for (status,) in rows(data, "SELECT status FROM print_jobs")} == {"failed"}
    with PrinterEmulator(counter_printer) as printer, kiosk_process(data, **COUNTER, PRINTER_TARGET=(
            f"127.0.0.1:{counter_printer}")):  # the counter, back on, prints its own jobs on its own printer
        assert wait_for(lambda: len(printer.jobs) == 2, RETRY_ROUND_SECONDS + 5), printer.jobs
        assert b"Dupont" in printer.jobs[0]
        assert wait_for(lambda: rows(data, "SELECT state FROM tradeins WHERE uuid = ?", [uuid]) == [("printed",)], 5)


def test_low_15_a_print_job_left_pending_by_a_crash_is_printed_when_its_terminal_starts_again(tmp_path):
    data = tmp_path / "store"
    with PrinterEmulator(silent=True) as hung, \
            kiosk_process(data, **COUNTER, PRINTER_TARGET=f"127.0.0.1:{hung.port}") as (base, process):
        staff = kiosk_staff(base, "Camille Martin", PIN)
        uuid = quoted_over_http(staff, IMEI_KNOWN_TAC)

        def accept() -> None:  # the answer never comes: the terminal dies while the printer holds the job
            with contextlib.suppress(requests.RequestException):
                staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)

        clerk = threading.Thread(target=accept)
        clerk.start()
        assert wait_for(lambda: ("pending",) in rows(data, "SELECT status FROM print_jobs"), 20)
        process.kill()  # power cut in the middle of printing: the trade-in is committed, its jobs pending
        clerk.join(timeout=15)
    left = rows(data, "SELECT kind, status FROM print_jobs ORDER BY id")
    assert ("receipt", "pending") in left or ("label", "pending") in left, left
    assert rows(data, "SELECT state FROM tradeins WHERE uuid = ?", [uuid]) == [("accepted",)]
    with PrinterEmulator() as printer, kiosk_process(data, **COUNTER, PRINTER_TARGET=f"127.0.0.1:{printer.port}"):
        assert wait_for(lambda: rows(data, "SELECT DISTINCT status FROM print_jobs") == [("printed",)],
                        RETRY_ROUND_SECONDS + 3), rows(data, "SELECT kind, status, last_error FROM print_jobs")
        assert len(printer.jobs) == len(left) and b"Dupont" in b"".join(printer.jobs)
    assert rows(data, "SELECT state FROM tradeins WHERE uuid = ?", [uuid]) == [("printed",)]
