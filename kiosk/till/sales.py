"""The point of sale: a cart per terminal (kept in the database, so a power cut loses nothing), and the
checkout that writes the sale, its lines, its tenders, the vouchers it spends and its outbox record in
one transaction. The arithmetic is core.till's; this module only reads and writes."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from core import jurisdiction, protocol, sales_tax, till
from core.clock import utcnow
from core.codes import SALE, classify
from core.device_names import display_name
from core.messages import N_, UserError
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.till import closures, vouchers
from sync import outbox
from sync.client import HQRefused, HQUnavailable


class SaleError(UserError):
    """A scan or a sale the till refuses; the message says what to do."""


@dataclass(frozen=True)
class CartLine:
    line_no: int
    line: till.Line
    kind: str  # device | accessory
    approved_by: str | None


def product(db: sqlite_utils.Database, ean: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM products WHERE ean = ?", [ean])


# A line is under the margin scheme when its product is and the store is registered for it (a store under the
# standard regime pays VAT on the whole price). Its purchase price: the trade-in's total when the IMEI was bought
# at this store and the device never left it; otherwise the price HQ's products file gives.
CART_LINES = """
SELECT c.*, p.name, p.kind, p.price_minor, p.vat_bp,
       CASE WHEN p.vat_scheme = 'margin' AND s.vat_regime = 'margin' THEN coalesce(
           (SELECT t.total_minor FROM tradeins t WHERE t.store_id = s.id AND (t.imei = c.imei OR t.imei2 = c.imei)
            AND t.state IN ('accepted', 'printed', 'bagged') ORDER BY t.accepted_at DESC LIMIT 1),
           p.purchase_minor) END AS margin_purchase_minor
FROM cart_lines c JOIN products p ON p.ean = c.ean JOIN terminals tm ON tm.id = c.terminal_id
JOIN stores s ON s.id = tm.store_id WHERE c.terminal_id = ? ORDER BY c.line_no"""


def store_tax(db: sqlite_utils.Database, store_id: str) -> jurisdiction.Tax:
    """The tax model of the store's jurisdiction: VAT included in the prices (France), or sales tax added at the
    till (New York City, core/sales_tax.py)."""
    return jurisdiction.pack_for(fetch_one(db, "SELECT jurisdiction FROM stores WHERE id = ?", [store_id])).tax


def totals(db: sqlite_utils.Database, store_id: str, lines: list[till.Line]) -> sales_tax.SaleTotals:
    """What the lines come to in this store: subtotal, the sales tax added (0 in France) and the total to pay."""
    return sales_tax.sale_totals(lines, store_tax(db, store_id))


def cart(db: sqlite_utils.Database, terminal_id: str) -> list[CartLine]:
    rows = fetch_all(db, CART_LINES, [terminal_id])
    return [CartLine(r["line_no"], till.Line(r["ean"], r["name"], r["quantity"], r["price_minor"], r["vat_bp"],
                                             r["discount_minor"], r["discount_reason"], r["imei"],
                                             r["margin_purchase_minor"]),
                     r["kind"], r["discount_approved_by"]) for r in rows]


def _line(db, terminal_id: str, line_no: int) -> CartLine:
    found = next((c for c in cart(db, terminal_id) if c.line_no == line_no), None)
    if found is None:
        raise SaleError(N_("This line is no longer in the cart."))
    return found


def _check_warranty_imei(db: sqlite_utils.Database, imei: str, item: dict | None) -> None:
    """The IMEI must be the device on the line: when both its TAC and the product name a catalog model, they agree
    (a TAC the catalog does not know, or a product without a model, is taken as scanned)."""
    device = fetch_one(db, "SELECT d.brand, d.model FROM devices d JOIN device_tacs t ON t.device_id = d.id "
                           "WHERE t.tac = ?", [imei[:8]])
    if device is None or not item or not item["model"]:
        return
    if (device["brand"].casefold(), device["model"].casefold()) != (item["brand"].casefold(),
                                                                   item["model"].casefold()):
        raise SaleError(N_("This IMEI belongs to the model %(device)s, not to “%(product)s”: scan the IMEI of the "
                           "device being sold."), device=display_name(device["brand"], device["model"]),
                        product=item["name"])


def scan(db: sqlite_utils.Database, terminal_id: str, code: str) -> str:
    """A barcode read at the till: a product joins the cart (or one more of it); an IMEI goes to the
    device line waiting for one. Returns the product's name."""
    scanned = classify(code[:64])
    with write_transaction(db):
        lines = cart(db, terminal_id)
        if scanned.kind in ("imei", "imeisv"):
            waiting = next((c for c in lines if c.kind == "device" and not c.line.imei), None)
            if waiting is None:
                raise SaleError(N_("An IMEI was scanned but no device in the cart is waiting for one."))
            _check_warranty_imei(db, scanned.value, product(db, waiting.line.ean))
            db.execute("UPDATE cart_lines SET imei = ? WHERE terminal_id = ? AND line_no = ?",
                       [scanned.value, terminal_id, waiting.line_no])
            return waiting.line.name
        if scanned.kind not in ("ean13", "upca"):
            raise SaleError(N_("“%(code)s” is not a product barcode."), code=code[:40])
        item = product(db, scanned.value)
        if item is None:
            raise SaleError(N_("No product has the barcode %(code)s: check the catalogue is up to date."),
                            code=scanned.value)
        same = next((c for c in lines if c.line.ean == item["ean"] and c.kind == "accessory"), None)
        if same and same.line.quantity < till.MAX_QUANTITY:
            db.execute("UPDATE cart_lines SET quantity = quantity + 1 WHERE terminal_id = ? AND line_no = ?",
                       [terminal_id, same.line_no])
        else:
            db.execute("INSERT INTO cart_lines (terminal_id, line_no, ean, quantity) VALUES (?, ?, ?, 1)",
                       [terminal_id, max((c.line_no for c in lines), default=0) + 1, item["ean"]])
    return item["name"]


