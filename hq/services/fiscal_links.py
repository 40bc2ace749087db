"""HQ's side of the fiscal chain's links (core.fiscal_links): inside the ingest's transaction (the store's row
locked), the head a batch offers moves only along links verified from HQ's anchor with the terminal's public key;
anything else is a fork, refused and kept for supervisors (hq_fiscal_forks, the stores page)."""

from __future__ import annotations

import logging

from core import fiscal_links
from core.messages import Message
from core.protocol import rejection
from hq.services.register_anchors import _record_fork, anchor_head, keep_fiscal_head

CHAIN = "fiscal"
log = logging.getLogger(__name__)


def latest_anchor(tx, store_id: str) -> tuple[int, str] | None:
    rows = tx.rows("SELECT seq, hash FROM hq_fiscal_anchors WHERE store_id = %s ORDER BY seq DESC LIMIT 1",
                   [store_id])
    return (int(rows[0][0]), rows[0][1]) if rows else None


def anchor_for_ack(tx, store_id: str) -> dict:
    """What the terminal learns from the ack: the head HQ holds, so its next links start after it."""
    latest = latest_anchor(tx, store_id)
    return {"seq": latest[0], "hash": latest[1]} if latest else {"seq": None, "hash": None}


def _fork(tx, store_id: str, seq: int, digest: str, latest: tuple[int, str] | None, now: str) -> Message:
    _record_fork(tx, store_id, seq, digest, latest or (0, ""), now, CHAIN)
    return rejection("fiscal_fork", seq=seq, anchored=latest[0] if latest else 0)


def anchor_links(tx, store_id: str, seq: int, digest: str, links: tuple, now: str) -> Message | None:
    """Anchor the head the links reach, or say why the batch's fiscal head is refused. A head at or behind HQ's
    (nothing new) is checked against the anchored heads as before; a head ahead of HQ's needs its links."""
    latest = latest_anchor(tx, store_id)
    ahead = seq > latest[0] if latest else seq > 0
    if not links:
        return _fork(tx, store_id, seq, digest, latest, now) if ahead else \
            anchor_head(tx, store_id, seq, digest, now, CHAIN)
    if len(links) > fiscal_links.MAX_LINKS_PER_BATCH:
        return _fork(tx, store_id, seq, digest, latest, now)
    keys = dict(tx.rows("SELECT terminal_id, public_key FROM hq_fiscal_keys WHERE store_id = %s", [store_id]))
    reached, problem = fiscal_links.follow(links, keys, latest or (0, None))
    if problem:
        log.warning("store %s: fiscal links refused as a fork: %s", store_id, problem)
        return _fork(tx, store_id, seq, digest, latest, now)
    if reached is None:  # links from before HQ's anchor (a terminal that did not know it): nothing new, no verdict
        return None
    refused = anchor_head(tx, store_id, reached[0], reached[1], now, CHAIN)
    if refused is None:  # the head record itself, for a terminal rebuilt from HQ (hq.services.restore)
        keep_fiscal_head(tx, store_id, next(link for link in links if isinstance(link, dict)
                                            and link.get("seq") == reached[0]), now)
    return refused
