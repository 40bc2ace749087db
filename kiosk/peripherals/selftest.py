"""Hardware self-test: each device with a verdict a clerk can act on, for the staff page and the CLI.

Each check tests the device itself: the printer is asked for its state (and prints a test page on demand); the
scanner is tested by scanning something into the test box, which shows exactly what arrived and how it was
read; the camera by taking a picture, which is decoded. Nothing made up in code stands in for a device: until a
clerk scans or takes a picture, those two say "not tested yet"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.codes import classify
from core.messages import N_, Message
from core.receipts import Receipt
from core.text import has_control, printable
from hardware import escpos_render, extras
from hardware.printer import PrinterError, PrinterSink

OK, PROBLEM, UNTESTED = "ok", "problem", "untested"
# The printer's state word -> (verdict, what it means, what to do)
PRINTER_STATES = {
    "ready": (OK, N_("Ready."), ""),
    "unknown": (UNTESTED, N_("This printer cannot report its state."), N_("Print a test page to check it.")),
    "paper_near_end": (OK, N_("Ready; the paper roll is nearly finished."), N_("Keep a new roll at hand.")),
    "paper_out": (PROBLEM, N_("Out of paper."), N_("Put in a new roll, close the cover, then print a test page.")),
    "cover_open": (PROBLEM, N_("The cover is open."), N_("Close the printer's cover, then print a test page.")),
    "driver_missing": (PROBLEM, N_("This printer's driver cannot run on this terminal."),
                       N_("Install what the driver lacks (the printer drivers on /hardware, docs/hardware.md), then "
                          "restart the kiosk.")),
    "fault": (PROBLEM, N_("The printer reports a fault (paper jam or cutter)."),
              N_("Open the cover, clear the paper, close it, then print a test page.")),
    "offline": (PROBLEM, N_("Not answering."), N_("Check that the printer is on, its cable is in, and its address "
                                                  "(setting PRINTER_TARGET) is right.")),
    "error": (PROBLEM, N_("The receipts folder cannot be written."), N_("Check the folder's permissions (setting "
                                                                         "PRINTER_TARGET).")),
}


@dataclass(frozen=True)
class Check:
    device: str
    verdict: str  # ok, problem or untested
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict != PROBLEM


def test_page(store_name: str) -> Receipt:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return Receipt(title="PRINTER TEST", header=(store_name, now), code="TEST-PAGE",
                   sections=(("Characters", (("Accents", "é è à ç ô ü € °"), ("Digits", "0123456789"))),),
                   totals=(), total=("If you can read this", "OK"), barcode="490154203237518",
                   footer=("QR above, Code128 of a sample IMEI below the total.",))


def check_printer(sink: PrinterSink, profile: str, store_name: str, print_page: bool) -> Check:
    name = f"printer ({sink.driver})"
    verdict, detail, fix = _state_verdict(sink)
    if not print_page:
        return Check(name, verdict, Message(detail), Message(fix) if fix else "")
    try:
        where = sink.send(escpos_render.render(test_page(store_name), profile), "selftest")
    except PrinterError as err:  # every driver's fault arrives as this (hardware.printer): a verdict, no traceback
        verdict, _, fix = _state_verdict(sink)
        return Check(name, PROBLEM, err.message,
                     Message(fix if verdict == PROBLEM and fix else PRINTER_STATES["offline"][2]))
    return Check(name, OK, Message(N_("Test page sent to %(where)s: check that it printed cleanly (accents, QR code, "
                                      "barcode)."), where=where))


def _state_verdict(sink: PrinterSink) -> tuple[str, str, str]:
    return PRINTER_STATES.get(sink.state(), (PROBLEM, N_("Unexpected state."), ""))


def check_scanner(scanned: str | None) -> Check:
    """What a scan into the test box delivered, exactly, and how the kiosk reads it."""
    if scanned is None:
        return Check("scanner", UNTESTED, Message(N_("Not tested yet.")),
                     Message(N_("Scan any barcode into the test box below.")))
    shown = printable(scanned)[:80]
    if has_control(scanned):
        return Check("scanner", PROBLEM, Message(N_("It sent control characters with “%(text)s”."), text=shown),
                     Message(N_("Set the scanner to send plain text followed by Enter (see its setup sheet).")))
    result = classify(scanned)
    if result.kind == "unknown":
        return Check("scanner", PROBLEM, Message(N_("It sent “%(text)s” (%(count)s characters), which is not a code "
                                                    "the kiosk knows: %(reason)s"), text=shown, count=len(scanned),
                                                 reason=result.message),
                     Message(N_("Scan again; if the characters are wrong, set the scanner's keyboard layout to the "
                                "terminal's.")))
    return Check("scanner", OK, Message(N_("It sent “%(text)s” (%(count)s characters): read as %(kind)s %(value)s."),
                                        text=shown, count=len(scanned), kind=result.kind, value=result.value))


def check_camera(decoded: list[str] | None, installed: bool, refused: str = "") -> Check:
    """A real picture taken on this terminal, decoded: what it read (or why the picture was refused)."""
    if refused:
        return Check("camera", PROBLEM, refused, Message(N_("Take the picture again with the test button below.")))
    if not installed:
        return Check("camera", PROBLEM, Message(N_("Picture decoding is not installed on this terminal.")),
                     Message(N_("Install the kiosk with its camera extra (scripts/kiosk.sh does).")))
    if decoded is None:
        return Check("camera", UNTESTED, Message(N_("Not tested yet.")),
                     Message(N_("Take a picture of any barcode with the test button below.")))
    if not decoded:
        return Check("camera", PROBLEM, Message(N_("No code found in the picture.")),
                     Message(N_("Hold the barcode 15 to 25 cm from the camera, in good light, and try again."))
                     if ocr_problem() is None else
                     Message(N_("Hold the barcode 15 to 25 cm from the camera, in good light, and try again. "
                                "Reading a *#06# screen's digits is not possible here: %(reason)s."),
                             reason=ocr_problem()))
    return Check("camera", OK, Message(N_("Read: %(codes)s."), codes=", ".join(printable(t)[:40] for t in decoded)))


def ocr_problem() -> str | None:
    """Why the *#06# screen's digits cannot be read as text on this terminal, or None when they can."""
    return extras.ocr()


def camera_installed() -> bool:
    return extras.camera() is None


def run_all(sink: PrinterSink, profile: str, store_name: str, print_page: bool, scanned: str | None = None,
            decoded: list[str] | None = None, refused: str = "") -> list[Check]:
    return [check_printer(sink, profile, store_name, print_page), check_scanner(scanned),
            check_camera(decoded, camera_installed(), refused)]
