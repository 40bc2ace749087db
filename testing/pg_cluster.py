"""Two PostgreSQL 15 clusters on this machine for the failover test and benchmark: a primary and a synchronous
standby (streaming replication, `synchronous_commit = on`, the standby named `s1` in `synchronous_standby_names`),
and ONE address in front of them: HAProxy in TCP mode, whose health check asks each node's checker
`GET /primary` (200 on the writable node, 503 elsewhere), as HAProxy asks Patroni's REST API in production.

Why a checker and not `option pgsql-check`: that check only sees a server answer, and a standby answers too; a
node's checker asks `pg_is_in_recovery()`, so HAProxy routes to whichever node is writable, and switches by itself
when the standby is promoted. Each node's checker is a process of its own beside it (`python -m testing.pg_cluster
check CHECK_PORT PG_PORT`), as Patroni's REST API is. The harness plays the operator (or Patroni): it kills the
primary and promotes the standby; HAProxy finds the new primary through the checkers.

PostgreSQL refuses to run as root: as root, every server command runs as the `postgres` user (runuser) on a folder
that user owns. Ports are free ones, folders temporary; the machine's own PostgreSQL (5432) is never touched.
Everything started here is stopped when the `running_cluster()` block ends, on failure too."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

from testing.printer_emulator import free_port

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
STANDBY_NAME = "s1"
CHECK_EVERY_MS = 500  # HAProxy asks each checker this often; two failures mark a node down, one success up
HAPROXY = """global
    maxconn 2000
    stats socket {folder}/haproxy.sock mode 600 level admin
defaults
    mode tcp
    timeout connect 1s
    timeout check 1s
    timeout client 30m
    timeout server 30m
frontend postgres
    bind 127.0.0.1:{port}
    default_backend primary
backend primary
    option httpchk GET /primary
    http-check expect status 200
    default-server inter {every}ms fall 2 rise 1 on-marked-down shutdown-sessions
{servers}
"""


def _as_postgres(command: list[str]) -> list[str]:
    """The server will not run as root: root runs it as `postgres`; anyone else runs it as themselves."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def direct_url(port: int) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


@dataclass
class Node:
    """One PostgreSQL cluster: its data folder, its port and its checker's port."""

    name: str
    folder: Path
    port: int = field(default_factory=free_port)
    check_port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return direct_url(self.port)

    def settings(self, **values: str) -> None:
        """Appended to postgresql.conf: the last line of a setting wins."""
        with (self.folder / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in values.items())

    def start(self) -> None:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.folder), "-l", str(self.folder / "server.log"), "-w", "-t",
              "60", "start"], f"starting {self.name}")

    def kill(self) -> None:
        """The server dies as in a crash or a power cut: no checkpoint, its clients cut."""
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.folder), "-m", "immediate", "stop"], f"killing {self.name}")

    def running(self) -> bool:
        return (self.folder / "postmaster.pid").exists()

    def promote(self) -> None:
        """The standby becomes the primary. It inherited `synchronous_standby_names`, and with no standby left
        every commit would wait for ever: emptied, so it commits alone until a new standby joins."""
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.folder), "promote", "-w", "-t", "60"], f"promoting {self.name}")
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
            conn.execute("SELECT pg_reload_conf()")


class Cluster:
    """The primary, its synchronous standby, their checkers and HAProxy, all running; `url` is the one address."""

    def __init__(self, folder: Path, primary: Node, standby: Node, front_port: int) -> None:
        self.folder, self.primary, self.standby = folder, primary, standby
        self.url = direct_url(front_port)

    @property
    def nodes(self) -> list[Node]:
        return [self.primary, self.standby]

    def replication(self) -> list[tuple[str, str]]:
        """(application_name, sync_state) of the primary's standbys: [("s1", "sync")] when an ack is on two disks."""
        with psycopg.connect(self.primary.url, autocommit=True) as conn:
            return [tuple(row) for row in conn.execute("SELECT application_name, sync_state FROM pg_stat_replication")]

    def fail_over(self) -> None:
        """What an operator (or Patroni) does once the primary is gone: promote the standby."""
        self.standby.promote()
        self.primary, self.standby = self.standby, self.primary

    def server_states(self) -> dict[str, bool]:
        """HAProxy's view: node name -> routed to (UP)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.folder / "haproxy.sock"))
            sock.sendall(b"show servers state primary\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        states = {}
        for line in answer.decode().splitlines():
            parts = line.split()
            if len(parts) > 5 and not line.startswith("#") and parts[1] == "primary":
                states[parts[3]] = parts[5] == "2"  # srv_op_state 2: running
        return states

    def wait_routed_to(self, node: Node, timeout: float = 30) -> float:
        """Seconds until HAProxy routes to `node` alone (its checker said primary, the others did not)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.server_states() == {n.name: n is node for n in self.nodes}:
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"HAProxy did not route to {node.name} alone in {timeout} s: {self.server_states()}")


