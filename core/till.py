"""Till arithmetic: cart lines, discounts, VAT per rate, tenders and change, refunds to the original
tenders. Pure: no Flask, no SQL. Money is integer minor units (cents) throughout.

Rounding rules (stated once, tested):
- Prices include VAT (French retail). A percentage discount on a line is rounded half up to the cent.
- VAT is computed per rate on the sum of that rate's lines, not line by line:
  vat = round_half_up(gross * rate / (1 + rate)); net = gross - vat; so net + vat == gross exactly.
- No cash rounding: 1 and 2 cent coins are legal tender in France; change is exact.
- A refund split over several original tenders is proportional, remainders to the largest shares, and
  never more than a tender paid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from core.messages import N_, Amount, UserError

BASIS_POINTS = 10_000  # 2000 bp = 20 %
MAX_QUANTITY = 99


class TillError(UserError):
    """A cart or a payment the till cannot take; the message says what to change."""


@dataclass(frozen=True)
class Line:
    ean: str
    name: str
    quantity: int
    unit_minor: int
    vat_bp: int
    discount_minor: int = 0
    discount_reason: str = ""
    imei: str | None = None  # a refurbished device is sold with its IMEI (warranty)
    # Set only for second-hand goods sold under the margin scheme (core.margin): the unit purchase price, VAT
    # included. Such a line has no VAT row of its own; its VAT is due on the margin.
    margin_purchase_minor: int | None = None

    @property
    def gross_minor(self) -> int:
        return self.quantity * self.unit_minor

    @property
    def total_minor(self) -> int:
        return self.gross_minor - self.discount_minor


@dataclass(frozen=True)
class VatRow:
    rate_bp: int
    gross_minor: int  # VAT included
    net_minor: int
    vat_minor: int


@dataclass(frozen=True)
class Tender:
    kind: str  # cash | card | voucher
    amount_minor: int  # what this tender pays of the total (cash: net of change)
    reference: str = ""  # card terminal reference or voucher code; never card data


@dataclass(frozen=True)
class Settlement:
    tenders: tuple[Tender, ...]
    cash_given_minor: int
    change_minor: int


def round_half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_discount(gross_minor: int, percent_bp: int) -> int:
    return round_half_up(gross_minor * percent_bp, BASIS_POINTS)


def with_quantity(line: Line, quantity: int) -> Line:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise TillError(N_("A quantity is a whole number from 1 to %(most)s."), most=MAX_QUANTITY)
    if line.imei and quantity != 1:
        raise TillError(N_("A device with an IMEI is sold one at a time."))
    return replace(line, quantity=quantity, discount_minor=min(line.discount_minor, quantity * line.unit_minor))


def with_discount(line: Line, discount_minor: int, reason: str) -> Line:
    reason = " ".join(reason.split())
    if not 0 <= discount_minor <= line.gross_minor:
        raise TillError(N_("A discount is between 0 and the line's price."))
    if discount_minor and not 3 <= len(reason) <= 120:
        raise TillError(N_("Give the reason for the discount (3 to 120 characters)."))
    return replace(line, discount_minor=discount_minor, discount_reason=reason if discount_minor else "")


def cart_total(lines: Iterable[Line]) -> int:
    return sum(line.total_minor for line in lines)


def vat_breakdown(lines: Iterable[Line]) -> tuple[VatRow, ...]:
    """Standard-rate lines per rate; margin-scheme lines are left out (core.margin.margin_breakdown has them)."""
    by_rate: dict[int, int] = {}
    for line in lines:
        if line.margin_purchase_minor is not None:
            continue
        by_rate[line.vat_bp] = by_rate.get(line.vat_bp, 0) + line.total_minor
    rows = []
    for rate, gross in sorted(by_rate.items()):
        vat = round_half_up(gross * rate, BASIS_POINTS + rate)
        rows.append(VatRow(rate, gross, gross - vat, vat))
    return tuple(rows)


def settle(total_minor: int, vouchers: Sequence[tuple[str, int]], card_minor: int, card_reference: str,
           cash_given_minor: int) -> Settlement:
    """Vouchers first, then the card, then cash (which alone may exceed what is left: change)."""
    left, tenders = total_minor, []
    for code, amount in vouchers:
        if not 0 < amount <= left:
            raise TillError(N_("Voucher %(code)s: use an amount above zero and at most %(left)s."), code=code,
                            left=Amount(left))
        tenders.append(Tender("voucher", amount, code))
        left -= amount
    if card_minor:
        if not 0 < card_minor <= left:
            raise TillError(N_("The card cannot pay more than what is left to pay."))
        if not 4 <= len(card_reference.strip()) <= 40:
            raise TillError(N_("Type the card terminal's transaction reference (4 to 40 characters)."))
        tenders.append(Tender("card", card_minor, card_reference.strip()))
        left -= card_minor
    if cash_given_minor < left:
        raise TillError(N_("%(missing)s is still to pay."), missing=Amount(left - cash_given_minor))
    if left == 0 and cash_given_minor:
        raise TillError(N_("Nothing is left to pay in cash: remove the cash amount."))
    if left:
        tenders.append(Tender("cash", left))
    return Settlement(tuple(tenders), cash_given_minor, cash_given_minor - left)


def allocate_refund(refund_minor: int, available: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Split a refund over the original tenders (key, still refundable), proportionally, exactly."""
    pool = sum(amount for _, amount in available)
    if not 0 <= refund_minor <= pool:
        raise TillError(N_("The refund is more than what was paid and not yet refunded."))
    if refund_minor == 0:
        return []
    shares = [(key, amount, refund_minor * amount // pool, refund_minor * amount % pool) for key, amount in available]
    left = refund_minor - sum(share for _, _, share, _ in shares)
    order = sorted(range(len(shares)), key=lambda i: (-shares[i][3], -shares[i][1], i))
    extra = {i: 1 for i in order if shares[i][2] < shares[i][1]}
    for i in list(extra)[left:]:
        del extra[i]
    return [(key, share + extra.get(i, 0)) for i, (key, _, share, _) in enumerate(shares) if share + extra.get(i, 0)]
