"""How a seller is paid: store credit (a voucher, at once) or a bank transfer HQ makes later. Pure.

A transfer needs the seller's IBAN (ASCII letters and digits only, then python-stdnum: country format and mod-97
check digits), the account holder, and a BIC where the IBAN's country is a SEPA member outside the EEA. What a
pain.001 file can carry is data with its sources (core/data/sepa.toml): the kiosk's form and HQ opening a synced
payout run these same checks, so HQ's export never meets an account the terminal took and the bank file refuses.
The account is stored encrypted like the identity, travels to HQ sealed for HQ (`seal_for_hq`) and is printed as
its last four characters only.
"""

from __future__ import annotations

import base64
import json
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from stdnum import bic, iban
from stdnum.exceptions import ValidationError

from core.messages import N_, Message
from core.text import ASCII_UPPER_ALNUM, has_control, restricted

STORE_CREDIT, BANK_TRANSFER = "store_credit", "bank_transfer"
PAYOUT_METHODS = {STORE_CREDIT: N_("Store credit (voucher)"), BANK_TRANSFER: N_("Bank transfer")}
SEPA_RULES = tomllib.loads((Path(__file__).parent / "data" / "sepa.toml").read_text(encoding="utf-8"))
# SEPA countries whose payments need no BIC (IBAN-only: the EEA), and the SEPA members outside it that need one.
IBAN_ONLY = frozenset(SEPA_RULES["iban_only"]["countries"])
BIC_REQUIRED = frozenset(SEPA_RULES["bic_required"]["countries"])
_NAME = SEPA_RULES["holder_name"]
HOLDER_LIMIT = _NAME["max_length"]  # SEPA's name field
SEPA_NAME_CHARACTERS = frozenset(_NAME["allowed"])
_NAME_CONVERSIONS = str.maketrans(_NAME["convert"])


@dataclass(frozen=True)
class BankAccount:
    iban: str  # compact, upper case
    holder: str  # as typed (NFKC, one space between words); the bank file carries sepa_name(holder)
    bic: str = ""

    def masked(self) -> str:
        """What paper and screens show: the last four characters."""
        return "•••• " + self.iban[-4:]

    def as_json(self) -> dict:
        return asdict(self)


def sepa_name(text: str) -> str | None:
    """A holder's name as a pain.001 file carries it (EPC132-08's Latin set: "Zoé Lefèvre" -> "Zoe Lefevre",
    EPC217-08's conversions), or None when a character has no such form (an emoji, another script) or no letter
    is left."""
    converted = unicodedata.normalize("NFKD", text.translate(_NAME_CONVERSIONS))
    kept = "".join(ch for ch in converted if not unicodedata.combining(ch))
    kept = " ".join(kept.translate(_NAME_CONVERSIONS).split())
    if not any(ch.isascii() and ch.isalpha() for ch in kept) or any(ch not in SEPA_NAME_CHARACTERS for ch in kept):
        return None
    return kept


def _holder(raw: str, errors: dict[str, Message]) -> str:
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    carried = sepa_name(text)
    if has_control(raw):
        errors["account_holder"] = Message(N_("Remove the control characters from this field (they cannot be "
                                              "printed)."))
    elif not text:
        errors["account_holder"] = Message(N_("Required."))
    elif carried is None:
        errors["account_holder"] = Message(N_("A bank transfer carries the holder's name in Latin letters only "
                                              "(accents are fine; no emoji, symbol or other script): type it as "
                                              "the bank writes it on the account's details."))
    elif len(carried) > HOLDER_LIMIT:
        errors["account_holder"] = Message(N_("At most %(count)s characters."), count=HOLDER_LIMIT)
    return text


def _iban(raw: str, errors: dict[str, Message]) -> str:
    if not raw.strip():
        errors["iban"] = Message(N_("Required."))
        return ""
    text = restricted(raw, ASCII_UPPER_ALNUM, drop=" .", max_length=34)
    if text is None:  # an Arabic-Indic or full-width digit passes stdnum's mod-97, not the bank's file
        errors["iban"] = Message(N_("This IBAN is not valid: type only the letters A to Z and the digits 0 to 9, as "
                                    "on the bank's account details."))
        return ""
    try:
        account = iban.validate(text)
    except ValidationError:
        errors["iban"] = Message(N_("This IBAN is not valid: check each character (the check digits do not "
                                    "match)."))
        return ""
    if account[:2] not in IBAN_ONLY | BIC_REQUIRED:
        errors["iban"] = Message(N_("A SEPA transfer cannot reach an account in %(country)s: pay this seller in "
                                    "store credit."), country=account[:2])
        return ""
    return account


def _bic(raw: str, account: str, errors: dict[str, Message]) -> str:
    if not raw.strip():
        if account and account[:2] not in IBAN_ONLY:
            errors["bic"] = Message(N_("A BIC is needed for an account in this country."))
        return ""
    text = restricted(raw, ASCII_UPPER_ALNUM, drop=" ", max_length=11)
    try:
        return bic.validate(text or "")
    except ValidationError:
        errors["bic"] = Message(N_("This BIC is not valid (8 or 11 letters and digits)."))
        return ""


def parse_bank_account(form: Mapping[str, str], errors: dict[str, Message]) -> BankAccount | None:
    """The seller's account from the form, every problem noted in `errors` (field -> message)."""
    account = _iban(form.get("iban") or "", errors)
    holder = _holder(form.get("account_holder") or "", errors)
    code = _bic(form.get("bic") or "", account, errors)
    problems = {"iban", "account_holder", "bic"} & errors.keys()
    return BankAccount(account, holder, code) if account and holder and not problems else None


def _fernet_for_hq(store_secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tradein payout account v1").derive(
        store_secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal_for_hq(account: BankAccount, store_secret: str) -> str:
    """The account as the outbox carries it to HQ: encrypted under a key derived from the store's HMAC secret,
    which only the store and HQ hold, so no copy of the outbox (kept after sending) shows an IBAN."""
    return _fernet_for_hq(store_secret).encrypt(json.dumps(account.as_json()).encode()).decode()


def unseal(sealed: object, store_secret: str) -> object | None:
    """HQ's side: what a store sealed, as JSON (None when it cannot be read with this store's secret)."""
    if not isinstance(sealed, str) or len(sealed) > 4096:
        return None
    try:
        return json.loads(_fernet_for_hq(store_secret).decrypt(sealed.encode()))
    except (InvalidToken, ValueError):
        return None


def open_from_store(sealed: object, store_secret: str) -> BankAccount | None:
    """HQ's side: the account a store sealed, checked again with the same rules (None if unreadable or invalid)."""
    return account_from_json(unseal(sealed, store_secret))


def _read_stored(raw: object, errors: dict[str, Message]) -> BankAccount | None:
    if not isinstance(raw, dict):
        errors["iban"] = Message(N_("Required."))
        return None
    fields = {k: raw.get(k) if isinstance(raw.get(k), str) else "" for k in ("iban", "bic")}
    fields["account_holder"] = raw.get("holder") if isinstance(raw.get("holder"), str) else ""
    return parse_bank_account(fields, errors)


def account_problems(raw: object) -> dict[str, Message]:
    """Why an account as stored or synced cannot be paid (field -> message); empty when it can."""
    errors: dict[str, Message] = {}
    _read_stored(raw, errors)
    return errors


def account_from_json(raw: object) -> BankAccount | None:
    """An account as stored or synced, checked again (HQ runs this on what a store sends)."""
    errors: dict[str, Message] = {}
    account = _read_stored(raw, errors)
    return None if errors else account
