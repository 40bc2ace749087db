"""Receipts over a real TCP socket; a printer fault never touches the trade-in."""

from __future__ import annotations

import time

from testing.printer_emulator import PrinterEmulator, free_port
from testing.samples import ADULT_SELLER, IMEI_KNOWN_TAC
from tests.conftest import KioskClient, make_app, run_to_quote


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def signed_in(app) -> KioskClient:
    client = KioskClient(app.test_client())
    client.login(app)
    return client


def test_receipt_reaches_a_network_printer(tmp_path):
    with PrinterEmulator() as printer:
        app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{printer.port}")
        staff = signed_in(app)
        uuid = run_to_quote(staff)
        staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
        assert wait_for(lambda: printer.jobs)
        assert IMEI_KNOWN_TAC.encode() in printer.jobs[0] and printer.jobs[0].endswith(b"\x1dV\x00")
        assert staff.get("/healthz").get_json()["printer"] == {"driver": "network", "state": "ready"}


def test_printer_offline_keeps_the_trade_in_and_reprint_recovers(tmp_path):
    port = free_port()
    app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{port}", PRINTER_TIMEOUT=1)
    staff = signed_in(app)
    uuid = run_to_quote(staff)
    response = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Trade-in accepted and saved" in page and "did not print" in page and "unreachable" in page
    with app.app_context():
        from kiosk.store.connection import get_db

        db = get_db()
        assert db["tradeins"].get(uuid)["state"] == "accepted"
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 2  # the trade-in, the transfer to make
        assert db.execute("SELECT kind, status FROM print_jobs ORDER BY id").fetchall() == [
            ("receipt", "failed"), ("label", "failed")]
    health = staff.get("/healthz").get_json()
    assert health["status"] == "degraded" and health["printer"]["state"] == "offline"

    with PrinterEmulator(port) as printer:  # the printer is back on
        staff.get(f"/tradeins/{uuid}")
        staff.post(f"/tradeins/{uuid}/reprint")
        assert wait_for(lambda: printer.jobs)
    with app.app_context():
        from kiosk.store.connection import get_db

        assert get_db()["tradeins"].get(uuid)["state"] == "printed"


def test_paper_out_fails_the_job_with_the_reason_and_reprint_prints(tmp_path):
    with PrinterEmulator(paper="out") as printer:
        app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{printer.port}")
        staff = signed_in(app)
        assert staff.get("/healthz").get_json()["printer"]["state"] == "paper_out"
        uuid = run_to_quote(staff)
        page = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER, follow_redirects=True).get_data(as_text=True)
        assert "Trade-in accepted and saved" in page and "out of paper" in page and not printer.jobs
        printer.paper = "ok"  # a new roll
        staff.get(f"/tradeins/{uuid}")
        staff.post(f"/tradeins/{uuid}/reprint")
        assert wait_for(lambda: printer.jobs) and IMEI_KNOWN_TAC.encode() in printer.jobs[0]


def test_connection_cut_mid_job_fails_the_job_and_keeps_the_trade_in(tmp_path):
    with PrinterEmulator(cut_after=300) as printer:
        app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{printer.port}")
        staff = signed_in(app)
        uuid = run_to_quote(staff)
        page = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER, follow_redirects=True).get_data(as_text=True)
        assert "cut while printing" in page
        with app.app_context():
            from kiosk.store.connection import get_db

            db = get_db()
            assert db["tradeins"].get(uuid)["state"] == "accepted"  # saved, receipt not yet printed
            assert db.execute("SELECT status, last_error FROM print_jobs").fetchone()[0] == "failed"
        printer.cut_after = None  # cable fixed
        staff.get(f"/tradeins/{uuid}")
        staff.post(f"/tradeins/{uuid}/reprint")
        assert wait_for(lambda: printer.jobs) and printer.jobs[-1].endswith(b"\x1dV\x00")


