"""README command 1's pieces: run_kiosk.py serves over real HTTP (waitress); the flask CLI finds the same data."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from kiosk.store.migrations import MIGRATIONS
from testing.printer_emulator import free_port
from testing.processes import wait_until_serving

ROOT = Path(__file__).parent.parent
FLASK = Path(sys.executable).parent / "flask"


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_help_lists_the_options_and_settings():
    out = subprocess.run([sys.executable, "run_kiosk.py", "--help"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    for word in ("--host", "--port", "--data-dir", "KIOSK_PRINTER_DRIVER", "KIOSK_LOCALE"):
        assert word in out


def test_run_kiosk_serves_seeds_once_and_the_cli_sees_the_same_database(tmp_path):
    port = free_port()
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")}
    kiosk = subprocess.Popen([sys.executable, "run_kiosk.py", "--port", str(port), "--demo"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", kiosk)
        status, body = get(f"http://127.0.0.1:{port}/healthz")
        health = json.loads(body)
        assert status == 200 and health["status"] == "ok" and health["database"]["ok"]
        assert health["printer"]["driver"] == "file"
        status, page = get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and "Camille Martin" in page
    finally:
        kiosk.terminate()
        output = kiosk.communicate(timeout=10)[0]
    assert "sign in:" in output and "PIN:" in output
    assert (tmp_path / "data" / "kiosk.db").exists() and (tmp_path / "data" / "DEMO_LOGIN.txt").exists()
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"

    cli = subprocess.run([str(FLASK), "--app", "kiosk", "seed"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert cli.returncode == 0 and "Already seeded" in cli.stdout
    cli = subprocess.run([str(FLASK), "--app", "kiosk", "init-db"], cwd=ROOT, env=env, capture_output=True,
                         text=True)
    assert str(tmp_path / "data" / "kiosk.db") in cli.stdout and f"schema version {MIGRATIONS[-1][0]}" in cli.stdout


def test_without_demo_a_new_terminal_asks_to_be_enrolled_and_holds_no_demo_data(tmp_path):
    port = free_port()
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")}
    kiosk = subprocess.Popen([sys.executable, "run_kiosk.py", "--port", str(port)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", kiosk)
        status, page = get(f"http://127.0.0.1:{port}/login")  # followed to the set-up page
        assert status == 200 and 'name="code"' in page and "Camille Martin" not in page
    finally:
        kiosk.terminate()
        output = kiosk.communicate(timeout=10)[0]
    assert "set up:" in output and "PIN" not in output and not (tmp_path / "data" / "DEMO_LOGIN.txt").exists()
    db = sqlite3.connect(tmp_path / "data" / "kiosk.db")
    assert [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("stores", "staff", "price_grids")] == [
        0, 0, 0]


def test_demo_hq_and_a_terminal_enrolled_by_the_cli_sync_as_two_processes(tmp_path):
    """Two real processes, as deployed: `python -m hq --demo` and `run_kiosk.py`, the terminal enrolled with
    `flask --app kiosk enrol` (its secret never printed), its first manager made on its first page."""
    from hq.storage import SqliteStorage
    from kiosk.store.db import open_database
    from testing.factories import accepted_tradeins
    from testing.hostile import Browser

    hq_port, kiosk_port = free_port(), free_port()
    hq = subprocess.Popen([sys.executable, "-m", "hq", "--port", str(hq_port), "--demo"], cwd=ROOT,
                          env={**os.environ, "HQ_DATA_DIR": str(tmp_path / "hq")}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    kiosk_env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "kiosk"), "KIOSK_SYNC_INTERVAL_SECONDS": "1"}
    hq_url = f"http://127.0.0.1:{hq_port}"
    kiosk = None
    try:
        wait_until_serving(hq_url + "/healthz", hq)
        code = hq.stdout.readline().split("enrolment code:")[1].strip()
        enrol = [str(FLASK), "--app", "kiosk", "enrol", "--hq", hq_url, "--code", code]
        done = subprocess.run(enrol, cwd=ROOT, env=kiosk_env, capture_output=True, text=True)
        assert done.returncode == 0 and "enrolled: Boutique Démo Paris 11e" in done.stdout, done.stderr
        assert "grid DEMO-" in done.stdout and "secret" not in done.stdout.lower()
        link = tmp_path / "kiosk" / "hq_link.json"
        assert oct(link.stat().st_mode & 0o777) == "0o600"
        again = subprocess.run(enrol, cwd=ROOT, env=kiosk_env, capture_output=True, text=True)
        assert again.returncode != 0 and "already used" in again.stderr
        kiosk = subprocess.Popen([sys.executable, "run_kiosk.py", "--port", str(kiosk_port)], cwd=ROOT,
                                 env=kiosk_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_until_serving(f"http://127.0.0.1:{kiosk_port}/healthz", kiosk)
        first = Browser(f"http://127.0.0.1:{kiosk_port}")
        first.get("/")
        made = first.post("/setup/manager", {"name": "Nadia Benali", "pin": "482913", "pin_again": "482913"})
        assert made.status_code == 303 and made.headers["Location"].endswith("/login")
        db = open_database(tmp_path / "kiosk" / "kiosk.db")
        accepted_tradeins(db, 5)  # a clerk's work, written beside the running kiosk
        hq_storage = SqliteStorage(tmp_path / "hq" / "hq.db")
        store_id = json.loads(link.read_text())["store_id"]
        assert db.execute("SELECT id FROM stores").fetchall() == [(store_id,)]  # HQ's id on both sides
        deadline = time.monotonic() + 20
        while len(hq_storage.records(store_id)) < 10 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(hq_storage.records(store_id)) == 10  # five trade-ins and five transfers to make
        health = json.loads(get(f"http://127.0.0.1:{kiosk_port}/healthz")[1])
        assert health["sync"]["enabled"] and health["sync"]["last_error"] is None
    finally:
        for process in (kiosk, hq):
            if process:
                process.terminate()
                process.communicate(timeout=10)


def test_hq_cli_registers_stores_and_publishes_reference_files(tmp_path):
    from hq.storage import SqliteStorage

    env = {**os.environ, "HQ_DATA_DIR": str(tmp_path / "hq")}
    (tmp_path / "blocklist.csv").write_text("imei,reason\n352099001761481,reported stolen\n")
    (tmp_path / "grid.json").write_text(json.dumps({"currency": "EUR", "valid_from": "2026-01-01",
                                                     "valid_until": "2026-12-31", "values": [
        {"kind": "phone", "brand": "Apple", "model": "iPhone 13", "storage_gb": 128, "cosmetic": "A",
         "functional_band": "F1", "base_minor": 23456}]}))  # an empty grid is refused: it would break a till
    run = lambda *args: subprocess.run([str(FLASK), "--app", "hq", *args], cwd=ROOT, env=env,  # noqa: E731
                                       capture_output=True, text=True)
    added = run("stores", "add", "Lyon Part-Dieu", "--siret", "732 829 320 00074", "--address", "1 rue X, Lyon")
    assert "enrolment code:" in added.stdout and "secret" not in added.stdout
    bad = run("stores", "add", "Nowhere", "--siret", "12345678901234", "--address", "1 rue Y")
    assert bad.returncode != 0 and "SIRET" in bad.stderr
    assert run("publish", "blocklist", str(tmp_path / "blocklist.csv"), "--version", "B-1").returncode == 0
    assert run("publish", "grid", str(tmp_path / "grid.json"), "--version", "G-1").returncode == 0
    again = run("publish", "grid", str(tmp_path / "grid.json"), "--version", "G-1")
    assert again.returncode != 0 and "already published" in again.stderr
    latest = SqliteStorage(tmp_path / "hq" / "hq.db").latest_references()
    assert {k: v["version"] for k, v in latest.items()} == {"blocklist": "B-1", "grid": "G-1"}
    assert "Lyon Part-Dieu" in run("stores", "list").stdout


def test_a_typoed_setting_stops_the_start_with_one_line_naming_the_closest(tmp_path):
    """KIOSK_PRINTR_DRIVER=network used to be dropped: the terminal printed to a file and nobody knew."""
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_PRINTR_DRIVER": "network"}
    out = subprocess.run([sys.executable, "run_kiosk.py", "--port", str(free_port())], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "kiosk: unknown setting KIOSK_PRINTR_DRIVER in the environment; did you mean KIOSK_PRINTER_DRIVER?"]
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "kiosk.toml").write_text('PRINTER_DRIVR = "network"\n')
    env.pop("KIOSK_PRINTR_DRIVER")
    out = subprocess.run([sys.executable, "run_kiosk.py", "--port", str(free_port())], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "did you mean PRINTER_DRIVER?" in out.stderr
    hq_env = {k: v for k, v in os.environ.items() if not k.startswith("HQ_")}
    out = subprocess.run([sys.executable, "-m", "hq", "--port", str(free_port())], cwd=ROOT, timeout=60,
                         env={**hq_env, "HQ_DATA_DIR": str(tmp_path / "hq"), "HQ_DATABSE_URL": "postgresql://x"},
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip() == "hq: unknown setting HQ_DATABSE_URL in the environment; did you mean HQ_DATABASE_URL?"


def test_the_console_scripts_list_their_settings():
    """`kiosk --help` and `hq --help`, installed by pyproject.toml's [project.scripts], name every setting."""
    from hq.settings import SETTINGS as HQ_SETTINGS
    from kiosk.settings import SETTINGS as KIOSK_SETTINGS

    for script, prefix, declared in (("kiosk", "KIOSK_", KIOSK_SETTINGS), ("hq", "HQ_", HQ_SETTINGS)):
        out = subprocess.run([str(Path(sys.executable).with_name(script)), "--help"], capture_output=True,
                             text=True, check=True, timeout=60).stdout
        assert f"usage: {script}" in out
        assert all(prefix + setting.name in out for setting in declared), script


def test_a_cli_command_on_a_folder_without_a_database_says_to_run_init_db(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")} | {"KIOSK_DATA_DIR": str(tmp_path)}
    out = subprocess.run([str(FLASK), "--app", "kiosk", "register", "verify"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "schema version 0" in out.stderr and "flask --app kiosk init-db" in out.stderr
