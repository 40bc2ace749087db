"""The trade-in receipt as plain data: one model, rendered to ESC/POS bytes (hardware.escpos_render)
and to HTML (templates/_receipt.html), so paper and screen can never disagree. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from kiosk.money import format_money

Row = tuple[str, str]


@dataclass(frozen=True)
class Receipt:
    title: str
    header: tuple[str, ...]  # store name, address, terminal, clerk, date
    code: str  # the trade-in code, printed large and as a QR
    sections: tuple[tuple[str, tuple[Row, ...]], ...]  # (section title, rows)
    totals: tuple[Row, ...]
    total: Row
    barcode: str  # Code128 of the IMEI or serial
    footer: tuple[str, ...]


@dataclass(frozen=True)
class ReceiptFacts:
    """Everything a receipt shows, gathered by the caller (kiosk.printing) from the database."""

    store_name: str
    store_address: str
    terminal: str
    clerk: str
    locale: str
    timezone: str
    tradein: dict
    device_name: str
    checklist: tuple[Row, ...]  # (question, answer label)
    payout_label: str
    seller_name: str
    cancel_until: datetime | None


@dataclass(frozen=True)
class BagLabel:
    """The sticker on the bag the device travels in to HQ: HQ scans it on arrival."""

    code: str
    identifier: str
    device: str
    grades: str
    store: str

    @property
    def qr(self) -> str:
        return f"BAG:{self.code}"  # tells a bag from the customer's ticket when scanned


def build_bag_label(facts: ReceiptFacts) -> BagLabel:
    ti = facts.tradein
    return BagLabel(ti["code"], ti["imei"] or ti["serial"], f"{facts.device_name} {ti['storage_gb']} GB",
                    f"Grade {ti['cosmetic_grade']} / {ti['functional_grade']}", facts.store_name)


def _local(moment: datetime, facts: ReceiptFacts) -> str:
    return format_datetime(moment, "short", tzinfo=ZoneInfo(facts.timezone), locale=facts.locale)


def _money_rows(ti: dict, locale: str) -> tuple[tuple[Row, ...], Row]:
    money = lambda minor: format_money(minor, ti["currency"], locale)  # noqa: E731
    rows = [("Base value", money(ti["base_minor"]))]
    rows += [(f"Bonus: {label}", money(minor)) for label, minor in ti["bonuses"]]
    if ti.get("override_reason"):
        rows.append((f"Price set by a manager: {ti['override_reason']}", ""))
    return tuple(rows), ("TOTAL PAID", money(ti["total_minor"]))


def build_tradein_receipt(facts: ReceiptFacts) -> Receipt:
    ti = facts.tradein
    identifier = ("IMEI", ti["imei"]) if ti["imei"] else ("Serial", ti["serial"])
    totals, total = _money_rows(ti, facts.locale)
    cancel_line = (
        f"Cancellable until {_local(facts.cancel_until, facts)} at this store." if facts.cancel_until else ""
    )
    return Receipt(
        title="TRADE-IN RECEIPT",
        header=(facts.store_name, facts.store_address, f"Terminal: {facts.terminal}", f"Clerk: {facts.clerk}",
                _local(datetime.fromisoformat(ti["accepted_at"]), facts)),
        code=ti["code"],
        sections=(
            ("Device", (("Model", facts.device_name), ("Storage", f"{ti['storage_gb']} GB"), identifier)),
            ("Condition", facts.checklist + (
                ("Cosmetic grade", ti["cosmetic_grade"]),
                ("Functional grade", f"{ti['functional_grade']}/9"),
                ("Checklist", ti["spec_version"]),
                ("Price grid", ti["grid_version"]),
            )),
            ("Payment", (("Seller", facts.seller_name), ("Paid by", facts.payout_label))),
        ),
        totals=totals,
        total=total,
        barcode=identifier[1],
        footer=(
            cancel_line,
            "The seller declares owning this device and transfers its ownership to the store.",
            "",
            "Seller signature:",
            "",
            "",
            "Clerk signature:",
        ),
    )
