"""Sale, return, X and Z receipts as the one Receipt model (core.receipts): the same data for paper and
screen. Pure: the caller passes the store's gettext and a money formatter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from babel.numbers import format_decimal

from core import jurisdiction, margin, till
from core.messages import N_
from core.receipts import Receipt, Row, business_ids, paper_time
from core.sales_tax import rate_text

WARRANTY_MONTHS = 12
TENDER_LABELS = {"cash": N_("Cash"), "card": N_("Card"), "voucher": N_("Voucher")}


def _rate(rate_bp: int, locale: str) -> str:
    return f"{format_decimal(rate_bp / 100, locale=locale)} %"


def _item_rows(lines: Sequence[till.Line], money: Callable[[int], str], _, language: str) -> tuple[Row, ...]:
    rows: list[Row] = []
    for line in lines:
        rows.append((f"{line.quantity} × {line.name}", money(line.gross_minor)))
        if line.discount_minor:
            rows.append((_("  Discount: %(reason)s") % {"reason": line.discount_reason}, money(-line.discount_minor)))
        if line.imei:
            rows.append(("  IMEI", line.imei))
        if line.margin_purchase_minor is not None:  # CGI art. 297 E: no VAT shown for it, the mention instead
            rows.append((f"  {margin.mention(language)}", ""))
    return tuple(rows)


def legal_identity(store: dict, _: Callable[[str], str] = str) -> tuple[str, ...]:
    """Who sells: the trading name, the company's legal name where it differs, its address and the identifiers its
    jurisdiction prints (SIRET; EIN and DCWP licence in New York City). A store not enrolled yet has none."""
    legal = store.get("legal_name") or ""
    return (store["name"], *((legal,) if legal and legal != store["name"] else ()), store["address"],
            *business_ids(store, _))


def _tender_rows(sale: dict, tenders: Sequence[till.Tender], money, _) -> tuple[Row, ...]:
    rows: list[Row] = [(_(TENDER_LABELS[t.kind]) + (f" {t.reference}" if t.reference else ""), money(t.amount_minor))
                       for t in tenders]
    if sale["change_minor"]:
        rows += [(_("Cash given"), money(sale["cash_given_minor"])), (_("Change"), money(sale["change_minor"]))]
    return tuple(rows)


def _tax_section(store: dict, sale: dict, lines: Sequence[till.Line], money: Callable[[int], str],
                 _) -> tuple[str, tuple[Row, ...]]:
    """VAT included per rate (France); or, where sales tax is added (New York City), the subtotal and the tax the
    sale's rate gave (core/sales_tax.py)."""
    if not sale.get("tax_rate"):
        return (_("VAT included"), tuple((_("VAT %(rate)s on %(net)s") % {
            "rate": _rate(r.rate_bp, store["locale"]), "net": money(r.net_minor)}, money(r.vat_minor))
            for r in till.vat_breakdown(lines)))
    label = _(jurisdiction.pack_for(store).tax.label or "Sales tax %(rate)s")
    return (_("Sales tax"), ((_("Subtotal"), money(abs(sale["total_minor"] - sale["tax_minor"]))),
                             (label % {"rate": rate_text(sale["tax_rate"], store["locale"])},
                              money(abs(sale["tax_minor"])))))


def _duplicate_title(title: str, duplicate: int | None, _) -> str:
    return _("DUPLICATE No. %(number)s: %(title)s") % {"number": duplicate, "title": title} if duplicate else title


def build_sale_receipt(store: dict, terminal: str, clerk: str, when: str, sale: dict, lines: Sequence[till.Line],
                       tenders: Sequence[till.Tender], money: Callable[[int], str],
                       _: Callable[[str], str] = str, duplicate: int | None = None) -> Receipt:
    """`duplicate`: a reprint's number k in the technical event journal, printed "DUPLICATA n° k" (BOI-TVA-DECLA-30-
    10-30 § 120: a reprint is journaled and numbered, so a duplicate cannot pass for a second sale)."""
    is_return = sale["kind"] == "return"
    warranty = tuple(_("Warranty %(months)s months from today: IMEI %(imei)s") % {"months": WARRANTY_MONTHS,
                                                                                     "imei": line.imei}
                     for line in lines if line.imei and not is_return)
    return Receipt(
        title=_duplicate_title(_("REFUND") if is_return else _("SALE RECEIPT"), duplicate, _),
        header=(*legal_identity(store, _), _("Terminal: %(name)s") % {"name": terminal},
                _("Clerk: %(name)s") % {"name": clerk}, when),
        code=sale["number"],
        sections=((_("Items returned") if is_return else _("Items"),
                   _item_rows(lines, money, _, store["locale"].split("_")[0])),
                  _tax_section(store, sale, lines, money, _),
                  (_("Refunded to") if is_return else _("Payment"), _tender_rows(sale, tenders, money, _))),
        totals=(),
        total=(_("TOTAL REFUNDED") if is_return else _("TOTAL"), money(abs(sale["total_minor"]))),
        barcode=sale["number"],
        footer=(*warranty, _("Returns within 14 days with this receipt, the item complete and in its original "
                             "condition; refunds go back to the means of payment used.")),
    )


