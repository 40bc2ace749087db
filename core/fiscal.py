"""The till's fiscal rules (CGI art. 286 I-3° bis, BOI-TVA-DECLA-30-10-30): what a fiscal record's Ed25519 signature
covers, the totals per VAT rate a ticket and a closure carry, and how they add up. Pure: no Flask, no SQL.

Every rule and its source is in core/data/fiscal.toml. Stated once:
- a record's signature covers, as canonical JSON, its number, kind, date-time, totals per VAT rate, its total, the
  perpetual grand total after it, its terminal, the software version, its place in the chain and the previous
  record's signature: a record changed, removed or moved breaks its own signature or the next one's;
- totals per bucket: a standard VAT rate ("2000" for 20 %) carries {ttc, ht, tva}; margin-scheme lines (core.margin)
  are counted apart under "margin-<rate>" with {ttc, margin, tva} (the VAT due on the margin); a return's are negative;
- a closure's period totals are the sum of its tickets' totals; its perpetual totals the previous perpetual plus them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core import margin, till

RULES_FILE = Path(__file__).parent / "data" / "fiscal.toml"
RULES = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
FISCAL_TABLES: tuple[str, ...] = tuple(RULES["inalterability"]["tables"])
SIGNED_FIELDS: tuple[str, ...] = tuple(RULES["security"]["signed_fields"])
JET_EVENTS: tuple[str, ...] = tuple(RULES["jet"]["events"])
JET_SETTINGS: tuple[str, ...] = tuple(RULES["jet"]["settings"])
GENESIS = ""  # the previous signature of a chain's first record
TICKET_KINDS = ("sale", "return")  # the records whose totals move the perpetual grand total
RECORD_KINDS = (*TICKET_KINDS, "closure", "jet", "archive")  # what a chain record can be
MARGIN_PREFIX = "margin-"

Totals = dict[str, dict[str, int]]


def ticket_totals(lines: Iterable[till.Line], sign: int = 1) -> Totals:
    """One ticket's totals per bucket: standard rates as core.till rounds them, margin lines as core.margin does."""
    lines = list(lines)
    totals: Totals = {str(row.rate_bp): {"ttc": sign * row.gross_minor, "ht": sign * row.net_minor,
                                         "tva": sign * row.vat_minor} for row in till.vat_breakdown(lines)}
    for row in margin.margin_breakdown(lines):
        totals[f"{MARGIN_PREFIX}{row.rate_bp}"] = {"ttc": sign * row.gross_minor, "margin": sign * row.margin_minor,
                                                   "tva": sign * row.vat_minor}
    return totals


def add_totals(*many: Mapping[str, Mapping[str, int]]) -> Totals:
    """Bucket by bucket, field by field."""
    out: Totals = {}
    for totals in many:
        for bucket, fields in totals.items():
            into = out.setdefault(bucket, {})
            for name, value in fields.items():
                into[name] = into.get(name, 0) + value
    return {bucket: out[bucket] for bucket in sorted(out)}


def grand_total(totals: Mapping[str, Mapping[str, int]]) -> int:
    """What the customers paid (VAT included) over every bucket."""
    return sum(fields.get("ttc", 0) for fields in totals.values())


def signed_message(record: Mapping) -> bytes:
    """The bytes a record's signature covers (core/data/fiscal.toml [security] signed_fields)."""
    covered = {name: record[name] for name in SIGNED_FIELDS}
    if isinstance(covered["totals"], str):
        covered["totals"] = json.loads(covered["totals"])
    return json.dumps(covered, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_private_key_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_key_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(private_pem: str, record: Mapping) -> str:
    """The record's signature, base64."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the fiscal key is not an Ed25519 key")
    return base64.b64encode(key.sign(signed_message(record))).decode()


def signature_valid(public_pem: str, record: Mapping) -> bool:
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(record["signature"], validate=True), signed_message(record))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def signature_digest(signature: str) -> str:
    """What HQ anchors of a record's signature: its SHA-256, hex (the same shape as the police register's heads)."""
    return hashlib.sha256(signature.encode()).hexdigest()


def chain_problems(records: Iterable[Mapping], keys: Mapping[str, str], anchored: Mapping[int, str],
                   first_prev: str = GENESIS, first_seq: int | None = None) -> list[str]:
    """Every problem of a chain of records (in seq order), in words naming the record: a gap, a broken link, a
    signature that does not verify under its terminal's public key (`keys`), a perpetual total that does not add
    up, a record that differs from the head HQ anchored at its number (`anchored`: seq -> signature digest).
    `first_prev` is the previous signature of the first record and `first_seq` its number (a terminal's chain
    starts at 1 after GENESIS, a terminal rebuilt from HQ at the head HQ anchored: kiosk.till.fiscal_chain); an
    archive of a period starts wherever the period does (None)."""
    problems: list[str] = []
    prev, expected, perpetual = first_prev, first_seq, None
    for record in records:
        name = f"record {record['seq']} ({record['kind']} {record['number']})"
        if expected is not None and record["seq"] != expected:
            problems.append(f"record {expected} is missing (the next record is {name})")
        if record["prev_signature"] != prev:
            problems.append(f"{name} is not chained to the record before it")
        if not (key := keys.get(record["terminal_id"])) or not signature_valid(key, record):
            problems.append(f"{name}: its signature does not verify with terminal {record['terminal_id']}'s "
                            "public key (changed after it was signed)")
        if perpetual is not None and record["kind"] in TICKET_KINDS and \
                record["perpetual_minor"] != perpetual + record["total_minor"]:
            problems.append(f"{name}: the perpetual total does not add up")
        if record["seq"] in anchored and signature_digest(record["signature"]) != anchored[record["seq"]]:
            problems.append(f"{name} differs from the chain head HQ anchored at that number")
        prev, expected, perpetual = record["signature"], record["seq"] + 1, record["perpetual_minor"]
    if anchored and expected is not None and max(anchored) >= expected:
        problems.append(f"records up to {max(anchored)} were anchored at HQ, but the chain ends before them")
    return problems


def settings_digests(config: Mapping[str, object]) -> dict[str, str]:
    """A short digest per journaled setting (core/data/fiscal.toml [jet] settings): the JET says which settings
    changed between two starts without ever holding their values."""
    return {name: hashlib.sha256(f"{name}={config.get(name)!s}".encode()).hexdigest()[:16] for name in JET_SETTINGS}


def changed_settings(before: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The names whose digest differs (a name journaled on one side only counts as changed)."""
    return sorted(name for name in set(before) | set(now) if before.get(name) != now.get(name))
