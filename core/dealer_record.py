"""New York City's second-hand dealer record: for every purchase, an electronic record in English of the article
and of the seller, the day and hour, and photographs, handed daily to the service the Police Commissioner designates
and kept six years (NYC Admin. Code § 20-273; 38 RCNY ch. 21). Pure: the record's columns with their sources, what a
purchase must have before a store whose jurisdiction keeps the record may buy it, the day a purchase belongs to in
the store's time zone, and the daily file's CSV. Whether a store keeps the record is its pack's ([registers] keep,
core/data/jurisdictions/us-ny-nyc.toml), and so are the required fields ([dealer_record] fields) and how long it is
kept ([retention] dealer_record); France's pack keeps the police register instead.

The designated service's own upload format is not public: the daily file is ours (docs/going-live.md).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core import jurisdiction
from core.grading import FUNCTIONAL_MAX, Spec
from core.messages import N_, Message
from core.money import to_decimal
from core.text import csv_cell

_LAW = "NYC Admin. Code § 20-273(a)"
_RULES = "38 RCNY ch. 21 (electronic record of used electronic equipment)"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the CSV's header, English (the record is kept in English)
    source: str


COLUMNS = (
    Column("transaction", "Transaction", "Store's own number: the trade-in code printed on the seller's receipt"),
    Column("purchased_on", "Day of purchase", f"{_LAW} (day and hour of the purchase), in the store's time zone"),
    Column("purchased_time", "Hour of purchase", f"{_LAW} (day and hour), 24-hour clock"),
    Column("time_zone", "Time zone", f"{_LAW}: the hour as the store's clock read it (EST or EDT)"),
    Column("manufacturer", "Manufacturer", f"{_RULES}; issue 34 (manufacturer, make, model number)"),
    Column("model", "Make and model", f"{_LAW} (an accurate account and description of the article); {_RULES}"),
    Column("model_number", "Model number", f"{_RULES}; empty: HQ's catalog holds no model numbers yet"),
    Column("serial_number", "Serial number", f"{_LAW} (numbers and marks of identification); {_RULES}"),
    Column("imei", "IMEI", f"{_LAW} (numbers and marks of identification); {_RULES}"),
    Column("identifier_altered", "Serial number or IMEI altered or missing", f"{_RULES}; the clerk's answer at "
           "the accept"),
    Column("alterations", "Visible alterations or damage", f"{_RULES}; the checklist's answers that lower a grade"),
    Column("seller_name", "Seller's name", f"{_LAW} (name of the person from whom the purchase was made)"),
    Column("seller_residence", "Seller's residence", f"{_LAW} (residence)"),
    Column("id_type", "Identification shown: type", f"{_RULES} (description of the identification shown)"),
    Column("id_number", "Identification shown: number", f"{_RULES} (description of the identification shown)"),
    Column("id_issuer", "Identification shown: issued by", f"{_RULES} (description of the identification shown)"),
    Column("price", "Price paid", f"{_LAW} (the price paid)"),
    Column("currency", "Currency", "ISO 4217"),
    Column("photos", "Photographs", f"{_RULES} (digital photographs of the article): files in photos/ of the same "
           "ZIP, by SHA-256"),
    Column("clerk", "Clerk", "Store's own: the staff member who bought the article"),
)
KEYS = tuple(column.key for column in COLUMNS)
# The clerk's answer at the accept: whether the serial number or IMEI shows signs of being altered, or is missing.
IDENTIFIER_ALTERED = {"no": N_("No: intact and present"), "yes": N_("Yes: altered, defaced or missing")}
YES_NO = {"no": "No", "yes": "Yes"}  # as the English record writes it


class UnknownField(ValueError):
    """A pack requires a field this record has no column for."""


def keeps_record(pack: jurisdiction.Pack) -> bool:
    """Whether a store of this pack keeps the record: its [registers] keep lists it (France's lists the police
    register)."""
    return pack.keeps(jurisdiction.DEALER_RECORD)


def required_fields(pack: jurisdiction.Pack) -> tuple[str, ...]:
    """The pack's required fields, each one of COLUMNS (UnknownField otherwise: a pack and this module disagree)."""
    fields = tuple(pack.dealer_record.get("fields") or ())
    if unknown := [name for name in fields if name not in KEYS]:
        raise UnknownField(f"{pack.name}: [dealer_record] fields {', '.join(unknown)} are no column of the record")
    return fields


def retention_years(pack: jurisdiction.Pack) -> int:
    return pack.retention[str(pack.dealer_record["retention"])].years


def local_moment(utc_instant: str, zone: str) -> tuple[str, str, str]:
    """(day, HH:MM, zone abbreviation) of a stored UTC instant in the store's time zone: a purchase at 23:30 on
    October 31 in New York (03:30 UTC on November 1) is October 31's, EDT; one at 23:30 on November 1, after the
    clocks went back, is November 1's, EST."""
    instant = datetime.fromisoformat(utc_instant.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return instant.date().isoformat(), instant.strftime("%H:%M"), instant.tzname() or zone


def identifier_altered(form: Mapping[str, str]) -> tuple[str, Message | None]:
    """The clerk's answer as kept ("yes", "no"), or "" with what to do when there is none."""
    value = str(form.get("identifier_altered") or "")
    if value in IDENTIFIER_ALTERED:
        return value, None
    return "", Message(N_("Say whether the serial number or IMEI is altered or missing (New York City's record "
                          "asks)."))


def alterations(answers: Mapping[str, str], spec: Spec, device_kind: str) -> str:
    """The checklist's answers that lower a grade (a cracked back, a screen's scratches, a worn battery), in the
    checklist's English words: "Screen: Deep scratches; Battery health: 72 %". "None" when every answer is fine."""
    found = []
    for question in spec.questions_for(device_kind):
        if question.id not in answers:
            continue
        effect = question.effect_of(answers[question.id])
        if effect.cosmetic != "A" or effect.functional < FUNCTIONAL_MAX:
            found.append(f"{question.short}: {question.label_of(answers[question.id])}")
    return "; ".join(found) or "None"


def price_text(minor: int, currency: str) -> str:
    """"123.45": the amount in the currency's units, a dot for decimals (the record's one form, whatever the
    screen's locale)."""
    return str(to_decimal(minor, currency))


def missing(record: Mapping[str, str], required: Iterable[str]) -> list[str]:
    """The English headers of the required fields the record leaves empty."""
    headers = {column.key: column.header for column in COLUMNS}
    return [headers[name] for name in required if not str(record.get(name) or "").strip()]


def _cell(value: object) -> object:
    """A cell as a spreadsheet will not run it, and without a control character (a line break, a tab, a bidi mark
    becomes a space)."""
    text = "" if value is None else str(value)
    return csv_cell("".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text))


def csv_bytes(records: Iterable[Mapping[str, object]]) -> bytes:
    """The day's records.csv: a header row of COLUMNS' English headers, then a row per purchase (UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    for record in records:
        writer.writerow([_cell(record.get(key)) for key in KEYS])
    return buffer.getvalue().encode("utf-8")
