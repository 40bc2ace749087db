"""The trade-in receipt as plain data: one model, rendered to ESC/POS bytes (hardware.escpos_render)
and to HTML (templates/_receipt.html), so paper and screen can never disagree. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date

from core import jurisdiction
from core.codes import bag_label
from core.dates import short_datetime
from core.money import format_money

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
    voucher_qr: str = ""  # a store-credit voucher's code, printed as a second QR the till scans
    tracking: tuple[str, str] = ()  # (caption, URL) of the seller's tracking page at HQ, printed as a QR
    barcodes: tuple[str, ...] = ()  # more Code128 codes, each printed under its text (a manifest's bags)


@dataclass(frozen=True)
class ReceiptFacts:
    """Everything a receipt shows, gathered by the caller (kiosk.tradein.printing) from the database."""

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
    handoff: tuple[Row, ...] = ()  # the customer's estimate vs the clerk's check (kiosk.tradein.estimates)
    voucher: dict | None = None  # the store-credit voucher paid out (kiosk.till.vouchers)
    transfer: tuple[str, str] | None = None  # a bank transfer still to be made: (masked account, due date)
    tracking_url: str = ""
    legal: tuple[str, ...] = ()  # the store's legal identity: company name, SIRET
    register_no: int | None = None  # the police register's entry number for this purchase
    seller_document: str = ""  # the ID document as the register holds it, masked but its last 4 characters
    duplicate: bool = False  # a reprint: the paper says DUPLICATE
    translate: Callable[[str], str] = str  # the store language's gettext; str keeps the English
    jurisdiction: str = jurisdiction.DEFAULT  # the store's pack: its legal lines and notice at collection
    device_tested: tuple[Row, ...] = ()  # the phone's own test: functions that passed, failed (none without a test)


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
        return bag_label(self.code)


def build_bag_label(facts: ReceiptFacts) -> BagLabel:
    ti, _ = facts.tradein, facts.translate
    return BagLabel(ti["code"], ti["imei"] or ti["serial"],
                    f"{facts.device_name} " + _("%(size)s GB") % {"size": ti["storage_gb"]},
                    _("Grade %(cosmetic)s / %(functional)s") % {"cosmetic": ti["cosmetic_grade"],
                                                                 "functional": ti["functional_grade"]},
                    facts.store_name)


def paper_time(moment: datetime, timezone: str, locale: str) -> str:
    """A time as a store's paper prints it: its time zone, its locale's short form with a four-digit year
    (23/11/2026 15:05 in France, 11/23/2026, 9:05 AM in New York: core.dates.short_datetime)."""
    return short_datetime(moment, timezone, locale)


def _local(moment: datetime, facts: ReceiptFacts) -> str:
    return paper_time(moment, facts.timezone, facts.locale)


def _money_rows(ti: dict, facts: ReceiptFacts) -> tuple[tuple[Row, ...], Row]:
    _ = facts.translate
    money = lambda minor: format_money(minor, ti["currency"], facts.locale)  # noqa: E731
    rows = [(_("Base value"), money(ti["base_minor"]))]
    rows += [(_("Bonus: %(label)s") % {"label": label}, money(minor)) for label, minor in ti["bonuses"]]
    if ti.get("override_reason"):
        rows.append((_("Price set by a manager: %(reason)s") % {"reason": ti["override_reason"]}, ""))
    # Only money that moved is "paid": a transfer is HQ's to make, later.
    label = _("TOTAL TO BE PAID BY TRANSFER") if facts.transfer else _("TOTAL PAID")
    return tuple(rows), (label, money(ti["total_minor"]))


def _sections(facts: ReceiptFacts, identifier: Row) -> tuple[tuple[str, tuple[Row, ...]], ...]:
    ti, _ = facts.tradein, facts.translate
    second = (("IMEI 2", ti["imei2"]),) if ti.get("imei2") else ()  # a dual-SIM phone: both, as registered
    sections = (
        (_("Device"), ((_("Model"), facts.device_name), (_("Storage"), _("%(size)s GB") % {"size": ti["storage_gb"]}),
                       identifier, *second)),
        (_("Condition"), facts.checklist + facts.device_tested + (
            (_("Cosmetic grade"), ti["cosmetic_grade"]),
            (_("Functional grade"), f"{ti['functional_grade']}/9"),
            (_("Checklist"), ti["spec_version"]),
            (_("Price grid"), ti["grid_version"]),
        )),
    )
    if facts.handoff:  # the customer sees on paper what the check changed and what it cost
        sections += ((_("Your estimate and our check"), facts.handoff),)
    if facts.voucher:
        v = facts.voucher
        sections += ((_("Store credit voucher"), ((_("Code"), v["code"]), (_("Amount"), format_money(
            v["issued_minor"], v["currency"], facts.locale)),
            (_("Valid until"), format_date(date.fromisoformat(v["expires_at"][:10]), "medium", locale=facts.locale)))),)
    return sections + ((_("Payment"), _seller_rows(facts) + _payment_rows(facts)),)


def _seller_rows(facts: ReceiptFacts) -> tuple[Row, ...]:
    """The seller as the police register holds them: name, ID document (masked), the entry's number."""
    _ = facts.translate
    rows: tuple[Row, ...] = ((_("Seller"), facts.seller_name),)
    if facts.seller_document:
        rows += ((_("ID document"), facts.seller_document),)
    if facts.register_no:
        rows += ((_("Police register entry"), _("No. %(number)s") % {"number": facts.register_no}),)
    return rows


