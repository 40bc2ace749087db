"""Model names as the catalogue spells them (the maker's English: "iPhone SE (3rd generation)") and as a reader
sees them: the generation in the reader's language (« iPhone SE (3e génération) », as Apple France writes it).
Pure: the caller hands its gettext."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from core.messages import N_

GENERATION = re.compile(r"\((\d{1,2})(?:st|nd|rd|th) generation\)", re.IGNORECASE)
ORDINALS = {1: N_("(1st generation)"), 2: N_("(2nd generation)"), 3: N_("(3rd generation)")}
ANY_ORDINAL = N_("(%(number)sth generation)")


def localised_model(name: str, gettext: Callable[..., str]) -> str:
    """The name with its "(Nth generation)" said in the reader's language; any other name unchanged."""
    def said(match: re.Match) -> str:
        number = int(match.group(1))
        return gettext(ORDINALS[number]) if number in ORDINALS else gettext(ANY_ORDINAL, number=number)

    return GENERATION.sub(said, name or "")


def display_name(brand: str, model: str) -> str:
    """Brand and model, the brand said once: "Apple iPhone 12", but "OnePlus 13" and "Apple Watch Series 10"
    (the catalog's model name already starts with the brand)."""
    if model.casefold().startswith(brand.casefold() + " ") or model.casefold() == brand.casefold():
        return model
    return f"{brand} {model}".strip()


def shown_name(brand: str, model: str, names: Mapping[str, str] | None, language: str,
               gettext: Callable[..., str]) -> str:
    """What a reader of `language` sees: the catalog's own model name in that language when HQ gives one
    (« iPad Air 11 pouces (M3) »), else the maker's with its generation said in the reader's language; the
    brand said once either way."""
    if names and names.get(language):
        return display_name(brand, names[language])
    return localised_model(display_name(brand, model), gettext)
