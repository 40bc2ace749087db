"""The police registers' heads anchored at HQ (Code pénal R.321-3 ff.: the electronic register must be tamper-evident).

Each batch carries its store's register head {seq, hash}. HQ keeps every head it anchored; a head at a number HQ
already anchored with another hash, or behind the last anchored one, is a fork (the register was rewritten and
re-chained, or replaced by an older copy): it is refused, the anchor stays, and the fork is kept for a supervisor
(the stores page). `register verify` at the terminal compares its entries with every anchored head."""

from __future__ import annotations

from core.messages import Message
from core.protocol import rejection

MAX_HISTORY = 100_000  # heads sent back to `register verify` (one per batch that moved the head)


def anchor_head(tx, store_id: str, seq: int, digest: str, now: str) -> Message | None:
    """Inside the ingest's transaction (the store's row locked): anchor the head, or say why it is refused."""
    latest = tx.rows("SELECT seq, hash FROM hq_register_anchors WHERE store_id = %s ORDER BY seq DESC LIMIT 1",
                     [store_id])
    if latest and (seq, digest) == tuple(latest[0]):
        return None
    if latest and seq <= latest[0][0]:
        known = tx.rows("SELECT hash FROM hq_register_anchors WHERE store_id = %s AND seq = %s", [store_id, seq])
        if known and known[0][0] == digest:
            return None  # an older head HQ holds as it is: nothing moves backwards, nothing forked
        _record_fork(tx, store_id, seq, digest, latest[0], now)
        return rejection("register_fork", seq=seq, anchored=latest[0][0])
    tx.run("INSERT INTO hq_register_anchors VALUES (%s, %s, %s, %s) ON CONFLICT (store_id, seq) DO NOTHING",
           [store_id, seq, digest, now])
    tx.run("UPDATE hq_stores SET register_seq = %s, register_hash = %s, register_at = %s WHERE id = %s",
           [seq, digest, now, store_id])
    return None


def _record_fork(tx, store_id: str, seq: int, digest: str, anchored: tuple, now: str) -> None:
    tx.run("INSERT INTO hq_register_forks VALUES (%s, %s, %s, %s, %s, %s, %s, 1) ON CONFLICT (store_id, seq, "
           "offered_hash) DO UPDATE SET last_at = excluded.last_at, times = hq_register_forks.times + 1",
           [store_id, seq, digest, anchored[0], anchored[1], now, now])


def anchor_of(tx, store_id: str) -> dict:
    """What `register verify` compares with: the last anchored head and the heads before it."""
    rows = tx.rows("SELECT seq, hash, at FROM hq_register_anchors WHERE store_id = %s ORDER BY seq DESC LIMIT %s",
                   [store_id, MAX_HISTORY])
    history = [{"seq": seq, "hash": digest, "at": at} for seq, digest, at in reversed(rows)]
    last = history[-1] if history else {"seq": None, "hash": None, "at": None}
    return {**last, "history": history}


def forks(tx) -> list[dict]:
    """Every fork a store's terminal offered, the latest first, with the store's name (the stores page)."""
    names = ("store_id", "store_name", "seq", "offered_hash", "anchored_seq", "anchored_hash", "first_at", "last_at",
             "times")
    rows = tx.rows("SELECT f.store_id, s.name, f.seq, f.offered_hash, f.anchored_seq, f.anchored_hash, f.first_at, "
                   "f.last_at, f.times FROM hq_register_forks f JOIN hq_stores s ON s.id = f.store_id "
                   "ORDER BY f.last_at DESC LIMIT 200")
    return [dict(zip(names, row, strict=True)) for row in rows]


def all_forks(storage) -> list[dict]:
    with storage.read() as tx:
        return forks(tx)


def anchor(storage, store_id: str) -> dict:
    with storage.read() as tx:
        return anchor_of(tx, store_id)
