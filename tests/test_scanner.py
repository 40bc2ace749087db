"""Scanned strings: the classifier, and a serial scanner through a real pseudo-terminal pair."""

from __future__ import annotations

import os

import pytest
import serial

from core.codes import classify
from hardware.scanner import serial_scans


@pytest.mark.parametrize("raw, kind, value", [
    ("490154203237518", "imei", "490154203237518"),
    ("IMEI: 49-015420-323751-8", "imei", "490154203237518"),
    ("4901542032375186", "imeisv", "490154203237518"),
    ("4006381333931", "ean13", "4006381333931"),
    ("036000291452", "upca", "036000291452"),
    ("ti-7k4q-2m9c", "tradein_code", "TI-7K4Q-2M9C"),
    ("BAG:TI-7K4Q-2M9C", "bag_label", "TI-7K4Q-2M9C"),
    ("V-7K4Q-2M9C-AB12", "voucher", "V-7K4Q-2M9C-AB12"),
])
def test_every_kind_of_code_is_recognised(raw, kind, value):
    scan = classify(raw)
    assert (scan.kind, scan.value) == (kind, value)


@pytest.mark.parametrize("raw, message", [
    ("490154203237519", "check digit"),
    ("4006381333932", "check digit does not match"),
    ("12345", "neither an IMEI"),
    ("hello world", "not a code this kiosk knows"),
    ("", "not a code this kiosk knows"),
])
def test_unknown_codes_say_why(raw, message):
    scan = classify(raw)
    assert scan.kind == "unknown" and message in scan.message


def test_a_serial_scanner_through_a_pty_pair():
    controller, device = os.openpty()
    port = serial.Serial(os.ttyname(device), 9600, timeout=1)
    try:
        os.write(controller, b"490154203237518\r\nTI-7K4Q-2M9C\r\n\r\nnot-a-code\r")
        scans = list(serial_scans(port, max_scans=3))
    finally:
        port.close()
        os.close(controller)
    assert [s.kind for s in scans] == ["imei", "tradein_code", "unknown"]
