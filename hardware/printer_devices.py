"""The printers that answer back: raw TCP (port 9100) and USB or serial through python-escpos' own drivers. Each
asks the printer's real-time status (hardware.printer_status) before a job, refuses it with the reason when the
cover is open, the roll is empty or the cutter jammed, and asks once more after it: the printer took it all."""

from __future__ import annotations

import logging
import socket

from core.messages import N_
from hardware.printer import DRIVERS, PrinterError, PrinterSink, driver_reason
from hardware.printer_status import DLE_EOT, PRINTER, QUERY_ALL, PrinterStatus, collect, is_answer, parse

DEFAULT_NETWORK_PORT = 9100
STATUS_TIMEOUT = 0.5  # printers that do not answer status queries cost at most this per job
CONFIRM_QUERY = DLE_EOT + bytes([PRINTER])  # asked after a job: the printer took it all and is still there
log = logging.getLogger(__name__)


class DriverMissing(PrinterError):
    """What the driver needs is not installed here (pyusb, libusb, pyserial): no cable will fix it."""


def refuse_unless_ready(status: PrinterStatus) -> None:
    """Fail the job before a byte is sent when the printer says it would not come out."""
    if status.cover_open:
        raise PrinterError(N_("The printer's cover is open: close it, then press Reprint."))
    if status.paper == "out":
        raise PrinterError(N_("The printer is out of paper: load a new roll, then press Reprint."))
    if status.fault:
        raise PrinterError(N_("The printer reports a fault (paper jam or cutter): open the cover, clear the paper, "
                              "close it, then press Reprint."))


class NetworkSink(PrinterSink):
    """Raw TCP (port 9100), as Ethernet receipt printers speak it."""

    driver = "network"

    def __init__(self, target: str, timeout: float) -> None:
        host, _, port = target.rpartition(":") if ":" in target else (target, "", str(DEFAULT_NETWORK_PORT))
        if not host:
            raise ValueError(f"network printer target must be host or host:port, got {target!r}")
        self.host, self.port, self.timeout = host, int(port), timeout

    @staticmethod
    def _ask(conn: socket.socket, query: bytes, want: int) -> bytes:
        """Send DLE EOT queries, read up to `want` answers (b"" when the printer does not answer status)."""
        conn.sendall(query)

        def read() -> bytes:
            try:
                chunk = conn.recv(want)
            except TimeoutError:
                return b""
            if not chunk:
                raise ConnectionResetError("the printer closed the connection")
            return chunk

        return collect(read, want)

    def _deliver(self, data: bytes, job_name: str) -> str:
        where = f"{self.host}:{self.port}"
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.settimeout(STATUS_TIMEOUT)
                refuse_unless_ready(parse(self._ask(conn, QUERY_ALL, 4)))
                conn.settimeout(self.timeout)
                conn.sendall(data)
                # Asking again after the job proves the printer took it all: a connection cut
                # mid-job shows up here rather than as a receipt that silently never came out.
                conn.settimeout(STATUS_TIMEOUT)
                confirmed = self._ask(conn, CONFIRM_QUERY, 1)
                if not (confirmed and is_answer(confirmed[0])):  # silent: the job may sit unread in a buffer
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

    def status(self) -> PrinterStatus | None:
        """What the printer says now; None when it cannot be reached."""
        try:
            with socket.create_connection((self.host, self.port), timeout=min(self.timeout, 1.0)) as conn:
                conn.settimeout(STATUS_TIMEOUT)
                return parse(self._ask(conn, QUERY_ALL, 4))
        except OSError:
            return None

    def state(self) -> str:
        status = self.status()
        return "offline" if status is None else status.state


