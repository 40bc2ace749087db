"""Returns against the original receipt: part or all of a sale's lines, refunded to the tenders that
paid (a voucher gets its balance back, cash and card are given back), never more than was sold or paid."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from core import protocol, returns_policy, sales_tax, till
from core.clock import utcnow
from core.codes import RETURN
from core.messages import N_, Amount
from kiosk.compliance import audit
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.till import closures, sales, vouchers
from kiosk.till.sales import SaleError
from sync import outbox


class ReturnLate(SaleError):
    """Past the return window (core/data/returns.toml): only a manager, with their PIN and a reason."""


@dataclass(frozen=True)
class LateApproval:
    """A manager took an item back past the window: who, and why (written to the audit log)."""

    approver_id: str
    reason: str


def sold_on(db: sqlite_utils.Database, store_id: str, created_at: str) -> date:
    """The sale's day in the store's time zone: the window counts the customer's days, not UTC's."""
    row = fetch_one(db, "SELECT timezone FROM stores WHERE id = ?", [store_id])
    return datetime.fromisoformat(created_at).astimezone(ZoneInfo(row["timezone"] if row else "UTC")).date()


def line_kind(line: till.Line) -> str:
    """A device is sold with its IMEI (the till requires it); anything else is an accessory."""
    return "device" if line.imei else "accessory"


def check_window(db, actor: Actor, sale: dict, taken: list[till.Line], today: date, late: LateApproval | None,
                 day_sold: date) -> None:
    """Refuse a return past its window unless a manager approved it with a reason; log the approval."""
    if not returns_policy.is_late(day_sold, [line_kind(line) for line in taken], today):
        return
    last = min(returns_policy.last_return_day(day_sold, line_kind(line)) for line in taken)
    if late is None:
        raise ReturnLate(N_("Sold on %(sold)s: the return window ended on %(last)s. Only a manager can take it back, "
                            "with their PIN and a reason."), sold=day_sold.isoformat(), last=last.isoformat())
    reason = " ".join(late.reason.split())
    if not 3 <= len(reason) <= 200:
        raise ReturnLate(N_("Give the reason for taking it back after the window (3 to 200 characters)."))
    audit.record(db, "return_past_window", staff_id=actor.staff_id, approved_by=late.approver_id, reason=reason,
                 sale=sale["number"], sold_on=day_sold.isoformat(), last_day=last.isoformat())


def refund_tenders(refund: int, available: list[tuple[str, int]], method: str | None,
                   methods: tuple[str, ...] = returns_policy.POLICY.methods) -> tuple[till.Tender, ...]:
    """The refund as tenders of the method the clerk chose (or the sale's one means of payment); never a split the
    clerk did not choose."""
    choices = returns_policy.refund_choices(refund, available, methods)
    method = method or returns_policy.default_method(available, choices)
    if method is None:
        raise SaleError(N_("The sale was paid in several ways: choose how to refund %(amount)s."),
                        amount=Amount(refund))
    if method not in choices:
        raise SaleError(N_("%(amount)s cannot be refunded this way: the sale was not paid so, or that payment has "
                           "less left. Choose another way."), amount=Amount(refund))
    return tuple(till.Tender(key.split("|")[0], -amount, key.split("|", 1)[1]) for key, amount in choices[method])


def returned_so_far(db: sqlite_utils.Database, sale_uuid: str) -> dict[int, int]:
    """Original line number -> quantity already taken back."""
    rows = fetch_all(db, "SELECT l.original_line_no AS line, sum(l.quantity) AS qty FROM sale_lines l JOIN sales s "
                         "ON s.uuid = l.sale_uuid WHERE s.original_uuid = ? GROUP BY l.original_line_no", [sale_uuid])
    return {r["line"]: r["qty"] for r in rows}


def refundable_tenders(db: sqlite_utils.Database, sale_uuid: str) -> list[tuple[str, int]]:
    """("kind|reference", still refundable) per tender of the sale, after earlier returns."""
    paid: dict[str, int] = {}
    for row in fetch_all(db, "SELECT t.kind, t.reference, t.amount_minor FROM tenders t JOIN sales s "
                             "ON s.uuid = t.sale_uuid WHERE s.uuid = ? OR s.original_uuid = ?", [sale_uuid, sale_uuid]):
        key = f"{row['kind']}|{row['reference']}"
        paid[key] = paid.get(key, 0) + row["amount_minor"]
    return [(key, amount) for key, amount in paid.items() if amount > 0]


def _refund_of(line: till.Line, before: int, taking: int) -> int:
    """The line's paid total shared per unit so that returning every unit refunds it exactly."""
    share = lambda units: till.round_half_up(line.total_minor * units, line.quantity)  # noqa: E731
    return share(before + taking) - share(before)


def _tax_refunded(db: sqlite_utils.Database, sale: dict, refund: int) -> int:
    """The sale's sales tax that `refund` of its lines carries, after what earlier returns refunded
    (core.sales_tax.refund_share: every line back refunds the sale's tax exactly)."""
    if not sale["tax_minor"]:
        return 0
    before = -db.execute("SELECT coalesce(sum(total_minor - tax_minor), 0) FROM sales WHERE original_uuid = ? AND "
                         "kind = 'return'", [sale["uuid"]]).fetchone()[0]
    return sales_tax.refund_share(sale["tax_minor"], sale["total_minor"] - sale["tax_minor"], before, refund)


def record_return(db: sqlite_utils.Database, actor: Actor, sale_uuid: str, quantities: dict[int, int],
                  today: date, method: str | None = None, late: LateApproval | None = None) -> dict:
    """One transaction: the return (a negative sale), its lines and refund tenders, vouchers credited back; within
    the window, or approved by a manager; refunded by `method` (None: the sale's one means of payment)."""
    with write_transaction(db):
        sale = sales.get_sale(db, sale_uuid)
        if sale is None or sale["kind"] != "sale" or sale["store_id"] != actor.store_id:
            raise SaleError(N_("No sale of this store has this receipt number."))
        done, lines, refund = returned_so_far(db, sale["uuid"]), [], 0
        for line_no, line in enumerate(sales.sale_lines(db, sale["uuid"]), start=1):
            taking = quantities.get(line_no, 0)
            if not 0 <= taking <= line.quantity - done.get(line_no, 0):
                raise SaleError(N_("%(name)s: at most %(count)s can still be returned."), name=line.name,
                                count=line.quantity - done.get(line_no, 0))
            if taking:
                amount = _refund_of(line, done.get(line_no, 0), taking)
                lines.append((till.Line(line.ean, line.name, taking, line.unit_minor, line.vat_bp,
                                        taking * line.unit_minor - amount, line.discount_reason, line.imei,
                                        line.margin_purchase_minor), line_no))
                refund += amount
        if not lines:
            raise SaleError(N_("Choose what the customer brings back."))
        check_window(db, actor, sale, [line for line, _ in lines], today, late,
                     sold_on(db, sale["store_id"], sale["created_at"]))
        tax = _tax_refunded(db, sale, refund)  # the sales tax those lines carried (0 where VAT is included)
        tenders = refund_tenders(refund + tax, refundable_tenders(db, sale["uuid"]), method)
        back = {"uuid": str(uuid.uuid4()), "number": RETURN.mint(), "store_id": actor.store_id,
                "terminal_id": actor.terminal_id, "staff_id": actor.staff_id, "kind": "return",
                "original_uuid": sale["uuid"], "total_minor": -(refund + tax), "currency": sale["currency"],
                "cash_given_minor": 0, "change_minor": 0, "created_at": utcnow(), "tax_minor": -tax,
                "tax_rate": sale["tax_rate"]}
        db["sales"].insert(back)
        sales.write_lines_and_tenders(db, back["uuid"], lines, tenders)
        closures.seal_ticket(db, back, [line for line, _ in lines])  # a correction: a new signed document
        for tender in tenders:
            if tender.kind == "voucher":
                vouchers.credit_back(db, tender.reference, -tender.amount_minor)
        outbox.append(db, back["uuid"], protocol.SALE_RETURNED, sales.sale_payload(db, back["uuid"]))
    return back
