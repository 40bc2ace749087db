"""Receipt model -> ESC/POS bytes through python-escpos, width-aware for the printer profile.

Every text goes through one door, `_Paper.text()`, which drops control and invisible characters: a name
typed with ESC p in it prints as letters and never opens the cash drawer."""

from __future__ import annotations

import textwrap

from escpos.printer import Dummy

from core.receipts import BagLabel, Receipt, Row
from core.text import printable

QR_MODULE_SIZE = 6


class _Paper(Dummy):
    """python-escpos' in-memory printer, whose text is only ever printable characters (lines kept)."""

    def text(self, txt: str) -> None:
        super().text("\n".join(printable(line) for line in str(txt).split("\n")))


def fit_row(label: str, value: str, columns: int) -> list[str]:
    """Label left, value right on one line when it fits; else label, then value right-aligned."""
    if len(label) + len(value) + 1 <= columns:
        return [label + " " * (columns - len(label) - len(value)) + value]
    lines = textwrap.wrap(label, columns) or [""]
    return lines + [line.rjust(columns) for line in textwrap.wrap(value, columns)]


def _rows(printer: Dummy, rows: tuple[Row, ...], columns: int) -> None:
    for label, value in rows:
        for line in fit_row(label, value, columns):
            printer.textln(line)


def _header(printer: Dummy, receipt: Receipt, columns: int) -> None:
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    for part in textwrap.wrap(receipt.title, columns // 2):  # double width: half as many characters a line
        printer.textln(part)
    printer.set(align="center", normal_textsize=True)
    for line in receipt.header:
        for part in textwrap.wrap(line, columns) or [""]:
            printer.textln(part)
    printer.ln()
    printer.set(align="center", bold=True, double_height=True)
    printer.textln(receipt.code)
    printer.set(align="center", normal_textsize=True)
    printer.qr(receipt.code, native=True, size=QR_MODULE_SIZE, center=False)


def render_label(label: BagLabel, profile: str) -> bytes:
    """The bag label: big code, its Code128 and QR, then what HQ checks the device against."""
    printer = _Paper(profile=profile)
    columns = printer.profile.get_columns("a")
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    printer.textln(label.code)
    printer.set(align="center", normal_textsize=True)
    printer.barcode("{B" + label.code, "CODE128", function_type="B", height=60, width=2, pos="OFF")
    printer.qr(label.qr, native=True, size=QR_MODULE_SIZE, center=False)
    for line in (label.device, label.identifier, label.grades, label.store):
        for part in textwrap.wrap(line, columns) or [""]:
            printer.textln(part)
    printer.cut()
    return printer.output


def render(receipt: Receipt, profile: str, open_drawer: bool = False) -> bytes:
    """The whole receipt as the bytes sent to the printer (cut included); with `open_drawer`, the cash
    drawer kick (ESC p on pin 2) goes first, so the drawer opens while the receipt prints."""
    printer = _Paper(profile=profile)
    if open_drawer:
        printer.cashdraw(2)
    columns = printer.profile.get_columns("a")
    _header(printer, receipt, columns)
    for title, rows in receipt.sections:
        printer.set(align="left", bold=True)
        printer.textln(title.upper())
        printer.set(align="left", bold=False)
        _rows(printer, rows, columns)
        printer.textln("-" * columns)
    _rows(printer, receipt.totals, columns)
    printer.set(align="left", bold=True, double_height=True)
    _rows(printer, (receipt.total,), columns)
    printer.set(align="center", normal_textsize=True)
    printer.barcode("{B" + receipt.barcode, "CODE128", function_type="B", height=64, width=2)
    for code in receipt.barcodes:
        printer.textln(code)
        printer.barcode("{B" + code, "CODE128", function_type="B", height=48, width=2)
    if receipt.voucher_qr:
        printer.qr(receipt.voucher_qr, native=True, size=QR_MODULE_SIZE, center=False)
        printer.textln(receipt.voucher_qr)
    if receipt.tracking:
        printer.textln(receipt.tracking[0])
        printer.qr(receipt.tracking[1], native=True, size=QR_MODULE_SIZE, center=False)
        printer.textln(receipt.tracking[1])
    printer.set(align="left")
    for line in receipt.footer:
        for part in textwrap.wrap(line, columns) or [""]:
            printer.textln(part)
    printer.cut()
    return printer.output
