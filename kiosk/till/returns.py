"""Returns against the original receipt: part or all of a sale's lines, refunded to the tenders that
paid (a voucher gets its balance back, cash and card are given back), never more than was sold or paid."""

from __future__ import annotations

import uuid

import sqlite_utils

from core import protocol, till
from core.clock import utcnow
from core.codes import RETURN
from core.messages import N_
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, write_transaction
from kiosk.till import sales, vouchers
from kiosk.till.sales import SaleError
from sync import outbox


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


def record_return(db: sqlite_utils.Database, actor: Actor, sale_uuid: str, quantities: dict[int, int]) -> dict:
    """One transaction: the return (a negative sale), its lines and refund tenders, vouchers credited back."""
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
                                        taking * line.unit_minor - amount, line.discount_reason, line.imei), line_no))
                refund += amount
        if not lines:
            raise SaleError(N_("Choose what the customer brings back."))
        split = till.allocate_refund(refund, refundable_tenders(db, sale["uuid"]))
        tenders = tuple(till.Tender(key.split("|")[0], -amount, key.split("|", 1)[1]) for key, amount in split)
        back = {"uuid": str(uuid.uuid4()), "number": RETURN.mint(), "store_id": actor.store_id,
                "terminal_id": actor.terminal_id, "staff_id": actor.staff_id, "kind": "return",
                "original_uuid": sale["uuid"], "total_minor": -refund, "currency": sale["currency"],
                "cash_given_minor": 0, "change_minor": 0, "created_at": utcnow()}
        db["sales"].insert(back)
        sales.write_lines_and_tenders(db, back["uuid"], lines, tenders)
        for tender in tenders:
            if tender.kind == "voucher":
                vouchers.credit_back(db, tender.reference, -tender.amount_minor)
        outbox.append(db, back["uuid"], protocol.SALE_RETURNED, sales.sale_payload(db, back["uuid"]))
    return back
