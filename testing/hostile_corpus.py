"""The hostile sweep's material: a corpus of strings an attacker types or sends, and records of every kind a
kiosk pushes to HQ (shaped like what kiosk/tradein, kiosk/till and sync/outbox write), whose leaves the sweep
replaces one by one. Used by testing/hostile_sweep.py."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from core import protocol
from core.codes import TRADEIN, VOUCHER
from core.payout import BankAccount, seal_for_hq

BIG = 200 * 1024  # the "200 KB strings"


@dataclass(frozen=True)
class Hostile:
    label: str
    value: object  # text mostly; the signed API also gets numbers, null, lists and objects

    def form_bytes(self) -> bytes:
        """What a browser or a script puts on the wire for a form field: a lone surrogate goes as the invalid
        UTF-8 bytes it would be (CESU-style ED A0 80), percent-encoded by the caller."""
        return str(self.value).encode("utf-8", "surrogatepass")


TEXT = (
    Hostile("arabic-indic digits", "٠١٢٣٤٥٦٧٨٩"),
    Hostile("extended arabic-indic digits", "۰۱۲۳۴۵۶۷۸۹"),
    Hostile("devanagari digits", "०१२३४५६७८९"),
    Hostile("fullwidth digits", "１２３４５６７８９０"),
    Hostile("mathematical digits", "𝟏𝟐𝟑𝟒𝟓"),
    Hostile("superscript digits", "¹²³⁴"),
    Hostile("cyrillic look-alikes", "АВСЕНКМОРТХ"),
    Hostile("greek look-alikes", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"),
    Hostile("variation selector", "A\ufe0fB"),
    Hostile("combining grapheme joiner", "A\u034fB"),
    Hostile("hangul fillers", "\u3164\u115f"),
    Hostile("braille blank", "\u2800"),
    Hostile("zero-width space and joiner", "A\u200bB\u200dC"),
    Hostile("soft hyphen", "AB\u00adCD"),
    Hostile("byte order mark", "\ufeffAB"),
    Hostile("right-to-left override", "\u202eAB12"),
    Hostile("lone high surrogate", "\ud800"),
    Hostile("lone low surrogate in text", "a\udfffb"),
    Hostile("NUL", "A\x00B"),
    Hostile("C0 controls", "\x01\x07\x08\x0b\x0c\x1f"),
    Hostile("C1 controls", "\x85\x9b\x9c"),
    Hostile("ESC sequences", "\x1b[2J\x1bp\x00\x19\x1b@"),
    Hostile("200 KB of ASCII", "A" * BIG),
    Hostile("200 KB of Arabic-Indic digits", "٣" * (BIG // 2)),
    Hostile("path traversal", "../../../../etc/passwd"),
    Hostile("windows path", "..\\..\\windows\\win.ini"),
    Hostile("slashes", "a/b//c/"),
    Hostile("encoded traversal", "%2e%2e%2f%2e%2e%2f"),
    Hostile("CSV formula", '=HYPERLINK("http://x","y")'),
    Hostile("CSV at-formula", "@SUM(A1:A9)"),
    Hostile("HTML script", "<script>alert(1)</script>"),
    Hostile("attribute break", '"><img src=x onerror=alert(1)>'),
    Hostile("javascript URL", "javascript:alert(1)"),
    Hostile("SQL quote", "' OR '1'='1"),
    Hostile("SQL statement", "'; DROP TABLE tradeins; --"),
    Hostile("backslashes and quotes", '\\"\\\'\\'),
    Hostile("huge number", "9" * 400),
    Hostile("float overflow", "1e309"),
    Hostile("not a number", "NaN"),
    Hostile("negative number", "-1"),
    Hostile("big negative number", "-99999999999999999999"),
    Hostile("empty", ""),
    Hostile("blanks", " \t\n "),
)

# What JSON carries besides text: a field the kiosk sends as a number or a string may arrive as any of these.
TYPED = (
    Hostile("integer beyond 64 bits", 10**30),
    Hostile("negative integer", -10**12),
    Hostile("float", 1e308),
    Hostile("null", None),
    Hostile("boolean", True),
    Hostile("list", ["a", 1]),
    Hostile("object", {"a": 1}),
)


def sampler(corpus: tuple[Hostile, ...], per_field: int, seed: int) -> Iterator[list[Hostile]]:
    """Each next() is the sample for one more field: the corpus shuffled once (deterministic seed), then taken in
    turn, so consecutive fields get different strings and every string is used when there are enough fields."""
    order = list(corpus)
    random.Random(seed).shuffle(order)
    position = 0
    while True:
        yield [order[(position + n) % len(order)] for n in range(per_field)]
        position += per_field


@dataclass
class Kit:
    """The ids a batch of well-formed records share, so a hostile record can name a real trade-in or voucher."""

    store_id: str
    secret: str
    tradein: str
    voucher: str
    sale: str
    tradein_code: str = "TI-AAAA-0001"


def _tradein(kit: Kit) -> dict:
    return {"uuid": str(uuid.uuid4()), "code": TRADEIN.mint(), "store_id": kit.store_id, "terminal_id": "T1",
            "staff_id": "staff-1", "state": "accepted",
            "device_kind": "phone", "imei": "490154203237518", "imei2": None, "serial": None, "storage_gb": 128,
            "spec_version": "1", "cosmetic_grade": "A", "functional_grade": 9, "grid_version": "G-1",
            "currency": "EUR", "base_minor": 30000, "bonus_minor": 0, "total_minor": 30000, "override_reason": None,
            "payout_method": "store_credit", "created_at": "2026-11-28T09:00:00", "accepted_at":
            "2026-11-28T10:00:00", "brand": "Apple", "model": "iPhone 13", "answers": {"screen": "flawless"},
            "bonuses": [], "gate_reasons": [], "seller_ref": "R-1", "tracking_hash": "0" * 64,
            "staff_name": "Camille Martin"}


def _sale(kit: Kit, kind: str) -> dict:
    sale = {"uuid": str(uuid.uuid4()), "number": "S-0001", "store_id": kit.store_id, "terminal_id": "T1",
            "staff_id": "staff-1", "kind": kind, "original_uuid": kit.sale if kind == "return" else None,
            "total_minor": 1990, "currency": "EUR", "cash_given_minor": 0, "change_minor": 0,
            "created_at": "2026-11-28T11:00:00",
            "lines": [{"line_no": 1, "ean": "3761234500014", "name": "Coque", "quantity": 1, "unit_minor": 1990,
                       "discount_minor": 0, "discount_reason": "", "vat_bp": 2000, "imei": "490154203237518",
                       "original_line_no": None}],
            "tenders": [{"kind": "voucher", "amount_minor": 1990 if kind == "sale" else -1990,
                         "reference": kit.voucher}]}
    return sale


def records_of_every_kind(kit: Kit) -> dict[str, dict]:
    """One well-formed payload per record kind (core.protocol.RECORD_KINDS), fresh ids each call. A payout's
    account travels sealed: its `account` stands for the fields inside the seal (see `sealed`). A kind added to
    the protocol later is still swept, with a payload naming the kit's trade-in, until it gets its own here."""
    known = _known_kinds(kit)
    return {kind: known.get(kind, {"uuid": str(uuid.uuid4()), "tradein_uuid": kit.tradein,
                                   "at": "2026-11-28T12:00:00"}) for kind in protocol.RECORD_KINDS}