def build_z_receipt(store: dict, z: dict, money: Callable[[int], str], _: Callable[[str], str] = str) -> Receipt:
    """The Z report: numbered, final, the cash counted against the cash expected (and why they differ)."""
    return build_report_receipt(store, z["data"], money, _, z["number"], z["counted_cash_minor"])


def build_report_receipt(store: dict, data: dict, money: Callable[[int], str], _: Callable[[str], str] = str,
                         number: int | None = None, counted: int | None = None) -> Receipt:
    """An X report (number None: figures so far, closes nothing) or a Z report, for the period from the previous
    Z (or the period's first sale or trade-in) to its end, in the store's time zone and locale."""
    expected = data["expected_cash_minor"]
    cash: tuple[Row, ...] = ((_("Expected"), money(expected)),)
    if counted is not None:
        cash += ((_("Counted"), money(counted)), (_("Difference"), money(counted - expected)))
    if data.get("cash_comment"):
        cash += ((_("Why"), data["cash_comment"]),)
    code = f"Z-{number:05d}" if number else "X"
    return Receipt(
        title=_("Z REPORT %(number)s") % {"number": number} if number else _("X REPORT (NOT A CLOSING)"),
        header=(store["name"], *_period(store, data, _)),
        code=code,
        sections=((_("Sales"), ((_("Sales"), f"{data['sales']} · {money(data['sales_minor'])}"),
                                (_("Returns"), f"{data['returns']} · {money(-data['returns_minor'])}"))),
                  (_("By tender"), _tender_totals(data, money, _)),
                  _report_tax_section(store, data, money, _),
                  *_margin_section(store, data, money, _),
                  (_("Trade-ins and vouchers"), _tradein_rows(data, money, _)),
                  (_("Cash"), cash)),
        totals=(),
        total=(_("NET SALES"), money(data["sales_minor"] - data["returns_minor"])),
        barcode=code,
        footer=(_("Final report: it cannot be changed.") if number else _("Figures so far: only a Z report closes "
                                                                              "the period."),
                *_register_line(data, _)),
    )


def _period(store: dict, data: dict, _: Callable[[str], str]) -> tuple[str, str]:
    start = data["period_start"] or data.get("period_first") or data["period_end"]
    return (_("From %(start)s") % {"start": local_time(start, store)},
            _("To %(end)s") % {"end": local_time(data["period_end"], store)})


def local_time(iso: str, store: dict) -> str:
    return paper_time(datetime.fromisoformat(iso), store["timezone"], store["locale"])


def _tender_totals(data: dict, money: Callable[[int], str], _) -> tuple[Row, ...]:
    return tuple((_(TENDER_LABELS[kind]), money(values["taken"] - values["refunded"]))
                 for kind, values in data["tenders"].items())


def _vat_rows(store: dict, data: dict, money: Callable[[int], str], _) -> tuple[Row, ...]:
    return tuple((_("VAT %(rate)s on %(net)s") % {"rate": _rate(int(rate), store["locale"]), "net": money(net)},
                  money(vat)) for rate, (_gross, net, vat) in data["vat"].items())


def _report_tax_section(store: dict, data: dict, money: Callable[[int], str], _) -> tuple[str, tuple[Row, ...]]:
    """VAT per rate (France), or the sales tax collected per rate where it is added at the till (New York City)."""
    tax = jurisdiction.pack_for(store).tax
    if not tax.added:
        return (_("VAT included"), _vat_rows(store, data, money, _))
    rows: tuple[Row, ...] = ()
    for rate, (taxable, collected) in (data.get("sales_tax") or {str(tax.rate): (0, 0)}).items():
        rows += ((_("Taxable sales"), money(taxable)),
                 (_(tax.label) % {"rate": rate_text(rate, store["locale"])}, money(collected)))
    return (_("Sales tax collected"), rows)


def _margin_section(store: dict, data: dict, money: Callable[[int], str], _) -> tuple[tuple[str, tuple[Row, ...]], ...]:
    """Second-hand goods sold under the margin scheme, per VAT rate: what they sold for, cost, the margin and the
    VAT due on it (CGI art. 297 A). A report without such sales has no such section."""
    rows: list[Row] = []
    for rate, (gross, purchase, made, vat) in data.get("margin", {}).items():
        rows += [(_("Sold under the margin scheme"), money(gross)), (_("Purchase price"), money(purchase)),
                 (_("Margin"), money(made)),
                 (_("VAT %(rate)s on the margin") % {"rate": _rate(int(rate), store["locale"])}, money(vat))]
    return ((_("Margin scheme (second-hand goods)"), tuple(rows)),) if rows else ()


def _tradein_rows(data: dict, money: Callable[[int], str], _) -> tuple[Row, ...]:
    return ((_("Trade-ins"), f"{data['tradeins']} · {money(data['tradeins_minor'])}"),
            (_("Vouchers issued"), f"{data['vouchers_issued']} · {money(data['vouchers_issued_minor'])}"),
            (_("Vouchers redeemed"), money(data["vouchers_redeemed_minor"])))


def _register_line(data: dict, _: Callable[[str], str]) -> tuple[str, ...]:
    """The police register's chain head at closing: a copy on paper, outside the terminal."""
    head = data.get("register_head")
    if not head:
        return ()
    return (_("Police register: entry %(seq)s, chain %(hash)s") % {"seq": head["seq"], "hash": head["hash"][:16]},)