def set_quantity(db: sqlite_utils.Database, terminal_id: str, line_no: int, quantity: int) -> None:
    with write_transaction(db):
        changed = till.with_quantity(_line(db, terminal_id, line_no).line, quantity)
        db.execute("UPDATE cart_lines SET quantity = ?, discount_minor = ? WHERE terminal_id = ? AND line_no = ?",
                   [changed.quantity, changed.discount_minor, terminal_id, line_no])


def set_discount(db: sqlite_utils.Database, terminal_id: str, line_no: int, discount_minor: int, reason: str,
                 approved_by: str | None) -> None:
    with write_transaction(db):
        changed = till.with_discount(_line(db, terminal_id, line_no).line, discount_minor, reason)
        db.execute("UPDATE cart_lines SET discount_minor = ?, discount_reason = ?, discount_approved_by = ? "
                   "WHERE terminal_id = ? AND line_no = ?",
                   [changed.discount_minor, changed.discount_reason, approved_by, terminal_id, line_no])


def remove_line(db: sqlite_utils.Database, terminal_id: str, line_no: int) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM cart_lines WHERE terminal_id = ? AND line_no = ?", [terminal_id, line_no])


@dataclass(frozen=True)
class Payment:
    vouchers: tuple[tuple[str, int], ...] = ()
    card_minor: int = 0
    card_reference: str = ""
    cash_given_minor: int = 0


def checkout(db: sqlite_utils.Database, actor: Actor, currency: str, payment: Payment, today: date,
             hq=None) -> dict:
    """The sale, whole or not at all: lines, tenders, vouchers spent, outbox record; the cart emptied.
    With `hq` (an HQClient), every voucher is first redeemed at HQ, so no store can spend it twice."""
    sale_uuid = str(uuid.uuid4())
    taken = redeem_at_hq(db, hq, payment.vouchers, sale_uuid)
    try:
        return _record_sale(db, actor, currency, payment, today, sale_uuid, set(taken))
    except BaseException:
        for code in taken:  # HQ took an amount for a sale that is not saved: give it back
            with contextlib.suppress(HQUnavailable, HQRefused):
                hq.release_voucher(code, sale_uuid)
        raise


def redeem_at_hq(db, hq, voucher_tenders, sale_uuid: str) -> list[str]:
    """Codes HQ took for this sale. Offline, a voucher of this store is still spent here (HQ applies it
    when the sale syncs); another store's voucher needs HQ."""
    taken: list[str] = []
    for code, amount in voucher_tenders if hq else ():
        try:
            if hq.redeem_voucher(code, sale_uuid, amount) is None and vouchers.get(db, code) is None:
                raise HQRefused(f"unknown voucher {code}")
            taken.append(code)  # known to HQ and taken; or ours and not synced yet: then ours decides
        except (HQRefused, HQUnavailable) as err:
            for done in taken:
                with contextlib.suppress(HQUnavailable, HQRefused):
                    hq.release_voucher(done, sale_uuid)
            if isinstance(err, HQRefused):
                raise vouchers.VoucherError(N_("HQ refused voucher %(code)s: %(reason)s"), code=code,
                                            reason=str(err)) from None
            if vouchers.get(db, code) is None:
                raise vouchers.VoucherError(N_("Voucher %(code)s is from another store and HQ cannot be reached: "
                                               "it can only be spent online."), code=code) from None
            return []  # offline: the local balance decides, as for any offline sale
    return taken


