"""HQ served for the fleet benchmark: one gunicorn node, or several on their own ports behind HAProxy (Debian's
`haproxy`, started and stopped here with a generated configuration), all on the same PostgreSQL and 127.0.0.1.
The workers are split between the nodes, so both set-ups use the same 2 cores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from bench.common import scratch_folder
from testing.printer_emulator import free_port

WORKERS = 4
THREADS = 4  # gunicorn's gthread threads a worker: a node serves workers x THREADS requests at once
HAPROXY = """global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout queue 60s
frontend hq
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance {balance}
{servers}
"""
# How HAProxy shares the requests: its `balance` and whether each node takes at most as many as it has request
# slots (maxconn). "roundrobin": in turns, each node queueing what it cannot serve yet behind its own slow requests
# while the other may idle. "leastconn": to the node with the fewest in flight. "leastconn+maxconn": the same, the
# rest queued in HAProxy for the first slot free on either node. bench.fleet_sharing compares them.
SHARINGS = {"roundrobin": ("roundrobin", False), "leastconn": ("leastconn", False),
            "leastconn+maxconn": ("leastconn", True)}


def _wait(port: int, process: subprocess.Popen, what: str) -> None:
    for _ in range(150):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{what} did not start: " + (process.stderr.read() if process.stderr else ""))


def _node(url: str, key: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "HQ_DATABASE_URL": url, "HQ_DATA_KEYS": key}  # the key that sealed the stores' secrets
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(THREADS),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "hq:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait(port, process, "an HQ node")
    return process


def haproxy_missing() -> str:
    """Why a set-up with more than one node cannot run here ('' when it can)."""
    return "" if shutil.which("haproxy") else "haproxy is not installed (Debian: apt install haproxy)"


@contextmanager
def serving(url: str, key: str, nodes: int = 1, sharing: str = "roundrobin") -> Iterator[str]:
    """The base URL the stores push to, while `nodes` HQ processes (behind HAProxy, sharing the requests as
    SHARINGS[sharing] says, when more than one) run."""
    balance, slots_only = SHARINGS[sharing]
    workers = max(1, WORKERS // nodes)
    ports = [free_port() for _ in range(nodes)]
    processes = [_node(url, key, port, workers) for port in ports]
    try:
        if nodes == 1:
            yield f"http://127.0.0.1:{ports[0]}"
            return
        front, folder = free_port(), scratch_folder("bench-haproxy-")
        slots = f" maxconn {workers * THREADS}" if slots_only else ""
        servers = "\n".join(f"    server node{n} 127.0.0.1:{port}{slots}" for n, port in enumerate(ports))
        (folder / "haproxy.cfg").write_text(HAPROXY.format(port=front, servers=servers, balance=balance))
        proxy = subprocess.Popen([shutil.which("haproxy") or "haproxy", "-db", "-f", str(folder / "haproxy.cfg")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        processes.append(proxy)
        _wait(front, proxy, "HAProxy")
        yield f"http://127.0.0.1:{front}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
