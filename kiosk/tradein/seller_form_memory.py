"""A seller form left by Back keeps what was typed: sealed with the terminal's data key (it is the seller's
identity), one per trade-in, gone when the trade-in is accepted, discarded or expires (tradeins.move_to)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from core.clock import utcnow
from core.seller import typed_form
from kiosk.compliance.crypto import DataCipher
from kiosk.store.db import fetch_one, write_transaction


def keep(db, cipher: DataCipher, tradein_uuid: str, form: Mapping[str, str]) -> None:
    sealed = cipher.encrypt(json.dumps(typed_form(form), ensure_ascii=False))
    with write_transaction(db):
        db.execute("INSERT INTO seller_drafts (tradein_uuid, sealed, saved_at) VALUES (?, ?, ?) ON CONFLICT "
                   "(tradein_uuid) DO UPDATE SET sealed = excluded.sealed, saved_at = excluded.saved_at",
                   [tradein_uuid, sealed, utcnow()])


def typed(db, cipher: DataCipher, tradein_uuid: str) -> dict[str, str]:
    """What was typed last time, or nothing."""
    row = fetch_one(db, "SELECT sealed FROM seller_drafts WHERE tradein_uuid = ?", [tradein_uuid])
    return typed_form(json.loads(cipher.decrypt(row["sealed"]) or "{}")) if row else {}
