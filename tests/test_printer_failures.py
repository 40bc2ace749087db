"""Receipt printers that fail cleanly and say what is wrong (issue 31, item 8): any fault of any driver after the
commit is a failed job with Reprint, never an error page; paper out and an open cover are read from the printer's
real-time status (DLE EOT) on the network, USB and serial paths alike, and shown on /hardware.

The USB printer is a stand-in for python-escpos' `escpos.printer.Usb` (same constructor, same open/_raw/_read/close),
put where the driver opens its device; the network printer is a real TCP server (testing/printer_emulator.py)."""

from __future__ import annotations

from html import unescape

import escpos.printer
import pytest
from escpos.escpos import Escpos

from hardware.printer import DRIVERS, Driver, PrinterError, make_sink
from hardware.printer_status import QUERY_ALL, parse
from testing.printer_emulator import PrinterEmulator
from testing.samples import ADULT_SELLER, IMEI_KNOWN_TAC
from tests.conftest import make_app, run_to_quote
from tests.test_network_printer import signed_in, wait_for

READY = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}  # Epson's "nothing to report" for DLE EOT 1 to 4
USB_TARGET = "04b8:0202"


class USBError(OSError):
    """What pyusb raises when the cable is pulled mid-job (usb.core.USBError is an OSError too)."""


class FakeUsbPrinter(Escpos):
    """A USB receipt printer at the driver boundary. Answers each DLE EOT n it is sent from `replies` (None: a
    printer that never answers status); `fail_write` / `fail_close` make it fail as an unplugged printer does."""

    replies: dict[int, int] | None = READY
    fail_write = fail_close = False
    made: list[FakeUsbPrinter] = []

    def __init__(self, idVendor=None, idProduct=None, usb_args=None, timeout=0, in_ep=0x82, out_ep=0x01,  # noqa: N803
                 *args, **kwargs) -> None:
        Escpos.__init__(self, *args, **kwargs)
        self.ids, self.written, self.unread, self.released = (idVendor, idProduct), bytearray(), bytearray(), False
        type(self).made.append(self)

    def open(self, raise_not_found: bool = True) -> None:
        self.device = self

    def _raw(self, msg: bytes) -> None:
        if self.fail_write:
            raise USBError(19, "No such device (it may have been disconnected)")
        self.written += msg
        for at in range(len(msg) - 2):
            if msg[at:at + 2] == b"\x10\x04" and self.replies is not None:
                self.unread.append(self.replies[msg[at + 2]])

    def _read(self) -> bytes:
        answer, self.unread = bytes(self.unread), bytearray()
        return answer

    def close(self) -> None:
        if self.released:
            return
        self.released = True
        if self.fail_close:
            raise RuntimeError("The device has no langid (permission issue, no string descriptors supported or "
                               "device error)")


@pytest.fixture
def usb_printer(monkeypatch):
    """The class the USB driver opens (escpos.printer.Usb), replaced by a fresh FakeUsbPrinter subclass."""
    printer = type("UsbPrinter", (FakeUsbPrinter,), {"made": [], "replies": dict(READY)})
    monkeypatch.setattr(escpos.printer, "Usb", printer)
    return printer


def jobs(app) -> list[tuple[str, str, str]]:
    from kiosk.store.db import open_database

    with open_database(app.config["DATABASE"]) as db:
        return db.execute("SELECT kind, status, coalesce(last_error, '') FROM print_jobs ORDER BY id").fetchall()


def accept(staff) -> tuple[str, object]:
    uuid = run_to_quote(staff)
    return uuid, staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)


def test_a_usb_printer_failing_on_write_and_close_leaves_a_failed_job_to_reprint(tmp_path, usb_printer):
    usb_printer.fail_write = usb_printer.fail_close = True  # the cable was pulled
    app = make_app(tmp_path, PRINTER_DRIVER="usb", PRINTER_TARGET=USB_TARGET)
    staff = signed_in(app)
    uuid, response = accept(staff)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tradeins/{uuid}")
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Trade-in accepted and saved" in page and "did not print" in page and "Traceback" not in page
    assert "The usb printer 04b8:0202 did not take the job (No such device" in page
    assert 'class="job job-failed"' in page and "Reprint receipt" in page
    assert [(kind, status) for kind, status, _ in jobs(app)] == [("receipt", "failed"), ("label", "failed")]
    assert all(printer.released for printer in usb_printer.made) and usb_printer.made[0].ids == (0x04B8, 0x0202)

    usb_printer.fail_write = usb_printer.fail_close = False  # plugged back in
    assert staff.post(f"/tradeins/{uuid}/reprint").status_code == 303
    printed = usb_printer.made[-1].written
    assert printed.startswith(QUERY_ALL) and IMEI_KNOWN_TAC.encode() in printed and b"\x1dV\x00" in printed
    assert jobs(app)[-1][:2] == ("receipt", "printed")
    with app.app_context():
        from kiosk.store.connection import get_db

        assert get_db()["tradeins"].get(uuid)["state"] == "printed"


