"""X report (figures since the last Z, any time) and Z report (closes the period: numbered, kept as
printed, immutable by trigger, sent to HQ)."""

from __future__ import annotations

import json
import uuid

import sqlite_utils

from core import protocol, till
from core.clock import utcnow
from core.margin import margin_breakdown
from core.messages import N_
from core.text import printable
from kiosk.compliance import register
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.till import closures, sales
from kiosk.till.sales import SaleError
from sync import outbox

TENDER_KINDS = ("cash", "card", "voucher")


def period_start(db: sqlite_utils.Database, store_id: str) -> str:
    """The end of the last Z; on a terminal rebuilt from HQ that has closed none, the latest of what it took back
    (the restore's period_from): those sales, trade-ins and vouchers were the dead terminal's, in its own Zs."""
    last = fetch_one(db, "SELECT period_end FROM z_reports WHERE store_id = ? ORDER BY number DESC LIMIT 1",
                     [store_id])
    if last:
        return last["period_end"]
    restore = fetch_one(db, "SELECT detail FROM fiscal_events WHERE code = 'restore' ORDER BY at DESC LIMIT 1")
    return json.loads(restore["detail"]).get("period_from") or "" if restore else ""


def _vat(db, sale_uuids: list[str], sign: int) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = {}
    lines = [line for uuid in sale_uuids for line in sales.sale_lines(db, uuid)]
    for row in till.vat_breakdown(lines):
        rows[row.rate_bp] = [sign * row.gross_minor, sign * row.net_minor, sign * row.vat_minor]
    return rows


def _margin(db, docs: list[dict]) -> dict[str, list[int]]:
    """Margin-scheme lines per VAT rate: [price paid, purchase price, margin, VAT on margin]; a return counts
    negative. Apart from "vat", which has the standard-rate lines only (CGI art. 297 A: VAT due on the margin)."""
    rows: dict[int, list[int]] = {}
    for kind, sign in (("sale", 1), ("return", -1)):
        lines = [line for d in docs if d["kind"] == kind for line in sales.sale_lines(db, d["uuid"])]
        for row in margin_breakdown(lines):
            base = rows.get(row.rate_bp, [0, 0, 0, 0])
            values = (row.gross_minor, row.purchase_minor, row.margin_minor, row.vat_minor)
            rows[row.rate_bp] = [b + sign * v for b, v in zip(base, values, strict=True)]
    return {str(rate): values for rate, values in sorted(rows.items())}


def _sales_tax(docs: list[dict]) -> dict[str, list[int]]:
    """Sales tax collected per rate (a US store; none where prices include VAT): [taxable sales, tax], returns
    counted negative, so the Z says what is owed for the period."""
    rows: dict[str, list[int]] = {}
    for doc in docs:
        if doc["tax_rate"]:
            row = rows.setdefault(doc["tax_rate"], [0, 0])
            row[0] += doc["total_minor"] - doc["tax_minor"]
            row[1] += doc["tax_minor"]
    return dict(sorted(rows.items()))


