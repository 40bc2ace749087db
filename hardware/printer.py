"""Printer sinks: one interface, drivers chosen by name from config.

Rendering (hardware.escpos_render) and delivery are apart: the bytes of a job are made once,
then handed to a sink. A sink raises PrinterError with a clerk-readable reason on any failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.messages import N_, Message

DEFAULT_NETWORK_PORT = 9100
# ESC/POS real-time status (DLE EOT n): n=1 printer status, n=4 roll paper sensor.
DLE_EOT = b"\x10\x04"
STATUS_PRINTER, STATUS_PAPER = 1, 4
STATUS_TIMEOUT = 0.5  # printers that do not answer status queries cost at most this per job


def paper_state(reply: int) -> str:
    """Roll paper sensor byte: bits 5-6 paper out, bits 2-3 near end (Epson TM series)."""
    if reply & 0x60:
        return "out"
    return "near_end" if reply & 0x0C else "ok"


class PrinterError(RuntimeError):
    """The job did not reach the printer; str(err) says why in words a clerk understands (in English;
    `message` gives it in the reader's language through kiosk.i18n.translated)."""

    def __init__(self, msgid: str, **params: object):
        self.message = Message(msgid, **params)
        super().__init__(str(self.message))


class PrinterSink(ABC):
    driver: str = ""

    @abstractmethod
    def send(self, data: bytes, job_name: str) -> str:
        """Deliver one job; returns a reference (file path, host:port) for the print-job row."""

    def state(self) -> str:
        """A short word for /healthz: ready, offline, unknown..."""
        return "ready"


class DummySink(PrinterSink):
    """Keeps jobs in memory: for tests and terminals without a printer."""

    driver = "dummy"

    def __init__(self) -> None:
        self.jobs: list[tuple[str, bytes]] = []

    def send(self, data: bytes, job_name: str) -> str:
        self.jobs.append((job_name, data))
        return f"memory:{len(self.jobs)}"


class FileSink(PrinterSink):
    """Writes each job to its own file (the embedded default): the bytes a printer would get. A receipt names
    its seller, so the files are the kiosk user's only (0600, folder 0700), kept `keep_days` and no longer
    (older ones go at the next print), and `forget()` removes a trade-in's files when its seller is erased."""

    driver = "file"

    def __init__(self, folder: str | Path, keep_days: int = 7) -> None:
        self.folder, self.keep_days = Path(folder), keep_days

    def forget(self, codes: list[str]) -> int:
        """Remove every print file of these trade-in codes (the job name carries the code)."""
        gone = [path for code in codes for path in self.folder.glob(f"*-{code}-*.escpos")]
        for path in gone:
            path.unlink(missing_ok=True)
        return len(gone)

    def expire(self, now: float | None = None) -> int:
        """Remove the print files older than keep_days."""
        limit = (now or time.time()) - self.keep_days * 86400
        old = [path for path in self.folder.glob("*.escpos") if path.stat().st_mtime < limit]
        for path in old:
            path.unlink(missing_ok=True)
        return len(old)

    def send(self, data: bytes, job_name: str) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.expire()
            target = self.folder / f"{job_name}.escpos"
            # Write-then-rename: a power cut leaves either no file or a whole one.
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".part") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp.name, target)
        except OSError as err:
            raise PrinterError(N_("Could not write the print file (%(reason)s)."), reason=err.strerror) from err
        return str(target)

    def state(self) -> str:
        return "ready" if os.access(self.folder if self.folder.exists() else self.folder.parent, os.W_OK) else "error"


class NetworkSink(PrinterSink):
    """Raw TCP (port 9100), as Ethernet receipt printers speak it."""

    driver = "network"

    def __init__(self, target: str, timeout: float) -> None:
        host, _, port = target.rpartition(":") if ":" in target else (target, "", str(DEFAULT_NETWORK_PORT))
        if not host:
            raise ValueError(f"network printer target must be host or host:port, got {target!r}")
        self.host, self.port, self.timeout = host, int(port), timeout

    def _status(self, conn: socket.socket, kind: int) -> int | None:
        """One DLE EOT query; None when the printer does not answer status queries."""
        conn.sendall(DLE_EOT + bytes([kind]))
        try:
            reply = conn.recv(1)
        except TimeoutError:
            return None
        if not reply:
            raise ConnectionResetError("the printer closed the connection")
        return reply[0]

    def send(self, data: bytes, job_name: str) -> str:
        where = f"{self.host}:{self.port}"
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.settimeout(STATUS_TIMEOUT)
                paper = self._status(conn, STATUS_PAPER)
                if paper is not None and paper_state(paper) == "out":
                    raise PrinterError(N_("The printer is out of paper: load a new roll, then press Reprint."))
                conn.settimeout(self.timeout)
                conn.sendall(data)
                # Asking again after the job proves the printer took it all: a connection cut
                # mid-job shows up here rather than as a receipt that silently never came out.
                conn.settimeout(STATUS_TIMEOUT)
                if self._status(conn, STATUS_PRINTER) is None:  # silent: the job may sit unread in a buffer
                    raise PrinterError(N_("The printer at %(where)s took the connection but did not confirm the job: "
                                          "check it is on and has paper, then press Reprint."), where=where)
        except TimeoutError as err:
            raise PrinterError(N_("The printer at %(where)s did not answer in time."), where=where) from err
        except ConnectionRefusedError as err:
            raise PrinterError(N_("The printer at %(where)s is unreachable (connection refused): "
                                  "check it is on and its cable is plugged in."), where=where) from err
        except ConnectionError as err:
            raise PrinterError(N_("The connection to the printer at %(where)s was cut while printing: "
                                  "check its cable, then press Reprint."), where=where) from err
        except OSError as err:
            raise PrinterError(N_("The printer at %(where)s is unreachable (%(reason)s): "
                                  "check it is on and its cable is plugged in."),
                               where=where, reason=err.strerror or str(err)) from err
        return where

    def state(self) -> str:
        try:
            with socket.create_connection((self.host, self.port), timeout=min(self.timeout, 1.0)) as conn:
                conn.settimeout(STATUS_TIMEOUT)
                paper = self._status(conn, STATUS_PAPER)
        except OSError:
            return "offline"
        return "ready" if paper is None else {"ok": "ready", "near_end": "paper_near_end",
                                              "out": "paper_out"}[paper_state(paper)]


