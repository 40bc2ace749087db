"""Rebuilding a dead terminal from HQ (`flask --app kiosk enrol --hq URL --code CODE --restore`, issue 35): on a fresh
data folder just enrolled into an existing store, take back what HQ holds of the store (core.restore, checked as HQ
checked it), and write a report of what came back and what cannot (<data dir>/restore-report.txt, 0600).

What comes back: the trade-ins HQ has not received yet (the shipment list is the same), the open vouchers with HQ's
balances, the sales and returns of the warranty period, and the till's fiscal head: the record HQ anchored last,
which becomes the first of this terminal's chain so that its own records continue the store's chain (numbers, the
perpetual total, each signature naming the one before) under its own key. What cannot: the sellers' identities and
the police register's entries (HQ never held them: only the register's chained head), the till's fiscal records
before that head (HQ checked each one's signature as it came, and kept only the last), and anything the dead
terminal never sent. An HQ from before it kept the head's record sends its digest only: the till then starts a
chain of its own, which HQ will take as a fork of the store's once it reaches the anchored number.

The restored rows name the dead terminal's staff and terminal by their ids, which are not rows on this terminal (staff
are re-created by the first manager: PIN hashes never leave a terminal), so they are written with the foreign-key
check off, in one transaction; a later update of those rows leaves those columns alone and passes the check."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from core.clock import utcnow
from core.protocol import JSONRefused, parse_json
from core.restore import MAX_PAGE_BYTES, PARTS, RestoreRefused, checked_page, checked_summary
from core.settings import write_private
from kiosk.store.db import fetch_one, write_transaction
from kiosk.till import fiscal_chain, journal
from sync.client import HQClient, HQUnavailable

REPORT_FILE = "restore-report.txt"
MAX_PAGES = 10_000  # 2 million items: far more than a store's ten years; a cursor that never ends is HQ's fault


def _get(client: HQClient, part: str, after: str = "") -> object:
    path = f"/api/v1/stores/{client.store_id}/restore/{part}" + (f"?after={after}" if after else "")
    response = client._request("GET", path)  # signed like every store request (core.protocol)
    if len(response.content) > MAX_PAGE_BYTES:
        raise RestoreRefused(f"HQ's page of {part} is larger than {MAX_PAGE_BYTES} bytes")
    try:
        return parse_json(response.content)
    except JSONRefused as err:
        raise HQUnavailable(f"HQ's page of {part} is not JSON: {err}") from None


def fetch(client: HQClient) -> dict:
    """Every part HQ holds for this store, each page checked (RestoreRefused: nothing is applied)."""
    fetched = {"summary": checked_summary(_get(client, "summary"))}
    for part in PARTS:
        items, after = [], ""
        for _ in range(MAX_PAGES):
            page = checked_page(part, _get(client, part, after))
            items += page["items"]
            if not page["next"] or page["next"] == after:
                break
            after = page["next"]
        fetched[part] = items
    return fetched


def _columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return set(db[table].columns_dict)


def _insert(db: sqlite_utils.Database, table: str, row: dict) -> None:
    db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def _tradeins(db: sqlite_utils.Database, store_id: str, items: list[dict]) -> set[str]:
    columns, now, shipments = _columns(db, "tradeins") - {"seller_identity", "tracking_token", "handoff"}, utcnow(), {}
    for item in items:
        record = item["record"]
        row = {k: v for k, v in record.items() if k in columns and not isinstance(v, dict | list)}
        device = fetch_one(db, "SELECT id FROM devices WHERE brand = ? AND model = ?",
                           [record.get("brand") or "", record.get("model") or ""])
        shipment = item["shipment"]
        row.update(store_id=store_id, state=item["state"], updated_at=now, device_id=device["id"] if device else None,
                   bonuses=json.dumps(record.get("bonuses") or []),
                   gate_reasons=json.dumps(record.get("gate_reasons") or []),
                   shipment_uuid=shipment["uuid"] if shipment else None)
        if shipment and shipment["uuid"] not in shipments:  # who closed it is not HQ's to say: left empty
            shipments[shipment["uuid"]] = {**shipment, "store_id": store_id, "staff_id": ""}
            _insert(db, "shipments", shipments[shipment["uuid"]])
        _insert(db, "tradeins", row)
    return {item["record"]["uuid"] for item in items}


def _vouchers(db: sqlite_utils.Database, store_id: str, items: list[dict], tradeins: set[str]) -> None:
    for item in items:  # its trade-in named only when it is on this terminal (a received one is HQ's now)
        _insert(db, "vouchers", {"code": item["code"], "store_id": store_id,
                                 "tradein_uuid": item["tradein_uuid"] if item["tradein_uuid"] in tradeins else None,
                                 "issued_minor": item["issued_minor"], "balance_minor": item["balance_minor"],
                                 "currency": item["currency"], "status": "active", "issued_at": item["issued_at"],
                                 "expires_at": item["expires_at"]})


def _sales(db: sqlite_utils.Database, store_id: str, items: list[dict]) -> int:
    """Sales, then returns of sales restored; a return of a sale that is not here is left out (counted)."""
    sale_cols, line_cols = _columns(db, "sales"), _columns(db, "sale_lines")
    done, skipped = set(), 0
    for item in sorted(items, key=lambda s: (s["kind"] != "sale", s["created_at"])):
        if item["kind"] == "return" and item["original_uuid"] not in done:
            skipped += 1
            continue
        _insert(db, "sales", {**{k: v for k, v in item.items() if k in sale_cols and not isinstance(v, list)},
                              "store_id": store_id})
        for line in item["lines"]:
            _insert(db, "sale_lines", {**{k: v for k, v in line.items() if k in line_cols}, "sale_uuid": item["uuid"]})
        for n, tender in enumerate(item["tenders"], start=1):
            _insert(db, "tenders", {"sale_uuid": item["uuid"], "line_no": n, "kind": tender.get("kind"),
                                    "amount_minor": tender["amount_minor"], "reference": tender.get("reference", "")})
        done.add(item["uuid"])
    return skipped


def _continue_till(db: sqlite_utils.Database, till: dict) -> bool:
    """The dead terminal's fiscal head as this chain's first record, when HQ sent it (checked by core.restore) and
    this terminal has signed nothing yet; False: the till starts a chain of its own."""
    if till["record"] is None or fiscal_chain.last(db) is not None:
        return False
    fiscal_chain.continue_from(db, till["record"], till["public_key"])
    return True


def _till_detail(till: dict, continued: bool) -> dict:
    """What the JET's restore event says of the till's head HQ anchored (its number, signature digest and time)."""
    return {"fiscal_from": till["seq"] if continued else None, "fiscal_anchored": till["seq"],
            "fiscal_hash": till["hash"], "fiscal_at": till["at"],
            "fiscal_terminal": till["record"]["terminal_id"] if continued else None}


def _latest_restored(db: sqlite_utils.Database) -> str:
    """The time of the latest sale, trade-in or voucher taken back (the tables held nothing else): this terminal's
    first Z counts what came after it, not the dead terminal's own days (kiosk.till.reports.period_start)."""
    return db.execute("SELECT max(at) FROM (SELECT max(created_at) AS at FROM sales UNION ALL SELECT "
                      "max(accepted_at) FROM tradeins UNION ALL SELECT max(issued_at) FROM vouchers)").fetchone()[0] \
        or ""


