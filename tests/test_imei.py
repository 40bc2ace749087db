"""core.imei alone: examples and properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from core.imei import IdentifierError, parse_imei, parse_serial

digits = st.text(alphabet="0123456789", min_size=14, max_size=14)


def with_check_digit(body: str) -> str:
    return body + luhn.calc_check_digit(body)


@given(digits)
def test_every_luhn_valid_15_digit_number_is_accepted(body):
    imei = parse_imei(with_check_digit(body))
    assert imei.number == with_check_digit(body) and imei.tac == body[:8]


@given(digits, st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_always_refused(body, shift):
    wrong = body + str((int(luhn.calc_check_digit(body)) + shift) % 10)
    with pytest.raises(IdentifierError, match="check digit"):
        parse_imei(wrong)


@given(digits, st.lists(st.sampled_from([" ", "-", ".", "/"]), min_size=0, max_size=6), st.randoms())
def test_separators_and_labels_do_not_matter(body, separators, rnd):
    number = list(with_check_digit(body))
    for sep in separators:
        number.insert(rnd.randrange(1, len(number)), sep)
    assert parse_imei("IMEI: " + "".join(number)).number == with_check_digit(body)


@given(digits, st.text(alphabet="0123456789", min_size=2, max_size=2))
def test_imeisv_reduces_to_its_imei(body, software_version):
    imei = parse_imei(body + software_version)
    assert imei.number == with_check_digit(body) and imei.from_imeisv


@given(st.text(alphabet="0123456789", min_size=1, max_size=14))
def test_too_short_says_how_many_digits(number):
    with pytest.raises(IdentifierError, match=f"Too short: {len(number)} digits"):
        parse_imei(number)


@given(st.text(min_size=1, max_size=40).filter(lambda t: any(c.isalpha() for c in t)))
def test_letters_are_named(text):
    with pytest.raises(IdentifierError):
        parse_imei(text)


def test_messages_name_the_problem():
    with pytest.raises(IdentifierError, match="Too long: 17 digits"):
        parse_imei("4" * 17)
    with pytest.raises(IdentifierError, match="contains “O”"):
        parse_imei("49O154203237518")


def test_serials():
    assert parse_serial("S/N: e2-4k 7731 aa") == "E24K7731AA"
    with pytest.raises(IdentifierError, match="at least 5"):
        parse_serial("AB1")
    with pytest.raises(IdentifierError, match="letters and digits only"):
        parse_serial("ABC#12345")


@given(st.text(max_size=40))
def test_any_text_gets_an_imei_or_a_clerk_message(text):
    try:
        assert len(parse_imei(text).number) == 15
    except IdentifierError as err:
        assert str(err)  # never another exception type: no 500 behind the form
