"""First run of a server with several workers (`gunicorn -w 4` on a fresh data folder): every worker must end up
with the same secret key and the same data keys. Each used to generate its own and one crashed on the file the
other had just created, or sealed stores' secrets with a key the others never saw."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import requests

from core.settings import keys_from, secret_file
from hq.storage import SqliteStorage
from kiosk.store.db import migrate, open_database, schema_version
from testing.printer_emulator import free_port

ROOT = Path(__file__).resolve().parents[1]


def _first_run(args: tuple[str, float]) -> tuple[list[str], str]:
    folder, start = args
    while time.time() < start:  # every process reaches the file at the same moment
        pass
    return keys_from("", Path(folder) / "data_keys"), secret_file(folder)


def test_processes_starting_together_agree_on_one_key_and_one_secret(tmp_path):
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        for round_ in range(10):  # a race: several rounds, each on a fresh folder
            folder, start = tmp_path / f"data{round_}", time.time() + 0.3
            try:
                seen = pool.map(_first_run, [(str(folder), start)] * 8)
            except FileExistsError as err:
                raise AssertionError(f"a process crashed on the file another had just created: {err}") from None
            assert len({tuple(keys) for keys, _ in seen}) == 1 and len({secret for _, secret in seen}) == 1
            for name in ("data_keys", "secret_key"):
                assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600
            assert sorted(p.name for p in folder.iterdir()) == ["data_keys", "secret_key"]  # nothing left aside


def _open_both_databases(args: tuple[str, float]) -> tuple[str, int]:
    folder, start = args
    while time.time() < start:
        pass
    try:
        SqliteStorage(Path(folder) / "hq.db").migrate()
        kiosk = open_database(Path(folder) / "kiosk.db")
        migrate(kiosk)
        return "opened", schema_version(kiosk)
    except Exception as err:  # noqa: BLE001 - the failure is what this test reports
        return repr(err), -1


def test_processes_opening_a_fresh_database_together_all_open_it(tmp_path):
    """SQLite answers "database is locked" at once, without waiting, to a connection switching a fresh file to WAL
    while another makes the same switch: one gunicorn worker in a few failed to boot on a fresh HQ."""
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        for round_ in range(12):
            folder, start = tmp_path / f"data{round_}", time.time() + 0.3
            seen = pool.map(_open_both_databases, [(str(folder), start)] * 8)
            assert {outcome for outcome, _ in seen} == {"opened"}, seen
            assert len({version for _, version in seen}) == 1


def test_hq_under_gunicorn_with_four_workers_boots_on_a_fresh_data_folder(tmp_path):
    port = free_port()
    env = {**os.environ, "HQ_DATA_DIR": str(tmp_path / "hq")}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "hq:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        answered = 0
        for _ in range(150):
            try:
                answered += requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
            except requests.RequestException:
                time.sleep(0.1)
            if answered >= 20 or server.poll() is not None:
                break
        assert server.poll() is None, server.stderr.read()[-2000:]  # no worker failed to boot
        assert answered >= 20
    finally:
        server.terminate()
        server.wait(timeout=20)
