"""Idempotent batch ingest: each record stored once under its id with a payload hash; the same record
again is an acknowledged duplicate; the same id with another payload is a conflict, rejected with a
reason. The ack is the highest seq up to which every record of the store has been processed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from core import protocol
from core.clock import utcnow_ms
from core.health import TerminalHealth, parse_health
from core.messages import Message
from core.protocol import REJECTIONS, payload_hash, rejection
from hq.services.fiscal_links import anchor_for_ack, anchor_links
from hq.services.fleet import Heard, note
from hq.services.payouts import AccountKeys
from hq.services.projection import Projection
from hq.services.record_checks import MAX_PAYLOAD, Record, content_problem, payout_problem
from hq.services.register_anchors import anchor_head, keep_fiscal_keys
from hq.services.tradein_claims import Holders
from hq.storage import RaceLost, Storage

MAX_RECORDS = 1000
MAX_SEQ = 2**63 - 1  # BIGINT in both backends


class BatchError(ValueError):
    """The batch as a whole cannot be read; str(err) goes back to the terminal (422)."""


class ReplayError(ValueError):
    """This exact batch (same batch id) was received before (409)."""


@dataclass
class Ack:
    acked_through_seq: int
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    register: Message | None = None  # why the register head the batch carried was refused (a fork)
    fiscal: Message | None = None  # why the till's fiscal chain head was refused (a fork)
    fiscal_anchor: dict | None = None  # the fiscal head HQ holds after this batch: the terminal's next links follow it

    def as_json(self) -> dict:
        answer = {"acked_through_seq": self.acked_through_seq, "accepted": self.accepted,
                  "duplicates": self.duplicates, "rejected": self.rejected}
        if self.register is not None:  # the records are taken all the same: one refusal never blocks the others
            answer["register"] = {"refused": True, "code": "register_fork", "reason": str(self.register),
                                  "params": self.register.params}
        if self.fiscal is not None:
            answer["fiscal"] = {"refused": True, "code": "fiscal_fork", "reason": str(self.fiscal),
                                "params": self.fiscal.params}
        if self.fiscal_anchor is not None:
            answer["fiscal_anchor"] = self.fiscal_anchor
        return answer


def _record(raw: object, index: int) -> Record:
    if not isinstance(raw, dict):
        raise BatchError(f"records[{index}] must be an object")
    seq, record_uuid, kind, payload = (raw.get(k) for k in ("seq", "record_uuid", "kind", "payload"))
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= MAX_SEQ:
        raise BatchError(f"records[{index}].seq must be a whole number from 1 to {MAX_SEQ}")
    if not isinstance(record_uuid, str) or not isinstance(kind, str) or not isinstance(payload, str):
        raise BatchError(f"records[{index}] needs record_uuid, kind and payload as text")
    return Record(seq, record_uuid, kind, payload)


@dataclass(frozen=True)
class Backlog:
    """What the store said of itself with this batch: what it still had to send (HQ's sync-lag view), and
    the head of its police register's hash chain (the anchor `register verify` compares with)."""

    pending: int | None
    oldest_at: str | None
    register_seq: int | None = None
    register_hash: str | None = None
    fiscal_seq: int | None = None  # the till's fiscal chain head: record number, SHA-256 of its signature
    fiscal_hash: str | None = None
    fiscal_keys: tuple[tuple[str, str], ...] = ()  # (terminal id, Ed25519 public key PEM) sent with that head
    fiscal_links: tuple = ()  # the records after HQ's anchor, signed fields and signature (core.fiscal_links)
    health: TerminalHealth | None = None  # the terminal's report (protocol 2.1), every field checked (core.health)


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEQ else None


def _head(raw: object) -> tuple[int | None, str | None]:
    """A chain head {seq, hash (64 lowercase hex)}, or (None, None)."""
    head = raw if isinstance(raw, dict) else {}
    seq, digest = _whole(head.get("seq")), head.get("hash")
    valid = seq is not None and isinstance(digest, str) and len(digest) == 64 and \
        all(c in "0123456789abcdef" for c in digest)
    return (seq, digest) if valid else (None, None)


MAX_TERMINALS = 32


def _public_keys(head: object) -> tuple[tuple[str, str], ...]:
    """The terminals' public keys a fiscal head carries: short ids, PEM public keys; anything else left out."""
    keys = head.get("keys") if isinstance(head, dict) else None
    if not isinstance(keys, dict):
        return ()
    return tuple((terminal, pem) for terminal, pem in list(keys.items())[:MAX_TERMINALS]
                 if isinstance(terminal, str) and 0 < len(terminal) <= 64 and "\x00" not in terminal
                 and isinstance(pem, str) and len(pem) <= 300 and pem.startswith("-----BEGIN PUBLIC KEY-----"))


def _links(head: object) -> tuple:
    """The links a fiscal head carries, as sent: core.fiscal_links checks each one (a malformed one is a fork)."""
    links = head.get("links") if isinstance(head, dict) else None
    return tuple(links) if isinstance(links, list) else ()


def parse_backlog(data: dict) -> Backlog | None:
    raw = data.get("backlog") if isinstance(data.get("backlog"), dict) else {}
    pending, oldest = _whole(raw.get("pending")), raw.get("oldest_at")
    (seq, digest), (fiscal_seq, fiscal_hash) = _head(data.get("register_head")), _head(data.get("fiscal_head"))
    health = parse_health(data.get("health"))
    if pending is None and seq is None and fiscal_seq is None and health is None:
        return None
    return Backlog(pending, oldest[:40] if isinstance(oldest, str) and "\x00" not in oldest else None,
                   seq, digest, fiscal_seq, fiscal_hash, _public_keys(data.get("fiscal_head")),
                   _links(data.get("fiscal_head")), health)


def parse_batch(body: bytes) -> tuple[str, list[Record], Backlog | None]:
    try:
        data = protocol.parse_json(body)  # depth checked before parsing: no RecursionError
    except protocol.JSONRefused as err:
        raise BatchError(f"the body is not acceptable JSON: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise BatchError("the body must be an object with a records list")
    batch_id = data.get("batch_id")
    if not isinstance(batch_id, str) or not 8 <= len(batch_id) <= 64 or "\x00" in batch_id:
        raise BatchError("batch_id must be text of 8 to 64 characters")
    if len(data["records"]) > MAX_RECORDS:
        raise BatchError(f"at most {MAX_RECORDS} records per batch")
    return batch_id, [_record(raw, i) for i, raw in enumerate(data["records"])], parse_backlog(data)


def _indexed(payload: dict) -> tuple[str | None, str | None]:
    """What HQ looks records up by: the device identifier and the trade-in they are about."""
    identifier = payload.get("imei") or payload.get("serial")
    entity = payload.get("uuid")
    def text(value: object) -> str | None:
        return value[:64] if isinstance(value, str) and "\x00" not in value else None

    return text(identifier), text(entity)


@dataclass
class _Sorting:
    """One batch's records sorted as they stream to the database: new ones become rows, the rest are
    acknowledged duplicates or rejections with the reason. `known` is what HQ already held of the batch's ids."""

    store_id: str
    batch_id: str
    now: str
    store_secret: str
    known: dict[str, tuple[str, str]]
    ack: Ack
    projection: Projection
    holders: Holders = field(default_factory=lambda: Holders({}, {}))
    rejections: list[tuple] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # record_uuid -> payload hash, of each id met

    def rows(self, records: list[Record]) -> Iterator[tuple]:
        """The hq_records rows of the records HQ did not hold; a generator, so the database writes one row
        while the next is checked."""
        for record in records:
            problem, payload = content_problem(record)
            if not problem and record.kind == protocol.PAYOUT_REQUESTED:
                problem = payout_problem(payload, self.store_secret)
            digest = payload_hash(record.payload)
            if not problem and record.record_uuid in self.digests:
                if self.digests[record.record_uuid] == digest:
                    self.ack.duplicates += 1
                    continue
                problem = rejection("conflict_in_batch")
            if not problem and record.record_uuid not in self.known:
                problem = self.holders.refusal(self.store_id, record.kind, payload)
            if problem:
                self.reject(record, problem)
                continue
            self.digests[record.record_uuid] = digest
            if record.record_uuid in self.known:
                self.compare(record, digest, self.known[record.record_uuid])
            else:
                self.projection.add(record.kind, payload)  # while the database writes the rows before
                yield (record.record_uuid, self.store_id, record.seq, record.kind, record.payload, digest,
                       self.batch_id, self.now, *_indexed(payload))

    def compare(self, record: Record, digest: str, stored: tuple[str, str]) -> None:
        """A record whose id HQ already holds: a duplicate when identical, else rejected with the reason."""
        owner, stored_digest = stored
        if owner != self.store_id:
            self.reject(record, rejection("other_store"))
        elif digest != stored_digest:
            self.reject(record, rejection("conflict"))
        else:
            self.ack.duplicates += 1

    def reject(self, record: Record, why: Message) -> None:
        """The store hears the code (it says it in its own words) and HQ's English text; HQ's log keeps the text."""
        reason = str(why)
        self.ack.rejected.append({"seq": record.seq, "record_uuid": record.record_uuid, "reason": reason,
                                  "code": next(code for code, msgid in REJECTIONS.items() if msgid == why.msgid),
                                  "params": why.params})
        shown = record.record_uuid[:64].replace("\x00", "?")  # kept for HQ staff; PostgreSQL text has no NUL
        self.rejections.append((self.store_id, record.seq, shown, reason.replace("\x00", "?"), self.now))


RACE_RETRIES = 3


def ingest(storage: Storage, store_id: str, batch_id: str, records: list[Record],
           backlog: Backlog | None = None, heard: Heard | None = None) -> Ack:
    """Store a batch in one transaction; replays of a batch id are refused. Run again from the start when
    another store's transaction wrote one of the same keys between our look and our write. `heard`: the contact
    as the fleet page keeps it (hq.services.fleet), noted in the same transaction."""
    for _ in range(RACE_RETRIES - 1):
        try:
            return _ingest_once(storage, store_id, batch_id, records, backlog, heard)
        except RaceLost:
            continue
    return _ingest_once(storage, store_id, batch_id, records, backlog, heard)


def _ingest_once(storage: Storage, store_id: str, batch_id: str, records: list[Record],
                 backlog: Backlog | None, heard: Heard | None = None) -> Ack:
    now = utcnow_ms()
    with storage.transaction() as tx:
        store = tx.store(store_id, lock=True)  # serialises this store's batches (PostgreSQL row lock)
        if store is None:
            raise LookupError(f"unknown store {store_id}")
        if not tx.claim_batch(store_id, batch_id, len(records), now):
            raise ReplayError(f"batch {batch_id} was already received: send new batches with a new batch_id")
        secret = storage.box.open(store[1])  # opens the store's payout accounts (core.payout.seal_for_hq)
        # What HQ holds of these ids (PostgreSQL text takes no NUL; such an id is refused below anyway).
        known = tx.existing([key for key in {r.record_uuid for r in records} if "\x00" not in key])
        sorting = _Sorting(store_id, batch_id, now, secret, known, Ack(store[2]),
                           Projection(store_id, now, AccountKeys(secret, storage.box.seal, storage.box.fingerprint)),
                           Holders.read(tx, records, MAX_PAYLOAD))
        sorting.ack.accepted = len(tx.insert_records(sorting.rows(records)))
        sorting.projection.write(tx)
        sorting.ack.register = _note_backlog(tx, store_id, backlog, now)
        if backlog is not None and backlog.fiscal_seq is not None:
            keep_fiscal_keys(tx, store_id, backlog.fiscal_keys, now)
            sorting.ack.fiscal = anchor_links(tx, store_id, backlog.fiscal_seq, backlog.fiscal_hash,
                                              backlog.fiscal_links, now)
            sorting.ack.fiscal_anchor = anchor_for_ack(tx, store_id)
        tx.log_rejections(sorting.rejections)
        if heard is not None:
            note(tx, store_id, heard, now)
        sorting.ack.acked_through_seq = _advance(tx, store_id, store[2], sorted({r.seq for r in records}), now)
    return sorting.ack


def _note_backlog(tx, store_id: str, backlog: Backlog | None, now: str) -> Message | None:
    """The store's backlog for the sync-lag view, and its register head anchored (or, forked, refused: why)."""
    if backlog is not None and backlog.pending is not None:
        tx.run("UPDATE hq_stores SET backlog_pending = %s, backlog_oldest_at = %s WHERE id = %s",
               [backlog.pending, backlog.oldest_at, store_id])
    if backlog is not None and backlog.register_seq is not None and backlog.register_hash is not None:
        return anchor_head(tx, store_id, backlog.register_seq, backlog.register_hash, now)
    return None


def _advance(tx, store_id: str, acked: int, seqs: list[int], now: str) -> int:
    """Move the store's ack over every contiguous seq. The usual batch continues the stream and
    moves it directly; seqs that arrive ahead of a gap are kept in hq_seen_seqs until it closes."""
    for seq in seqs:
        if seq == acked + 1:
            acked = seq
        elif seq > acked:
            break
    ahead = [seq for seq in seqs if seq > acked]
    if ahead:
        tx.mark_seen(store_id, ahead)
    used_seen = False
    while seen := tx.seen_after(store_id, acked, 5000):
        run = acked
        for seq in seen:
            if seq != run + 1:
                break
            run = seq
        if run == acked:
            break
        acked, used_seen = run, True
    tx.set_acked(store_id, acked, now, forget_seen=used_seen)
    return acked