class EscposDeviceSink(PrinterSink):
    """USB and serial printers through python-escpos' own drivers (the usb-printer extra: pyusb, pyserial). The
    device is opened through `escpos.printer.Usb` / `.Serial` for each job and closed after it, whatever happened."""

    def __init__(self, driver: str, target: str, profile: str, timeout: float = 5.0) -> None:
        if driver == "usb" and not _usb_ids(target):
            raise ValueError(f"usb printer target must be vendor:product in hex (e.g. 04b8:0202), got {target!r}")
        self.driver, self.target, self.profile, self.timeout = driver, target, profile, timeout
        self.where = f"{driver}:{target}"

    def _open(self):
        """The python-escpos device, opened; PrinterError when it is not there or its package is missing."""
        from escpos import printer as escpos_printer  # imported here: pyusb/pyserial are optional

        try:
            if self.driver == "usb":
                device = escpos_printer.Usb(*_usb_ids(self.target), timeout=int(self.timeout * 1000),
                                            profile=self.profile)
            else:  # the read timeout bounds a status query: a job's writes are not bounded by it
                device = escpos_printer.Serial(devfile=self.target, timeout=STATUS_TIMEOUT, profile=self.profile)
            device.open()
        except Exception as err:
            if isinstance(err, ImportError | NameError | RuntimeError) or type(err).__name__ == "NoBackendError":
                # python-escpos' "requires a usb library", pyusb's "No backend available" (no libusb-1.0): what to
                # install says it better than the error does
                missing = DRIVERS[self.driver].usable()[1] or driver_reason(err)
                raise DriverMissing(N_("The %(driver)s printer cannot run on this terminal: %(reason)s (see "
                                       "docs/hardware.md)."), driver=self.driver, reason=missing) from err
            # DeviceNotFoundError, USBError, SerialException: not there, unplugged, or not ours to open
            raise PrinterError(N_("The %(driver)s printer %(where)s was not found (%(reason)s): check it is on and "
                                  "its cable is plugged in, then press Reprint."),
                               driver=self.driver, where=self.target, reason=driver_reason(err)) from err
        return device

    @staticmethod
    def _ask(device, query: bytes, want: int) -> bytes:
        """python-escpos' query_status() is one write and one read: a printer may answer four queries in parts."""
        device._raw(query)

        def read() -> bytes:
            try:
                return bytes(device._read() or b"")
            except Exception:  # a read timeout (USBTimeoutError) is a printer that does not answer status
                return b""

        return collect(read, want)

    def _print_on(self, device, data: bytes) -> bool:
        """Status, job, confirmation; True when the printer confirmed it has the job (it answers status)."""
        status = parse(self._ask(device, QUERY_ALL, 4))
        refuse_unless_ready(status)
        device._raw(data)  # bytes are already rendered; python-escpos exposes no public raw writer
        if status.answered and not self._ask(device, CONFIRM_QUERY, 1):
            raise PrinterError(N_("The %(driver)s printer %(where)s took the job but did not confirm it: check it "
                                  "is on and has paper, then press Reprint."), driver=self.driver, where=self.target)
        return status.answered

    def _deliver(self, data: bytes, job_name: str) -> str:
        device = self._open()
        failure: PrinterError | None = None
        confirmed = False
        try:
            confirmed = self._print_on(device, data)
        except PrinterError as err:
            failure = err
        except Exception as err:  # drivers raise their own error types (USBError, SerialException)
            failure = PrinterError(N_("The %(driver)s printer %(where)s did not take the job (%(reason)s): check it "
                                      "is on and its cable is plugged in, then press Reprint."),
                                   driver=self.driver, where=self.target, reason=driver_reason(err))
            failure.__cause__ = err
        self._close(device, failure is not None or confirmed)
        if failure is not None:
            raise failure
        return self.where

    def _close(self, device, outcome_known: bool) -> None:
        """Release the device. A close that fails after a failed job keeps the job's reason (the first fault is
        the one the clerk can act on), and after a job the printer confirmed changes nothing; otherwise nobody
        knows whether the receipt came out, and the clerk is told to look."""
        try:
            device.close()
        except Exception as err:
            if outcome_known:
                log.warning("closing the %s printer failed after the job: %s", self.driver, err)
                return
            raise PrinterError(N_("The %(driver)s printer %(where)s could not be released after the job "
                                  "(%(reason)s): check the receipt came out, and press Reprint if it did not."),
                               driver=self.driver, where=self.target, reason=driver_reason(err)) from err

    def status(self) -> PrinterStatus | None:
        """What the printer says now; None when it cannot be opened or reached (DriverMissing: cannot run here)."""
        device = self._open()
        try:
            return parse(self._ask(device, QUERY_ALL, 4))
        except Exception:
            return None
        finally:
            try:
                device.close()
            except Exception as err:
                log.warning("closing the %s printer after a status query failed: %s", self.driver, err)

    def state(self) -> str:
        try:
            status = self.status()
        except DriverMissing:
            return "driver_missing"
        except PrinterError:
            return "offline"
        return "offline" if status is None else status.state


def _usb_ids(target: str) -> tuple[int, int] | None:
    """(vendor, product) from "04b8:0202", or None."""
    vendor, _, product = target.partition(":")
    try:
        return int(vendor, 16), int(product, 16)
    except ValueError:
        return None
