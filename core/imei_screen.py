"""Which numbers of a *#06# screen's text are IMEIs (issue 31): the rule hardware.ocr applies to the lines it read,
and `imeis_in_text` to any text. Pure: no picture, no OCR.

A screen shows labels ("IMEI", "IMEI 1", "IMEI2:", "IMEI (slot 1)", in the phone's language) with numbers under
or beside them, and numbers that are no IMEI: the 32-digit EID, the MEID (14 hex digits, 18 decimal), the 16-digit
IMEISV, the ICCID. A number is taken for an IMEI only when all of these hold:

- 15 digits and the Luhn check;
- one whole run: a run glued to a letter ("…088S2600…": a misread digit inside something longer) is not one, and
  no space after its first digit (a lone 1 or 2 before 14 digits is a label's number and a digit lost; screens
  group an IMEI 2-6-6-1, and OCR puts a space where a narrow 1 leaves a gap);
- under no decoy label (EID, MEID, IMEISV, ICCID): what follows one, up to the next label, is never an IMEI;
- no piece of a number wrapped over lines: a line ending in a run of 10 digits or more and a next line starting
  with digits hold one number (an EID wrapped after its 15th digit is 32 digits, not an IMEI and a rest), judged
  whole. Only lines that each hold exactly one valid 15-digit run and nothing else stay apart (two IMEIs one under
  the other): no EID splits that way, its 32 digits leave a piece that is not 15.

A 15-digit window is never slid over a longer run: one window in ten would pass the Luhn check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stdnum import luhn

_I = "[I1L|!]"  # an I as Tesseract reads it in a label
LABEL = re.compile(rf"(?<![A-Z0-9])(?:(?P<decoy>{_I}ME{_I} ?SV|ME{_I}D|E{_I}D|{_I}CC{_I}D)|(?P<imei>{_I}ME{_I}))"
                   r"(?![A-Z])")
# What follows an IMEI label before its number: a slot in brackets, or the label's own 1 or 2 ("IMEI 1 35 20…",
# "IMEI2:", glued "IMEI1356…" when 15 digits follow the 1), then a colon.
SLOT = re.compile(r"^\s*(?:\([^)]{0,40}\)|[12](?![0-9])|[12](?=[0-9]{15}(?![0-9])))?\s*[:#.]?")
RUN = re.compile(r"[0-9]+(?: {1,2}[0-9]+)*")
# What Tesseract reads for a digit inside a number (upper-cased first): applied to words that are mostly digits.
LOOKALIKES = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1", "!": "1", "Z": "2",
                            "S": "5", "$": "5", "G": "6", "B": "8"})
FIRST_GROUP = 2  # digits before the first space inside an IMEI at least (screens group 35 209900 176148 1)
WRAP_MIN = 10  # digits a line's last run must have for the next line's digits to be read as its continuation
IMEI_LENGTH = 15


@dataclass(frozen=True)
class Run:
    digits: str
    gaps: frozenset[int]  # positions of the spaces inside, counted in digits
    glued: bool  # a letter or digit-like mark touches it: part of something longer
    starts_line: bool  # nothing but punctuation before it on its line
    ends_line: bool  # nothing but punctuation after it


@dataclass(frozen=True)
class Line:
    label: str | None  # "imei", "decoy" or None: the label this line shows
    runs: tuple[Run, ...]
    box: tuple[float, float, float, float] | None = None  # left, top, right, bottom, when read from a picture
    unread: bool = False  # a line of text was seen there, but no letter or digit read from it


def _height(line: Line) -> float:
    return line.box[3] - line.box[1] if line.box else 0.0


def _adjacent(upper: Line, lower: Line) -> bool:
    """Whether the lower line is the next line of the upper one's paragraph, right under it (a wrap's spacing),
    as far as the picture says; text alone says yes."""
    if upper.box is None or lower.box is None:
        return True
    (left, top, right, bottom), (left2, top2, right2, _) = upper.box, lower.box
    under = top2 > (top + bottom) / 2 and min(right, right2) > max(left, left2)
    return under and top2 - bottom < max(_height(upper), _height(lower))


def _runs(text: str, whole: str) -> tuple[Run, ...]:
    runs = []
    for match in RUN.finditer(text):
        before, after = text[:match.start()], text[match.end():]
        glued = bool(before[-1:].isalnum() or after[:1].isalnum())
        groups = match.group().split()
        gaps = frozenset(sum(len(group) for group in groups[:n]) for n in range(1, len(groups)))
        runs.append(Run("".join(groups), gaps, glued, not any(c.isalnum() for c in before) and text == whole,
                        not any(c.isalnum() for c in after)))
    return tuple(runs)


def _as_digits(token: str) -> str:
    """A word mostly of digits, with the marks OCR reads for a digit ("$4127…" for "54127…") read as digits."""
    digits = sum(c.isdigit() for c in token)
    return token.translate(LOOKALIKES) if len(token) >= 6 and digits >= 0.75 * len(token) else token


def _normal(text: str) -> str:
    return " ".join(_as_digits(token) for token in unicodedata.normalize("NFKC", text).upper().split())


def digits_of(text: str) -> str:
    """Every digit of a reading, lookalikes in numbers read as digits: what two readings are compared on."""
    return "".join(c for c in _normal(text) if c.isdigit())


def parse_row(text: str, box: tuple[float, float, float, float] | None = None) -> list[Line]:
    """A row as read, one line per label on it: two lines a blur ran together ("35 699577 562252 6 IMEI2") are
    judged apart, the number above in its own section."""
    text = _normal(text)
    starts = [match.start() for match in LABEL.finditer(text) if match.start() > 0]
    pieces = [text[start:stop] for start, stop in zip([0, *starts], [*starts, len(text)], strict=True)]
    return [parse_line(piece, box) for piece in pieces if piece.strip()] or [parse_line("", box)]


def parse_line(text: str, box: tuple[float, float, float, float] | None = None) -> Line:
    """One line of a screen: its label (the first one), and the runs of digits after it (or on it, unlabelled);
    where it lies (left, top, right, bottom), when read from a picture."""
    text = unicodedata.normalize("NFKC", text).upper()
    label = LABEL.search(text)
    if not label:
        return Line(None, _runs(text, text), box, not any(c.isalnum() for c in text))
    rest = text[label.end():]
    if label.group("imei"):
        rest = rest[SLOT.match(rest).end():]
    return Line("decoy" if label.group("decoy") else "imei", _runs(rest, text), box)


def _imei(run: Run) -> str | None:
    if run.glued or len(run.digits) != IMEI_LENGTH or min(run.gaps, default=IMEI_LENGTH) < FIRST_GROUP:
        return None
    return run.digits if luhn.is_valid(run.digits) else None


def _continues(line: Line, following: Line) -> bool:
    """Whether the next line's first digits continue this line's last run (a number wrapped by the screen)."""
    if not line.runs or not following.runs or following.label or not _adjacent(line, following):
        return False
    last, first = line.runs[-1], following.runs[0]
    return last.ends_line and not last.glued and len(last.digits) >= WRAP_MIN and first.starts_line


def _chain_imeis(chain: list[Line]) -> list[str]:
    """The IMEIs of lines joined by wraps: each line's own when every line is one lone valid IMEI; else none."""
    if len(chain) > 1 and not all(len(line.runs) == 1 and _imei(line.runs[0]) for line in chain):
        return []  # one number wrapped over lines: longer than an IMEI (or the wrong shape), judged whole
    return list(dict.fromkeys(imei for line in chain for run in line.runs if (imei := _imei(run))))


