"""Trade-in codes unique network-wide, and each trade-in its store's own: before a batch's records are stored,
HQ looks up who already holds the codes and trade-in uuids they name (hq_tradein_codes, hq_tradeins) and refuses,
record by record with the reason, a trade-in of another store or one carrying a code another trade-in holds.
The codes table itself is written by the projection (hq.services.projection), in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from core import protocol
from core.messages import Message
from core.protocol import rejection
from hq.services.projection import tradein_key

TRADEIN_KINDS = (protocol.TRADEIN_ACCEPTED, protocol.TRADEIN_DECLINED)


def _tradein_keys(records: list, max_payload: int) -> list[tuple[str, str]]:
    """(uuid, code) of the batch's trade-ins, read before the records stream so that one look-up tells which
    codes and trade-ins HQ holds already (their payloads are read again as they are stored)."""
    keys = []
    for record in records:
        if record.kind in TRADEIN_KINDS and len(record.payload) <= max_payload:
            try:
                payload = orjson.loads(record.payload)
            except orjson.JSONDecodeError:
                continue
            if isinstance(payload, dict) and (key := tradein_key(payload)):
                keys.append(key)
    return keys


def _photographed(records: list, max_payload: int) -> set[str]:
    """The trade-ins the batch's photo records name: a store's photo is of its own trade-in only."""
    named = set()
    for record in records:
        if record.kind == protocol.PHOTO_TAKEN and len(record.payload) <= max_payload:
            try:
                payload = orjson.loads(record.payload)
            except orjson.JSONDecodeError:
                continue
            if isinstance(payload, dict) and isinstance(payload.get("tradein_uuid"), str) \
                    and "\x00" not in payload["tradein_uuid"]:  # PostgreSQL text holds no NUL
                named.add(payload["tradein_uuid"][:64])
    return named


@dataclass
class Holders:
    """Who holds what a batch's trade-ins name: code -> trade-in uuid, trade-in uuid -> its store."""

    codes: dict[str, str]
    stores: dict[str, str]

    @classmethod
    def read(cls, tx, records: list, max_payload: int) -> Holders:
        keys, photographed = _tradein_keys(records, max_payload), _photographed(records, max_payload)
        if not keys and not photographed:
            return cls({}, {})
        codes = tx.rows_keyed("hq_tradein_codes", "code", sorted({code for _, code in keys}), "code, tradein_uuid")
        stores = tx.rows_keyed("hq_tradeins", "uuid", sorted({uuid for uuid, _ in keys} | photographed),
                               "uuid, store_id")
        return cls(dict(codes), dict(stores))

    def refusal(self, store_id: str, kind: str, payload: dict) -> Message | None:
        """Why this store's trade-in may not be stored: its uuid is another store's trade-in, or its code is
        held by another trade-in (at HQ, or earlier in this batch); a photo of another store's trade-in. None: it may,
        and its code is now held."""
        if kind == protocol.PHOTO_TAKEN:
            owner = self.stores.get(str(payload.get("tradein_uuid")))
            return rejection("other_stores_tradein") if owner not in (None, store_id) else None
        key = tradein_key(payload) if kind in TRADEIN_KINDS else None
        if key is None:
            return None
        tradein_uuid, code = key
        if self.stores.setdefault(tradein_uuid, store_id) != store_id:
            return rejection("other_stores_tradein")
        if self.codes.setdefault(code, tradein_uuid) != tradein_uuid:
            return rejection("code_taken", tradein_code=code[:40])
        return None