def _known_kinds(kit: Kit) -> dict[str, dict]:
    return {
        "tradein.accepted": _tradein(kit),
        "tradein.declined": {**_tradein(kit), "state": "declined", "accepted_at": None},
        "tradein.cancelled": {"uuid": kit.tradein, "cancelled_at": "2026-11-28T12:00:00"},
        "shipment.closed": {"uuid": str(uuid.uuid4()), "code": "SH-" + uuid.uuid4().hex[:8].upper(),
                            "store_id": kit.store_id, "staff_id": "staff-1", "closed_at": "2026-11-28T13:00:00",
                            "bags": [{"uuid": kit.tradein, "code": kit.tradein_code}]},
        "voucher.issued": {"code": VOUCHER.mint(), "store_id": kit.store_id,
                           "tradein_uuid": kit.tradein, "issued_minor": 100, "balance_minor": 100,
                           "currency": "EUR", "status": "active", "issued_at": "2026-11-28T10:00:00",
                           "expires_at": "2099-01-01"},
        "sale.completed": _sale(kit, "sale"),
        "sale.returned": _sale(kit, "return"),
        "z.closed": {"number": 1, "store_id": kit.store_id, "staff_id": "staff-1",
                     "period_start": "2026-11-28T00:00:00", "period_end": "2026-11-28T23:00:00",
                     "counted_cash_minor": 0, "expected_cash_minor": 0,
                     "data": {"period_start": "2026-11-28T00:00:00", "expected_cash_minor": 0, "cash_comment": "",
                              "register_head": {"seq": 1, "hash": "0" * 64}}},
        "seller.erased": {"uuid": str(uuid.uuid4()), "tradein_uuids": [kit.tradein],
                          "erased_at": "2026-11-28T12:00:00"},
        "photo.taken": {"uuid": str(uuid.uuid4()), "tradein_uuid": kit.tradein, "kind": "front", "sha256": "0" * 64,
                        "bytes": 1000, "media_type": "image/jpeg", "taken_at": "2026-11-28T11:00:00",
                        "taken_by": "staff-1", "source": "counter"},
        "payout.requested": {"tradein_uuid": kit.tradein, "code": kit.tradein_code, "amount_minor": 30000,
                             "currency": "EUR", "due_on": "2026-12-12",
                             "account": {"iban": "FR1420041010050500013M02606", "holder": "Jean Dupont",
                                         "bic": ""}},
    }


def sealed(payload: dict, secret: str) -> dict:
    """A payout payload as the kiosk sends it: `account` sealed for HQ with the store's secret (core.payout)."""
    if not isinstance(payload.get("account"), dict):
        return {k: v for k, v in payload.items() if k != "account"} | {"account_sealed": payload.get("account")}
    account = payload["account"]
    fields = {k: account.get(k, "") for k in ("iban", "holder", "bic")}
    try:
        seal = seal_for_hq(BankAccount(**fields), secret)  # type: ignore[arg-type]
    except (TypeError, ValueError, UnicodeEncodeError):  # not text, or a lone surrogate: sent as it is
        seal = fields
    return {k: v for k, v in payload.items() if k != "account"} | {"account_sealed": seal}


def leaves(value: object, path: tuple = ()) -> Iterator[tuple]:
    """Every leaf's path in a payload (keys and list indexes), the containers themselves included."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from leaves(inner, (*path, index))


def replaced(value: object, path: tuple, new: object) -> object:
    """A copy of `value` with the leaf at `path` replaced by `new` (a missing object on the way is made)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value.get(head, {}), rest, new)}
    copy = list(value)  # type: ignore[arg-type]
    copy[head] = replaced(copy[head], rest, new)
    return copy
