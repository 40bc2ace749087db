"""Rebuilding a dead store terminal from HQ (issue 35): the pages HQ serves (GET /api/v1/stores/<id>/restore/<part>)
and their check, one module for both ends. HQ shapes every page through `checked_page` before it answers; the new
terminal reads it through the same function, so a page one end would not write the other never applies. Pure: no
Flask, no SQL.

What a part holds: `tradeins` the store's trade-ins HQ has not received (their accept record as the store sent it,
HQ's view of their state and shipment), `vouchers` its open vouchers with HQ's balance, `sales` its sales and
returns of the longest warranty period (core/data/returns.toml). `summary` is not paged: the register's and the
till's anchored heads and what HQ last heard from each terminal (what the restore report can know of what was lost).

The till's head comes with the record HQ anchored (its signed fields and signature, core.fiscal_links.link_of) and
its terminal's public key, when HQ holds them: the new terminal keeps that record as the first of its chain and
chains its own next to it (kiosk.till.fiscal_chain.continue_from). Both ends refuse a record that is not the head
HQ anchored (another SHA-256) or whose signature does not verify; an HQ from before it kept the record sends the
head's digest only, and the new terminal then starts a chain of its own (the report says so).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

from core import fiscal, fiscal_links
from core.returns_policy import POLICY, add_months
from core.states import RECEIPT_OUT, TAKEN

PARTS = ("tradeins", "vouchers", "sales")
MAX_PAGE = 200  # items a page holds: a sale with its lines is ~2 KB, so a page stays well under a megabyte
MAX_PAGE_BYTES = 4 * 1024 * 1024  # what the terminal reads of one page before parsing it
# As HQ knows a trade-in before it receives the device: bought (printed and bagged are the store's own steps), or sent.
TRADEIN_STATES = tuple(s for s in TAKEN if s not in RECEIPT_OUT and s != "received")
SALE_KINDS = ("sale", "return")
_CODE = re.compile(r"[A-Z0-9-]{1,40}")
_HASH = re.compile(r"[0-9a-f]{64}")
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[0-9T:.+Z-]{0,26}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_TERMINAL = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
MAX_KEY_CHARS = 1000  # an Ed25519 public key in PEM is 113 characters


class RestoreRefused(ValueError):
    """A page that is not what its part holds; str(err) says what (nothing of it is applied)."""


def warranty_cutoff(today: date) -> date:
    """The first day of sale still under some warranty today: the longest period of core/data/returns.toml."""
    return add_months(today, -max(POLICY.warranty_months.values()))


def _uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _whole(value: object, low: int = 0, high: int = 10**12) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(value: object, pattern: re.Pattern) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _tradein_problem(item: dict) -> str | None:
    record, shipment = item.get("record"), item.get("shipment")
    if item.get("state") not in TRADEIN_STATES or not isinstance(record, dict):
        return "a trade-in needs its state and its accept record"
    if not _uuid(record.get("uuid")) or not _text(record.get("code"), _CODE):
        return "a trade-in's uuid or code is not as minted"
    if not _whole(record.get("total_minor")) or not _text(record.get("currency"), _CURRENCY):
        return f"trade-in {record['code']}: no amount"
    if (record.get("imei") is None) == (record.get("serial") is None):
        return f"trade-in {record['code']}: an IMEI or a serial, not both"
    if shipment is not None and not (isinstance(shipment, dict) and _uuid(shipment.get("uuid"))
                                     and _text(shipment.get("code"), _CODE)
                                     and _text(shipment.get("closed_at"), _INSTANT)):
        return f"trade-in {record['code']}: its shipment is not one"
    return None


def _voucher_problem(item: dict) -> str | None:
    if not _text(item.get("code"), _CODE) or item.get("status") != "active":
        return "a voucher needs its code and to be active"
    issued, balance = item.get("issued_minor"), item.get("balance_minor")
    if not _whole(issued, 1) or not _whole(balance, 1, issued if _whole(issued) else 0):
        return f"voucher {item['code']}: its balance is not between 1 and what was issued"
    if item.get("tradein_uuid") is not None and not _uuid(item["tradein_uuid"]):
        return f"voucher {item['code']}: its trade-in is not a uuid"
    if not all(_text(item.get(k), _INSTANT) for k in ("issued_at", "expires_at")) or \
            not _text(item.get("currency"), _CURRENCY):
        return f"voucher {item['code']}: no dates or currency"
    return None


def _sale_problem(item: dict) -> str | None:
    if not _uuid(item.get("uuid")) or not _text(item.get("number"), _CODE) or item.get("kind") not in SALE_KINDS:
        return "a sale needs its uuid, number and kind"
    if item["kind"] == "return" and not _uuid(item.get("original_uuid")):
        return f"return {item['number']}: no original sale"
    if not _whole(item.get("total_minor"), -10**12) or not _text(item.get("created_at"), _INSTANT):
        return f"sale {item['number']}: no total or date"
    lines, tenders = item.get("lines"), item.get("tenders")
    if not isinstance(lines, list) or not isinstance(tenders, list) or len(lines) > 500 or len(tenders) > 50:
        return f"sale {item['number']}: its lines and tenders are not lists (or too many)"
    if not all(isinstance(x, dict) and _whole(x.get("line_no"), 1, 10**6) for x in lines) or \
            not all(isinstance(x, dict) and _whole(x.get("amount_minor"), -10**12) for x in tenders):
        return f"sale {item['number']}: a line or tender is not one"
    return None


_CHECKS = {"tradeins": _tradein_problem, "vouchers": _voucher_problem, "sales": _sale_problem}


def checked_page(part: str, page: object) -> dict:
    """{items, next} of one page of `part`, every item checked; RestoreRefused names the first one that is not."""
    if part not in _CHECKS or not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise RestoreRefused(f"not a page of {part}")
    if len(page["items"]) > MAX_PAGE or not (page.get("next") is None or _text(page["next"], re.compile(r"\S{1,80}"))):
        raise RestoreRefused(f"a page of {part} holds at most {MAX_PAGE} items and a cursor")
    for item in page["items"]:
        problem = _CHECKS[part](item) if isinstance(item, dict) else f"an item of {part} is not an object"
        if problem:
            raise RestoreRefused(problem)
    return {"items": page["items"], "next": page.get("next")}


def _head(value: object) -> dict:
    """{seq, hash, at} of an anchored head, seq None when HQ holds none."""
    if not isinstance(value, dict) or value.get("seq") is None:
        return {"seq": None, "hash": None, "at": None}
    if not _whole(value["seq"], 0) or not _text(value.get("hash"), _HASH) or not _text(value.get("at"), _INSTANT):
        raise RestoreRefused("an anchored head is not {seq, hash, at}")
    return {"seq": value["seq"], "hash": value["hash"], "at": value["at"]}


def checked_summary(summary: object) -> dict:
    """HQ's summary: the anchored heads, when the store last sent a batch, each terminal's last word."""
    if not isinstance(summary, dict) or not isinstance(summary.get("terminals"), list) or \
            len(summary["terminals"]) > 64:
        raise RestoreRefused("not a restore summary")
    terminals = []
    for row in summary["terminals"]:
        if not isinstance(row, dict) or not _text(row.get("terminal_id"), _TERMINAL) or \
                not _text(row.get("seen_at"), _INSTANT) or not _whole(row.get("outbox_pending"), 0, 10**9):
            raise RestoreRefused("a terminal's last report is not {terminal_id, seen_at, outbox_pending}")
        terminals.append({k: row[k] for k in ("terminal_id", "seen_at", "outbox_pending")})
    last_batch = summary.get("last_batch_at")
    if last_batch is not None and not _text(last_batch, _INSTANT):
        raise RestoreRefused("last_batch_at is not a date")
    till = _head(summary.get("fiscal"))
    sent = summary["fiscal"] if isinstance(summary.get("fiscal"), dict) else {}
    if till["seq"] and sent.get("record") is not None:
        if problem := fiscal_head_problem(till, sent["record"], sent.get("public_key")):
            raise RestoreRefused(problem)
        till.update(record=sent["record"], public_key=sent["public_key"])
    return {"register": _head(summary.get("register")), "fiscal": {"record": None, "public_key": None, **till},
            "last_batch_at": last_batch, "terminals": terminals}


def _moment(value: object) -> bool:
    """A date-time as the terminals write them, that Python reads (the new terminal takes its local date)."""
    try:
        return _text(value, _INSTANT) and datetime.fromisoformat(value) is not None
    except ValueError:
        return False


def fiscal_head_problem(head: dict, record: object, public_key: object) -> str | None:
    """Why `record` is not the till's head HQ anchored ({seq, hash}), signed by its terminal under `public_key`; None
    when it is. HQ asks before it serves the record, the new terminal before it chains to it."""
    if not fiscal_links.well_formed(record) or record["kind"] not in fiscal.RECORD_KINDS or \
            not _moment(record["at"]) or not _text(record["terminal_id"], _TERMINAL):
        return "the till's head record is not a fiscal record"
    if record["seq"] != head["seq"] or fiscal.signature_digest(record["signature"]) != head["hash"]:
        return f"the till's head record is not the head HQ anchored at record {head['seq']}"
    if not isinstance(public_key, str) or len(public_key) > MAX_KEY_CHARS or \
            not fiscal.signature_valid(public_key, record):
        return f"the till's head record does not verify with terminal {record['terminal_id']}'s public key"
    return None
