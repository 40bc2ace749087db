"""The pure domain modules alone: grading, pricing, state machine, seller form, money."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.grading import AnswerError, Grade, load_spec, seller_age_gate
from core.grading import grade as grade_answers
from core.money import format_money
from core.pricing import Device, PriceGrid, PricingError, Promo, functional_band, quote
from core.seller import SellerErrors, parse_seller
from core.states import TRANSITIONS, IllegalTransition, check_cancel, check_transition
from testing.samples import ADULT_SELLER, PERFECT_PHONE

SPEC = load_spec()
TODAY = date(2026, 11, 23)
PHONE = Device(7, "phone", "Samsung", "Galaxy S24", 256)
GRID = PriceGrid("G-1", "EUR", date(2026, 11, 1), date(2026, 12, 31), {
    (7, 256, cosmetic, band): value
    for cosmetic, values in {"A": (30000, 18000, 4000), "B": (25000, 15000, 3000),
                             "C": (20000, 12000, 2000), "D": (10000, 6000, 0)}.items()
    for band, value in zip(("F1", "F2", "F3"), values, strict=True)
})


def test_perfect_phone_is_a_9():
    assert grade_answers(PERFECT_PHONE, SPEC, "phone") == Grade("A", 9, (), ())


def test_cosmetic_and_functional_are_kept_apart():
    result = grade_answers({**PERFECT_PHONE, "screen": "cracked", "battery_health": "75"}, SPEC, "phone")
    assert (result.cosmetic, result.functional) == ("D", 6)


def test_gates_carry_their_reason_and_missing_answers_are_listed():
    result = grade_answers({**PERFECT_PHONE, "activation_lock": "on"}, SPEC, "phone")
    assert not result.eligible and "Activation lock" in result.gates[0]
    partial = grade_answers({"powers_on": "yes"}, SPEC, "phone")
    assert not partial.complete and "screen" in partial.missing


def test_consoles_get_their_own_questions():
    ids = [q.id for q in SPEC.questions_for("console")]
    assert "controllers" in ids and "battery_health" not in ids and "activation_lock" not in ids


@given(st.integers(min_value=0, max_value=100))
def test_every_battery_percentage_has_a_band(percent):
    result = grade_answers({**PERFECT_PHONE, "battery_health": str(percent)}, SPEC, "phone")
    assert 5 <= result.functional <= 9
    assert (result.functional == 9) == (percent >= 85)


@pytest.mark.parametrize("value", ["-1", "101", "ninety", "", "85.5", "²", "٣٣", "0100"])
def test_bad_percentages_are_refused(value):
    with pytest.raises(AnswerError, match="0 to 100"):
        SPEC.question("battery_health").effect_of(value)


@pytest.mark.parametrize("functional, band", [(9, "F1"), (8, "F1"), (7, "F2"), (5, "F2"), (4, "F3"), (0, "F3")])
def test_functional_bands(functional, band):
    assert functional_band(functional) == band


def test_quote_base_and_promo_listed_apart():
    promo = Promo("P1", "Samsung bonus", 2000, date(2026, 11, 1), date(2026, 11, 30), brand="Samsung")
    expired = Promo("P0", "Old bonus", 5000, date(2026, 1, 1), date(2026, 2, 1))
    offer = quote(PHONE, Grade("B", 7, (), ()), GRID, [promo, expired], TODAY)
    assert (offer.base_minor, offer.bonuses, offer.total_minor) == (15000, (("Samsung bonus", 2000),), 17000)
    assert offer.grid_version == "G-1" and offer.valid_until == TODAY + timedelta(days=7)


def test_no_bonus_on_a_zero_value_device():
    promo = Promo("P1", "Bonus", 2000, date(2026, 11, 1), date(2026, 11, 30))
    offer = quote(PHONE, Grade("D", 0, (), ()), GRID, [promo], TODAY)
    assert offer.total_minor == 0 and offer.bonuses == ()


def test_gated_quote_is_not_eligible_with_reasons():
    offer = quote(PHONE, Grade("A", 9, ("locked",), ()), GRID, [], TODAY)
    assert not offer.eligible and offer.reasons == ("locked",) and offer.total_minor == 0


def test_expired_grid_and_missing_price_are_errors_not_zero():
    with pytest.raises(PricingError, match="sync with HQ"):
        quote(PHONE, Grade("A", 9, (), ()), GRID, [], date(2027, 1, 1))
    with pytest.raises(PricingError, match="no price"):
        quote(Device(7, "phone", "Samsung", "Galaxy S24", 512), Grade("A", 9, (), ()), GRID, [], TODAY)


def test_quote_validity_never_outlives_the_grid():
    offer = quote(PHONE, Grade("A", 9, (), ()), GRID, [], date(2026, 12, 29))
    assert offer.valid_until == date(2026, 12, 31)


def test_state_machine_refuses_illegal_moves_with_words():
    check_transition("quoted", "accepted")
    with pytest.raises(IllegalTransition, match="“Declined” cannot become “Accepted”"):
        check_transition("declined", "accepted")
    with pytest.raises(IllegalTransition):
        check_transition("shipped", "cancelled")
    assert all(target in TRANSITIONS for targets in TRANSITIONS.values() for target in targets)


def test_cancel_window():
    accepted = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    check_cancel("printed", accepted, accepted + timedelta(hours=23), timedelta(hours=24))
    with pytest.raises(IllegalTransition, match="24 h cancel window has passed"):
        check_cancel("printed", accepted, accepted + timedelta(hours=25), timedelta(hours=24))


def test_age_gate_on_the_18th_birthday():
    assert seller_age_gate(date(2008, 11, 23), TODAY) == ""
    assert "18 or older" in seller_age_gate(date(2008, 11, 24), TODAY)
    assert "future" in seller_age_gate(date(2030, 1, 1), TODAY)


def test_seller_form_collects_all_errors_at_once():
    with pytest.raises(SellerErrors) as caught:
        parse_seller({"birth_date": "2010-01-01", "id_doc_issued_on": "2030-01-01"}, TODAY)
    errors = caught.value.errors
    assert {"surname", "address", "id_doc_type", "payout_method"} <= errors.keys()
    assert "18 or older" in errors["birth_date"] and "future" in errors["id_doc_issued_on"]
    seller = parse_seller({**ADULT_SELLER, "surname": "  Dupont   de  Rivière "}, TODAY)
    assert seller.surname == "Dupont de Rivière" and seller.birth_date == date(1990, 4, 12)


def test_dates_are_read_as_the_stores_locale_writes_them_with_a_four_digit_year():
    """Issue 17, item 4: a French clerk types 03/02/2021 for 3 February, never the browser's month-first."""
    seller = parse_seller({**ADULT_SELLER, "birth_date": "12/04/1990", "id_doc_issued_on": "03.02.2021"}, TODAY)
    assert seller.birth_date == date(1990, 4, 12) and seller.id_doc_issued_on == date(2021, 2, 3)
    for wrong in ("31/02/1990", "12/04/90", "1990", "12-04"):  # no such day; a two-digit year; not a date
        with pytest.raises(SellerErrors) as caught:
            parse_seller({**ADULT_SELLER, "birth_date": wrong}, TODAY, "fr_FR")
        assert "e.g. 25/12/1990" in caught.value.errors["birth_date"]


@given(st.integers(min_value=0, max_value=10**9))
def test_money_never_goes_through_float(minor):
    text = format_money(minor, "EUR", "en_US")
    assert text.replace("€", "").replace(",", "").replace(".", "") == str(minor).rjust(3, "0")
