"""The technical event journal (JET, BOI-TVA-DECLA-30-10-30 § 120) as a terminal leaves it: the start and stop of a
real kiosk process, the settings changed between two starts, a trade-in receipt the printer refused, a restore
declared on the CLI, and a sale ticket reprinted twice (DUPLICATA n° 1, n° 2 on the paper)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from kiosk.till import fiscal_chain, journal
from testing.hostile import kiosk_staff, quoted_over_http
from testing.paper import paper_text
from testing.printer_emulator import free_port
from testing.processes import kiosk_process
from testing.samples import ADULT_SELLER, IMEI_KNOWN_TAC, PIN
from tests.test_compliance import flask_cli
from tests.test_pos import BOOK, CASE, fill

DEMO = {"DEMO": "true", "DEMO_PIN": PIN, "LANGUAGE": "en", "PRINTER_DRIVER": "dummy"}


def events(data_dir: Path) -> list[tuple[str, dict]]:
    with sqlite3.connect(data_dir / "kiosk.db", timeout=10) as db:
        return [(code, json.loads(detail)) for code, detail in
                db.execute("SELECT code, detail FROM fiscal_events ORDER BY rowid")]


def codes(data_dir: Path) -> list[str]:
    return [code for code, _ in events(data_dir)]


def test_a_kiosk_process_journals_its_start_and_stop_and_the_settings_changed_between_two_starts(tmp_path):
    data = tmp_path / "store"
    with kiosk_process(data, **DEMO) as (_base, _process):
        assert codes(data) == ["start"]
    assert codes(data) == ["start", "stop"]  # SIGTERM, as a service manager stops it
    with kiosk_process(data, **DEMO):
        pass
    assert codes(data) == ["start", "stop", "start", "stop"]  # nothing changed: no settings_change
    with kiosk_process(data, **{**DEMO, "PRINTER_PROFILE": "TM-T20II", "TIMEZONE": "Europe/Brussels"}):
        pass
    journaled = events(data)
    assert [code for code, _ in journaled] == ["start", "stop", "start", "stop", "settings_change", "start", "stop"]
    assert journaled[4][1] == {"changed": ["PRINTER_PROFILE", "TIMEZONE"]}  # the names, never the values
    text = json.dumps(journaled)
    assert "TM-T20II" not in text and "Brussels" not in text and PIN not in text
    with sqlite3.connect(data / "kiosk.db") as db:  # every event is a signed record of the fiscal chain
        assert db.execute("SELECT count(*) FROM fiscal_records WHERE kind = 'jet'").fetchone()[0] == len(journaled)


def test_a_trade_in_receipt_the_printer_refuses_is_journaled_and_so_is_each_automatic_retry(tmp_path):
    data = tmp_path / "store"
    refusing = free_port()  # nobody listens: the connection is refused
    settings = {**DEMO, "PRINTER_DRIVER": "network", "PRINTER_TARGET": f"127.0.0.1:{refusing}",
                "PRINTER_TIMEOUT": "1"}
    with kiosk_process(data, **settings) as (base, _process):
        staff = kiosk_staff(base, "Camille Martin", PIN)
        uuid = quoted_over_http(staff, IMEI_KNOWN_TAC)
        assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
        faults = [detail for code, detail in events(data) if code == "printer_fault"]
        assert [(f["document"], f["job"]) for f in faults] == [(uuid, "receipt"), (uuid, "label")]
        assert all(f["reason"] for f in faults)
        with sqlite3.connect(data / "kiosk.db", timeout=10) as db:  # their retry time comes: the retrier tries
            db.execute("UPDATE print_jobs SET next_attempt_at = '2000-01-01T00:00:00+00:00'")
        deadline = time.monotonic() + 12
        while codes(data).count("printer_fault") < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert codes(data).count("printer_fault") == 4, events(data)


def test_a_sale_reprinted_twice_prints_duplicata_1_then_2_and_the_journal_numbers_them(app, staff, db):
    fill(staff, CASE, BOOK)
    assert staff.post("/pos/pay", {"cash_given": "200"}).status_code == 303
    uuid, number = db.execute("SELECT uuid, number FROM sales").fetchone()
    for _ in range(2):
        assert staff.post(f"/pos/sales/{uuid}/reprint").status_code == 303
    prints = Path(app.config["DATA_DIR"]) / "prints"
    original = paper_text((prints / f"{number}-receipt.escpos").read_bytes())
    first, second = (paper_text((prints / f"{number}-duplicate-{k}.escpos").read_bytes()) for k in (1, 2))
    assert "DUPLICATA" not in original and "TICKET DE CAISSE" in original  # the store's language: French
    # The title, printed double size, wraps after the number.
    assert first.startswith("DUPLICATA n° 1 :\nTICKET DE CAISSE\n") and "n° 2" not in first
    assert second.startswith("DUPLICATA n° 2 :\nTICKET DE CAISSE\n")
    assert number in first and number in second
    reprints = [json.loads(d) for (d,) in db.execute("SELECT detail FROM fiscal_events WHERE code = 'reprint'")]
    assert reprints == [{"document": number, "duplicate": 1}, {"document": number, "duplicate": 2}]
    assert [e["code"] for e in journal.events(db)][:2] == ["reprint", "reprint"]


def test_a_restore_declared_on_the_cli_is_journaled_and_the_chain_still_verifies(app, staff, db):
    fill(staff, CASE)
    assert staff.post("/pos/pay", {"cash_given": "50"}).status_code == 303
    head = fiscal_chain.head(db)["seq"]
    done = flask_cli(app, "fiscal", "restored", "--reason", "disk replaced, copy of last night put back")
    assert done.returncode == 0, done.stderr
    assert f"from record {head}" in done.stdout
    code, detail = db.execute("SELECT code, detail FROM fiscal_events ORDER BY rowid DESC LIMIT 1").fetchone()
    assert code == "restore" and json.loads(detail) == {"reason": "disk replaced, copy of last night put back",
                                                        "head_seq": head}
    assert flask_cli(app, "fiscal", "verify").returncode == 0
    assert flask_cli(app, "fiscal", "restored").returncode != 0  # a restore without its reason is refused
