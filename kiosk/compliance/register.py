"""The police register (registre de police, Code pénal art. 321-7 and R.321-3 ff.): one entry per
purchase with a gap-free number and every field the law lists; append-only (database triggers).

Each entry's hash is an HMAC (key outside the database: DataCipher.chain_mac) over the previous entry's hash
and its own plaintext content, so rewriting the file and re-chaining it needs the key; and the chain's head
is anchored outside the terminal (sent to HQ with every batch, printed and sent on every Z report), so even
with the key a rewrite of anchored entries shows. A lawful 10-year purge records its boundary, from which
`flask --app kiosk register verify` starts. The export an inspector reads: kiosk.compliance.register_export.

Kept only by a store whose jurisdiction pack keeps it ([registers] keep: France's; a New York City store keeps its
dealer record instead, kiosk.compliance.dealer_record), for the pack's [retention] police_register period."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from core.clock import utcnow
from core.jurisdiction import POLICE_REGISTER, Pack, pack_for
from core.retention import Period
from core.seller import Seller
from kiosk.compliance.crypto import DataCipher
from kiosk.store.db import fetch_all, fetch_one

GENESIS = "0" * 64


def store_pack(db: sqlite_utils.Database) -> Pack:
    """This terminal's store's jurisdiction pack (France's before enrolment)."""
    return pack_for(fetch_one(db, "SELECT jurisdiction FROM stores ORDER BY rowid LIMIT 1"))


def kept_by(db: sqlite_utils.Database, store_id: str) -> bool:
    """Whether this store keeps the police register: its pack says so (a New York City store does not)."""
    return pack_for(fetch_one(db, "SELECT jurisdiction FROM stores WHERE id = ?", [store_id])).keeps(POLICE_REGISTER)


def period(db: sqlite_utils.Database) -> Period | None:
    """How long this terminal's store keeps the register's entries ([retention] police_register of its pack); None
    where the store keeps no police register (its entries, if any, are never lawfully purged there)."""
    pack = store_pack(db)
    return pack.retention.get(POLICE_REGISTER) if pack.keeps(POLICE_REGISTER) else None


def identity_of(seller: Seller) -> dict:
    return {"surname": seller.surname, "first_names": seller.first_names, "address": seller.address,
            "birth_date": seller.birth_date.isoformat(), "id_doc_type": seller.id_doc_type,
            "id_doc_number": seller.id_doc_number, "id_doc_issuer": seller.id_doc_issuer,
            "id_doc_issued_on": seller.id_doc_issued_on.isoformat()}


def entry_hash(prev_hash: str, content: dict, cipher: DataCipher | None, legacy: bool = False) -> str:
    """The chain hash: keyed (HMAC) with `cipher`'s register key (`legacy`: the key derived from the data keys, of
    entries written before the register had its own); the plain SHA-256 of entries written before any key."""
    message = (prev_hash + json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)).encode()
    if cipher is None:
        return hashlib.sha256(message).hexdigest()
    return cipher.legacy_chain_mac(message) if legacy else cipher.chain_mac(message)


@dataclass(frozen=True)
class Marks:
    keyed_from: int  # first entry chained with an HMAC
    own_key_from: int  # first entry chained under the register's own key
    purged: dict | None  # the last lawful purge's boundary: seq, hash, entered_at

    def hash_of(self, prev_hash: str, seq: int, content: dict, cipher: DataCipher) -> str:
        key = cipher if seq >= self.keyed_from else None
        return entry_hash(prev_hash, content, key, legacy=seq < self.own_key_from)


def _marks(db: sqlite_utils.Database) -> Marks:
    first = {kind: seq for kind, seq in db.execute("SELECT kind, min(seq) FROM register_marks GROUP BY kind")}
    purged = fetch_one(db, "SELECT seq, hash, at, entered_at FROM register_marks WHERE kind = 'purged_through' "
                           "ORDER BY seq DESC LIMIT 1")
    return Marks(first.get("keyed_from") or 1, first.get("own_key_from") or 1, purged)