def _payment_rows(facts: ReceiptFacts) -> tuple[Row, ...]:
    _ = facts.translate
    if facts.transfer:
        account, due = facts.transfer
        return ((_("To be paid by"), facts.payout_label), (_("Account"), account), (_("Transfer due by"), due))
    return ((_("Paid by"), facts.payout_label),)


def privacy_notice(_: Callable[[str], str] = str, pack: jurisdiction.Pack | None = None) -> tuple[str, ...]:
    """What the seller is told, on screen and on paper, when their identity is taken: the notice at collection of
    the store's jurisdiction `pack` (France's GDPR notice when None; New York's says that we do not sell or share
    personal information, where CCPA-style terms ask for it)."""
    return tuple(_(line) for line in (pack or jurisdiction.pack(jurisdiction.DEFAULT)).privacy.notice)


def business_ids(store: dict, _: Callable[[str], str] = str) -> tuple[str, ...]:
    """The store's identifiers as its pack prints them (SIRET in France; EIN and DCWP licence in New York City);
    none not yet known (a store not enrolled)."""
    return tuple(_(rule.printed) % {"number": store[rule.field]}
                 for rule in jurisdiction.pack_for(store).business_ids if store.get(rule.field))


def build_tradein_receipt(facts: ReceiptFacts) -> Receipt:
    ti, _ = facts.tradein, facts.translate
    pack = jurisdiction.pack(facts.jurisdiction)
    identifier = ("IMEI", ti["imei"]) if ti["imei"] else (_("Serial"), ti["serial"])
    totals, total = _money_rows(ti, facts)
    cancel_line = (_("Cancellable until %(time)s at this store.") % {"time": _local(facts.cancel_until, facts)}
                   if facts.cancel_until else "")
    return Receipt(
        title=_("DUPLICATE: TRADE-IN RECEIPT") if facts.duplicate else _("TRADE-IN RECEIPT"),
        header=(facts.store_name, *facts.legal, facts.store_address, _("Terminal: %(name)s") % {"name": facts.terminal},
                _("Clerk: %(name)s") % {"name": facts.clerk}, _local(datetime.fromisoformat(ti["accepted_at"]), facts)),
        code=ti["code"],
        sections=_sections(facts, identifier),
        totals=totals,
        total=total,
        barcode=identifier[1],
        voucher_qr=facts.voucher["code"] if facts.voucher else "",
        tracking=(_("Follow your trade-in (no personal data shown):"), facts.tracking_url)
        if facts.tracking_url else (),
        footer=(
            cancel_line,
            *(_(line) for line in pack.receipt_lines),
            *privacy_notice(_, pack),
            "",
            _("Seller signature:"),
            "",
            "",
            _("Clerk signature:"),
        ),
    )


def build_manifest(store: dict, shipment: dict, bags: list[dict], translate: Callable[[str], str],
                   local_time: str) -> Receipt:
    """The paper the courier signs when a shipment leaves: every bag's code as text and as a barcode HQ scans,
    the count, the store and the time, and two signature lines."""
    _ = translate
    rows = tuple((bag["code"], bag["device"]) for bag in bags)
    return Receipt(
        title=_("SHIPMENT MANIFEST"),
        header=(store["name"], store["address"], local_time),
        code=shipment["code"],
        sections=((_("Bags"), rows),),
        totals=(),
        total=(_("BAGS"), str(len(bags))),
        barcode=shipment["code"],
        barcodes=tuple(bag["code"] for bag in bags),
        footer=("", _("Handed to the courier: name and signature"), "", "", _("Store: name and signature"), "", ""),
    )
