"""Text hygiene at every trust boundary, in one place. Pure.

- `printable()`: what may reach a printer: no control character (ESC p would open the cash drawer), no
  invisible format character.
- `has_control()`: identity fields refuse control characters outright (a NUL in a surname is never stored).
- `canonical_id_number()`: the one form of an ID document number that is compared, hashed and stored:
  NFKC, no invisible format character (soft hyphen, zero-width space or joiner), no separator, upper case.
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


def canonical_id_number(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    kept = (ch for ch in text if unicodedata.category(ch) not in ("Cf", "Pd") and ch not in _SEPARATORS
            and not ch.isspace())
    return "".join(kept).upper()


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