def test_the_self_test_reports_a_failing_usb_printer_without_a_traceback(tmp_path, usb_printer):
    usb_printer.fail_write = usb_printer.fail_close = True
    app = make_app(tmp_path, PRINTER_DRIVER="usb", PRINTER_TARGET=USB_TARGET)
    staff = signed_in(app)
    response = staff.post("/hardware/test-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Traceback" not in page
    row = page[page.index('id="check-printer"'):page.index("</tr>", page.index('id="check-printer"'))]
    assert "Problem" in row and "did not take the job" in row and "Check that the printer is on" in row
    from kiosk.peripherals.selftest import check_printer

    check = check_printer(app.extensions["kiosk.printer"], "TM-T88V", "Shop", print_page=True)
    assert check.verdict == "problem" and "No such device" in check.detail


def test_a_usb_printer_with_its_cover_open_fails_the_job_with_that_reason(tmp_path, usb_printer):
    usb_printer.replies[2] = 0x12 | 0x04  # DLE EOT 2: cover open
    usb_printer.replies[1] = 0x12 | 0x08  # DLE EOT 1: offline (because of it)
    app = make_app(tmp_path, PRINTER_DRIVER="usb", PRINTER_TARGET=USB_TARGET)
    staff = signed_in(app)
    uuid, response = accept(staff)
    page = unescape(staff.get(response.headers["Location"]).get_data(as_text=True))
    assert "The printer's cover is open: close it, then press Reprint." in page
    assert all(bytes(printer.written) == QUERY_ALL for printer in usb_printer.made)  # asked, nothing printed
    hardware = unescape(staff.get("/hardware").get_data(as_text=True))
    assert "The cover is open." in hardware and "Close the printer's cover, then print a test page." in hardware

    usb_printer.replies.update(READY)  # cover closed
    staff.post(f"/tradeins/{uuid}/reprint")
    assert jobs(app)[-1][:2] == ("receipt", "printed") and b"\x1dV\x00" in usb_printer.made[-1].written


def test_a_usb_printer_out_of_paper_and_a_silent_one(tmp_path, usb_printer):
    sink = make_sink("usb", USB_TARGET, tmp_path, "TM-T88V", 1)
    usb_printer.replies[4] = 0x12 | 0x0C | 0x60  # DLE EOT 4: roll paper end
    assert sink.state() == "paper_out"
    with pytest.raises(PrinterError, match="out of paper"):
        sink.send(b"receipt", "job")
    usb_printer.replies[4] = 0x12 | 0x0C
    assert sink.state() == "paper_near_end" and sink.send(b"receipt", "job") == "usb:04b8:0202"
    usb_printer.replies = None  # a printer that does not speak DLE EOT prints all the same
    assert sink.state() == "unknown" and sink.send(b"receipt", "job") == "usb:04b8:0202"
    usb_printer.fail_close = True  # nobody confirmed the job and the device would not let go: look at the paper
    with pytest.raises(PrinterError, match="check the receipt came out"):
        sink.send(b"receipt", "job")


def test_a_serial_printer_reads_its_status_through_the_same_parser(tmp_path, monkeypatch, usb_printer):
    serial = type("SerialPrinter", (FakeUsbPrinter,), {"made": [], "replies": {**READY, 2: 0x12 | 0x04}})
    monkeypatch.setattr(escpos.printer, "Serial", lambda devfile, timeout, profile: serial(profile=profile))
    sink = make_sink("serial", "/dev/ttyUSB0", tmp_path, "TM-T88V", 1)
    assert sink.state() == "cover_open"
    with pytest.raises(PrinterError, match="cover is open"):
        sink.send(b"receipt", "job")


def test_the_status_parser_reads_epson_answers_and_refuses_what_is_not_one():
    assert parse(bytes([0x12, 0x12, 0x12, 0x12])).state == "ready"
    assert parse(bytes([0x1A, 0x16, 0x12, 0x12])).state == "cover_open"
    assert parse(bytes([0x1A, 0x32, 0x12, 0x7E])).state == "paper_out"
    assert parse(bytes([0x12, 0x12, 0x12, 0x1E])).state == "paper_near_end"
    assert parse(bytes([0x1A, 0x52, 0x1A, 0x12])).state == "fault"  # autocutter error
    assert parse(b"").state == "unknown" and parse(b"A").state == "unknown"  # not an answer to DLE EOT
    assert parse(bytes([0x12])).paper == "unknown"  # the sensor byte never came


def test_a_network_printer_out_of_paper_then_with_its_cover_open(tmp_path):
    with PrinterEmulator(paper="out") as printer:
        app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{printer.port}")
        staff = signed_in(app)
        assert "Out of paper." in staff.get("/hardware").get_data(as_text=True)
        uuid, response = accept(staff)
        assert response.status_code == 303 and "out of paper" in jobs(app)[0][2] and not printer.jobs
        printer.paper, printer.cover_open = "ok", True  # a new roll went in; the cover is still open
        hardware = staff.get("/hardware")
        assert hardware.status_code == 200 and "The cover is open." in hardware.get_data(as_text=True)
        staff.post(f"/tradeins/{uuid}/reprint")
        assert "cover is open" in jobs(app)[-1][2] and not printer.jobs
        assert staff.get("/healthz").get_json()["printer"]["state"] == "cover_open"
        printer.cover_open = False
        staff.post(f"/tradeins/{uuid}/reprint")
        assert wait_for(lambda: printer.jobs) and jobs(app)[-1][:2] == ("receipt", "printed")


def test_a_till_sale_on_a_failing_usb_printer_is_kept_and_says_so(tmp_path, usb_printer):
    from tests.test_pos import CASE, fill

    usb_printer.fail_write = usb_printer.fail_close = True
    app = make_app(tmp_path, PRINTER_DRIVER="usb", PRINTER_TARGET=USB_TARGET)
    staff = signed_in(app)
    fill(staff, CASE)
    response = staff.post("/pos/pay", {"cash_given": "100"})
    assert response.status_code == 303
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "recorded, but the receipt did not print" in page and "did not take the job" in page


def test_every_driver_turns_any_fault_into_a_printer_error(tmp_path, monkeypatch):
    lp = tmp_path / "bin" / "lp"  # a CUPS client that cannot even start
    lp.parent.mkdir()
    lp.write_text("#!/nonexistent/interpreter\n")
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", str(lp.parent))
    with pytest.raises(PrinterError, match="The cups printer failed"):
        make_sink("cups", "TM-T20", tmp_path, "TM-T88V", 1).send(b"x", "job")
    (tmp_path / "not-a-folder").write_text("")
    with pytest.raises(PrinterError, match="Could not write the print file"):
        make_sink("file", str(tmp_path / "not-a-folder"), tmp_path, "TM-T88V", 1).send(b"x", "job")
    with pytest.raises(ValueError, match="vendor:product"):
        make_sink("usb", "epson", tmp_path, "TM-T88V", 1)


def test_each_optional_driver_says_what_it_lacks_and_hardware_lists_them(tmp_path):
    assert DRIVERS["usb"].needs == ("usb.core",) and DRIVERS["serial"].needs == ("serial",)
    assert DRIVERS["usb"].extra == DRIVERS["serial"].extra == "usb-printer"
    elsewhere = Driver("serial", DRIVERS["serial"].build, ("serial_not_installed_here",), "usb-printer")
    usable, missing = elsewhere.usable()
    assert not usable and missing == "serial_not_installed_here cannot be imported: install the kiosk with its " \
                                     "usb-printer extra"
    app = make_app(tmp_path)
    page = signed_in(app).get("/hardware").get_data(as_text=True)
    table = page[page.index('id="printer-drivers"'):]
    assert page.count('id="printer-drivers"') == 1 and "<title>Hardware" in page
    assert 'id="driver-usb"' in table and "(in use)" in table[table.index('id="driver-file"'):][:200]
