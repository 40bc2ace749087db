"""The store ↔ HQ protocol, one module for both ends: record kinds, canonical JSON, derived record ids,
payload hashes and HMAC-SHA256 request signing. Pure: no Flask, no SQL.

The signed message binds the timestamp, the method, the path and the exact body bytes, so a
signature cannot be moved to another endpoint or body, and a stale one is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

# Every kind of record a store sends HQ through its outbox.
TRADEIN_ACCEPTED = "tradein.accepted"
TRADEIN_DECLINED = "tradein.declined"
TRADEIN_CANCELLED = "tradein.cancelled"
SHIPMENT_CLOSED = "shipment.closed"
VOUCHER_ISSUED = "voucher.issued"
SALE_COMPLETED = "sale.completed"
SALE_RETURNED = "sale.returned"
Z_CLOSED = "z.closed"
RECORD_KINDS = (TRADEIN_ACCEPTED, TRADEIN_DECLINED, TRADEIN_CANCELLED, SHIPMENT_CLOSED, VOUCHER_ISSUED,
                SALE_COMPLETED, SALE_RETURNED, Z_CLOSED)
TRADEIN_KINDS = (TRADEIN_ACCEPTED, TRADEIN_DECLINED, TRADEIN_CANCELLED)
SALE_KINDS = (SALE_COMPLETED, SALE_RETURNED)


def canonical_json(payload: dict[str, Any]) -> str:
    """Stable text for a payload: HQ compares payload hashes to tell a duplicate from a conflict."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_uuid(entity_uuid: str, kind: str) -> str:
    """One id per (entity, event kind), derived, so the same business event can never get two ids."""
    return str(uuid.uuid5(uuid.UUID(entity_uuid), kind))

MAX_SKEW_SECONDS = 300  # how old (or how far in the future) a signed request may be
HEADER_STORE = "X-Store-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"


class SignatureError(ValueError):
    """The request is not from the store it claims, or too old; str(err) says which."""


def _message(timestamp: int, method: str, path: str, body: bytes) -> bytes:
    return f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body


def sign(secret: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    return hmac.new(secret.encode(), _message(timestamp, method, path, body), hashlib.sha256).hexdigest()


def signed_headers(store_id: str, secret: str, timestamp: int, method: str, path: str, body: bytes) -> dict:
    return {HEADER_STORE: store_id, HEADER_TIMESTAMP: str(timestamp),
            HEADER_SIGNATURE: sign(secret, timestamp, method, path, body)}


def verify(secret: str, timestamp: str, signature: str, method: str, path: str, body: bytes, now: float) -> None:
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        raise SignatureError(f"{HEADER_TIMESTAMP} must be Unix seconds") from None
    if abs(now - stamp) > MAX_SKEW_SECONDS:
        raise SignatureError(f"stale timestamp: {int(now - stamp)} s off, at most {MAX_SKEW_SECONDS} s allowed "
                             "(check the terminal's clock)")
    expected = sign(secret, stamp, method, path, body)
    if not hmac.compare_digest(expected, signature or ""):
        raise SignatureError("wrong signature: this store's secret does not match")


def payload_hash(payload: str) -> str:
    """What HQ compares to tell a duplicate (same hash) from a conflict (same id, other payload)."""
    return hashlib.sha256(payload.encode()).hexdigest()