def mark_purge(db: sqlite_utils.Database, before: str) -> None:
    """Inside the purge's transaction: the boundary a lawful purge of entries entered before `before` leaves, dated
    by its last entry (verify holds that date to the register's period)."""
    last = fetch_one(db, "SELECT seq, hash, entered_at FROM police_register WHERE entered_at < ? ORDER BY seq DESC "
                         "LIMIT 1", [before])
    if last:
        db.execute("INSERT OR IGNORE INTO register_marks (seq, kind, hash, at, entered_at) "
                   "VALUES (?, 'purged_through', ?, ?, ?)", [last["seq"], last["hash"], utcnow(), last["entered_at"]])


def _purge_problems(purged: dict | None, now: datetime, anchor: dict | None, kept: Period | None) -> list[str]:
    """A purge mark is lawful only when its last entry is older than the period the register is kept (`kept`: the
    store's pack's; None, a store that keeps no register, purges none), and no head HQ anchored after that date says
    the entry did not exist yet: anything else is entries removed and a mark put in their place."""
    if purged is None:
        return []
    seq, entered_at = purged["seq"], purged["entered_at"] or ""
    if kept is None:
        return [f"entries up to {seq} were removed behind a purge mark, but this store's jurisdiction keeps no police "
                "register it may purge"]
    try:
        entered = datetime.fromisoformat(entered_at)
    except ValueError:
        entered = None
    if entered is None or entered.tzinfo is None or entered > kept.cutoff(now):
        return [f"entries up to {seq} were removed behind a purge mark dated {entered_at[:10] or 'nowhere'}: a lawful "
                f"purge only removes entries older than the {kept.years} years the register is kept ({kept.source})"]
    earlier = [a for a in (anchor or {}).get("history", []) if a["seq"] < seq and a["at"] > entered_at]
    if earlier:
        return [f"entries up to {seq} were purged as entered {entered_at[:10]}, but HQ anchored the register at entry "
                f"{earlier[-1]['seq']} on {earlier[-1]['at'][:10]}: entry {seq} did not exist yet"]
    return []


def restored_from(db: sqlite_utils.Database) -> dict | None:
    """The head HQ anchored that a terminal rebuilt from HQ continues (kiosk.provisioning.restore): {seq, hash}."""
    return fetch_one(db, "SELECT seq, hash FROM register_marks WHERE kind = 'restored_through' ORDER BY seq DESC "
                         "LIMIT 1")


def head(db: sqlite_utils.Database) -> dict:
    """The chain's head to anchor outside the terminal: {seq, hash} (seq 0 while the register is empty; on a rebuilt
    terminal with no entry yet, the head it continues)."""
    row = fetch_one(db, "SELECT seq, hash FROM police_register ORDER BY seq DESC LIMIT 1") or restored_from(db)
    return {"seq": row["seq"], "hash": row["hash"]} if row else {"seq": 0, "hash": GENESIS}


def _content(row: dict, identity: dict) -> dict:
    keys = ("seq", "entered_at", "tradein_uuid", "description", "identifier", "acquisition_mode",
            "seller_capacity", "price_minor", "currency", "payment_method")
    return {**{k: row[k] for k in keys}, "identity": identity}


def append_entry(db: sqlite_utils.Database, ti: dict, device_name: str, identity: dict, sealed: str,
                 cipher: DataCipher) -> int:
    """Inside the accept transaction: the next number, chained to the last entry. `sealed` is the
    identity already encrypted (the same token the trade-in keeps: one encryption per purchase)."""
    last = fetch_one(db, "SELECT seq, hash FROM police_register ORDER BY seq DESC LIMIT 1") or restored_from(db)
    row = {
        "seq": (last["seq"] + 1) if last else 1, "entered_at": utcnow(), "tradein_uuid": ti["uuid"],
        "description": f"{device_name}, {ti['storage_gb']} GB, grade {ti['cosmetic_grade']}/{ti['functional_grade']}",
        # Both IMEIs of a dual-SIM phone: the register holds every identifier the device answers to.
        "identifier": " / ".join(v for v in (ti["imei"], ti.get("imei2")) if v) or ti["serial"],
        "acquisition_mode": "purchase",
        "seller_capacity": "private individual", "price_minor": ti["total_minor"], "currency": ti["currency"],
        "payment_method": ti["payout_method"],
    }
    prev_hash = last["hash"] if last else GENESIS
    row.update(identity=sealed, prev_hash=prev_hash,
               hash=entry_hash(prev_hash, _content(row, identity), cipher))
    db.execute(f"INSERT INTO police_register ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
               list(row.values()))
    return row["seq"]


