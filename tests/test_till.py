"""Till arithmetic (core.till), property-tested: totals, VAT per rate, tenders, change and refund splits
are never off by a cent, and the stated rounding rules hold."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import till

RATES = st.sampled_from([0, 210, 550, 1000, 2000])
lines = st.lists(st.builds(
    lambda q, unit, rate, disc: till.Line("3761234500014", "x", q, unit, rate, min(disc, q * unit)),
    st.integers(1, 99), st.integers(0, 500_000), RATES, st.integers(0, 50_000)), min_size=1, max_size=12)


@given(lines)
def test_the_cart_total_is_the_sum_of_line_totals_and_vat_rows_add_up_exactly(cart):
    rows = till.vat_breakdown(cart)
    assert till.cart_total(cart) == sum(line.gross_minor - line.discount_minor for line in cart)
    assert sum(row.gross_minor for row in rows) == till.cart_total(cart)
    for row in rows:
        assert row.net_minor + row.vat_minor == row.gross_minor
        exact = Decimal(row.gross_minor) * row.rate_bp / (till.BASIS_POINTS + row.rate_bp)
        assert row.vat_minor == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))  # half up, per rate


@given(st.integers(1, 10**7), st.integers(0, 10**7), st.integers(0, 10**7), st.integers(0, 2 * 10**7))
def test_tenders_pay_the_total_exactly_and_change_is_what_cash_exceeds(total, voucher, card, cash):
    voucher, card = min(voucher, total), min(card, total - min(voucher, total))
    vouchers = (("V-AAAA-BBBB-CCCC", voucher),) if voucher else ()
    try:
        settled = till.settle(total, vouchers, card, "AUTH1234", cash)
    except till.TillError:
        assert cash < total - voucher - card or (cash and total == voucher + card)
        return
    assert sum(t.amount_minor for t in settled.tenders) == total
    assert settled.change_minor == cash - (total - voucher - card) >= 0
    assert all(t.amount_minor > 0 for t in settled.tenders)


def test_settle_refuses_overpaying_by_card_or_voucher_and_card_data():
    with pytest.raises(till.TillError):
        till.settle(1000, (("V-1", 1500),), 0, "", 0)
    with pytest.raises(till.TillError):
        till.settle(1000, (), 1200, "AUTH1234", 0)
    with pytest.raises(till.TillError):
        till.settle(1000, (), 1000, "12", 0)  # a reference is required, and only a reference
    assert till.settle(1000, (), 0, "", 2000).change_minor == 1000


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=4), st.data())
def test_a_refund_split_is_exact_proportional_and_never_above_a_tender(paid, data):
    available = [(f"t{i}", amount) for i, amount in enumerate(paid)]
    refund = data.draw(st.integers(0, sum(paid)))
    split = dict(till.allocate_refund(refund, available))
    assert sum(split.values()) == refund
    for key, amount in available:
        assert 0 <= split.get(key, 0) <= amount
        assert abs(split.get(key, 0) - refund * amount / sum(paid)) < 1  # within a cent of its exact share


@given(st.integers(1, 99), st.integers(1, 100_000), st.integers(0, 10_000))
def test_percent_discounts_round_half_up_and_never_exceed_the_line(quantity, unit, percent_bp):
    line = till.Line("3761234500014", "x", quantity, unit, 2000)
    discount = till.percent_discount(line.gross_minor, percent_bp)
    assert 0 <= discount <= line.gross_minor
    exact = Decimal(line.gross_minor) * percent_bp / till.BASIS_POINTS
    assert discount == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert till.with_discount(line, discount, "loyalty" if discount else "").total_minor == line.gross_minor - discount


def test_quantity_and_discount_rules_are_enforced_with_words():
    phone = till.Line("3761234500052", "iPhone", 1, 37900, 2000, imei="356938035643809")
    with pytest.raises(till.TillError, match="one at a time"):
        till.with_quantity(phone, 2)
    with pytest.raises(till.TillError, match="reason"):
        till.with_discount(phone, 1000, "")
    with pytest.raises(till.TillError, match="between 0"):
        till.with_discount(phone, 40000, "too much")
