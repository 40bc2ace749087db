"""The store ↔ HQ protocol, one module for both ends: record kinds, canonical JSON, derived record ids,
payload hashes and HMAC-SHA256 request signing. Pure: no Flask, no SQL.

The signed message binds the timestamp, the method, the path with its query and the exact body bytes, so a
signature cannot be moved to another endpoint or body, and a stale one is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from typing import Any

from core.messages import N_, Message

# Every kind of record a store sends HQ through its outbox.
TRADEIN_ACCEPTED = "tradein.accepted"
TRADEIN_DECLINED = "tradein.declined"
TRADEIN_CANCELLED = "tradein.cancelled"
SHIPMENT_CLOSED = "shipment.closed"
VOUCHER_ISSUED = "voucher.issued"
SALE_COMPLETED = "sale.completed"
SALE_RETURNED = "sale.returned"
Z_CLOSED = "z.closed"
PAYOUT_REQUESTED = "payout.requested"  # a trade-in paid by bank transfer: HQ makes the transfer
SELLER_ERASED = "seller.erased"  # a seller's data erased at the store (request or retention): HQ blanks its copy
WARRANTY_CLAIMED = "warranty.claimed"  # a device brought back under warranty, at any store of the network
PHOTO_TAKEN = "photo.taken"  # a shot of a bought device: HQ expects its file on the photo channel (sync/photos.py)
# A device HQ sent back to the store after its seller refused HQ's counter-offer, handed back to the seller there.
DEVICE_HANDED_BACK = "device.handed_back"
# A New York store's daily second-hand dealer report (kiosk.compliance.dealer_record): made after midnight, then
# handed over to the city's service by its staff. Day, counts and the file's SHA-256 only: no seller's data.
DEALER_REPORT_MADE = "dealer_report.made"
DEALER_REPORT_HANDED_OVER = "dealer_report.handed_over"
RECORD_KINDS = (TRADEIN_ACCEPTED, TRADEIN_DECLINED, TRADEIN_CANCELLED, SHIPMENT_CLOSED, VOUCHER_ISSUED,
                SALE_COMPLETED, SALE_RETURNED, Z_CLOSED, PAYOUT_REQUESTED, SELLER_ERASED, WARRANTY_CLAIMED,
                PHOTO_TAKEN, DEVICE_HANDED_BACK, DEALER_REPORT_MADE, DEALER_REPORT_HANDED_OVER)
SALE_KINDS = (SALE_COMPLETED, SALE_RETURNED)

# Why HQ refuses a record: HQ answers with the code (and the English text, for its own log); the terminal says it
# in its reader's language (core.messages, translated by the kiosk's catalogue).
REJECTIONS = {
    "bad_uuid": N_("record_uuid is not a UUID"),
    "unknown_kind": N_("unknown record kind %(kind)s"),
    "too_large": N_("payload larger than %(limit)s bytes"),
    "nul": N_("payload contains a NUL character"),
    "not_json": N_("payload is not JSON"),
    "not_object": N_("payload must be a JSON object"),
    "conflict_in_batch": N_("conflict: the batch holds two payloads under this record_uuid"),
    "other_store": N_("record_uuid belongs to another store's record"),
    "conflict": N_("conflict: a different payload was already stored under this record_uuid"),
    "payout_unreadable": N_("the payout's account cannot be read with this store's secret: nothing will be paid"),
    # Not a record's: the police register's head the batch carried (hq/services/register_anchors.py).
    "register_fork": N_("the police register's head at entry %(seq)s does not extend the head HQ anchored at entry "
                        "%(anchored)s: refused, and shown to HQ's supervisors"),
    # The till's fiscal chain's head, anchored the same way (hq/services/register_anchors.py, chain "fiscal").
    "fiscal_fork": N_("the till's fiscal chain at record %(seq)s does not extend the head HQ anchored at record "
                      "%(anchored)s: refused, and shown to HQ's supervisors"),
    # core.payout's checks, run again at HQ (issue 29): an account the bank's file cannot carry is never queued.
    "payout_account_invalid": N_("the payout's account is not one a SEPA transfer can carry (IBAN, BIC or "
                                 "holder's name): nothing will be paid; take the seller's account details again"),
    # Store isolation (issue 29): a store's record acts only on its own trade-ins, and a code names one trade-in.
    "code_taken": N_("trade-in code %(tradein_code)s is already held by another trade-in at HQ: a code names one "
                     "trade-in across every store"),
    "other_stores_tradein": N_("this trade-in's uuid belongs to another store's trade-in"),
    "bad_sale_uuid": N_("the sale's uuid is not a UUID in its usual form"),
    "bad_code": N_("the record's code is not written in capitals, digits and dashes as codes are minted"),
    "bad_erasure": N_("an erasure must list the seller's trade-ins as UUIDs in their usual form"),
    "bad_photo": N_("a photo's record must name its trade-in, a shot kind, the SHA-256 and the size of its file"),
    # Not a record's: the batch's protocol version (HEADER_PROTOCOL), refused whole before any record is read.
    "protocol_too_old": N_("this terminal's software is too old for HQ: update it (it speaks protocol %(version)s, "
                           "HQ reads %(oldest)s to %(newest)s)"),
    "protocol_unknown": N_("HQ does not know this terminal's protocol %(version)s (it reads %(oldest)s to "
                           "%(newest)s): HQ must be updated before this terminal"),
}


def tracking_hash(token: str) -> str:
    """What HQ keeps of a seller's tracking token (the terminal draws it, the receipt prints it)."""
    return hashlib.sha256(token.encode()).hexdigest()


