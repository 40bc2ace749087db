"""The till: scan to cart, quantities and discounts, split payment, receipts (drawer kick on cash),
returns against a receipt. Forms work without JavaScript; htmx swaps the cart in place."""

from __future__ import annotations

import decimal
from datetime import date

from flask import Blueprint, abort, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext

from core import returns_policy, till
from core.codes import classify
from core.jurisdiction import pack_for
from core.messages import N_
from core.sale_receipt import build_sale_receipt
from core.sales_tax import rate_text
from kiosk.auth import login_required
from kiosk.compliance import staff as staff_accounts
from kiosk.compliance.staff import StaffAuthError
from kiosk.formatting import current_store, local_datetime, money
from kiosk.hq_link import hq_client
from kiosk.i18n import translated
from kiosk.provisioning.terminal import terminal_name
from kiosk.request_locale import request_locale_tag
from kiosk.store.connection import get_db
from kiosk.till import journal, returns, sales, vouchers
from kiosk.translations import catalogue
from kiosk.web import current_actor, page_or_fragment, see_other, send_paper, small_int
from kiosk.web.aftersales import late_approval, method_choices, store_today
from kiosk.web.approvals import approval_context, approver_from_form, parse_amount
from kiosk.web.scan_routing import lead_elsewhere

bp = Blueprint("pos", __name__, url_prefix="/pos")
bp.before_request(login_required(lambda: None))
Refusal = (sales.SaleError, till.TillError, vouchers.VoucherError, StaffAuthError, ValueError)
# What each scan field of the till takes itself; any other code leads where /scan would take it (scan_routing).
PRODUCT_FIELD_TAKES = frozenset({"ean13", "upca", "imei", "imeisv", "unknown"})  # a product, a sold device's IMEI
VOUCHER_FIELD_TAKES = frozenset({"voucher", "unknown"})
RECEIPT_FIELD_TAKES = frozenset({"sale_receipt", "imei", "imeisv", "unknown"})  # a sale, here or at HQ


def amount_input(raw: str | None, blank: int | None = 0) -> int:
    """A money amount typed at the till ("12", "12,50") in minor units; blank gives `blank`."""
    text = (raw or "").strip()
    if not text and blank is not None:
        return blank
    try:
        minor = parse_amount(text[:20])
    except decimal.InvalidOperation:
        raise ValueError(gettext("Type an amount as a number, e.g. 12 or 12,50.")) from None
    if not 0 <= minor <= 10**9:
        raise ValueError(gettext("Type an amount as a number, e.g. 12 or 12,50."))
    return minor


def _cart_context(**extra) -> dict:
    lines = sales.cart(get_db(), current_actor().terminal_id)
    plain = [c.line for c in lines]
    due = sales.totals(get_db(), current_store()["id"], plain)  # New York: sales tax added to the subtotal
    tax = {"label": gettext(pack_for(current_store()).tax.label, rate=rate_text(due.rate, request_locale_tag())),
           "minor": due.tax_minor, "subtotal": due.subtotal_minor} if due.rate else None
    return {"lines": lines, "total": due.total_minor, "vat": () if due.rate else till.vat_breakdown(plain),
            "sales_tax": tax, "approval_above_bp": current_app.config["DISCOUNT_APPROVAL_ABOVE_BP"],
            **approval_context(), **extra}


def _cart_page(status: int = 200, error: str | None = None):
    return page_or_fragment("pos/pos.html", "pos/_cart.html", status, **_cart_context(error=error))


@bp.get("")
def index():
    return _cart_page()


@bp.post("/scan")
def scan():
    led = lead_elsewhere(classify(request.form.get("code", "")[:200]), PRODUCT_FIELD_TAKES,
                         lambda reason: _cart_page(422, reason))
    if led is not None:  # a voucher, a trade-in code...: where it belongs, and the page says so
        return led
    try:
        name = sales.scan(get_db(), current_actor().terminal_id, request.form.get("code", ""))
    except Refusal as err:
        return _cart_page(422, translated(err))
    return page_or_fragment("pos/pos.html", "pos/_cart.html", **_cart_context(added=name))


@bp.post("/lines/<int:line_no>")
def line(line_no: int):
    """One form per line: its quantity, or its removal."""
    db, terminal = get_db(), current_actor().terminal_id
    try:
        if request.form.get("action") == "remove":
            sales.remove_line(db, terminal, line_no)
        else:
            sales.set_quantity(db, terminal, line_no, small_int(request.form.get("quantity"), 1000) or 0)
    except Refusal as err:
        return _cart_page(422, translated(err))
    return _cart_page()