def _record_sale(db, actor: Actor, currency: str, payment: Payment, today: date, sale_uuid: str,
                 taken_at_hq: set[str]) -> dict:
    with write_transaction(db):
        in_cart = cart(db, actor.terminal_id)
        lines = [c.line for c in in_cart]
        if not lines:
            raise SaleError(N_("The cart is empty: scan a product first."))
        if missing := next((c.line for c in in_cart if c.kind == "device" and not c.line.imei), None):
            raise SaleError(N_("Scan the IMEI of the %(name)s before payment (it goes on the warranty)."),
                            name=missing.name)
        due = totals(db, actor.store_id, lines)  # a voucher pays the total with its tax (core/sales_tax.py)
        settlement = till.settle(due.total_minor, payment.vouchers, payment.card_minor, payment.card_reference,
                                 payment.cash_given_minor)
        sale = {"uuid": sale_uuid, "number": SALE.mint(), "store_id": actor.store_id,
                "terminal_id": actor.terminal_id, "staff_id": actor.staff_id, "kind": "sale", "original_uuid": None,
                "total_minor": due.total_minor, "currency": currency, "cash_given_minor": settlement.cash_given_minor,
                "change_minor": settlement.change_minor, "created_at": utcnow(), "tax_minor": due.tax_minor,
                "tax_rate": due.rate}
        db["sales"].insert(sale)
        for tender in settlement.tenders:
            if tender.kind == "voucher" and (vouchers.get(db, tender.reference) or tender.reference not in taken_at_hq):
                # Our own voucher (kept in step with HQ), or one HQ did not take: the local rules decide.
                vouchers.spend(db, tender.reference, tender.amount_minor, actor.store_id, today)
        write_lines_and_tenders(db, sale["uuid"], [(line, None) for line in lines], settlement.tenders)
        closures.seal_ticket(db, sale, lines)  # signed and chained (CGI art. 286 I-3° bis) in the same transaction
        db.execute("DELETE FROM cart_lines WHERE terminal_id = ?", [actor.terminal_id])
        outbox.append(db, sale["uuid"], protocol.SALE_COMPLETED, sale_payload(db, sale["uuid"]))
    return sale


def write_lines_and_tenders(db, sale_uuid: str, lines: list[tuple[till.Line, int | None]],
                            tenders: tuple[till.Tender, ...]) -> None:
    db["sale_lines"].insert_all(
        {"sale_uuid": sale_uuid, "line_no": n, "ean": line.ean, "name": line.name, "quantity": line.quantity,
         "unit_minor": line.unit_minor, "discount_minor": line.discount_minor, "discount_reason": line.discount_reason,
         "vat_bp": line.vat_bp, "imei": line.imei, "margin_purchase_minor": line.margin_purchase_minor,
         "original_line_no": original}
        for n, (line, original) in enumerate(lines, start=1))
    db["tenders"].insert_all({"sale_uuid": sale_uuid, "line_no": n, "kind": t.kind, "amount_minor": t.amount_minor,
                              "reference": t.reference} for n, t in enumerate(tenders, start=1))


def get_sale(db: sqlite_utils.Database, key: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM sales WHERE uuid = ? OR number = ?", [key, key.strip().upper()])


def sale_lines(db: sqlite_utils.Database, sale_uuid: str) -> list[till.Line]:
    return [till.Line(r["ean"], r["name"], r["quantity"], r["unit_minor"], r["vat_bp"], r["discount_minor"],
                      r["discount_reason"], r["imei"], r["margin_purchase_minor"])
            for r in fetch_all(db, "SELECT * FROM sale_lines WHERE sale_uuid = ? ORDER BY line_no", [sale_uuid])]


def sale_tenders(db: sqlite_utils.Database, sale_uuid: str) -> list[till.Tender]:
    return [till.Tender(r["kind"], r["amount_minor"], r["reference"])
            for r in fetch_all(db, "SELECT * FROM tenders WHERE sale_uuid = ? ORDER BY line_no", [sale_uuid])]


def sale_payload(db, sale_uuid: str) -> dict:
    """What HQ gets: the sale, its lines and tenders (a card's terminal reference only, never card data)."""
    sale = get_sale(db, sale_uuid)
    return {**sale, "lines": fetch_all(db, "SELECT * FROM sale_lines WHERE sale_uuid = ? ORDER BY line_no",
                                       [sale_uuid]),
            "tenders": fetch_all(db, "SELECT kind, amount_minor, reference FROM tenders WHERE sale_uuid = ? "
                                     "ORDER BY line_no", [sale_uuid])}
