"""After-sales for a sale looked up at HQ: a return of another store's sale, and warranty claims (for a sale of
any store, this one's included). The sale is HQ's answer (hq aftersales.find_sale) or this store's own, in the
same shape (`own_sale`).

A return here is this store's own document: a 'return' row in sales with its lines and refund tenders, paid from
this store's till in money only (returns.toml [refund.elsewhere]), and a returns_elsewhere row naming the original.
HQ counts it against the original; no voucher or payment of the selling store is touched."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlite_utils

from core import protocol, returns_policy, till
from core.clock import utcnow
from core.codes import RETURN, CodeFormat
from core.messages import N_
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.till import closures, returns, sales
from kiosk.till.sales import SaleError
from sync import outbox

CLAIM = CodeFormat("warranty_claim", "W-", (4, 4))


def own_sale(db: sqlite_utils.Database, store_id: str, key: str) -> dict | None:
    """This store's sale by receipt number or a device line's IMEI (the latest), in HQ's answer's shape."""
    sale = sales.get_sale(db, key) or fetch_one(
        db, "SELECT s.* FROM sales s JOIN sale_lines l ON l.sale_uuid = s.uuid WHERE l.imei = ? AND s.kind = 'sale' "
            "ORDER BY s.created_at DESC LIMIT 1", [key.strip()])
    if sale is None or sale["kind"] != "sale" or sale["store_id"] != store_id:
        return None
    sold = datetime.fromisoformat(sale["created_at"])
    store = fetch_one(db, "SELECT name FROM stores WHERE id = ?", [store_id])
    lines = fetch_all(db, "SELECT * FROM sale_lines WHERE sale_uuid = ? ORDER BY line_no", [sale["uuid"]])
    done = returns.returned_so_far(db, sale["uuid"])
    return {"uuid": sale["uuid"], "number": sale["number"], "store_id": store_id, "store_name": store["name"],
            "sold_at": sale["created_at"], "currency": sale["currency"], "own": True,
            "lines": [{**line, "returned": done.get(line["line_no"], 0), "warranty_end": returns_policy.warranty_end(
                sold, "device" if line["imei"] else "accessory").isoformat()} for line in lines]}


def _returned_here(db, original_uuid: str) -> tuple[dict[int, int], dict[str, int]]:
    """What this store already took back of another store's sale: quantities per line, refunds per kind (HQ's
    answer leaves this store's own returns out, synced or not, so none is counted twice)."""
    rows = fetch_all(db, "SELECT l.original_line_no AS line, sum(l.quantity) AS qty FROM returns_elsewhere r JOIN "
                         "sale_lines l ON l.sale_uuid = r.return_uuid WHERE r.original_uuid = ? GROUP BY 1",
                     [original_uuid])
    refunds = fetch_all(db, "SELECT t.kind, -sum(t.amount_minor) AS amount FROM returns_elsewhere r JOIN tenders t "
                            "ON t.sale_uuid = r.return_uuid WHERE r.original_uuid = ? GROUP BY 1", [original_uuid])
    return {r["line"]: r["qty"] for r in rows}, {r["kind"]: r["amount"] for r in refunds}


def remaining(db, found: dict) -> tuple[dict[int, int], list[tuple[str, int]]]:
    """(line_no -> still returnable, (kind|, still refundable) per tender kind) of another store's sale."""
    here, refunded = _returned_here(db, found["uuid"])
    left = {line["line_no"]: line["quantity"] - line["returned"] - here.get(line["line_no"], 0)
            for line in found["lines"]}
    return left, [(f"{kind}|", amount - refunded.get(kind, 0)) for kind, amount in found["refundable"].items()]


def _line(line: dict) -> till.Line:
    return till.Line(line["ean"], line["name"], line["quantity"], line["unit_minor"], line["vat_bp"],
                     line.get("discount_minor") or 0, "", line.get("imei"))