@bp.post("/discount")
def discount():
    try:
        _discount(small_int(request.form.get("line_no"), 1000) or 0)
    except Refusal as err:
        return _cart_page(422, translated(err))
    return _cart_page()


def _discount(line_no: int) -> None:
    found = next((c for c in sales.cart(get_db(), current_actor().terminal_id) if c.line_no == line_no), None)
    if found is None:
        raise sales.SaleError(N_("This line is no longer in the cart."))
    raw = request.form.get("discount", "").strip()
    if raw.endswith("%"):
        percent = amount_input(raw[:-1])  # "10 %" -> 1000 (basis points, as cents of a percent)
        discount = till.percent_discount(found.line.gross_minor, percent)
    else:
        discount = amount_input(raw)
    needs_manager = discount * till.BASIS_POINTS > found.line.gross_minor * current_app.config[
        "DISCOUNT_APPROVAL_ABOVE_BP"]
    approved_by = approver_from_form(gettext("a discount above the threshold")) if needs_manager else None
    sales.set_discount(get_db(), current_actor().terminal_id, line_no, discount, request.form.get("reason", ""),
                       approved_by)


def _pay_page(status: int | None = 200, error: str | None = None):
    """The payment form with everything typed kept (after a refusal too), and the voucher in it shown; a status of
    None: 422 when that voucher cannot pay."""
    context = _cart_context()
    voucher = _voucher_shown(request.values.get("voucher_code", ""), context["total"])
    status = status or (422 if voucher and voucher.get("refusal") else 200)
    return render_template("pos/pay.html", form=request.values, error=error, voucher=voucher, **context), status


def _voucher_shown(raw: str, total: int) -> dict | None:
    """The voucher typed or scanned into the payment form as the page shows it: its balance and what it pays of
    this sale, another store's (HQ checks it at the payment), or why it cannot pay. Reads, never writes."""
    code = raw.strip().upper()[:32]
    if not code or classify(code).kind not in VOUCHER_FIELD_TAKES:
        return None
    if vouchers.get(get_db(), code) is None and hq_client(current_app.config):
        return {"code": code, "elsewhere": True}
    try:
        found = vouchers.usable(get_db(), code, current_store()["id"], date.today())
    except vouchers.VoucherError as err:
        return {"code": code, "refusal": translated(err)}
    return {"code": found["code"], "balance_minor": found["balance_minor"], "expires_at": found["expires_at"],
            "pays_minor": min(found["balance_minor"], total)}


@bp.route("/pay", methods=["GET", "POST"])
def pay():
    if request.method == "GET":
        return _pay_page()
    led = lead_elsewhere(classify(request.form.get("voucher_code", "")[:64]), VOUCHER_FIELD_TAKES,
                         lambda reason: _pay_page(422, reason))
    if led is not None:  # a product or a trade-in code in the voucher field: where it belongs, said on the page
        return led
    if request.form.get("action") == "voucher":  # the voucher scanned in its field: shown, nothing is paid yet
        return _pay_page(None)
    try:
        sale = _checkout(get_db(), current_store())
    except Refusal as err:
        return _pay_page(422, translated(err) + " " + gettext("Nothing was recorded."))
    _print(sale, open_drawer=any(t.kind == "cash" for t in sales.sale_tenders(get_db(), sale["uuid"])))
    return see_other(url_for(".sale", key=sale["uuid"]))


def _checkout(db, store: dict) -> dict:
    """The payment form's tenders, checked and recorded as one sale (Refusal when they cannot be)."""
    total = sales.totals(db, store["id"], [c.line for c in sales.cart(db, current_actor().terminal_id)]).total_minor
    code = request.form.get("voucher_code", "").strip().upper()[:32]
    hq = hq_client(current_app.config)
    voucher_part = ()
    if code:
        # Another store's voucher is known to HQ only: it takes at most the total, HQ checks the balance.
        local = vouchers.get(db, code)
        balance = vouchers.usable(db, code, store["id"], date.today())["balance_minor"] if local or not hq \
            else total
        voucher_part = ((code, amount_input(request.form.get("voucher_amount"), min(balance, total))),)
    payment = sales.Payment(voucher_part, amount_input(request.form.get("card_amount")),
                            request.form.get("card_reference", "")[:40],
                            amount_input(request.form.get("cash_given")))
    return sales.checkout(db, current_actor(), store["currency"], payment, date.today(), hq)


