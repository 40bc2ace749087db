"""The kiosk and HQ as real processes on 127.0.0.1 (what a store and HQ run), for tests and benchmarks that
must see a process as the user meets it: its HTTP, its memory, its exit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from testing.printer_emulator import free_port

ROOT = Path(__file__).resolve().parent.parent
# Settings a test or benchmark never inherits by accident from the caller's environment.
FOREIGN = ("HQ_", "KIOSK_")


def clean_environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    return {**env, **extra}


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the process ended: {process.stdout.read() if process.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def port_option(port: int) -> list[str]:
    return ["--port", str(port)]


@contextmanager
def serving(command: list[str], env: dict[str, str], health: str,
            listen: Callable[[int], list[str]] = port_option) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen([*command, *listen(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + health, process)
        yield base, process
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def kiosk_process(data_dir: Path, **settings: str):
    """run_kiosk.py on its own data folder; `settings` are KIOSK_<NAME> values."""
    env = clean_environ(KIOSK_DATA_DIR=str(data_dir), **{f"KIOSK_{k}": v for k, v in settings.items()})
    return serving([sys.executable, "run_kiosk.py"], env, "/healthz")


def hq_process(data_dir: Path, **settings: str):
    """python -m hq on its own data folder (SQLite unless DATABASE_URL is given)."""
    env = clean_environ(HQ_DATA_DIR=str(data_dir), **{f"HQ_{k}": v for k, v in settings.items()})
    return serving([sys.executable, "-m", "hq"], env, "/healthz")


def gunicorn_process(app: str, workers: int, env: dict[str, str]):
    """`gunicorn -w N` serving `app` ("hq:create_app()", "kiosk:create_app()") on 127.0.0.1, as a service
    runs past one process; `env` from clean_environ()."""
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), app]
    return serving(command, env, "/healthz", lambda port: ["-b", f"127.0.0.1:{port}"])


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")
