"""The police registers' heads anchored at HQ (Code pénal R.321-3 ff.: the electronic register must be tamper-evident).

Each batch carries its store's register head {seq, hash}. HQ keeps every head it anchored; a head at a number HQ
already anchored with another hash, or behind the last anchored one, is a fork (the register was rewritten and
re-chained, or replaced by an older copy): it is refused, the anchor stays, and the fork is kept for a supervisor
(the stores page). `register verify` at the terminal compares its entries with every anchored head.

The till's fiscal chain (CGI art. 286 I-3° bis) is anchored the same way, `chain="fiscal"`: its heads are the record
number and the SHA-256 of the record's signature (hq_fiscal_anchors, hq_fiscal_forks). The last anchored record
itself, as its link brought it, is kept per store (hq_fiscal_heads): a terminal rebuilt from HQ continues it."""

from __future__ import annotations

import json

from core.messages import Message
from core.protocol import rejection

MAX_HISTORY = 100_000  # heads sent back to `register verify` (one per batch that moved the head)


CHAINS = ("register", "fiscal")  # the police register's, the till's fiscal records'


def anchor_head(tx, store_id: str, seq: int, digest: str, now: str, chain: str = "register") -> Message | None:
    """Inside the ingest's transaction (the store's row locked): anchor the head, or say why it is refused."""
    assert chain in CHAINS  # a table name: never from the request
    latest = tx.rows(f"SELECT seq, hash FROM hq_{chain}_anchors WHERE store_id = %s ORDER BY seq DESC LIMIT 1",
                     [store_id])
    if latest and (seq, digest) == tuple(latest[0]):
        return None
    if latest and seq <= latest[0][0]:
        known = tx.rows(f"SELECT hash FROM hq_{chain}_anchors WHERE store_id = %s AND seq = %s", [store_id, seq])
        if known and known[0][0] == digest:
            return None  # an older head HQ holds as it is: nothing moves backwards, nothing forked
        _record_fork(tx, store_id, seq, digest, latest[0], now, chain)
        return rejection(f"{chain}_fork", seq=seq, anchored=latest[0][0])
    tx.run(f"INSERT INTO hq_{chain}_anchors VALUES (%s, %s, %s, %s) ON CONFLICT (store_id, seq) DO NOTHING",
           [store_id, seq, digest, now])
    if chain == "register":
        tx.run("UPDATE hq_stores SET register_seq = %s, register_hash = %s, register_at = %s WHERE id = %s",
               [seq, digest, now, store_id])
    return None


def _record_fork(tx, store_id: str, seq: int, digest: str, anchored: tuple, now: str, chain: str) -> None:
    tx.run(f"INSERT INTO hq_{chain}_forks VALUES (%s, %s, %s, %s, %s, %s, %s, 1) ON CONFLICT (store_id, seq, "
           f"offered_hash) DO UPDATE SET last_at = excluded.last_at, times = hq_{chain}_forks.times + 1",
           [store_id, seq, digest, anchored[0], anchored[1], now, now])


def anchor_of(tx, store_id: str, chain: str = "register") -> dict:
    """What `register verify` (`fiscal verify`) compares with: the last anchored head and the heads before it."""
    assert chain in CHAINS
    rows = tx.rows(f"SELECT seq, hash, at FROM hq_{chain}_anchors WHERE store_id = %s ORDER BY seq DESC LIMIT %s",
                   [store_id, MAX_HISTORY])
    history = [{"seq": seq, "hash": digest, "at": at} for seq, digest, at in reversed(rows)]
    last = history[-1] if history else {"seq": None, "hash": None, "at": None}
    return {**last, "history": history}


def forks(tx, chain: str = "register") -> list[dict]:
    """Every fork a store's terminal offered, the latest first, with the store's name (the stores page)."""
    assert chain in CHAINS
    names = ("store_id", "store_name", "seq", "offered_hash", "anchored_seq", "anchored_hash", "first_at", "last_at",
             "times")
    rows = tx.rows("SELECT f.store_id, s.name, f.seq, f.offered_hash, f.anchored_seq, f.anchored_hash, f.first_at, "
                   "f.last_at, f.times FROM hq_" + chain + "_forks f JOIN hq_stores s ON s.id = f.store_id "
                   "ORDER BY f.last_at DESC LIMIT 200")
    return [dict(zip(names, row, strict=True)) for row in rows]


def all_forks(storage, chain: str = "register") -> list[dict]:
    with storage.read() as tx:
        return forks(tx, chain)


def anchor(storage, store_id: str) -> dict:
    with storage.read() as tx:
        return anchor_of(tx, store_id)


def fiscal_anchor(storage, store_id: str) -> dict:
    """What `fiscal verify` compares with: the fiscal chain's anchored heads, and each terminal's public key as HQ
    first received it (a chain re-signed with another key does not verify under it)."""
    with storage.read() as tx:
        found = anchor_of(tx, store_id, "fiscal")
        keys = dict(tx.rows("SELECT terminal_id, public_key FROM hq_fiscal_keys WHERE store_id = %s", [store_id]))
    return {**found, "keys": keys}


def keep_fiscal_keys(tx, store_id: str, keys: tuple[tuple[str, str], ...], now: str) -> None:
    """Inside the ingest's transaction: each terminal's public key, the first one received kept for good."""
    for terminal_id, public_key in keys:
        tx.run("INSERT INTO hq_fiscal_keys VALUES (%s, %s, %s, %s) ON CONFLICT (store_id, terminal_id) DO NOTHING",
               [store_id, terminal_id, public_key, now])


def keep_fiscal_head(tx, store_id: str, link: dict, now: str) -> None:
    """Inside the ingest's transaction, once `link` (core.fiscal_links, verified) was anchored: the store's head
    record, replaced only by a later one."""
    tx.run("INSERT INTO hq_fiscal_heads VALUES (%s, %s, %s, %s) ON CONFLICT (store_id) DO UPDATE SET seq = "
           "excluded.seq, record = excluded.record, at = excluded.at WHERE excluded.seq > hq_fiscal_heads.seq",
           [store_id, link["seq"], json.dumps(link, sort_keys=True), now])


def fiscal_head_of(tx, store_id: str, seq: int | None) -> tuple[dict, str] | None:
    """(the head record HQ keeps at record `seq`, its terminal's public key), or None: none kept at that number (an
    anchor from before HQ kept records), or its terminal's key unknown."""
    rows = tx.rows("SELECT record FROM hq_fiscal_heads WHERE store_id = %s AND seq = %s", [store_id, seq])
    record = json.loads(rows[0][0]) if rows else None
    key = tx.rows("SELECT public_key FROM hq_fiscal_keys WHERE store_id = %s AND terminal_id = %s",
                  [store_id, str(record.get("terminal_id"))]) if isinstance(record, dict) else []
    return (record, key[0][0]) if key else None
