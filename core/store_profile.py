"""A store's profile as HQ keeps it and a terminal receives it at enrolment: legal identity (legal name, SIRET),
trading name, address, country, locale, currency, timezone and VAT regime. Pure.

`validate_profile` is the one check on both sides of the trust boundary: HQ runs it when staff create or edit a
store, the terminal runs it again on what the enrolment answer carries before it writes a single row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency
from stdnum.exceptions import ValidationError
from stdnum.fr import siret

from core.messages import N_, Message
from core.text import has_control

# Régime de la marge: a dealer in second-hand goods (CGI art. 297 A) pays VAT on its margin only.
VAT_REGIMES = {"margin": N_("Second-hand goods margin scheme (TVA sur la marge)"), "standard": N_("Standard VAT")}
FIELDS = ("legal_name", "trading_name", "siret", "address", "country", "locale", "currency", "timezone",
          "vat_regime")
TEXT_LIMITS = {"legal_name": 120, "trading_name": 80, "address": 300}


class ProfileInvalid(ValueError):
    """Field -> what is wrong, every field at once."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in errors.items()))
        self.errors = errors


def _text(raw: object) -> str:
    return " ".join(unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "").split())


def _check_texts(values: dict[str, str], raw: Mapping, errors: dict[str, str]) -> None:
    for field, limit in TEXT_LIMITS.items():
        if has_control(raw.get(field) if isinstance(raw.get(field), str) else ""):
            errors[field] = Message(N_("contains control characters"))
        elif not values[field]:
            errors[field] = Message(N_("is required"))
        elif len(values[field]) > limit:
            errors[field] = Message(N_("is longer than %(limit)s characters"), limit=limit)


def _check_siret(values: dict[str, str], errors: dict[str, str]) -> None:
    try:
        values["siret"] = siret.validate(values["siret"])
    except ValidationError:
        errors["siret"] = Message(N_("is not a valid SIRET (14 digits with a valid check digit)"))


def _check_locale(values: dict[str, str], errors: dict[str, str]) -> None:
    try:
        locale = Locale.parse(values["locale"].replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        errors["locale"] = Message(N_("is not a known locale (e.g. fr_FR)"))
        return
    values["locale"] = str(locale)
    if not locale.territory:
        errors["locale"] = Message(N_("must name a territory too (fr_FR, not fr)"))


def validate_profile(raw: Mapping) -> dict[str, str]:
    """The profile in canonical form (NFKC text, SIRET digits, upper-case codes), or ProfileInvalid."""
    values = {field: _text(raw.get(field)) for field in FIELDS}
    values["trading_name"] = values["trading_name"] or values["legal_name"]
    errors: dict[str, str] = {}
    _check_texts(values, raw, errors)
    _check_siret(values, errors)
    _check_locale(values, errors)
    values["country"], values["currency"] = values["country"].upper(), values["currency"].upper()
    if len(values["country"]) != 2 or values["country"] not in Locale("en").territories:
        errors["country"] = Message(N_("is not an ISO 3166 country code (e.g. FR)"))
    if not is_currency(values["currency"]):
        errors["currency"] = Message(N_("is not an ISO 4217 currency code (e.g. EUR)"))
    if values["timezone"] not in available_timezones():
        errors["timezone"] = Message(N_("is not a known time zone (e.g. Europe/Paris)"))
    if values["vat_regime"] not in VAT_REGIMES:
        errors["vat_regime"] = Message(N_("must be one of %(choices)s"), choices=", ".join(VAT_REGIMES))
    if errors:
        raise ProfileInvalid(errors)
    return values
