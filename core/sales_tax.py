"""Sales tax added at the till, where prices exclude it (New York City: core/data/jurisdictions/us-ny-nyc.toml, its
[tax] section says each rule's source). Pure: no Flask, no SQL. Money is integer minor units (cents).

Stated once:
- the tax is computed once per receipt, on its taxable total (its lines after their discounts), a fraction of half a
  cent or more being a full cent (20 NYCRR 530.1(a)): $29.99 at 8.875 % is $2.66, the customer pays $32.65;
- a store-credit voucher is a means of payment: it pays the total with its tax and never lowers the taxable amount
  (NY Tax Law § 1101(b)(3): credit the vendor allows stays in the receipt; our trade-in is a separate purchase);
- a return refunds the part of the sale's tax its lines carry, counted on everything returned so far, so that
  returning every line refunds the sale's tax exactly and never more;
- where prices include VAT (France) there is no added tax: the totals are the lines' and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_percent

from core import till
from core.jurisdiction import Tax


@dataclass(frozen=True)
class SaleTotals:
    subtotal_minor: int  # the lines after their discounts
    tax_minor: int  # sales tax added (0 where prices include VAT)
    rate: str  # the rate in percent as the pack says it ("8.875"), "" where no tax is added

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.tax_minor


def sale_totals(lines: Iterable[till.Line], tax: Tax) -> SaleTotals:
    subtotal = till.cart_total(lines)
    return SaleTotals(subtotal, tax.on(subtotal), str(tax.rate) if tax.added else "")


def refund_share(sale_tax_minor: int, sale_subtotal_minor: int, refunded_before_minor: int,
                 refunding_minor: int) -> int:
    """The tax refunded with `refunding_minor` of lines, after `refunded_before_minor` was returned already."""
    if not sale_tax_minor or not sale_subtotal_minor:
        return 0
    share = lambda refunded: till.round_half_up(sale_tax_minor * refunded, sale_subtotal_minor)  # noqa: E731
    return share(refunded_before_minor + refunding_minor) - share(refunded_before_minor)


def rate_text(rate: str | Decimal, locale: str) -> str:
    """A rate in percent as the reader writes it: 8.875% in the US, 8,875 % in French."""
    return format_percent(Decimal(str(rate)) / 100, locale=locale, decimal_quantization=False)