def _make_primary(node: Node) -> None:
    # --no-sync: a fresh cluster's files need not reach the disk before it starts (its WAL does, once it runs)
    _run([str(PG_BIN / "initdb"), "-D", str(node.folder), "-A", "trust", "-U", "postgres", "--no-sync",
          "--no-instructions"], f"initdb of {node.name}")
    node.settings(port=str(node.port), listen_addresses="'127.0.0.1'", unix_socket_directories=f"'{node.folder}'",
                  wal_level="replica", synchronous_commit="on", synchronous_standby_names=f"'{STANDBY_NAME}'",
                  max_wal_senders="5")
    with (node.folder / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    node.start()


def _make_standby(node: Node, primary: Node) -> None:
    _run([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D",
          str(node.folder), "-R", "-X", "stream", "-c", "fast"], f"base backup for {node.name}")
    node.settings(port=str(node.port), unix_socket_directories=f"'{node.folder}'")
    # -R wrote primary_conninfo into postgresql.auto.conf, which wins over postgresql.conf: named there.
    with (node.folder / "postgresql.auto.conf").open("a") as auto:
        auto.write(f"primary_conninfo = 'host=127.0.0.1 port={primary.port} user=postgres "
                   f"application_name={STANDBY_NAME}'\n")
    node.start()


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _wait_sync(primary: Node, timeout: float = 30) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        with psycopg.connect(primary.url, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_stat_replication WHERE application_name = %s AND sync_state = 'sync'",
                            [STANDBY_NAME]).fetchone():
                return
        time.sleep(0.1)
    raise AssertionError(f"the standby did not become synchronous in {timeout} s")


def _spawn(stack: ExitStack, command: list[str]) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    stack.callback(stop)
    return process


def _start_haproxy(stack: ExitStack, folder: Path, nodes: list[Node]) -> int:
    port = free_port()
    servers = "\n".join(f"    server {n.name} 127.0.0.1:{n.port} check port {n.check_port}" for n in nodes)
    (folder / "haproxy.cfg").write_text(HAPROXY.format(folder=folder, port=port, every=CHECK_EVERY_MS,
                                                       servers=servers))
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        raise RuntimeError("haproxy is not installed (Debian: apt install haproxy; scripts/test.sh installs it)")
    process = _spawn(stack, [haproxy, "-db", "-f", str(folder / "haproxy.cfg")])
    for _ in range(100):
        if (folder / "haproxy.sock").exists():
            return port
        if process.poll() is not None:
            raise RuntimeError(f"HAProxy did not start: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.05)
    raise RuntimeError("HAProxy did not open its stats socket")


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    """A primary with its synchronous standby, a checker beside each and HAProxy in front, routing to the primary;
    stopped and removed at the end, whatever happened."""
    if not (PG_BIN / "postgres").exists():
        raise RuntimeError(f"PostgreSQL 15 is not installed in {PG_BIN} (Debian: apt install postgresql-15)")
    folder = Path(tempfile.mkdtemp(prefix="pg-cluster-"))
    _chown(folder)  # the postgres user makes its nodes' folders in it
    primary, standby = Node("pg0", folder / "pg0"), Node("pg1", folder / "pg1")
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        for node in (primary, standby):  # run last: kill whatever still runs, the crashed primary included
            stack.callback(_stop_if_running, node)
        _make_primary(primary)
        _make_standby(standby, primary)
        _wait_sync(primary)
        for node in (primary, standby):
            _spawn(stack, [sys.executable, "-m", "testing.pg_cluster", "check", str(node.check_port), str(node.port)])
        cluster = Cluster(folder, primary, standby, _start_haproxy(stack, folder, [primary, standby]))
        cluster.wait_routed_to(primary)
        yield cluster


def _stop_if_running(node: Node) -> None:
    if node.running():
        with suppress(RuntimeError):  # it stopped by itself meanwhile
            node.kill()


def is_primary(pg_port: int) -> bool:
    """Whether the node on this port answers and takes writes (not in recovery)."""
    try:
        with psycopg.connect(direct_url(pg_port), connect_timeout=1, autocommit=True) as conn:
            return conn.execute("SELECT NOT pg_is_in_recovery()").fetchone()[0]
    except psycopg.Error:
        return False


def serve_primary_check(check_port: int, pg_port: int) -> None:
    """`GET /primary`: 200 when this node is the writable primary, 503 otherwise (Patroni's REST API answers the
    same question at the same path)."""

    class PrimaryCheck(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            status = 404 if self.path != "/primary" else 200 if is_primary(pg_port) else 503
            body = {200: b"primary\n", 503: b"not the primary\n"}.get(status, b"not found\n")
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # two checks a second: no log
            pass

    ThreadingHTTPServer(("127.0.0.1", check_port), PrimaryCheck).serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "check":
        sys.exit("usage: python -m testing.pg_cluster check CHECK_PORT PG_PORT")
    serve_primary_check(int(sys.argv[2]), int(sys.argv[3]))
