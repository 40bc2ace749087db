"""Printer sinks: one interface, drivers chosen by name from config.

Rendering (hardware.escpos_render) and delivery are apart: the bytes of a job are made once,
then handed to a sink. A sink raises PrinterError with a clerk-readable reason on any failure, and nothing else:
whatever a driver throws (USBError, SerialException, a RuntimeError from close) becomes one, so a job printed after
a commit fails as a job to reprint, never as an error page. Printers that can answer (network, USB, serial) are
asked for their status first (hardware.printer_status): an open cover or an empty roll fails the job with that
reason.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.messages import N_, Message
from core.text import printable

log = logging.getLogger(__name__)


class PrinterError(RuntimeError):
    """The job did not reach the printer; str(err) says why in words a clerk understands (in English;
    `message` gives it in the reader's language through kiosk.i18n.translated)."""

    def __init__(self, msgid: str, **params: object):
        self.message = Message(msgid, **params)
        super().__init__(str(self.message))


def driver_reason(err: BaseException) -> str:
    """A driver's own words, bounded and printable: they go on screen and into the job row."""
    words = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    return printable(words or type(err).__name__)[:160]


class PrinterSink(ABC):
    driver: str = ""

    def send(self, data: bytes, job_name: str) -> str:
        """Deliver one job; returns a reference (file path, host:port) for the print-job row. Raises PrinterError
        and nothing else."""
        try:
            return self._deliver(data, job_name)
        except PrinterError:
            raise
        except Exception as err:  # a driver's error we did not foresee still fails the job, never the request
            log.warning("%s printer failed", self.driver, exc_info=True)
            raise PrinterError(N_("The %(driver)s printer failed (%(reason)s): check it is on and plugged in, "
                                  "then press Reprint."), driver=self.driver, reason=driver_reason(err)) from err

    @abstractmethod
    def _deliver(self, data: bytes, job_name: str) -> str:
        """The driver's own delivery; may raise anything (send() turns it into a PrinterError)."""

    def state(self) -> str:
        """A short word for /healthz and /hardware: ready, offline, unknown, paper_out, cover_open..."""
        return "ready"


class DummySink(PrinterSink):
    """Keeps jobs in memory: for tests and terminals without a printer."""

    driver = "dummy"

    def __init__(self) -> None:
        self.jobs: list[tuple[str, bytes]] = []

    def _deliver(self, data: bytes, job_name: str) -> str:
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

    def _deliver(self, data: bytes, job_name: str) -> str:
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


class CupsSink(PrinterSink):
    """A printer shared through CUPS: the job goes raw to `lp -d QUEUE -o raw`."""

    driver = "cups"

    def __init__(self, queue: str, timeout: float) -> None:
        if not queue:
            raise ValueError("cups printer target must name the CUPS queue")
        self.queue, self.timeout = queue, timeout

    def _deliver(self, data: bytes, job_name: str) -> str:
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
                               reason=printable(done.stderr.decode(errors="replace").strip())[:160])
        return f"cups:{self.queue}"

    def state(self) -> str:
        return "unknown" if shutil.which("lpstat") is None else "ready"


@dataclass(frozen=True)
class Driver:
    """A printer driver by name: how to build its sink from the settings, and whether what it needs is here."""

    name: str
    build: Callable[[str, Path, str, float], PrinterSink]  # (target, data_dir, profile, timeout)
    needs: tuple[str, ...] = ()  # the optional Python modules it imports, or "cmd:NAME" for a command
    extra: str = ""  # the install extra (pyproject.toml) that brings those modules

    def usable(self) -> tuple[bool, str]:
        """(True, "") when every optional dependency can be imported (or run) here; else (False, what to install,
        as a Message). Asked by importing, as python-escpos' own `is_usable()` does: a module that is there but
        fails to import is as missing as one that is not there."""
        missing = [need for need in self.needs if not _present(need)]
        if commands := [need[4:] for need in missing if need.startswith("cmd:")]:
            return False, Message(N_("the %(command)s command (from cups-client)"), command=", ".join(commands))
        if missing:
            return False, Message(N_("%(modules)s cannot be imported: install the kiosk with its %(extra)s extra"),
                                  modules=", ".join(missing), extra=self.extra)
        if "usb.core" in self.needs and not _libusb_found():
            return False, Message(N_("pyusb finds no libusb: install the Debian package libusb-1.0-0"))
        return True, ""


def _present(need: str) -> bool:
    if need.startswith("cmd:"):
        return shutil.which(need[4:]) is not None
    try:
        importlib.import_module(need)
    except ImportError:
        return False
    return True


def _libusb_found() -> bool:
    """pyusb is only Python: it speaks to USB devices through the C library libusb-1.0."""
    from usb.backend import libusb1

    return libusb1.get_backend() is not None


def _devices():
    """The printers that answer (hardware.printer_devices) build on this module's PrinterSink: imported when built."""
    from hardware import printer_devices

    return printer_devices


DRIVERS: dict[str, Driver] = {driver.name: driver for driver in (
    Driver("dummy", lambda target, data_dir, profile, timeout: DummySink()),
    Driver("file", lambda target, data_dir, profile, timeout: FileSink(target or data_dir / "prints")),
    Driver("network", lambda target, data_dir, profile, timeout: _devices().NetworkSink(target, timeout)),
    Driver("usb", lambda target, data_dir, profile, timeout: _devices().EscposDeviceSink("usb", target, profile,
                                                                                         timeout),
           ("usb.core",), "usb-printer"),
    Driver("serial", lambda target, data_dir, profile, timeout: _devices().EscposDeviceSink("serial", target, profile,
                                                                                            timeout),
           ("serial",), "usb-printer"),
    Driver("cups", lambda target, data_dir, profile, timeout: CupsSink(target, timeout), ("cmd:lp",)),
)}


def make_sink(driver: str, target: str, data_dir: str | Path, profile: str, timeout: float) -> PrinterSink:
    """The sink named in the config (PRINTER_DRIVER / PRINTER_TARGET)."""
    if driver not in DRIVERS:
        raise ValueError(f"unknown printer driver {driver!r}: use {', '.join(DRIVERS)}")
    return DRIVERS[driver].build(target, Path(data_dir), profile, timeout)
