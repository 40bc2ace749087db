"""A returning seller: the ID document's number finds the identity the seller gave at their last trade-in at this
store, so the clerk checks it against the document instead of copying it again.

Nothing leaves the terminal: the trade-in keeps the identity sealed with the terminal's data key and a keyed
pseudonym of the document (privacy.reference_for); the look-up computes that pseudonym for each document type and
opens the newest identity found. An erased or purged identity (privacy) is gone, and so is its look-up. Each
look-up that finds someone is in the audit log: it shows personal data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from core.dates import write_date
from core.payout import BANK_TRANSFER
from core.seller import ID_DOCUMENT_TYPES
from kiosk.compliance import audit, privacy
from kiosk.compliance.crypto import DataCipher
from kiosk.store.db import fetch_one, write_transaction


@dataclass(frozen=True)
class ReturningSeller:
    fields: dict[str, str]  # the seller form's fields, written as the form takes them
    last_tradein_at: str  # when their last trade-in here was accepted (UTC, ISO)


def references(cipher: DataCipher, doc_type: str, number: str) -> list[str]:
    """The pseudonyms this number would have as each document type, the typed type first (a clerk may pick the
    wrong type; the number is what identifies the document). Raises privacy.NotADocumentNumber."""
    types = [doc_type] if doc_type in ID_DOCUMENT_TYPES else []
    types += [t for t in ID_DOCUMENT_TYPES if t != doc_type]
    return [privacy.reference_for(cipher, t, number) for t in types]


def find(db, cipher: DataCipher, doc_type: str, number: str, locale: str, staff_id: str,
         tradein_uuid: str) -> ReturningSeller | None:
    refs = references(cipher, doc_type, number)
    row = fetch_one(db, f"SELECT uuid, seller_identity, payout_method, payout_account, accepted_at FROM tradeins "
                        f"WHERE seller_ref IN ({', '.join('?' for _ in refs)}) AND seller_identity IS NOT NULL "
                        f"ORDER BY accepted_at DESC LIMIT 1", refs)
    if row is None:
        return None
    with write_transaction(db):
        audit.record(db, "returning_seller_shown", staff_id=staff_id, tradein_uuid=tradein_uuid,
                     from_tradein=row["uuid"])
    return ReturningSeller(_form_fields(cipher, row, locale), row["accepted_at"])


def _form_fields(cipher: DataCipher, row: dict, locale: str) -> dict[str, str]:
    identity = json.loads(cipher.decrypt(row["seller_identity"]) or "{}")
    fields = {name: str(identity.get(name) or "") for name in
              ("surname", "first_names", "address", "id_doc_type", "id_doc_number", "id_doc_issuer")}
    for name in ("birth_date", "id_doc_issued_on"):
        fields[name] = write_date(date.fromisoformat(identity[name]), locale) if identity.get(name) else ""
    if row["payout_method"] == BANK_TRANSFER and row["payout_account"]:
        account = json.loads(cipher.decrypt(row["payout_account"]) or "{}")
        fields.update(payout_method=BANK_TRANSFER, iban=account.get("iban", ""),
                      account_holder=account.get("holder", ""), bic=account.get("bic", ""))
    return fields

