"""The till's fiscal chain (CGI art. 286 I-3° bis, condition of security): every ticket, closure, JET event and
archive is a record signed with Ed25519 by the terminal that made it, over its key fields and the previous
record's signature (core.fiscal). A terminal's private key is made once (at enrolment, else at its first record),
kept 0600 in the keys folder beside the police register's key, out of the data folder; its public key is kept in
fiscal_keys (insert-only). The chain's head and the public keys ride with every batch to HQ, which keeps the first
key per terminal, anchors the head and refuses one that forks from it, as it does the police register's.

A terminal rebuilt from HQ (kiosk.provisioning.restore) continues the store's chain rather than starting one: its
first record is the dead terminal's head as HQ anchored it (signed fields and signature, with that terminal's public
key), and its own records follow at the next number, the first being the JET's restore. So nothing here, in
core.fiscal's check or in HQ's (core.fiscal_links.follow) treats it apart: record n+1 names record n's signature
under another terminal's key, as any two records may. Only the chain's start moves: `verify` accepts a chain that
starts after record 1 when its second record is the restore that names the first (restored_from)."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from core import fiscal, fiscal_links, till
from core.clock import utcnow
from core.settings import write_private
from kiosk.settings import default_register_key_file
from kiosk.store.db import fetch_all, fetch_one

EMPTY_HEAD = {"seq": 0, "hash": "0" * 64}


def software_version() -> str:
    """kiosk.__version__, which each record carries. Read from the package already imported (a package is imported
    before its modules): importing it by name would count, for import-linter, as importing kiosk.app."""
    return sys.modules["kiosk"].__version__


class FiscalKeyMissing(RuntimeError):
    """The terminal has a public key on record but its private key file is gone: it cannot sign (restore the
    file from the keys folder's backup; a new key for the same terminal is refused by design)."""


def key_folder(db: sqlite_utils.Database) -> Path:
    """Where the terminals' private keys live: the folder of the police register's key (the kiosk's connection
    names it: kiosk.store.connection), else the default one beside the database's folder."""
    named = getattr(db, "fiscal_key_folder", None)
    if named:
        return Path(named)
    database = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    return Path(default_register_key_file(str(Path(database).parent))).parent


def _key_file(db: sqlite_utils.Database, terminal_id: str) -> Path:
    return key_folder(db) / f"fiscal-{terminal_id}.pem"


def ensure_key(db: sqlite_utils.Database, terminal_id: str) -> str:
    """The terminal's private key (PEM), made on first use with its public key recorded and queued for HQ. Inside
    the caller's transaction."""
    path, known = _key_file(db, terminal_id), fetch_one(db, "SELECT public_key FROM fiscal_keys WHERE terminal_id = ?",
                                                        [terminal_id])
    if path.exists():
        private = path.read_text()
        if known is None:
            _record_public_key(db, terminal_id, fiscal.public_key_pem(private))
        return private
    if known is not None:
        raise FiscalKeyMissing(f"terminal {terminal_id}'s fiscal key file {path} is missing: restore it")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = fiscal.new_private_key_pem()
    write_private(path, private)
    _record_public_key(db, terminal_id, fiscal.public_key_pem(private))
    return private


def _record_public_key(db: sqlite_utils.Database, terminal_id: str, public: str) -> None:
    """Kept here (insert-only) and sent to HQ with the chain's head (head()): HQ keeps the first key per terminal."""
    db["fiscal_keys"].insert({"terminal_id": terminal_id, "public_key": public, "created_at": utcnow()})


def public_keys(db: sqlite_utils.Database) -> dict[str, str]:
    return {r["terminal_id"]: r["public_key"] for r in fetch_all(db, "SELECT * FROM fiscal_keys")}


def local_date(db: sqlite_utils.Database, at: str) -> str:
    """The store's local date of a UTC time: the day, month and fiscal year a record belongs to."""
    store = fetch_one(db, "SELECT timezone FROM stores ORDER BY rowid LIMIT 1")
    zone = ZoneInfo(store["timezone"] if store else "UTC")
    return datetime.fromisoformat(at).astimezone(zone).date().isoformat()


def last(db: sqlite_utils.Database, kinds: tuple[str, ...] | None = None) -> dict | None:
    where = f"WHERE kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
    return fetch_one(db, f"SELECT * FROM fiscal_records {where} ORDER BY seq DESC LIMIT 1", list(kinds or ()))


def append(db: sqlite_utils.Database, kind: str, doc_uuid: str, number: str, terminal_id: str,
           totals: fiscal.Totals, at: str | None = None, total_minor: int | None = None) -> dict:
    """Inside the document's transaction: the next record, its perpetual total moved by a ticket, signed. A
    closure gives its period total (its totals also carry the perpetual ones)."""
    before = last(db)
    total = fiscal.grand_total(totals) if total_minor is None else total_minor
    perpetual = (before["perpetual_minor"] if before else 0) + (total if kind in fiscal.TICKET_KINDS else 0)
    at = at or utcnow()
    record = {"seq": (before["seq"] + 1) if before else 1, "kind": kind, "doc_uuid": doc_uuid, "number": number,
              "at": at, "local_date": local_date(db, at), "terminal_id": terminal_id,
              "software_version": software_version(), "totals": json.dumps(totals, sort_keys=True),
              "total_minor": total, "perpetual_minor": perpetual,
              "prev_signature": before["signature"] if before else fiscal.GENESIS}
    record["signature"] = fiscal.sign(ensure_key(db, terminal_id), record)
    db["fiscal_records"].insert(record)
    return record


def head(db: sqlite_utils.Database) -> dict:
    """The chain's head to anchor at HQ: {seq, hash} where hash is the SHA-256 of the last record's signature, and
    the terminals' public keys (HQ keeps the first it receives for each terminal)."""
    row = last(db)
    found = {"seq": row["seq"], "hash": fiscal.signature_digest(row["signature"])} if row else dict(EMPTY_HEAD)
    return {**found, "keys": public_keys(db)}


def head_for_hq(db: sqlite_utils.Database, anchored_seq: int | None) -> dict:
    """The head a batch offers HQ with its links: each record after HQ's anchor (`anchored_seq`, None when unknown:
    from the first), at most core.fiscal_links.MAX_LINKS_PER_BATCH; the head is the last link sent, the rest
    follows with the next batch."""
    after = fetch_all(db, "SELECT * FROM fiscal_records WHERE seq > ? ORDER BY seq LIMIT ?",
                      [anchored_seq or 0, fiscal_links.MAX_LINKS_PER_BATCH])  # a restored chain starts past 1
    if not after:
        return {**head(db), "links": []}
    last_sent = after[-1]
    return {"seq": last_sent["seq"], "hash": fiscal.signature_digest(last_sent["signature"]),
            "keys": public_keys(db), "links": [fiscal_links.link_of(r) for r in after]}


def records(db: sqlite_utils.Database, first_seq: int = 1, last_seq: int | None = None) -> list[dict]:
    return fetch_all(db, "SELECT * FROM fiscal_records WHERE seq >= ? AND seq <= ? ORDER BY seq",
                     [first_seq, last_seq if last_seq is not None else 2**62])


def anchored_heads(anchor: dict | None) -> dict[int, str]:
    """Every head HQ anchored, by record number (its history, then its last)."""
    if not anchor:
        return {}
    heads = {a["seq"]: a["hash"] for a in anchor.get("history", []) if isinstance(a, dict)}
    if isinstance(anchor.get("seq"), int):
        heads[anchor["seq"]] = anchor.get("hash")
    return {seq: digest for seq, digest in heads.items() if seq}


def _ticket_lines(db: sqlite_utils.Database, sale_uuid: str) -> list[till.Line]:
    return [till.Line(r["ean"], r["name"], r["quantity"], r["unit_minor"], r["vat_bp"], r["discount_minor"],
                      r["discount_reason"], r["imei"], margin_purchase_minor=r.get("margin_purchase_minor"))
            for r in fetch_all(db, "SELECT * FROM sale_lines WHERE sale_uuid = ? ORDER BY line_no", [sale_uuid])]


def ticket_totals(sale: dict, lines: list[till.Line]) -> fiscal.Totals:
    """What a ticket's record signs: its totals per VAT bucket (core.fiscal); or, for a US store's ticket (sales tax
    added, no VAT: core/sales_tax.py), one bucket per tax rate with what the customer paid (ttc, as every bucket's),
    the lines before tax and the tax. The French chain's law does not apply there; the chain is kept as the store's
    own audit trail (core/data/jurisdictions/us-ny-nyc.toml [fiscal])."""
    sign = -1 if sale["kind"] == "return" else 1
    if not sale.get("tax_rate"):
        return fiscal.ticket_totals(lines, sign)
    return {f"sales-tax-{sale['tax_rate']}": {"ttc": sale["total_minor"], "ht": sign * till.cart_total(lines),
                                             "tax": sale["tax_minor"]}}


def document_problems(db: sqlite_utils.Database, record: dict) -> list[str]:
    """A ticket's record against the ticket itself: the sale or return is there, with the totals that were signed."""
    if record["kind"] not in fiscal.TICKET_KINDS:
        return []
    name = f"record {record['seq']} ({record['kind']} {record['number']})"
    sale = fetch_one(db, "SELECT * FROM sales WHERE uuid = ?", [record["doc_uuid"]])
    if sale is None:
        return [f"{name}: the ticket is missing from the sales"]
    totals = ticket_totals(sale, _ticket_lines(db, sale["uuid"]))
    if sale["number"] != record["number"] or sale["total_minor"] != record["total_minor"] or \
            totals != json.loads(record["totals"]):
        return [f"{name}: the ticket's amounts differ from the signed record (changed after it was signed)"]
    return []


def continue_from(db: sqlite_utils.Database, head: dict, public_key: str) -> None:
    """Inside the restore's transaction (foreign keys off: the dead terminal is not a row here), on an empty chain:
    the head HQ anchored (checked by core.restore) as its first record, its terminal's public key beside this
    terminal's. A ticket's record names the restored sale of its number; another's document is on the dead
    terminal, so it gets an id of its own, derived from its signature."""
    if last(db) is not None:
        raise ValueError("a chain is continued from HQ's head only while it is empty")
    sale = fetch_one(db, "SELECT uuid FROM sales WHERE number = ? AND kind = ?", [head["number"], head["kind"]])
    totals = head["totals"] if isinstance(head["totals"], str) else json.dumps(head["totals"], sort_keys=True)
    doc_uuid = sale["uuid"] if sale and head["kind"] in fiscal.TICKET_KINDS else \
        str(uuid.uuid5(uuid.NAMESPACE_URL, "fiscal-head:" + head["signature"]))
    db["fiscal_records"].insert({**fiscal_links.link_of(head), "totals": totals, "doc_uuid": doc_uuid,
                                 "local_date": local_date(db, head["at"])})
    if head["terminal_id"] not in public_keys(db):
        _record_public_key(db, head["terminal_id"], public_key)


def restored_from(db: sqlite_utils.Database) -> dict | None:
    """The head this chain continues when the terminal was rebuilt from HQ: {seq, hash, at, terminal_id} of its
    first record, and `restored_at`, when its second record is the JET's restore naming it; else None."""
    first = fetch_one(db, "SELECT * FROM fiscal_records ORDER BY seq LIMIT 1")
    restore = first and fetch_one(db, "SELECT r.at, e.detail FROM fiscal_records r JOIN fiscal_events e ON e.uuid = "
                                      "r.doc_uuid WHERE r.seq = ? AND r.kind = 'jet' AND e.code = 'restore'",
                                  [first["seq"] + 1])
    if not restore or json.loads(restore["detail"]).get("fiscal_from") != first["seq"]:
        return None
    return {"seq": first["seq"], "hash": fiscal.signature_digest(first["signature"]), "at": first["at"],
            "terminal_id": first["terminal_id"], "restored_at": restore["at"],
            "period_from": json.loads(restore["detail"]).get("period_from") or ""}


def own_start(db: sqlite_utils.Database) -> int:
    """The records after this number are this terminal's own: 0, or the head it was restored from (that record's
    ticket and the periods before it were the dead terminal's, counted and closed there)."""
    restored = restored_from(db)
    return restored["seq"] if restored else 0


def verify(db: sqlite_utils.Database, anchor: dict | None = None) -> list[str]:
    """The live chain against its signatures, its tickets and HQ's anchor. HQ's public keys (anchor["keys"], the
    ones the terminals sent first) are trusted over the database's: a chain re-signed with a new key fails. A chain
    starts at record 1, or at the head HQ anchored when it was rebuilt from HQ (restored_from)."""
    keys = {**public_keys(db), **((anchor or {}).get("keys") or {})}
    chain, restored, anchored = records(db), restored_from(db), anchored_heads(anchor)
    first_prev = chain[0]["prev_signature"] if restored else fiscal.GENESIS
    problems = fiscal.chain_problems(chain, keys, anchored, first_prev, restored["seq"] if restored else 1)
    if restored and anchored and restored["seq"] >= min(anchored) and restored["seq"] not in anchored:
        problems.append(f"record {restored['seq']}, the head this chain was restored from, is not one HQ anchored")
    for record in chain:
        problems += document_problems(db, record)
    if chain:  # a restored chain's own tickets are those after the restore (the dead terminal's were on it)
        # (after the latest sale taken back, which may share the restore's second: times are to the second)
        since = max(restored["restored_at"], restored["period_from"]) if restored else chain[0]["at"]
        later = ">" if restored and restored["period_from"] >= restored["restored_at"] else ">="
        for row in fetch_all(db, f"SELECT number FROM sales WHERE created_at {later} ? AND uuid NOT IN "
                                 "(SELECT doc_uuid FROM fiscal_records)", [since]):
            problems.append(f"ticket {row['number']} has no signed record in the chain")
    return problems
