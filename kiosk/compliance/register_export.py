"""The police register as an inspector reads it: the entries of a period of the store's local days, every column
in the store's language (core/data/police_register.toml: the law's field names) and every time in the store's
local time, printed exactly as the receipt prints it. As CSV (formula-safe) or as rows for the printable page."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import sqlite_utils
from babel.dates import format_date

from core import police_register
from core.money import format_money
from core.payout import PAYOUT_METHODS
from core.receipts import paper_time
from core.seller import ID_DOCUMENT_TYPES
from core.text import csv_cell
from kiosk.compliance.crypto import DataCipher
from kiosk.store.db import fetch_all
from kiosk.translations import catalogue


def entries(db: sqlite_utils.Database, cipher: DataCipher, store: dict, first: date, last: date) -> list[dict]:
    """The entries made on the store's local days `first` to `last` (included), shaped for the columns."""
    start, end = police_register.local_days(first, last, store["timezone"])
    rows = fetch_all(db, "SELECT * FROM police_register WHERE entered_at >= ? AND entered_at < ? ORDER BY seq",
                     [start, end])
    return [_shown(row, json.loads(cipher.decrypt(row["identity"])), store) for row in rows]


def _shown(row: dict, identity: dict, store: dict) -> dict:
    """One entry as the store's paper writes it: its language, its time zone, its money and date formats."""
    locale = store["locale"]
    _ = catalogue(locale).gettext
    return {
        **row, **identity,
        # The receipt's own formatting of the same moment: the register and the receipt never disagree.
        "entered_at": paper_time(datetime.fromisoformat(row["entered_at"]), store["timezone"], locale),
        "acquisition_mode": police_register.value_label("acquisition_mode", row["acquisition_mode"], locale),
        "seller_capacity": police_register.value_label("seller_capacity", row["seller_capacity"], locale),
        "id_doc_type": _(ID_DOCUMENT_TYPES.get(identity["id_doc_type"], identity["id_doc_type"])),
        "id_doc_issued_on": _paper_date(identity["id_doc_issued_on"], locale),
        "price": format_money(row["price_minor"], row["currency"], locale),
        "payment_method": _(PAYOUT_METHODS.get(row["payment_method"], row["payment_method"])),
    }


def _paper_date(iso: str, locale: str) -> str:
    return format_date(date.fromisoformat(iso), "short", locale=locale)


def table(rows: list[dict], locale: str) -> tuple[list[str], list[list[str]]]:
    """(headings, cells) in the register's column order."""
    keys = [column.key for column in police_register.COLUMNS]
    return police_register.headings(locale), [[str(row[key]) for key in keys] for row in rows]


def to_csv(rows: list[dict], locale: str) -> str:
    """The register as CSV; a cell a spreadsheet would run as a formula is written as text."""
    heads, cells = table(rows, locale)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(heads)
    writer.writerows([csv_cell(cell) for cell in line] for line in cells)
    return out.getvalue()


def caption(store: dict, first: date, last: date, count: int) -> tuple[str, str]:
    """The printed sheet's title and the line under it, in the store's language (the register is the store's)."""
    _ = catalogue(store["locale"]).gettext
    days = {"first": format_date(first, "short", locale=store["locale"]),
            "last": format_date(last, "short", locale=store["locale"])}
    return _("Police register"), _(
        "%(store)s, %(address)s · from %(first)s to %(last)s · entries: %(count)s · local time (%(timezone)s)") % {
        "store": store["name"], "address": store["address"], "count": count, "timezone": store["timezone"], **days}
