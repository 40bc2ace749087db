"""What an identity document's machine-readable zone fills in the seller form (issue 31, item 2). Pure.

hardware.mrz reads the zone and verifies every check digit; this maps what it read onto core.seller's FORM_FIELDS
for the clerk to confirm against the document. Names in a zone are written as ICAO 9303 part 3 §6 asks: upper case,
accents and other marks transliterated away (Élodie → ELODIE, Müller → MUELLER, Øvergård → OEVERGAARD), apostrophes
dropped (N'Diaye → NDIAYE), hyphens and spaces written `<` (given back here as spaces), and a long name cut at the
zone's width; so they go in as the zone has them and NAMES_NOTE asks the clerk to correct them from the printed
names. What the zone does not carry stays empty: the address and the date of issue. The issuer the zone names is the
issuing state, not the authority (a prefecture): the clerk may make it more precise.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from core.dates import write_date
from core.messages import N_

NAMES_NOTE = N_("Names read from the document's machine-readable zone carry no accents and long ones are cut short: "
                "correct them from the names printed on the document.")
# ICAO 9303 part 3 §5: the codes a zone may use that are not ISO 3166-1 alpha-3, as the ISO alpha-2 they stand for.
ICAO_CODES = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB", "RKS": "XK"}
# The issuing state as its own documents print it, where that is not the country's everyday name (French identity
# cards and passports print "RÉPUBLIQUE FRANÇAISE").
STATE_NAMES = {"FRA": {"fr": "République française", "en": "French Republic"}}
FALLBACK_LANGUAGE = "en"


class ZoneFields(Protocol):
    """What hardware.mrz.MrzRead carries (core imports no hardware)."""

    kind: str
    number: str
    surname: str
    given_names: str
    birth_date: date
    issuing_state: str


def issuer_name(code: str, locale: str) -> str:
    """The issuing state of an ICAO code in the store's language (Babel's country names), or the code itself when
    it names no country (UNO, XXA: the United Nations, a stateless person's travel document)."""
    try:
        language = Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        language = Locale.parse(FALLBACK_LANGUAGE)
    if names := STATE_NAMES.get(code):
        return names.get(language.language) or names[FALLBACK_LANGUAGE]
    aliases = get_global("territory_aliases").get(code) or []
    alpha2 = ICAO_CODES.get(code) or next(iter(aliases), None)
    return language.territories.get(alpha2, code) if alpha2 and alpha2 != "ZZ" else code  # ZZ: "unknown region"


def seller_fields(read: ZoneFields, locale: str = "fr_FR") -> dict[str, str]:
    """The seller form's fields (core.seller.FORM_FIELDS names) a zone fills, the birth date as the store's locale
    writes it (core.dates.write_date: what the form reads back); the address and date of issue left empty."""
    return {
        "id_doc_type": read.kind,
        "id_doc_number": read.number,
        "surname": read.surname,
        "first_names": read.given_names,
        "birth_date": write_date(read.birth_date, locale),
        "address": "",
        "id_doc_issuer": issuer_name(read.issuing_state, locale),
        "id_doc_issued_on": "",
    }