def figures(db: sqlite_utils.Database, store_id: str, end: str | None = None) -> dict:
    """Everything an X or Z report shows, for the period since the last Z up to `end` (now)."""
    start, end = period_start(db, store_id), end or utcnow()
    window = [store_id, start, end]
    docs = fetch_all(db, "SELECT uuid, kind, total_minor, tax_minor, tax_rate FROM sales WHERE store_id = ? AND "
                         "created_at > ? AND created_at <= ?", window)
    tenders = {kind: {"taken": 0, "refunded": 0} for kind in TENDER_KINDS}
    for row in fetch_all(db, "SELECT t.kind, sum(CASE WHEN t.amount_minor > 0 THEN t.amount_minor ELSE 0 END) AS "
                             "taken, sum(CASE WHEN t.amount_minor < 0 THEN -t.amount_minor ELSE 0 END) AS refunded "
                             "FROM tenders t JOIN sales s ON s.uuid = t.sale_uuid WHERE s.store_id = ? AND "
                             "s.created_at > ? AND s.created_at <= ? GROUP BY t.kind", window):
        tenders[row["kind"]] = {"taken": row["taken"], "refunded": row["refunded"]}
    vat = _vat(db, [d["uuid"] for d in docs if d["kind"] == "sale"], 1)
    for rate, (gross, net, tax) in _vat(db, [d["uuid"] for d in docs if d["kind"] == "return"], -1).items():
        base = vat.setdefault(rate, [0, 0, 0])
        vat[rate] = [base[0] + gross, base[1] + net, base[2] + tax]
    tradeins = fetch_one(db, "SELECT count(*) AS n, coalesce(sum(total_minor), 0) AS value FROM tradeins WHERE "
                             "store_id = ? AND accepted_at > ? AND accepted_at <= ? AND state <> 'cancelled'", window)
    issued = fetch_one(db, "SELECT count(*) AS n, coalesce(sum(issued_minor), 0) AS value FROM vouchers WHERE "
                           "store_id = ? AND issued_at > ? AND issued_at <= ? AND status = 'active'", window)
    first = fetch_one(db, "SELECT min(at) AS at FROM (SELECT created_at AS at FROM sales WHERE store_id = ? AND "
                          "created_at > ? AND created_at <= ? UNION ALL SELECT accepted_at FROM tradeins WHERE "
                          "store_id = ? AND accepted_at > ? AND accepted_at <= ?)", window + window)
    return {
        "period_start": start, "period_end": end, "period_first": first["at"] or "",
        "sales": sum(d["kind"] == "sale" for d in docs), "returns": sum(d["kind"] == "return" for d in docs),
        "sales_minor": sum(d["total_minor"] for d in docs if d["kind"] == "sale"),
        "returns_minor": -sum(d["total_minor"] for d in docs if d["kind"] == "return"),
        "tenders": tenders, "vat": {} if sales.store_tax(db, store_id).added else {
            str(rate): values for rate, values in sorted(vat.items())},
        "sales_tax": _sales_tax(docs),
        "margin": _margin(db, docs),
        "tradeins": tradeins["n"], "tradeins_minor": tradeins["value"],
        "vouchers_issued": issued["n"], "vouchers_issued_minor": issued["value"],
        "vouchers_redeemed_minor": tenders["voucher"]["taken"] - tenders["voucher"]["refunded"],
        "expected_cash_minor": tenders["cash"]["taken"] - tenders["cash"]["refunded"],
    }


def close_z(db: sqlite_utils.Database, actor: Actor, counted_cash_minor: int, comment: str = "") -> dict:
    """Number the period, keep its figures as printed, and send them to HQ; the next period starts now.
    A cash difference needs a comment (kept and printed): a missing or extra euro is explained, not hidden."""
    if not 0 <= counted_cash_minor <= 10**9:
        raise SaleError(N_("Type the cash counted in the drawer, e.g. 152,40."))
    comment = " ".join(printable(comment).split())[:200]
    with write_transaction(db):
        data = figures(db, actor.store_id)
        if register.kept_by(db, actor.store_id):  # the police register's head, anchored on paper and at HQ (France)
            data["register_head"] = register.head(db)
        if counted_cash_minor != data["expected_cash_minor"] and len(comment) < 5:
            raise SaleError(N_("The cash counted differs from the cash expected: say why (at least 5 characters) "
                               "before closing."))
        data["cash_comment"] = comment
        number = (db.execute("SELECT max(number) FROM z_reports").fetchone()[0] or 0) + 1
        # The day's closure (signed, chained): the period's and the perpetual grand totals per VAT bucket.
        day = closures.close(db, "day", f"Z-{number}", actor.terminal_id)["data"]
        data.update(perpetual=day["perpetual"], perpetual_minor=day["perpetual_minor"])
        row = {"number": number, "store_id": actor.store_id, "staff_id": actor.staff_id,
               "period_start": data["period_start"], "period_end": data["period_end"], "data": json.dumps(data),
               "counted_cash_minor": counted_cash_minor, "expected_cash_minor": data["expected_cash_minor"]}
        db["z_reports"].insert(row)
        entity = str(uuid.uuid5(uuid.NAMESPACE_URL, f"z-report/{actor.store_id}/{number}"))
        outbox.append(db, entity, protocol.Z_CLOSED, {**row, "data": data})
    return {**row, "data": data}


def get_z(db: sqlite_utils.Database, number: int) -> dict | None:
    row = fetch_one(db, "SELECT * FROM z_reports WHERE number = ?", [number])
    return {**row, "data": json.loads(row["data"])} if row else None


def closed_reports(db: sqlite_utils.Database, store_id: str, limit: int = 20) -> list[dict]:
    """The latest Z reports, newest first."""
    return fetch_all(db, "SELECT number, period_end, counted_cash_minor, expected_cash_minor FROM z_reports "
                         "WHERE store_id = ? ORDER BY number DESC LIMIT ?", [store_id, limit])
