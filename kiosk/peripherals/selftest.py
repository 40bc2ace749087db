"""Hardware self-test: each device with a clear verdict, for the staff page and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.codes import classify
from core.receipts import Receipt
from hardware import escpos_render
from hardware.printer import PrinterError, PrinterSink


@dataclass(frozen=True)
class Check:
    device: str
    ok: bool
    detail: str


def test_page(store_name: str) -> Receipt:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return Receipt(title="PRINTER TEST", header=(store_name, now), code="TEST-PAGE",
                   sections=(("Characters", (("Accents", "é è à ç ô ü — €"), ("Digits", "0123456789"))),),
                   totals=(), total=("If you can read this", "OK"), barcode="490154203237518",
                   footer=("QR above, Code128 of a sample IMEI below the total.",))


def check_printer(sink: PrinterSink, profile: str, store_name: str, print_page: bool) -> Check:
    state = sink.state()
    if not print_page:
        return Check(f"printer ({sink.driver})", state in ("ready", "unknown"), f"state: {state}")
    try:
        where = sink.send(escpos_render.render(test_page(store_name), profile), "selftest")
    except PrinterError as err:
        return Check(f"printer ({sink.driver})", False, str(err))
    return Check(f"printer ({sink.driver})", True, f"test page sent to {where} (state before: {state})")


def check_scanner_parsing() -> Check:
    results = [classify(code).kind for code in ("490154203237518", "TI-7K4Q-2M9C", "4006381333931")]
    ok = results == ["imei", "tradein_code", "ean13"]
    return Check("scan parsing", ok, "IMEI, ticket and EAN-13 recognised" if ok else f"got {results}")


def check_camera_decoding() -> Check:
    """Decode a QR made on the spot: proves the decoding libraries (OpenCV, zxing-cpp) work here."""
    try:
        import numpy as np
        import qrcode

        from hardware.camera import decode_frame
    except ImportError as err:
        return Check("camera decoding", False, f"not installed (camera extra): {err.name}")
    image = np.array(qrcode.make("TI-7K4Q-2M9C", box_size=6).convert("L"))
    texts = [d.text for d in decode_frame(image)]
    return Check("camera decoding", texts == ["TI-7K4Q-2M9C"], f"read {texts or 'nothing'}")


def run_all(sink: PrinterSink, profile: str, store_name: str, print_page: bool) -> list[Check]:
    return [check_printer(sink, profile, store_name, print_page), check_scanner_parsing(), check_camera_decoding()]
