"""The TAC table: which catalog model an IMEI names by its first 8 digits (its Type Allocation Code). Pure.

HQ publishes it as the reference kind `tacs`, `{"tacs": [{"tac": "49015420", "brand": "Apple", "model":
"iPhone 13"}]}`, from JSON or from a CSV whose header is `tac,brand,model`. One function checks every row, the
`tacs` rule of core.reference.validate (8 digits, a brand and a model, each TAC once: one TAC names one model),
where HQ accepts the file and again where a terminal pulls it; `catalog_problems` then holds the rows against the
catalog on both sides. `read_csv` reads an upload within its bounds (bytes, then lines, before any parsing),
every cell NFKC-normalised, and names each refused row by its line in the file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from core.imei import takes
from core.reference import ReferenceInvalid, RowProblem
from core.text import printable

KIND = "tacs"
COLUMNS = ("tac", "brand", "model")
# A large catalog's every TAC, many times over (a row is about 40 bytes): what a real table needs, and no more
# than a supervisor's browser or HQ's memory should hold.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_ROWS = 100_000
MAX_CELL = 200  # characters as uploaded: a model name is at most 120 once checked


@dataclass(frozen=True)
class LineProblem:
    line: int  # in the file, the header being line 1; 0 for the file itself
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.field} {self.reason}" if self.field else f"{where}: {self.reason}"


class TacFileRefused(ReferenceInvalid):
    """A TAC file not published: every problem at its line in the file (the header is line 1)."""

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__(KIND, problems)  # type: ignore[arg-type]  # shown the same way, by line instead of row


@dataclass(frozen=True)
class TacCsv:
    """The rows of a TAC CSV as core.reference.validate takes them, and the line each came from."""

    data: dict
    lines: tuple[int, ...]

    def at_lines(self, err: ReferenceInvalid) -> TacFileRefused:
        """The problems the checks found, row by row, each at its line in the file."""
        return TacFileRefused([LineProblem(self.lines[p.row - 1] if 0 < p.row <= len(self.lines) else 0,
                                           p.field, p.reason) for p in err.problems])


def _refused(line: int, reason: str) -> TacFileRefused:
    return TacFileRefused([LineProblem(line, "", reason)])


def _cell(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _header(cells: list[str], line: int) -> list[str]:
    """The header's column names; an unknown or missing one refuses the file (a misspelt `modle` would
    otherwise leave every row without its model)."""
    names = [_cell(c).lower() for c in cells]
    named = [n for n in names if n]  # an empty column a spreadsheet left at the end is no column
    wrong = [repr(printable(n)[:40]) for n in named if n not in COLUMNS] + [
        f"{c} missing" for c in COLUMNS if c not in named] + [f"{c} twice" for c in COLUMNS if named.count(c) > 1]
    if wrong:
        raise _refused(line, f"the header must be {','.join(COLUMNS)} ({', '.join(wrong)})")
    return names


def read_csv(raw: bytes) -> TacCsv:
    """A TAC CSV upload's rows, or TacFileRefused: over MAX_FILE_BYTES or MAX_ROWS lines before anything is
    parsed, not UTF-8, a bad header, a row of the wrong width, a cell over MAX_CELL or holding a line break."""
    if len(raw) > MAX_FILE_BYTES:
        raise _refused(0, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: not read")
    if max(raw.count(b"\n"), raw.count(b"\r")) > MAX_ROWS + 1:  # a file may end its lines with either
        raise _refused(0, f"has more than {MAX_ROWS} rows: not read")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refused(0, "is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _parsed(reader)
    except csv.Error as err:
        raise _refused(reader.line_num + 1, f"cannot be read as CSV ({printable(str(err))[:120]})") from None


def _parsed(reader) -> TacCsv:
    rows, lines, names, line = [], [], None, 0
    for cells in reader:
        line += 1
        if reader.line_num != line:  # a quoted cell went on over a line break: no TAC row holds one
            raise _refused(line, "a cell holds a line break")
        if not any(c.strip() for c in cells):
            continue
        if names is None:
            names = _header(cells, line)
        else:
            rows.append(_row(names, cells, line))
            lines.append(line)
    if names is None:
        raise _refused(0, f"is empty: the first line must be the header {','.join(COLUMNS)}")
    return TacCsv({KIND: rows}, tuple(lines))


def _row(names: list[str], cells: list[str], line: int) -> dict:
    if len(cells) != len(names):
        raise _refused(line, f"has {len(cells)} cells where the header has {len(names)}")
    if any(len(c) > MAX_CELL for c in cells):
        raise _refused(line, f"a cell is longer than {MAX_CELL} characters")
    return {name: _cell(value) for name, value in zip(names, cells, strict=True) if name}


def catalog_problems(rows: list[dict], catalog_kinds: Mapping[tuple[str, str], str],
                     listed_only: bool) -> list[RowProblem]:
    """TAC rows against a catalog ((brand, model) -> kind): a row naming a model identified by a serial number
    (a watch, a console: no IMEI), and with `listed_only` (HQ's publish) a model the catalog does not list. A
    terminal applies the rows of the models it has and leaves the others to the list, like a grid's."""
    problems = []
    for number, row in enumerate(rows, start=1):
        kind = catalog_kinds.get((row["brand"], row["model"]))
        name = printable(f"{row['brand']} {row['model']}")[:160]
        if kind is None and listed_only:
            problems.append(RowProblem(number, "model", f"{name} is not in the catalog"))
        elif kind is not None and not takes(kind, "imei"):
            problems.append(RowProblem(number, "model", f"{name} is a {kind}: it has a serial number, no IMEI"))
    return problems


def second_imei_doubted(chosen: tuple[str, str], named: tuple[str, str] | None, kept: bool) -> bool:
    """Whether a second IMEI must be shown to the clerk before it is recorded: its TAC names another model
    than the one chosen (most often the next customer's phone, scanned into the field), and the clerk has not
    kept it anyway. An unknown TAC is accepted, and a clerk may keep a doubted one: HQ's table can be wrong or
    late, and a dual-SIM phone's two IMEIs can come from two TAC ranges."""
    return named is not None and named != chosen and not kept

