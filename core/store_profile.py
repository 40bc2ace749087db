"""A store's profile as HQ keeps it and a terminal receives it at enrolment: its jurisdiction pack
(core.jurisdiction: `fr`, `us-ny-nyc`), legal identity (legal name and the pack's business identifiers: SIRET in
France; EIN and NYC DCWP licence in New York City), trading name, address, country, locale, currency, timezone and
VAT regime. Pure. Country, currency, locale, time zone and regime left blank take the pack's; country and currency
must be the pack's (a New York store never trades in euros), the regime one the pack's tax model has.

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

from core import jurisdiction
from core.messages import N_, Message
from core.text import has_control

# Régime de la marge: a dealer in second-hand goods (CGI art. 297 A) pays VAT on its margin only.
VAT_REGIMES = {"margin": N_("Second-hand goods margin scheme (TVA sur la marge)"), "standard": N_("Standard VAT"),
               "sales_tax": N_("No VAT: sales tax added at the till")}
FIELDS = ("legal_name", "trading_name", "siret", "address", "country", "locale", "currency", "timezone",
          "vat_regime", "jurisdiction", "ein", "dealer_licence")
# What each identifier's checker says when a number is not one (core.jurisdiction.VALIDATORS).
ID_ERRORS = {"fr.siret": N_("is not a valid SIRET (14 digits with a valid check digit)"),
             "us.ein": N_("is not a valid EIN (9 digits, e.g. 12-3456789)"),
             "nyc.dcwp": N_("is not a DCWP licence number (7 digits, e.g. 2087654-DCA)")}
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


def _check_business_ids(pack: jurisdiction.Pack, values: dict[str, str], errors: dict[str, str]) -> None:
    """The pack's identifiers, each in its canonical form; another pack's left blank (a SIRET names no New York
    store)."""
    wanted = {rule.field: rule for rule in pack.business_ids}
    for field in jurisdiction.BUSINESS_ID_FIELDS:
        if field not in wanted:
            if values[field]:
                errors[field] = Message(N_("is not used by stores of this jurisdiction: leave it blank"))
            continue
        try:
            values[field] = wanted[field].canonical(values[field])
        except ValidationError:
            errors[field] = Message(ID_ERRORS[wanted[field].validator])


def _pack(values: dict[str, str], errors: dict[str, str]) -> jurisdiction.Pack:
    """The profile's pack (France when blank), and its market and regime where the profile leaves them blank."""
    values["jurisdiction"] = values["jurisdiction"].lower() or jurisdiction.DEFAULT
    if values["jurisdiction"] not in jurisdiction.PACKS:
        errors["jurisdiction"] = Message(N_("must be one of %(choices)s"), choices=", ".join(jurisdiction.PACKS))
        return jurisdiction.pack(jurisdiction.DEFAULT)
    pack = jurisdiction.pack(values["jurisdiction"])
    defaults = {"country": pack.country, "locale": pack.locale, "currency": pack.currency,
                "timezone": pack.timezone, "vat_regime": pack.tax.regimes[0]}
    values.update({name: value for name, value in defaults.items() if not values[name]})
    return pack


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
    pack = _pack(values, errors)
    _check_texts(values, raw, errors)
    _check_business_ids(pack, values, errors)
    _check_locale(values, errors)
    values["country"], values["currency"] = values["country"].upper(), values["currency"].upper()
    if len(values["country"]) != 2 or values["country"] not in Locale("en").territories:
        errors["country"] = Message(N_("is not an ISO 3166 country code (e.g. FR)"))
    elif values["country"] != pack.country:
        errors["country"] = Message(N_("must be %(value)s for this jurisdiction"), value=pack.country)
    if not is_currency(values["currency"]):
        errors["currency"] = Message(N_("is not an ISO 4217 currency code (e.g. EUR)"))
    elif values["currency"] != pack.currency:
        errors["currency"] = Message(N_("must be %(value)s for this jurisdiction"), value=pack.currency)
    if values["timezone"] not in available_timezones():
        errors["timezone"] = Message(N_("is not a known time zone (e.g. Europe/Paris)"))
    if values["vat_regime"] not in pack.tax.regimes:
        errors["vat_regime"] = Message(N_("must be one of %(choices)s"), choices=", ".join(pack.tax.regimes))
    if errors:
        raise ProfileInvalid(errors)
    return values
