"""HQ's reference data (catalog, price grid, promos, blocklist, products, TAC table): one validator per kind, the same
code where HQ accepts an upload and where a terminal applies a pulled version. Pure.

`validate(kind, data)` returns the canonical data (numbers as integers, text trimmed) or raises
ReferenceInvalid listing every row at fault: a file that would break a till is never published, and a
terminal that receives one anyway keeps the version it has.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from stdnum import ean

from core.grading import COSMETIC_GRADES
from core.imei import IDENTIFIER_FOR_KIND as DEVICE_KINDS
from core.imei import IdentifierError, parse_imei, parse_serial
from core.messages import N_, Message
from core.pricing import FUNCTIONAL_BANDS
from core.text import ASCII_DIGITS, has_control, restricted

KINDS = ("catalog", "grid", "promos", "blocklist", "products", "tacs")
# kind -> (the list a file holds, the fields that identify a row: what a diff compares)
ROWS = {"grid": ("values", ("kind", "brand", "model", "storage_gb", "cosmetic", "functional_band")),
        "catalog": ("models", ("brand", "model")), "promos": ("promos", ("code",)),
        "blocklist": ("entries", ("type", "identifier")), "products": ("products", ("ean",)),
        "tacs": ("tacs", ("tac",))}
MAX_ROWS, MAX_MINOR, SHOWN_PROBLEMS = 200_000, 10**8, 20
# A version is a key and a step of the URL a terminal fetches it at (/reference/<kind>/<version>): "2026/12" made
# every pull 404. Letters, digits, dot, dash, underscore; the first a letter or digit (never "." or "..").
VERSION_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
MAX_VERSION = 40
VERSION_RULE = "1 to 40 letters, digits, dots, dashes or underscores, starting with a letter or a digit"


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1 for the first row of the list; 0 for the file itself
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{f'row {self.row}' if self.row else 'file'}: {self.field} {self.reason}"


class ReferenceInvalid(ValueError):
    """What is wrong, row by row (`problems`); str() shows the first few."""

    def __init__(self, kind: str, problems: list[RowProblem]):
        self.kind, self.problems = kind, problems
        more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
        super().__init__(f"{kind}: " + "; ".join(map(str, problems[:SHOWN_PROBLEMS])) + more)


class _Row:
    """One row being checked: typed getters that note a problem instead of raising."""

    def __init__(self, raw: dict, number: int, problems: list[RowProblem]) -> None:
        self.raw, self.number, self.problems = raw, number, problems

    def fail(self, field: str, reason: str) -> None:
        self.problems.append(RowProblem(self.number, field, reason))

    def text(self, field: str, limit: int = 120, required: bool = True) -> str:
        value = self.raw.get(field)
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.fail(field, "is missing")
        elif len(value) > limit or has_control(value):
            self.fail(field, f"must be at most {limit} characters, without control characters")
        return value

    def whole(self, field: str, low: int, high: int) -> int:
        value = self.raw.get(field)
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            self.fail(field, f"must be a whole number from {low} to {high}")
            return 0
        return number

    def choice(self, field: str, allowed) -> str:
        value = str(self.raw.get(field, "")).strip()
        if value not in allowed:
            self.fail(field, f"must be one of {', '.join(allowed)}")
        return value

    def day(self, field: str) -> str:
        try:
            return date.fromisoformat(str(self.raw.get(field, "")).strip()).isoformat()
        except ValueError:
            self.fail(field, "must be a date (YYYY-MM-DD)")
            return ""


def _model(row: _Row) -> dict:
    storages = row.raw.get("storages_gb")
    options = storages.split(";") if isinstance(storages, str) else storages if isinstance(storages, list) else []
    sizes = [_Row({"gb": s}, row.number, row.problems).whole("gb", 1, 100_000) for s in options]
    if not sizes:
        row.fail("storages_gb", "must list the storage sizes in GB (e.g. 64;128)")
    year = row.raw.get("release_year")
    model = {"kind": row.choice("kind", tuple(DEVICE_KINDS)), "brand": row.text("brand", 80),
             "model": row.text("model"), "storages_gb": sizes,
             "release_year": row.whole("release_year", 1990, 2100) if year not in (None, "") else None}
    if names := _model_names(row):
        model["names"] = names
    return model


_LANGUAGE = re.compile(r"^[a-z]{2}$")


def _model_names(row: _Row) -> dict[str, str]:
    """The model's name in other languages, where it is not the maker's English: {"fr": "iPad Air 11 pouces
    (M3)"}, or one `name_fr` column per language in a CSV."""
    given = row.raw.get("names") if isinstance(row.raw.get("names"), dict) else {}
    given = {**given, **{k[5:]: v for k, v in row.raw.items() if isinstance(k, str) and k.startswith("name_")}}
    names = {}
    for language, name in given.items():
        if not _LANGUAGE.match(str(language)):
            row.fail("names", f"{str(language)[:8]!r} is not a two-letter language code")
        elif text := _Row({f"name_{language}": name}, row.number, row.problems).text(f"name_{language}",
                                                                                       required=False):
            names[language] = text
    return names


def _grid_value(row: _Row) -> dict:
    return {"kind": row.choice("kind", tuple(DEVICE_KINDS)), "brand": row.text("brand", 80), "model": row.text("model"),
            "storage_gb": row.whole("storage_gb", 1, 100_000),
            "cosmetic": row.choice("cosmetic", tuple(COSMETIC_GRADES)),
            "functional_band": row.choice("functional_band", tuple(name for name, _ in FUNCTIONAL_BANDS)),
            "base_minor": row.whole("base_minor", 0, MAX_MINOR)}


def _promo(row: _Row) -> dict:
    promo = {"code": row.text("code", 40), "label": row.text("label"),
             "bonus_minor": row.whole("bonus_minor", 0, 10**7),
             "starts": row.day("starts"), "ends": row.day("ends"), "brand": row.text("brand", 80, required=False),
             "model": row.text("model", 120, required=False)}
    if promo["starts"] and promo["ends"] and promo["starts"] > promo["ends"]:
        row.fail("ends", "is before starts")
    return promo


def _blocked(row: _Row) -> dict:
    """A lost or stolen device by IMEI (phones, cellular tablets) or serial number (watches, consoles, Wi-Fi
    tablets). A row of the first format ({"imei": ...}) is an IMEI row."""
    kind = str(row.raw.get("type") or ("imei" if "imei" in row.raw else "")).strip().lower()
    raw = str(row.raw.get("identifier", row.raw.get("imei", "")))
    if kind not in ("imei", "serial"):
        row.fail("type", "must be imei or serial")
        return {"type": kind[:16], "identifier": "", "reason": ""}
    try:
        identifier = parse_imei(raw).number if kind == "imei" else parse_serial(raw)
    except IdentifierError as err:
        row.fail("identifier", f"is not a valid {'IMEI' if kind == 'imei' else 'serial number'} ({err})")
        identifier = ""
    return {"type": kind, "identifier": identifier, "reason": row.text("reason", 200, required=False)}


def _product(row: _Row) -> dict:
    code = str(row.raw.get("ean", "")).strip()
    if not (code.isascii() and code.isdigit() and len(code) in (8, 12, 13) and ean.is_valid(code)):
        row.fail("ean", "is not a valid EAN/UPC (check digit)")
    return {"ean": code, "name": row.text("name"), "kind": row.choice("kind", ("device", "accessory")),
            "price_minor": row.whole("price_minor", 0, MAX_MINOR), "vat_bp": row.whole("vat_bp", 0, 10_000),
            # The catalog model a refurbished device is (optional): the till checks a warranty IMEI against it.
            "brand": row.text("brand", 80, required=False), "model": row.text("model", 120, required=False),
            **_vat_scheme(row)}


def _vat_scheme(row: _Row) -> dict:
    """`standard` (the default), or `margin` (CGI art. 297 A) for a second-hand device, with what HQ paid for it
    (`purchase_minor`, VAT included): the till owes VAT on the margin over it."""
    scheme = row.choice("vat_scheme", ("standard", "margin")) if row.raw.get("vat_scheme") else "standard"
    if scheme == "margin" and str(row.raw.get("kind", "")).strip() != "device":
        row.fail("vat_scheme", "margin is for second-hand devices only (a new accessory keeps its VAT rate)")
    given = row.raw.get("purchase_minor") not in (None, "")
    if scheme == "standard" and given:
        row.fail("purchase_minor", "is only for a product under the margin scheme")
    purchase = row.whole("purchase_minor", 0, MAX_MINOR) if scheme == "margin" else None
    return {"vat_scheme": scheme, "purchase_minor": purchase}


def _tac(row: _Row) -> dict:
    """A TAC row (core/tacs.py), of the `tacs` kind or of a catalog's older `tacs` key: one rule for both."""
    tac = restricted(str(row.raw.get("tac", "")), ASCII_DIGITS, drop=" ", max_length=8) or ""
    if len(tac) != 8:
        row.fail("tac", "must be 8 digits")
    return {"tac": tac, "brand": row.text("brand", 80), "model": row.text("model")}


ROW_RULES: dict[str, Callable[[_Row], dict]] = {
    "catalog": _model, "grid": _grid_value, "promos": _promo, "blocklist": _blocked, "products": _product,
    "tacs": _tac}


def _rows(items: object, rule: Callable[[_Row], dict], name: str, problems: list[RowProblem]) -> list[dict]:
    if not isinstance(items, list) or not items or len(items) > MAX_ROWS:
        problems.append(RowProblem(0, name, f"must be a list of 1 to {MAX_ROWS} rows"))
        return []
    checked = []
    for number, raw in enumerate(items, start=1):
        if isinstance(raw, dict):
            checked.append(rule(_Row(raw, number, problems)))
        else:
            problems.append(RowProblem(number, "", "is not an object with named fields"))
    return checked


def _unique(rows: list[dict], fields: tuple[str, ...], problems: list[RowProblem]) -> None:
    seen: set[tuple] = set()
    for number, row in enumerate(rows, start=1):
        key = tuple(row.get(f) for f in fields)
        if key in seen:
            problems.append(RowProblem(number, "/".join(fields), "appears twice"))
        seen.add(key)


def grid_kind_problems(values: list[dict], catalog_kinds: dict[tuple[str, str], str],
                       listed_only: bool = False) -> list[RowProblem]:
    """A grid's rows against a catalog ((brand, model) -> kind): a row whose kind is not the model's, and with
    `listed_only` a row for a model the catalog does not list. The same check at HQ's publish and on the
    terminal that applies the grid, so a watch is never priced from a phone's row."""
    problems = []
    for number, row in enumerate(values, start=1):
        listed = catalog_kinds.get((row["brand"], row["model"]))
        if listed is None and listed_only:
            problems.append(RowProblem(number, "model", f"{row['brand']} {row['model']} is not in the catalog"))
        elif listed is not None and listed != row["kind"]:
            problems.append(RowProblem(number, "kind", f"is {row['kind']} but the catalog lists "
                                                       f"{row['brand']} {row['model']} as {listed}"))
    return problems


def version_name(raw: object) -> str | None:
    """A version's name in its one form (NFKC, every dash "-"), or None when it breaks VERSION_RULE. HQ publishes
    under this form; a terminal fetches only a version whose name already is in it."""
    name = restricted(raw.strip(), VERSION_CHARACTERS, drop="", upper=False, max_length=MAX_VERSION, dashes="-") \
        if isinstance(raw, str) else None
    return name if name and name[0].isalnum() else None


def refused_version(kind: str, version: str) -> Message:
    """Why a terminal does not fetch a version HQ lists (kept for the staff sync page, in the reader's language)."""
    return Message(N_("%(kind)s %(version)s is not a plain version name (1 to 40 letters, digits, dots, dashes or "
                      "underscores, starting with a letter or a digit): not fetched, the terminal keeps the version "
                      "it has"), kind=kind, version=version[:80])


def unfetchable_version(kind: str, version: str, reason: str) -> Message:
    return Message(N_("%(kind)s %(version)s could not be fetched from HQ (%(reason)s): the terminal keeps the "
                      "version it has"), kind=kind, version=version[:80], reason=reason[:300])


def failed_checks(kind: str, version: str, problems: str) -> Message:
    return Message(N_("%(kind)s %(version)s does not pass this terminal's checks (%(problems)s): the terminal keeps "
                      "the version it has"), kind=kind, version=version[:80], problems=problems[:2000])


def catalog_kind_problems(models: list[dict], grid_kinds: dict[tuple[str, str], str]) -> list[RowProblem]:
    """A catalog's models against the grid in force ((brand, model) -> the kind its rows price): a model the grid
    prices as a phone listed as a watch would leave the terminal without that phone. The grid's own check
    (grid_kind_problems) the other way round, at HQ's publish and on the terminal that applies the catalog."""
    problems = []
    for number, model in enumerate(models, start=1):
        priced = grid_kinds.get((model["brand"], model["model"]))
        if priced is not None and priced != model["kind"]:
            problems.append(RowProblem(number, "kind", f"is {model['kind']} but the current grid prices "
                                                       f"{model['brand']} {model['model']} as {priced}"))
    return problems


def validate(kind: str, data: object) -> dict:
    """The canonical form of a reference file of `kind`, or ReferenceInvalid with every problem."""
    if kind not in KINDS:
        raise ReferenceInvalid(kind, [RowProblem(0, "kind", f"must be one of {', '.join(KINDS)}")])
    if not isinstance(data, dict):
        raise ReferenceInvalid(kind, [RowProblem(0, "", "must be a JSON object")])
    problems: list[RowProblem] = []
    list_name, key_fields = ROWS[kind]
    rows = _rows(data.get(list_name), ROW_RULES[kind], list_name, problems)
    _unique(rows, key_fields, problems)
    clean = {list_name: rows}
    if kind == "catalog":
        tacs = data.get("tacs") or []
        clean["tacs"] = _rows(tacs, _tac, "tacs", problems) if tacs else []
    if kind == "grid":
        clean.update(_grid_header(data, problems))
    if problems:
        raise ReferenceInvalid(kind, problems)
    return clean


def _grid_header(data: dict, problems: list[RowProblem]) -> dict:
    header = _Row(data, 0, problems)
    currency = header.text("currency", 3)
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()):
        header.fail("currency", "must be an ISO 4217 code such as EUR")
    start, end = header.day("valid_from"), header.day("valid_until")
    if start and end and start > end:
        header.fail("valid_until", "is before valid_from")
    return {"currency": currency, "valid_from": start, "valid_until": end}