class EscposDeviceSink(PrinterSink):
    """USB and serial printers through python-escpos' own drivers (optional extras)."""

    def __init__(self, driver: str, target: str, profile: str) -> None:
        self.driver, self.target, self.profile = driver, target, profile

    def _open(self):
        from escpos import printer as escpos_printer  # imported here: pyusb/pyserial are optional

        try:
            if self.driver == "usb":
                vendor, product = (int(part, 16) for part in self.target.split(":"))
                return escpos_printer.Usb(vendor, product, profile=self.profile)
            return escpos_printer.Serial(devfile=self.target, profile=self.profile)
        except ImportError as err:
            raise PrinterError(N_("The %(driver)s printer driver needs an extra package: %(reason)s"),
                               driver=self.driver, reason=str(err)) from err

    def send(self, data: bytes, job_name: str) -> str:
        device = self._open()
        try:
            device._raw(data)  # bytes are already rendered; python-escpos exposes no public raw writer
        except Exception as err:  # drivers raise their own error types (USBError, SerialException)
            raise PrinterError(N_("The %(driver)s printer failed: %(reason)s"), driver=self.driver,
                               reason=str(err)) from err
        finally:
            device.close()
        return f"{self.driver}:{self.target}"

    def state(self) -> str:
        return "unknown"


class CupsSink(PrinterSink):
    """A printer shared through CUPS: the job goes raw to `lp -d QUEUE -o raw`."""

    driver = "cups"

    def __init__(self, queue: str, timeout: float) -> None:
        if not queue:
            raise ValueError("cups printer target must name the CUPS queue")
        self.queue, self.timeout = queue, timeout

    def send(self, data: bytes, job_name: str) -> str:
        lp = shutil.which("lp")
        if lp is None:
            raise PrinterError(N_("CUPS is not installed on this terminal (no `lp` command): install cups-client."))
        try:
            done = subprocess.run([lp, "-d", self.queue, "-o", "raw", "-t", job_name], input=data,
                                  capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired as err:
            raise PrinterError(N_("CUPS did not take the job for %(queue)s in time."), queue=self.queue) from err
        if done.returncode != 0:
            raise PrinterError(N_("CUPS refused the job for %(queue)s: %(reason)s"), queue=self.queue,
                               reason=done.stderr.decode(errors="replace").strip())
        return f"cups:{self.queue}"

    def state(self) -> str:
        return "unknown" if shutil.which("lpstat") is None else "ready"


@dataclass(frozen=True)
class Driver:
    """A printer driver by name: how to build its sink from the settings, and whether what it needs is here."""

    name: str
    build: Callable[[str, Path, str, float], PrinterSink]  # (target, data_dir, profile, timeout)
    needs: str = ""  # the optional module (or command) it needs, if any

    def usable(self) -> tuple[bool, str]:
        """(True, "") when the optional dependency can be used; else (False, what to install)."""
        if not self.needs:
            return True, ""
        if self.needs.startswith("cmd:"):
            found = shutil.which(self.needs[4:]) is not None
            return found, "" if found else f"the `{self.needs[4:]}` command (cups-client)"
        found = importlib.util.find_spec(self.needs) is not None
        return found, "" if found else f"the Python package providing `{self.needs}`"


DRIVERS: dict[str, Driver] = {driver.name: driver for driver in (
    Driver("dummy", lambda target, data_dir, profile, timeout: DummySink()),
    Driver("file", lambda target, data_dir, profile, timeout: FileSink(target or data_dir / "prints")),
    Driver("network", lambda target, data_dir, profile, timeout: NetworkSink(target, timeout)),
    Driver("usb", lambda target, data_dir, profile, timeout: EscposDeviceSink("usb", target, profile), "usb"),
    Driver("serial", lambda target, data_dir, profile, timeout: EscposDeviceSink("serial", target, profile),
           "serial"),
    Driver("cups", lambda target, data_dir, profile, timeout: CupsSink(target, timeout), "cmd:lp"),
)}


def make_sink(driver: str, target: str, data_dir: str | Path, profile: str, timeout: float) -> PrinterSink:
    """The sink named in the config (PRINTER_DRIVER / PRINTER_TARGET)."""
    if driver not in DRIVERS:
        raise ValueError(f"unknown printer driver {driver!r}: use {', '.join(DRIVERS)}")
    return DRIVERS[driver].build(target, Path(data_dir), profile, timeout)