def _width(line: Line) -> float:
    return line.box[2] - line.box[0] if line.box else 0.0


def _hides_a_piece(line: Line, unread: Line | None, below: bool) -> bool:
    """A line of text seen right under this one's last run (or over its first) but not read, as tall as it and
    at least half as wide: it may hold the rest of a wrapped number (an EID's 17 digits after its first 15), so
    the run is not taken on this reading. A text has no such line: only a picture's lines are looked at."""
    if unread is None or unread.box is None or not line.runs:
        return False
    at_edge = line.runs[-1].ends_line if below else line.runs[0].starts_line
    upper, lower = (line, unread) if below else (unread, line)
    return at_edge and _adjacent(upper, lower) and _height(unread) >= 0.6 * _height(line) and \
        _width(unread) >= 0.5 * _width(line)


def _chains(lines: list[Line]) -> list[tuple[list[int], int | None, int | None]]:
    """Read lines (by index) grouped into numbers wrapped over lines, each with the unread lines right over its
    first line and right under its last, if any."""
    chains: list[tuple[list[int], int | None, int | None]] = []
    for index, line in enumerate(lines):
        if line.unread:
            continue
        if chains and _continues(lines[chains[-1][0][-1]], line):
            chains[-1][0].append(index)
        else:
            above = next((n for n in range(index - 1, -1, -1) if lines[n].unread and _adjacent(lines[n], line)),
                         None)
            chains.append(([index], above, None))
        below = next((n for n in range(index + 1, len(lines)) if lines[n].unread and _adjacent(line, lines[n])),
                     None)
        chains[-1] = (chains[-1][0], chains[-1][1], below)
    return chains


@dataclass
class Judgement:
    found: list[str]  # the IMEIs, in screen order, each once
    decoy: list[bool]  # per line: under an EID, MEID, IMEISV or ICCID label
    withheld: list[int]  # unread lines that kept a run next to them from being taken (read them again)


def judge(lines: list[Line]) -> Judgement:
    """What a screen's lines show: its IMEIs, which lines belong to a decoy, which unread lines matter."""
    verdict = Judgement([], [False] * len(lines), [])
    section: str | None = None
    for chain, above, below in _chains(lines):
        section = lines[chain[0]].label or section
        for index in range(chain[0], (below if below is not None else chain[-1]) + 1):
            verdict.decoy[index] = section == "decoy"
        if section == "decoy":
            continue
        hidden = [n for n, edge, is_below in ((above, chain[0], False), (below, chain[-1], True))
                  if n is not None and _hides_a_piece(lines[edge], lines[n], is_below)]
        if hidden:
            verdict.withheld += hidden
            continue
        imeis = _chain_imeis([lines[index] for index in chain])
        verdict.found += [imei for imei in imeis if imei not in verdict.found]
    return verdict


def imeis_of_lines(lines: list[Line]) -> list[str]:
    """The IMEIs of a screen's lines, in order, each once."""
    return judge(lines).found


def imeis_in_text(text: str) -> list[str]:
    """The IMEIs of any text (an OCR reading, codes' texts one per line), in order, each once."""
    return imeis_of_lines([line for row in text.splitlines() if row.strip() for line in parse_row(row)])


def imei_labels(lines: list[Line]) -> int:
    """How many IMEIs the labels announce: IMEI labels, a title "IMEI" directly above another label not counted."""
    return sum(1 for n, line in enumerate(lines) if line.label == "imei" and not (
        not line.runs and n + 1 < len(lines) and lines[n + 1].label == "imei"))
