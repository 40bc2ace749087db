"""Why a store's record can never be stored at HQ, checked before ingest stores anything (hq.services.ingest): a
record id that is no UUID, an unknown kind, an oversized or NUL-carrying payload, JSON that is not an object, a sale
uuid not in its one spelling, a code not written as codes are minted, an erasure naming no trade-ins, a photo's record
naming no trade-in, kind or file, a payout account
that core.payout (the terminal's own checks) refuses. Each answer is a rejection the store sees, never a 500."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import orjson

from core import protocol
from core.codes import TRADEIN, VOUCHER
from core.messages import Message
from core.payout import account_from_json, unseal
from core.protocol import rejection
from hq.services.photos import well_formed

MAX_PAYLOAD = 64 * 1024
KNOWN_KINDS = frozenset(protocol.RECORD_KINDS)


@dataclass(frozen=True)
class Record:
    seq: int
    record_uuid: str
    kind: str
    payload: str


def content_problem(record: Record) -> tuple[Message | None, dict]:
    """Why a record can never be stored (None if it can), and its payload parsed."""
    try:
        uuid.UUID(record.record_uuid)
    except ValueError:
        return rejection("bad_uuid"), {}
    if record.kind not in KNOWN_KINDS:
        return rejection("unknown_kind", kind=repr(record.kind[:40])), {}
    if len(record.payload) > MAX_PAYLOAD:
        return rejection("too_large", limit=MAX_PAYLOAD), {}
    if "\x00" in record.payload:  # PostgreSQL text cannot hold NUL; no kiosk ever sends one
        return rejection("nul"), {}
    try:
        payload = orjson.loads(record.payload)  # orjson: ~6x json's speed, same verdicts
    except orjson.JSONDecodeError:
        return rejection("not_json"), {}
    if not isinstance(payload, dict):
        return rejection("not_object"), {}
    if record.kind in protocol.SALE_KINDS and not _canonical_uuid(payload.get("uuid")):
        return rejection("bad_sale_uuid"), {}  # one spelling a sale: voucher releases look it up (voucher_ledger)
    if (code_format := CODE_FORMATS.get(record.kind)) and not code_format.minted(payload.get("code")):
        return rejection("bad_code"), {}  # codes name one trade-in or voucher across every store (tradein_claims)
    if (shape := SHAPES.get(record.kind)) and not shape[0](payload):
        return rejection(shape[1]), {}
    return None, payload


# The kinds whose code HQ keeps as a trade-in's or a voucher's (hq_tradein_codes, hq_vouchers), each in its format.
CODE_FORMATS = {protocol.TRADEIN_ACCEPTED: TRADEIN, protocol.TRADEIN_DECLINED: TRADEIN,
                protocol.VOUCHER_ISSUED: VOUCHER}


def _erasure(payload: dict) -> bool:
    """Each names a trade-in whose payout HQ blanks (hq/services/retention.py) and whose photos it drops."""
    return _uuid_list(payload.get("tradein_uuids"))


# The kinds whose payload HQ reads field by field, each with its check and the rejection when it fails.
SHAPES = {protocol.SELLER_ERASED: (_erasure, "bad_erasure"), protocol.PHOTO_TAKEN: (well_formed, "bad_photo")}


def _uuid_list(value: object) -> bool:
    return isinstance(value, list) and len(value) <= 10_000 and all(_canonical_uuid(item) for item in value)


def _canonical_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def payout_problem(payload: dict, store_secret: str) -> Message | None:
    """Why a payout request is refused: its account cannot be opened with the store's secret, or core.payout (the
    terminal's own checks) finds it is not one a SEPA file can carry."""
    raw = unseal(payload.get("account_sealed"), store_secret)
    if raw is None:
        return rejection("payout_unreadable")
    return rejection("payout_account_invalid") if account_from_json(raw) is None else None
