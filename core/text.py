"""Text hygiene at every trust boundary, in one place. Pure.

- `printable()`: what may reach a printer: no control character (ESC p would open the cash drawer), no
  invisible format character.
- `has_control()`: identity fields refuse control characters outright (a NUL in a surname is never stored).
- `canonical_id_number()`: the one form of an ID document number that is compared, hashed and stored:
  NFKC, no invisible format character (soft hyphen, zero-width space or joiner), no separator, upper case, and
  nothing but ASCII capitals and digits (`restricted()`), or None.
- `restricted()`: an identifier that touches money or law (IBAN, BIC, ID number, code, version) in its one
  comparable form, or None when a character is outside its legal alphabet. NFKC alone is not enough: it keeps
  U+FE0F, U+3164 or a Cyrillic "А", and Python's `isdigit()` takes Arabic-Indic digits; an alphabet does not.
- `csv_cell()`: a cell a spreadsheet will not run as a formula.
- `local_path()`: a redirect target that stays on this host, after the same clean-up a browser does.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Unicode categories: Cc control (C0, DEL, C1), Cf format (soft hyphen, zero-width, bidi marks),
# Co private use, Cs surrogates, Cn unassigned.
_NON_PRINTING = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
# What people type between the groups of a document number: spaces, every dash, dots, slashes.
_SEPARATORS = frozenset(" ./_")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """`text` with every control and invisible character removed (line breaks become spaces)."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return "".join(ch for ch in text if unicodedata.category(ch) not in _NON_PRINTING)


def has_control(text: str) -> bool:
    """A control character other than the whitespace a form may carry (tab, line breaks)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)


ASCII_DIGITS = frozenset("0123456789")
ASCII_UPPER_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ") | ASCII_DIGITS
# An ID document number is printed in Latin capitals and digits (ICAO 9303 MRZ, the French CNI and titre de séjour,
# the EU driving licence): anything else typed in one is a look-alike (Cyrillic "А", U+3164, U+FE0F), never a letter.
ID_NUMBER_ALPHABET = ASCII_UPPER_ALNUM
_ID_NUMBER_DROPPED = "".join(_SEPARATORS) + " \t\n\r"


def canonical_id_number(raw: str) -> str | None:
    """`raw` in its one form (see the module's note), or None when a character outside ID_NUMBER_ALPHABET is
    left once separators and invisible format characters are gone: refused, never a second seller."""
    visible = "".join(ch for ch in str(raw) if unicodedata.category(ch) != "Cf")
    return restricted(visible, ID_NUMBER_ALPHABET, drop=_ID_NUMBER_DROPPED)


def restricted(raw: str, alphabet: frozenset[str] = ASCII_UPPER_ALNUM, *, drop: str = " ",
               upper: bool = True, max_length: int = 256, dashes: str = "") -> str | None:
    """`raw` normalised (NFKC, upper case, the separators in `drop` and every dash removed), or None when what is
    left is empty, longer than `max_length` or holds one character outside `alphabet`. The same call on both sides
    of a boundary gives the same answer, so what a terminal accepted HQ accepts and nothing else. A name that keeps
    its dashes (a version, "2026-12") gives `dashes="-"`: every dash (U+2010, U+2013...) then becomes "-"."""
    if not isinstance(raw, str) or len(raw) > 4 * max_length:
        return None
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(dashes if unicodedata.category(ch) == "Pd" else ch for ch in text if ch not in drop)
    text = text.upper() if upper else text
    if not text or len(text) > max_length or any(ch not in alphabet for ch in text):
        return None
    return text


def csv_cell(value: object) -> object:
    """A value for a CSV cell: text a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def local_path(target: str | None) -> str | None:
    """The same-host path `target` names, or None. Browsers drop tabs and line breaks anywhere in a URL and
    read a backslash as a slash, so "/\\t/evil.example" is "//evil.example": clean first, then check."""
    if not target:
        return None
    cleaned = "".join(ch for ch in target if ch not in "\t\n\r").strip("\x00 ").replace("\\", "/")
    if unicodedata.normalize("NFKC", cleaned) != cleaned or has_control(cleaned):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    return cleaned
