"""Seller identity form: validation and the minimal data the police register needs. Pure.

Never an image of the ID document, never biometrics: only its type, number, issuer and date.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from core import jurisdiction, markets
from core.dates import date_example, read_date
from core.grading import seller_age_gate
from core.messages import N_, Message
from core.payout import BANK_TRANSFER, PAYOUT_METHODS, BankAccount, parse_bank_account
from core.text import canonical_id_number, has_control

# Every document any jurisdiction pack accepts, key -> label: a register, an export or a receipt names any of them.
# A store's form offers, and parse_seller accepts, its own pack's only (core/data/jurisdictions: France's ID card,
# passport, residence permit, driving licence; New York's state driver's license, state ID, passport, green card).
ID_DOCUMENT_TYPES = jurisdiction.ALL_DOCUMENTS
MAX_TEXT = {"surname": 80, "first_names": 120, "address": 300, "id_doc_number": 40, "id_doc_issuer": 120}
# Every field of the seller form, in the form's order (the first field in error takes the focus), and the most
# a field can hold (what a form left by Back keeps). The document comes first: its number finds a returning seller.
FORM_FIELDS = ("id_doc_type", "id_doc_number", "surname", "first_names", "birth_date", "address", "id_doc_issuer",
               "id_doc_issued_on", "identifier_altered", "payout_method", "iban", "account_holder", "bic")
# identifier_altered: New York City's dealer record asks it at the accept (core.dealer_record), kept on Back too.
_OTHER_LIMITS = {"birth_date": 32, "id_doc_type": 32, "id_doc_issued_on": 32, "payout_method": 32, "iban": 42,
                 "account_holder": 70, "bic": 11, "identifier_altered": 8}
FORM_LIMITS = {name: MAX_TEXT.get(name) or _OTHER_LIMITS[name] for name in FORM_FIELDS}


def typed_form(form: Mapping[str, str]) -> dict[str, str]:
    """The seller form as typed, bounded and without control characters: kept to be shown again, never trusted
    (parse_seller checks it when the form is sent)."""
    return {name: "".join(ch for ch in str(form.get(name) or "")[:limit] if ch.isprintable())
            for name, limit in FORM_LIMITS.items()}


class SellerErrors(ValueError):
    """Field name -> message (kiosk.messages.Message), shown next to each field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Seller:
    surname: str
    first_names: str
    birth_date: date
    address: str
    id_doc_type: str
    id_doc_number: str
    id_doc_issuer: str
    id_doc_issued_on: date
    payout_method: str
    bank: BankAccount | None = None  # a bank transfer's account, None for store credit


def _date(form: Mapping[str, str], name: str, errors: dict[str, str], locale: str) -> date | None:
    """A date as the store's locale writes it (a four-digit year: no guessing the century of a birth), or ISO."""
    raw = (form.get(name) or "").strip()
    if not raw:
        errors[name] = Message(N_("Required."))
        return None
    if (found := read_date(raw, locale)) is None:
        errors[name] = Message(N_("Enter the date as day, month and year, e.g. %(example)s."),
                               example=date_example(locale))
    return found


def _texts(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, str]:
    """Each text field in NFKC with its spaces folded; the ID number in its one canonical form
    (core.text.canonical_id_number), so that the same document is the same seller however it was typed."""
    texts = {}
    for name, limit in MAX_TEXT.items():
        raw = unicodedata.normalize("NFKC", form.get(name) or "")
        value = " ".join(raw.split())
        if has_control(raw):
            errors[name] = Message(N_("Remove the control characters from this field (they cannot be printed)."))
        elif not value:
            errors[name] = Message(N_("Required."))
        elif name == "id_doc_number":
            value = _id_number(raw, limit, errors)
        elif len(value) > limit:
            errors[name] = Message(N_("At most %(count)s characters."), count=limit)
        texts[name] = value
    return texts


def _id_number(raw: str, limit: int, errors: dict[str, str]) -> str:
    """The document number as printed on it: a look-alike character (Cyrillic "А", a Hangul filler, a variation
    selector) would make the same document a new seller, past the daily limit, so it is refused, not dropped."""
    value = canonical_id_number(raw)
    if value is None and len(raw) <= 4 * limit:
        errors["id_doc_number"] = Message(N_("Type the number with only the letters A to Z and the digits printed "
                                             "on the document (spaces and dashes do not matter)."))
    elif value is None or len(value) > limit:
        errors["id_doc_number"] = Message(N_("At most %(count)s characters."), count=limit)
    return value or ""


def parse_seller(form: Mapping[str, str], today: date, locale: str = "fr_FR",
                 pack: jurisdiction.Pack | None = None) -> Seller:
    """Validate every field at once, so the clerk sees all problems in one go; dates as `locale` writes them; the
    document types and minimum age of the store's jurisdiction `pack` (France's when None)."""
    pack = pack or jurisdiction.pack(jurisdiction.DEFAULT)
    errors: dict[str, str] = {}
    texts = _texts(form, errors)
    birth = _date(form, "birth_date", errors, locale)
    issued = _date(form, "id_doc_issued_on", errors, locale)
    if birth and (reason := seller_age_gate(birth, today, pack.min_age)):
        errors["birth_date"] = reason
    if issued and issued > today:
        errors["id_doc_issued_on"] = Message(N_("The date of issue cannot be in the future."))
    doc_type, payout = form.get("id_doc_type", ""), form.get("payout_method", "")
    if doc_type not in pack.documents:
        errors["id_doc_type"] = Message(N_("Choose the type of ID document."))
    if payout not in PAYOUT_METHODS:
        errors["payout_method"] = Message(N_("Choose how the seller is paid."))
    elif payout not in markets.payout_methods(pack.currency):  # a SEPA transfer carries euros only
        errors["payout_method"] = markets.payout_note(pack.currency)
    bank = parse_bank_account(form, errors) if payout == BANK_TRANSFER else None
    if errors:
        raise SellerErrors(errors)
    return Seller(
        texts["surname"], texts["first_names"], birth, texts["address"], doc_type,
        texts["id_doc_number"], texts["id_doc_issuer"], issued, payout, bank,
    )


def masked_document(number: str) -> str:
    """An ID document number as paper shows it: every character but the last four hidden."""
    return "*" * max(len(number) - 4, 4) + number[-4:]