def apply(db: sqlite_utils.Database, store_id: str, terminal_id: str, fetched: dict) -> dict:
    """Write what HQ gave back, in one transaction, and the JET's restore event: the record after the dead
    terminal's head when the till continues its chain, else the first of a new one."""
    register, till = fetched["summary"]["register"], fetched["summary"]["fiscal"]
    db.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or SQLite ignores it
    try:
        with write_transaction(db):
            tradeins = _tradeins(db, store_id, fetched["tradeins"])
            _vouchers(db, store_id, fetched["vouchers"], tradeins)
            skipped = _sales(db, store_id, fetched["sales"])
            if register["seq"]:
                db.execute("INSERT INTO register_marks (seq, kind, hash, at, entered_at) VALUES "
                           "(?, 'restored_through', ?, ?, ?)", [register["seq"], register["hash"], utcnow(),
                                                                 register["at"]])
            counts = {"tradeins": len(tradeins), "vouchers": len(fetched["vouchers"]),
                      "sales": len(fetched["sales"]) - skipped, "returns_left_out": skipped}
            continued = _continue_till(db, till)
            event = journal.record(db, "restore", terminal_id, None, source="hq", register_from=register["seq"],
                                   period_from=_latest_restored(db), **_till_detail(till, continued), **counts)
            counts["till_continued_at"] = fiscal_chain.last(db)["seq"] if continued else None
            counts["till_event"] = event["number"]
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    return counts


