"""Receipt model -> ESC/POS bytes through python-escpos, width-aware for the printer profile.

Every text goes through one door, `_Paper.text()`, which drops control and invisible characters: a name
typed with ESC p in it prints as letters and never opens the cash drawer. The door also picks the code page, once
per line and at its start (ESC t never lands inside a line): the lowest page of the profile that holds the whole
line, kept as it is for a line of plain ASCII; when no page holds it all, the page holding most of it, and the
characters it lacks are transliterated (anyascii: "Ș" -> "S", "王" -> "Wang"), never printed as "?" nor sent as
raw bytes the printer would read in another encoding."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable

from anyascii import anyascii
from escpos.codepages import CodePages
from escpos.printer import Dummy

from core.receipts import BagLabel, Receipt, Row
from core.text import printable

QR_MODULE_SIZE = 6
_SPACE_RUNS = re.compile(r" {2,}")


class _Paper(Dummy):
    """python-escpos' in-memory printer, whose text is only ever printable characters, one code page a line."""

    def __init__(self, profile: str) -> None:
        super().__init__(profile=profile)
        encoder = self.magic.encoder
        # The profile's pages with a known character table, lowest slot first (python-escpos' own preference:
        # the low slots are the ones printers most often really have).
        self._pages = [name for name, _ in sorted(encoder.codepages.items(), key=lambda page: int(page[1]))
                       if {"data", "python_encode"} & set(CodePages.data.get(name, {}))]
        self._at_line_start = True

    def text(self, txt: str) -> None:
        for number, line in enumerate(str(txt).split("\n")):
            if number:
                self._write(self.magic.encoding or self._pages[0], "\n")
                self._at_line_start = True
            if line := printable(unicodedata.normalize("NFC", line)):
                self._write(*self._fitted(line))
                self._at_line_start = False

    def _write(self, page: str, text: str) -> None:
        self.magic.write_with_encoding(page, text)  # emits ESC t only when the page changes

    def _holds(self, page: str, chars: set[str]) -> bool:
        return all(self.magic.encoder.can_encode(page, char) for char in chars)

    def _fitted(self, line: str) -> tuple[str, str]:
        """(page, text) for this line: the page chosen, and the line with what that page lacks transliterated."""
        wide = {char for char in line if ord(char) >= 128}
        current = self.magic.encoding
        if not wide or not self._at_line_start:  # ASCII fits every page; mid-line, the page cannot change
            page = current or self._pages[0]
        else:
            page = next((name for name in self._pages if self._holds(name, wide)), None) or max(
                self._pages, key=lambda name: sum(self.magic.encoder.can_encode(name, char) for char in wide))
        text = transliterated(line, lambda char: self.magic.encoder.can_encode(page, char))
        if text.isascii() and current:
            page = current  # everything left is ASCII: no switch needed
        return page, text


def transliterated(line: str, printable_here: Callable[[str], bool]) -> str:
    """`line` with each character `printable_here` refuses spelled in ASCII (anyascii), its width kept where the
    line has room: a right-aligned value grown by transliteration takes the extra from the widest gap of spaces."""
    out, previous = [], ("", "")
    for char in line:
        if printable_here(char):
            out.append(char)
            previous = ("", "")
            continue
        spelled = anyascii(char)
        if _syllable(*previous) and _syllable(spelled, char):
            out.append(" ")  # 王小明 -> "Wang Xiao Ming", not "WangXiaoMing"
        out.append(spelled)
        previous = (spelled, char)
    text = "".join(out)
    excess = len(text) - len(line)
    gaps = sorted(_SPACE_RUNS.finditer(text), key=lambda gap: gap.end() - gap.start())
    if excess > 0 and gaps:
        widest = gaps[-1]
        keep = max(1, widest.end() - widest.start() - excess)
        text = text[:widest.start()] + " " * keep + text[widest.end():]
    return text


def _syllable(spelled: str, char: str) -> bool:
    """A whole syllable of a script written without spaces between names' parts (Han, Hangul)."""
    return len(spelled) > 1 and spelled.istitle() and "LATIN" not in unicodedata.name(char, "")


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
