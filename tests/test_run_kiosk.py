"""README command 1's pieces: run_kiosk.py serves over real HTTP (waitress); the flask CLI finds the same data."""

from __future__ import annotations

import json
import os
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
    kiosk = subprocess.Popen([sys.executable, "run_kiosk.py", "--port", str(port)], cwd=ROOT, env=env,
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


def test_kiosk_process_syncs_to_an_hq_process_in_the_background(tmp_path):
    """Two real processes, as deployed: `python -m sync.hq` and `run_kiosk.py` with sync configured."""
    from kiosk.store.db import open_database
    from sync.hq.storage import SqliteStorage
    from testing.factories import accepted_tradeins

    hq_env = {**os.environ, "HQ_DATA_DIR": str(tmp_path / "hq")}
    added = subprocess.run([str(FLASK), "--app", "sync.hq", "stores", "add", "Test store"], cwd=ROOT, env=hq_env,
                           capture_output=True, text=True, check=True).stdout
    store_id = added.split("store id:")[1].split()[0]
    secret = added.split("secret:")[1].split()[0]
    hq_port, kiosk_port = free_port(), free_port()
    kiosk_env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "kiosk"), "KIOSK_SYNC_URL": f"http://127.0.0.1:{hq_port}",
                 "KIOSK_SYNC_STORE_ID": store_id, "KIOSK_SYNC_SECRET": secret, "KIOSK_SYNC_INTERVAL_SECONDS": "1"}
    hq = subprocess.Popen([sys.executable, "-m", "sync.hq", "--port", str(hq_port)], cwd=ROOT, env=hq_env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    kiosk = subprocess.Popen([sys.executable, "run_kiosk.py", "--port", str(kiosk_port)], cwd=ROOT, env=kiosk_env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_serving(f"http://127.0.0.1:{hq_port}/healthz", hq)
        wait_until_serving(f"http://127.0.0.1:{kiosk_port}/healthz", kiosk)
        db = open_database(tmp_path / "kiosk" / "kiosk.db")
        accepted_tradeins(db, 5)  # a clerk's work, written beside the running kiosk
        hq_storage = SqliteStorage(tmp_path / "hq" / "hq.db")
        deadline = time.monotonic() + 20
        while len(hq_storage.records()) < 5 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(hq_storage.records(store_id)) == 5
        health = json.loads(get(f"http://127.0.0.1:{kiosk_port}/healthz")[1])
        assert health["sync"]["enabled"] and health["sync"]["last_error"] is None
    finally:
        for process in (kiosk, hq):
            process.terminate()
            process.communicate(timeout=10)


def test_hq_cli_registers_stores_and_publishes_reference_files(tmp_path):
    from sync.hq.storage import SqliteStorage

    env = {**os.environ, "HQ_DATA_DIR": str(tmp_path / "hq")}
    (tmp_path / "blocklist.csv").write_text("imei,reason\n352099001761481,reported stolen\n")
    (tmp_path / "grid.json").write_text(json.dumps({"currency": "EUR", "valid_from": "2026-01-01",
                                                     "valid_until": "2026-12-31", "values": [
        {"brand": "Apple", "model": "iPhone 13", "storage_gb": 128, "cosmetic": "A", "functional_band": "F1",
         "base_minor": 23456}]}))  # an empty grid is refused like any file that would break a till
    run = lambda *args: subprocess.run([str(FLASK), "--app", "sync.hq", *args], cwd=ROOT, env=env,  # noqa: E731
                                       capture_output=True, text=True)
    assert "secret:" in run("stores", "add", "Lyon Part-Dieu").stdout
    assert run("publish", "blocklist", str(tmp_path / "blocklist.csv"), "--version", "B-1").returncode == 0
    assert run("publish", "grid", str(tmp_path / "grid.json"), "--version", "G-1").returncode == 0
    again = run("publish", "grid", str(tmp_path / "grid.json"), "--version", "G-1")
    assert again.returncode != 0 and "already published" in again.stderr
    latest = SqliteStorage(tmp_path / "hq" / "hq.db").latest_references()
    assert {k: v["version"] for k, v in latest.items()} == {"blocklist": "B-1", "grid": "G-1"}
    assert "Lyon Part-Dieu" in run("stores", "list").stdout