def _till_line(fiscal: dict, counts: dict) -> str:
    if counts["till_continued_at"]:
        return (f"till: the fiscal chain continues the store's: record {fiscal['seq']}, terminal "
                f"{fiscal['record']['terminal_id']}'s head as HQ anchored it ({fiscal['at']}, its signature verified "
                f"with that terminal's public key), is this terminal's first record; record "
                f"{counts['till_continued_at']}, the JET's restore (E-{counts['till_event']}), is chained to it "
                "under this terminal's own key, and `fiscal verify` names the link. The records before it are on "
                "the dead terminal only (HQ checked each one's signature as it came); any it made after "
                f"record {fiscal['seq']} and never sent are lost")
    if fiscal["seq"]:
        why = ("HQ sent that record's signature digest only (an HQ from before it kept the head's record)"
               if fiscal["record"] is None else "this terminal had signed records before the restore")
        return (f"till: HQ anchored the fiscal chain at record {fiscal['seq']} ({fiscal['at']}), but {why}, so "
                "this terminal starts a new chain under its new key (the restore is its first event in the JET): "
                f"HQ will take its head as a fork of the store's chain once it reaches record {fiscal['seq']}; the "
                "old chain's records are on the dead terminal only")
    return "till: HQ anchored no fiscal record: the chain starts at record 1"


def report(fetched: dict, counts: dict) -> list[str]:
    """The restore report's lines: what came back, what could not, and what HQ can and cannot tell was lost."""
    summary = fetched["summary"]
    register, fiscal = summary["register"], summary["fiscal"]
    lines = [f"restored from HQ: {counts['tradeins']} trade-in(s) not yet received at HQ, {counts['vouchers']} open "
             f"voucher(s) with HQ's balances, {counts['sales']} sale(s) and return(s) of the warranty period"]
    if counts["returns_left_out"]:
        lines.append(f"left out: {counts['returns_left_out']} return(s) of sales older than the warranty period")
    lines += [
        (f"police register: continues after entry {register['seq']} (the head HQ anchored {register['at']}); entries "
         f"1-{register['seq']} and the sellers' identities are NOT restored: HQ never held them (only the chained "
         "head). The dead terminal's disk or backup holds them: keep it for the register's 10 years")
        if register["seq"] else "police register: HQ anchored no head: it starts at entry 1",
        _till_line(fiscal, counts),
        f"HQ last received a batch from this store at {summary['last_batch_at'] or 'never'}",
    ]
    for heard in summary["terminals"]:
        name = heard["terminal_id"] or "a terminal"
        lines.append(f"LOST: terminal {name} last reported to HQ at {heard['seen_at']} holding "
                     f"{heard['outbox_pending']} record(s) not yet sent (trade-ins, sales...): what they were "
                     "HQ cannot know; anything done after that report is unknown too" if heard["outbox_pending"] else
                     f"terminal {name} last reported to HQ at {heard['seen_at']} with nothing left to send; anything "
                     "it did after that is unknown to HQ")
    lines.append("not restorable by design: staff accounts (the first manager re-creates them), printed receipts' "
                 "tracking links, photos' files, print jobs")
    return lines


def restore(db: sqlite_utils.Database, data_dir: str, client: HQClient, terminal_id: str) -> list[str]:
    """Fetch, apply, and keep the report (0600) in the data folder; returns its lines."""
    fetched = fetch(client)
    lines = report(fetched, apply(db, client.store_id, terminal_id, fetched))
    write_private(Path(data_dir) / REPORT_FILE, "\n".join([f"restore of {utcnow()}", *lines]) + "\n")
    return lines
