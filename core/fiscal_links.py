"""The fiscal chain's links a terminal sends HQ with each batch, and HQ's check of them (CGI art. 286 I-3° bis,
BOI-TVA-DECLA-30-10-30 § 90-100: the records are chained and signed; HQ holds each terminal's public key).

HQ anchors only chain heads (the SHA-256 of a record's signature). A head alone cannot tell a store that rewrote its
past, re-signed the chain with its own key and moved on from an honest one. So with each batch the terminal sends,
for every record after the one HQ anchored, the fields its signature covers (core.fiscal.SIGNED_FIELDS) and the
signature. HQ checks each signature with core.fiscal, under the key it keeps for that terminal, and that the first
new record's previous signature is the one HQ anchored (its SHA-256 is the anchored hash) and each next record's is
the one before: the head moves only along a chain verified from the anchor. Pure: no Flask, no SQL.

MAX_LINKS_PER_BATCH bounds a batch: a link is about 600 bytes of JSON and one Ed25519 verification (~0.1 ms) inside
the store's locked transaction at HQ, so 100 links add ~60 KB and ~10 ms to a batch (bodies go up to 8 MiB). A
ticket makes one record and several outbox rows, so 100 links a batch keep up with the outbox; a longer backlog
(a terminal offline for days) is sent 100 links a batch, the head anchored at the last one each time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core import fiscal

MAX_LINKS_PER_BATCH = 100
MAX_FIELD_CHARS = 4096  # one field of a link: a record's totals are a few buckets, a signature 88 characters
TEXT_FIELDS = ("kind", "number", "at", "terminal_id", "software_version", "prev_signature", "signature")
WHOLE_FIELDS = ("seq", "total_minor", "perpetual_minor")


def link_of(record: Mapping) -> dict:
    """What the terminal sends of one fiscal record: the fields its signature covers, and the signature."""
    return {**{name: record[name] for name in fiscal.SIGNED_FIELDS}, "signature": record["signature"]}


def well_formed(link: object) -> bool:
    """A link HQ can check: every signed field, of its type, bounded."""
    if not isinstance(link, dict) or set(link) != {*fiscal.SIGNED_FIELDS, "signature"}:
        return False
    texts_ok = all(isinstance(link[n], str) and len(link[n]) <= MAX_FIELD_CHARS for n in TEXT_FIELDS)
    wholes_ok = all(isinstance(link[n], int) and not isinstance(link[n], bool) for n in WHOLE_FIELDS)
    totals = link["totals"]
    totals_ok = isinstance(totals, str | dict) and len(str(totals)) <= MAX_FIELD_CHARS
    return texts_ok and wholes_ok and totals_ok


def _chained(prev_signature: str, anchored_seq: int, anchored_digest: str | None) -> bool:
    """A record extends the anchor: it is the chain's first (no previous signature) when nothing is anchored past
    record 0, else its previous signature is the one whose SHA-256 HQ holds."""
    if anchored_seq == 0:
        return prev_signature == fiscal.GENESIS
    return fiscal.signature_digest(prev_signature) == anchored_digest


def _link_problem(link: object, keys: Mapping[str, str], seq: int, digest: str | None) -> str | None:
    """Why one link does not extend the chain verified so far (ending at record `seq`, hash `digest`)."""
    if not well_formed(link):
        return f"the link after record {seq} is not a fiscal record"
    if link["seq"] != seq + 1:
        return f"record {seq + 1} is missing (the next link is record {link['seq']})"
    if not _chained(link["prev_signature"], seq, digest):
        return f"record {link['seq']} is not chained to record {seq} as HQ holds it"
    key = keys.get(link["terminal_id"])
    if key and fiscal.signature_valid(key, link):
        return None
    return f"record {link['seq']}: its signature does not verify with the terminal's key"


def follow(links: Sequence[object], keys: Mapping[str, str],
           anchored: tuple[int, str | None]) -> tuple[tuple[int, str] | None, str | None]:
    """(the head the links reach past the anchor, or None if they bring nothing new; why they fork, or None).
    `anchored` is HQ's last head (seq, SHA-256 of its signature), (0, None) when nothing is anchored. Links at or
    before the anchor (a terminal that did not know it) are skipped, the one at the anchor compared with it."""
    seq, digest = anchored
    reached, last_seq = None, -1
    for link in links:
        if well_formed(link) and link["seq"] <= last_seq:
            return None, f"record {link['seq']} comes after record {last_seq}: the links are out of order"
        if well_formed(link) and link["seq"] <= anchored[0]:
            if link["seq"] == anchored[0] and fiscal.signature_digest(link["signature"]) != anchored[1]:
                return None, f"record {link['seq']} differs from the head HQ anchored"
            last_seq = link["seq"]
            continue
        if problem := _link_problem(link, keys, seq, digest):
            return None, problem
        seq, digest = link["seq"], fiscal.signature_digest(link["signature"])
        reached, last_seq = (seq, digest), seq
    return reached, None