def record_return(db: sqlite_utils.Database, actor: Actor, found: dict, quantities: dict[int, int], today: date,
                  method: str | None, late: returns.LateApproval | None = None) -> dict:
    """Another store's sale taken back here: this store's return, refunded from this till in money."""
    with write_transaction(db):
        left, available = remaining(db, found)
        taken, refund = [], 0
        for line in found["lines"]:
            n, qty = line["line_no"], quantities.get(line["line_no"], 0)
            if not 0 <= qty <= left[n]:
                raise SaleError(N_("%(name)s: at most %(count)s can still be returned."), name=line["name"],
                                count=left[n])
            if qty:
                sold = _line(line)
                amount = returns._refund_of(sold, line["quantity"] - left[n], qty)
                taken.append((till.Line(sold.ean, sold.name, qty, sold.unit_minor, sold.vat_bp,
                                        qty * sold.unit_minor - amount, "", sold.imei), n))
                refund += amount
        if not taken:
            raise SaleError(N_("Choose what the customer brings back."))
        day_sold = returns.sold_on(db, actor.store_id, found["sold_at"])
        returns.check_window(db, actor, found, [line for line, _ in taken], today, late, day_sold)
        tenders = returns.refund_tenders(refund, available, method, returns_policy.POLICY.elsewhere_methods)
        back = {"uuid": str(uuid.uuid4()), "number": RETURN.mint(), "store_id": actor.store_id,
                "terminal_id": actor.terminal_id, "staff_id": actor.staff_id, "kind": "return", "original_uuid": None,
                "total_minor": -refund, "currency": found["currency"], "cash_given_minor": 0, "change_minor": 0,
                "created_at": utcnow()}
        db["sales"].insert(back)
        sales.write_lines_and_tenders(db, back["uuid"], taken, tenders)
        closures.seal_ticket(db, back, [line for line, _ in taken])  # signed like any return (returns.py)
        original = {"uuid": found["uuid"], "number": found["number"], "store_id": found["store_id"],
                    "store_name": found["store_name"]}
        db["returns_elsewhere"].insert({"return_uuid": back["uuid"], **{f"original_{k}": v for k, v in
                                                                         original.items()}})
        outbox.append(db, back["uuid"], protocol.SALE_RETURNED,
                      {**sales.sale_payload(db, back["uuid"]), "original_elsewhere": original})
    return back


def open_claim(db: sqlite_utils.Database, actor: Actor, found: dict, line_no: int, problem: str, condition: str,
               today: date) -> dict:
    """The intake ticket of a device under warranty: what the customer says is wrong and the state it came in."""
    line = next((x for x in found["lines"] if x["line_no"] == line_no and x.get("imei")), None)
    if line is None:
        raise SaleError(N_("Choose the device the customer brings back under warranty."))
    if today > date.fromisoformat(line["warranty_end"]):
        raise SaleError(N_("The warranty of this device ended on %(date)s."), date=line["warranty_end"])
    problem, condition = " ".join(problem.split()), " ".join(condition.split())
    if not 3 <= len(problem) <= 500 or not 3 <= len(condition) <= 500:
        raise SaleError(N_("Describe the problem and the device's condition (3 to 500 characters each)."))
    claim = {"uuid": str(uuid.uuid4()), "number": CLAIM.mint(), "store_id": actor.store_id,
             "terminal_id": actor.terminal_id, "staff_id": actor.staff_id, "identifier": line["imei"],
             "product_name": line["name"], "sale_uuid": found["uuid"], "sale_number": found["number"],
             "sale_store_name": found["store_name"], "warranty_end": line["warranty_end"], "problem": problem,
             "condition": condition, "created_at": utcnow()}
    with write_transaction(db):
        db["warranty_claims"].insert(claim)
        outbox.append(db, claim["uuid"], protocol.WARRANTY_CLAIMED, claim)
    return claim


def get_claim(db: sqlite_utils.Database, store_id: str, claim_uuid: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM warranty_claims WHERE uuid = ? AND store_id = ?", [claim_uuid, store_id])


def note_status(db: sqlite_utils.Database, claim_uuid: str, status: dict) -> None:
    """HQ's answer on a claim, kept so that the clerk sees the last known status offline."""
    with write_transaction(db):
        db.execute("UPDATE warranty_claims SET hq_status = ?, hq_status_at = ? WHERE uuid = ?",
                   [str(status.get("status"))[:20], str(status.get("status_at"))[:40], claim_uuid])