def rejection(code: str, **params: str | int) -> Message:
    return Message(REJECTIONS[code], **params)


def rejection_from_json(raw: dict) -> Message | str:
    """What a terminal keeps of HQ's refusal: the coded message (its values checked) or, for a code it does not
    know, HQ's English text."""
    code, params = raw.get("code"), raw.get("params")
    if code in REJECTIONS and isinstance(params, dict):
        clean = {k: str(v)[:80] for k, v in params.items() if isinstance(k, str) and isinstance(v, str | int)}
        try:
            return rejection(code, **clean)
        except (KeyError, ValueError, TypeError):  # values that do not fit the message: HQ's text instead
            pass
    return str(raw.get("reason", "no reason given"))[:500]


def canonical_json(payload: dict[str, Any]) -> str:
    """Stable text for a payload: HQ compares payload hashes to tell a duplicate from a conflict."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_uuid(entity_uuid: str, kind: str) -> str:
    """One id per (entity, event kind), derived, so the same business event can never get two ids."""
    return str(uuid.uuid5(uuid.UUID(entity_uuid), kind))

# The batch protocol's version, major.minor, sent with every request in HEADER_PROTOCOL. A minor adds what an older
# reader may ignore (2.1: the terminal's health report); a major changes what something means. HQ reads its own
# version's batches and the previous minor's (PROTOCOL_ACCEPTED; HQ_PROTOCOL_OLDEST raises the floor once every
# terminal is updated), and a newer minor of its major; it refuses an older or unknown major with a code the terminal
# puts into words. A terminal that sends no version is of the last release before versions were sent: 2.0.
PROTOCOL_VERSION = "2.1"
PROTOCOL_UNVERSIONED = "2.0"
PROTOCOL_ACCEPTED = ("2.0", "2.1")  # oldest first
HEADER_PROTOCOL = "X-Protocol-Version"
_VERSION = re.compile(r"([0-9]{1,4})\.([0-9]{1,4})")


def protocol_version(text: str) -> tuple[int, int] | None:
    """(major, minor) of a version as sent; None when it is not written major.minor."""
    match = _VERSION.fullmatch(text)
    return (int(match[1]), int(match[2])) if match else None


def protocol_refusal(sent: str | None, oldest: str = PROTOCOL_ACCEPTED[0]) -> Message | None:
    """Why HQ will not read a batch of protocol `sent` (None: no header, the unversioned release), or None.
    `oldest` is the oldest version HQ still reads."""
    text = PROTOCOL_UNVERSIONED if sent is None else sent
    version, floor = protocol_version(text), protocol_version(oldest)
    shown = text if version else "".join(ch for ch in text[:16] if ch.isascii() and ch.isalnum() or ch in ".-") or "?"
    words = {"version": shown, "oldest": oldest, "newest": PROTOCOL_VERSION}
    if version is None or version[0] > protocol_version(PROTOCOL_VERSION)[0]:
        return rejection("protocol_unknown", **words)
    return rejection("protocol_too_old", **words) if version < floor else None


MAX_SKEW_SECONDS = 300  # how old (or how far in the future) a signed request may be
HEADER_STORE = "X-Store-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_SIGNATURE = "X-Signature"


class SignatureError(ValueError):
    """The request is not from the store it claims, or too old; str(err) says which."""


def signed_target(path: str, query: str = "") -> str:
    """What the signature covers of the URL: the path and its query string as sent, so that a captured request
    cannot be replayed with another ?after= (both ends build it here)."""
    return f"{path}?{query}" if query else path


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


MAX_JSON_DEPTH = 32  # a batch is 4 levels deep, a reference file 3: far more is an attack, not data


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, its escapes included (unrolled: fast)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JSONRefused(ValueError):
    """Text that is not parsed: too deep, or not JSON; str(err) says which."""


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, counted without parsing: strings are cut out first (a
    regular expression, at C speed), then only the brackets left are walked."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for ch in brackets:
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> object:
    """json.loads, refusing before parsing what nests deeper than `max_depth` (a RecursionError otherwise)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JSONRefused("not UTF-8 text") from None
    if (depth := json_depth(text)) > max_depth:
        raise JSONRefused(f"the JSON nests {depth} levels deep, at most {max_depth}")
    try:
        data = json.loads(text)
    except ValueError as err:
        raise JSONRefused(f"the JSON does not parse: {err}") from None
    if _SURROGATE.search(text) and not _is_unicode(data):
        raise JSONRefused("a text holds a lone surrogate (\\uD800-\\uDFFF alone): not Unicode text")
    return data


# A surrogate, escaped (\uD800) or raw: a pair decodes to one character, a lone one to text no database or encoder
# takes. The text is searched first (C speed), so the walk below runs only for the rare body that has one.
_SURROGATE = re.compile("\\\\u[dD][89a-fA-F]|[\ud800-\udfff]")


def _is_unicode(data: object) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