def test_failed_jobs_are_retried_when_their_time_comes(tmp_path, db_of):
    from datetime import UTC, datetime, timedelta

    from kiosk.tradein import printing

    port = free_port()
    app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{port}", PRINTER_TIMEOUT=1)
    staff = signed_in(app)
    uuid = run_to_quote(staff)
    staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    db = db_of(app)
    jobs = db.execute("SELECT kind, status, attempts, next_attempt_at FROM print_jobs ORDER BY id").fetchall()
    assert [j[:3] for j in jobs] == [("receipt", "failed", 1), ("label", "failed", 1)] and all(j[3] for j in jobs)
    sink, cipher = app.extensions["kiosk.printer"], app.extensions["kiosk.cipher"]

    def receipt_of(tradein_uuid):
        return printing.receipt_facts(db, tradein_uuid, app.extensions["kiosk.spec"], app.config["CANCEL_WINDOW"],
                                      cipher)

    counter = db.execute("SELECT terminal_id FROM tradeins WHERE uuid = ?", [uuid]).fetchone()[0]
    assert printing.retry_due(db, sink, receipt_of, "TM-T88V", now=datetime.now(UTC) - timedelta(hours=1),
                              terminal_id=counter) == []
    with PrinterEmulator(port) as printer:
        later = datetime.now(UTC) + timedelta(hours=1)
        jobs = printing.retry_due(db, sink, receipt_of, "TM-T88V", now=later, terminal_id=counter)
        assert [(j["kind"], j["status"]) for j in jobs] == [("receipt", "printed"), ("label", "printed")]
        assert wait_for(lambda: len(printer.jobs) == 2)
    assert db["tradeins"].get(uuid)["state"] == "printed"


def test_hardware_page_and_selftest_give_a_verdict_per_device(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    with PrinterEmulator() as printer:
        app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{printer.port}")
        staff = signed_in(app)
        page = staff.get("/hardware").get_data(as_text=True)
        assert page.count(">OK<") == 1 and page.count(">Not tested yet<") == 2  # scanner, camera: a clerk tests
        scanned = staff.post("/hardware/scan", {"code": "490154203237518"}).get_data(as_text=True)
        assert "It sent “490154203237518” (15 characters): read as imei 490154203237518" in scanned
        misread = staff.post("/hardware/scan", {"code": "4901542\x1b[2~03237518"})
        assert misread.status_code == 422 and "control characters" in misread.get_data(as_text=True)
        assert staff.post("/hardware/test-page").status_code == 200 and wait_for(lambda: printer.jobs)
        assert b"PRINTER TEST" in printer.jobs[0]
        flask = Path(sys.executable).parent / "flask"
        env = {"KIOSK_DATA_DIR": app.config["DATA_DIR"], "KIOSK_PRINTER_DRIVER": "network",
               "KIOSK_PRINTER_TARGET": f"127.0.0.1:{printer.port}", "PATH": "/usr/bin:/bin"}
        out = subprocess.run([str(flask), "--app", "kiosk", "hardware", "selftest"], env=env, capture_output=True,
                             text=True, cwd=Path(__file__).parent.parent)
        assert out.returncode == 0 and out.stdout.count("OK  ") == 1 and out.stdout.count("----") == 2, out.stdout
    env["KIOSK_PRINTER_TARGET"] = f"127.0.0.1:{free_port()}"  # printer switched off
    out = subprocess.run([str(flask), "--app", "kiosk", "hardware", "selftest"], env=env, capture_output=True,
                         text=True, cwd=Path(__file__).parent.parent)
    assert out.returncode == 1 and "FAIL  printer (network)" in out.stdout


def test_drivers_are_chosen_by_name_and_missing_parts_are_named(tmp_path, monkeypatch):
    import pytest

    from hardware.printer import PrinterError, make_sink

    assert make_sink("file", "", tmp_path, "TM-T88V", 1).driver == "file"
    assert make_sink("network", "10.0.0.9", tmp_path, "TM-T88V", 1).port == 9100
    monkeypatch.setenv("PATH", str(tmp_path))  # a terminal without CUPS
    with pytest.raises(PrinterError, match="CUPS is not installed"):
        make_sink("cups", "TM-T20", tmp_path, "TM-T88V", 1).send(b"x", "job")
    with pytest.raises(ValueError, match="unknown printer driver 'laser'"):
        make_sink("laser", "", tmp_path, "TM-T88V", 1)