def _anchored(anchor: dict | None) -> dict[int, str]:
    """Every head HQ anchored, by entry number: the last one and, when HQ sends it, the ones before (a rewrite of
    anchored entries re-chained with the key and extended by a new entry still differs at an older anchor)."""
    if not anchor:
        return {}
    heads = {a["seq"]: a["hash"] for a in anchor.get("history", []) if isinstance(a, dict)}
    return {**heads, anchor["seq"]: anchor.get("hash")} if isinstance(anchor.get("seq"), int) else heads


def _entry_problems(row: dict, prev_hash: str, marks: Marks, cipher: DataCipher, anchored: dict) -> list[str]:
    problems = [] if row["prev_hash"] == prev_hash else [f"entry {row['seq']} is not chained to the entry before it"]
    try:
        identity = json.loads(cipher.decrypt(row["identity"]))
    except ValueError as err:
        return [*problems, f"entry {row['seq']}: {err}"]
    if marks.hash_of(row["prev_hash"], row["seq"], _content(row, identity), cipher) != row["hash"]:
        problems.append(f"entry {row['seq']} was changed after it was written")
    if row["seq"] in anchored and row["hash"] != anchored[row["seq"]]:
        problems.append(f"entry {row['seq']} differs from the chain head anchored outside the terminal")
    return problems


def _restore_problems(restored: dict, anchor: dict | None, anchored: dict[int, str]) -> list[str]:
    """A rebuilt terminal's register starts after entry `restored` seq: only a head HQ anchored may stand there (the
    entries before it are the dead terminal's, which HQ never held)."""
    if anchor is None:
        return []  # no outside anchor to compare with: the caller says so
    if anchored.get(restored["seq"]) != restored["hash"]:
        return [f"the register continues after entry {restored['seq']}, but HQ anchored no such head there"]
    return []


def verify(db: sqlite_utils.Database, cipher: DataCipher, anchor: dict | None = None,
           now: datetime | None = None) -> list[str]:
    """Every problem found, in words; an empty list means the register is intact. `anchor` is what HQ (or a Z
    report) holds: {seq, hash} of the last head, and optionally `history`, the heads before it ({seq, hash, at}):
    the entry at each of those numbers must still carry that hash."""
    marks, anchored = _marks(db), _anchored(anchor)
    purged = marks.purged
    problems = _purge_problems(purged, now or datetime.now(UTC), anchor, period(db))
    prev_hash = purged["hash"] if purged else GENESIS
    expected_seq = purged["seq"] + 1 if purged else None
    restored = restored_from(db)
    if restored and (purged is None or restored["seq"] > purged["seq"]):  # the rebuilt terminal's first entry's link
        problems += _restore_problems(restored, anchor, anchored)
        prev_hash, expected_seq = restored["hash"], restored["seq"] + 1
    for row in fetch_all(db, "SELECT * FROM police_register ORDER BY seq"):
        if expected_seq is not None and row["seq"] != expected_seq:
            problems.append(f"entry {expected_seq} is missing (next entry is {row['seq']})")
        problems += _entry_problems(row, prev_hash, marks, cipher, anchored)
        prev_hash, expected_seq = row["hash"], row["seq"] + 1
    if anchored and max(anchored) >= (expected_seq or 1):
        problems.append(f"entries up to {max(anchored)} were anchored, but the register ends before them")
    return problems