def sale_receipt(sale: dict, duplicate: int | None = None):
    db, store = get_db(), current_store()
    terminal, clerk = terminal_name(db, sale["terminal_id"]), staff_accounts.name_of(db, sale["staff_id"])
    _ = catalogue(store["locale"]).gettext  # paper speaks the store's language
    return build_sale_receipt(store, terminal, clerk, local_datetime(sale["created_at"]), sale,
                              sales.sale_lines(db, sale["uuid"]), sales.sale_tenders(db, sale["uuid"]),
                              lambda minor: money(minor, sale["currency"]), _, duplicate)


def _print(sale: dict, open_drawer: bool = False, duplicate: int | None = None) -> None:
    """After the commit: the sale is kept whatever the printer does; the clerk is told and can reprint."""
    name = f"{sale['number']}-duplicate-{duplicate}" if duplicate else f"{sale['number']}-receipt"
    if reason := send_paper(sale_receipt(sale, duplicate), name, open_drawer):
        actor = current_actor()  # a printer fault goes in the technical event journal (JET)
        journal.record_now(get_db(), "printer_fault", actor.terminal_id, actor.staff_id, document=sale["number"],
                           reason=str(reason))
        flash(gettext("Sale %(number)s recorded, but the receipt did not print: %(reason)s Use Reprint.",
                      number=sale["number"], reason=reason), "error")
    else:
        flash(gettext("Sale %(number)s recorded and printed.", number=sale["number"]))


def _sale_or_404(key: str) -> dict:
    sale = sales.get_sale(get_db(), key[:64])
    if sale is None or sale["store_id"] != g.staff["store_id"]:
        abort(404)
    return sale


@bp.get("/sales/<key>")
def sale(key: str):
    found = _sale_or_404(key)
    return render_template("pos/sale.html", sale=found, receipt=sale_receipt(found))


@bp.post("/sales/<key>/reprint")
def reprint(key: str):
    found = _sale_or_404(key)
    actor = current_actor()  # every reprint is a JET event, numbered per ticket: DUPLICATA n° k
    _print(found, duplicate=journal.reprint(get_db(), actor.terminal_id, actor.staff_id, found["number"]))
    return see_other(url_for(".sale", key=found["uuid"]))


@bp.route("/returns", methods=["GET", "POST"])
def find_return():
    """Scan (or type) the receipt being brought back."""
    if request.method == "POST":
        led = lead_elsewhere(classify(request.form.get("receipt", "")[:64]), RECEIPT_FIELD_TAKES,
                             lambda reason: (render_template("pos/returns.html", error=reason), 422))
        if led is not None:  # a return receipt, a voucher, a trade-in code...: where it belongs, said on the page
            return led
        found = sales.get_sale(get_db(), request.form.get("receipt", "")[:64])
        if found and found["kind"] == "sale" and found["store_id"] == g.staff["store_id"]:
            return see_other(url_for(".take_back", key=found["uuid"]))
        # A device's IMEI, or another store's receipt: found here or at HQ (views/aftersales.py)
        key = "".join(request.form.get("receipt", "").split())[:32].upper()
        return see_other(url_for("aftersales.show", key=key)) if key else \
            (render_template("pos/returns.html", error=gettext("No sale of this store has this receipt number.")), 422)
    return render_template("pos/returns.html", error=None)


@bp.route("/sales/<key>/return", methods=["GET", "POST"])
def take_back(key: str):
    found = _sale_or_404(key)
    done = returns.returned_so_far(get_db(), found["uuid"])
    offered, checked = method_choices(returns.refundable_tenders(get_db(), found["uuid"]),
                                      returns_policy.POLICY.methods)
    context = {"sale": found, "lines": list(enumerate(sales.sale_lines(get_db(), found["uuid"]), start=1)),
               "done": done, "offered": offered, "checked": request.form.get("refund_method") or checked,
               "last_day": min(returns_policy.last_return_day(returns.sold_on(
                   get_db(), found["store_id"], found["created_at"]), returns.line_kind(line))
                   for line in sales.sale_lines(get_db(), found["uuid"])),
               "today": store_today(), "form": request.form, **approval_context()}
    if request.method == "GET":
        return render_template("pos/return.html", error=None, **context)
    quantities = {n: small_int(request.form.get(f"qty-{n}"), 99) or 0 for n, _ in context["lines"]}
    try:
        back = returns.record_return(get_db(), current_actor(), found["uuid"], quantities, store_today(),
                                     request.form.get("refund_method") or None, late_approval())
    except Refusal as err:
        return render_template("pos/return.html", error=translated(err), **context), 422
    _print(back, open_drawer=any(t.kind == "cash" for t in sales.sale_tenders(get_db(), back["uuid"])))
    return see_other(url_for(".sale", key=back["uuid"]))
