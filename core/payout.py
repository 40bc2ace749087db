"""How a seller is paid: store credit (a voucher, at once) or a bank transfer HQ makes later. Pure.

A transfer needs the seller's IBAN (checked with python-stdnum: country format and mod-97 check digits), the
account holder, and a BIC where the IBAN's country is outside the euro payments area's IBAN-only rule. The
account is stored encrypted like the identity, travels to HQ sealed for HQ (`seal_for_hq`) and is printed as
its last four characters only.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from stdnum import bic, iban
from stdnum.exceptions import ValidationError

from core.messages import N_, Message
from core.text import has_control

STORE_CREDIT, BANK_TRANSFER = "store_credit", "bank_transfer"
PAYOUT_METHODS = {STORE_CREDIT: N_("Store credit (voucher)"), BANK_TRANSFER: N_("Bank transfer")}
# SEPA countries whose payments need no BIC since 2016 (IBAN-only); others must give one.
IBAN_ONLY = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
                       "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
                       "MC", "SM", "CH", "GB", "VA", "AD", "GI"})
HOLDER_LIMIT = 70  # SEPA's name field


@dataclass(frozen=True)
class BankAccount:
    iban: str  # compact, upper case
    holder: str
    bic: str = ""

    def masked(self) -> str:
        """What paper and screens show: the last four characters."""
        return "•••• " + self.iban[-4:]

    def as_json(self) -> dict:
        return asdict(self)


def _holder(raw: str, errors: dict[str, Message]) -> str:
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    if has_control(raw):
        errors["account_holder"] = Message(N_("Remove the control characters from this field (they cannot be "
                                              "printed)."))
    elif not text:
        errors["account_holder"] = Message(N_("Required."))
    elif len(text) > HOLDER_LIMIT:
        errors["account_holder"] = Message(N_("At most %(count)s characters."), count=HOLDER_LIMIT)
    return text


def _iban(raw: str, errors: dict[str, Message]) -> str:
    try:
        return iban.validate(unicodedata.normalize("NFKC", raw))
    except ValidationError:
        errors["iban"] = Message(N_("This IBAN is not valid: check each character (the check digits do not "
                                    "match)."))
        return ""


def _bic(raw: str, account: str, errors: dict[str, Message]) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        if account and account[:2] not in IBAN_ONLY:
            errors["bic"] = Message(N_("A BIC is needed for an account in this country."))
        return ""
    try:
        return bic.validate(text)
    except ValidationError:
        errors["bic"] = Message(N_("This BIC is not valid (8 or 11 letters and digits)."))
        return ""


def parse_bank_account(form: Mapping[str, str], errors: dict[str, Message]) -> BankAccount | None:
    """The seller's account from the form, every problem noted in `errors` (field -> message)."""
    account = _iban(form.get("iban") or "", errors)
    holder = _holder(form.get("account_holder") or "", errors)
    code = _bic(form.get("bic") or "", account, errors)
    return BankAccount(account, holder, code) if account and holder and "bic" not in errors else None


def _fernet_for_hq(store_secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tradein payout account v1").derive(
        store_secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal_for_hq(account: BankAccount, store_secret: str) -> str:
    """The account as the outbox carries it to HQ: encrypted under a key derived from the store's HMAC secret,
    which only the store and HQ hold, so no copy of the outbox (kept after sending) shows an IBAN."""
    return _fernet_for_hq(store_secret).encrypt(json.dumps(account.as_json()).encode()).decode()


def open_from_store(sealed: object, store_secret: str) -> BankAccount | None:
    """HQ's side: the account a store sealed, checked again with the same rules (None if unreadable or invalid)."""
    if not isinstance(sealed, str) or len(sealed) > 4096:
        return None
    try:
        raw = json.loads(_fernet_for_hq(store_secret).decrypt(sealed.encode()))
    except (InvalidToken, ValueError):
        return None
    return account_from_json(raw)


def account_from_json(raw: object) -> BankAccount | None:
    """An account as stored or synced, checked again (HQ runs this on what a store sends)."""
    if not isinstance(raw, dict):
        return None
    errors: dict[str, Message] = {}
    fields = {k: raw.get(k) if isinstance(raw.get(k), str) else "" for k in ("iban", "account_holder", "bic")}
    fields["account_holder"] = raw.get("holder") if isinstance(raw.get("holder"), str) else ""
    account = parse_bank_account(fields, errors)
    return None if errors else account
