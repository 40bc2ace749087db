"""Shipments to HQ and HQ's outcomes coming back.

A clerk closes a shipment (the bags leaving today): each trade-in moves to bagged then shipped, and
HQ gets the list in the outbox, so it can tell what it expects from what arrives. HQ's updates
(received, regraded, dispute settled) are stored as pulled and shown on the trade-in's page.
"""

from __future__ import annotations

import json
import uuid

import sqlite_utils

from core import protocol
from core.clock import utcnow
from core.codes import SHIPMENT
from core.messages import N_, UserError
from core.photos import SHOT_KINDS
from core.states import SHIPPABLE
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, write_transaction
from kiosk.tradein import counter_offers, tradeins
from kiosk.tradein.listing import DEVICE_COLUMNS
from sync import outbox

_SHIPPABLE_SQL = ", ".join(f"'{state}'" for state in SHIPPABLE)  # literals: SQLite can use its partial index
_KIND_ORDER = {kind: n for n, kind in enumerate(SHOT_KINDS)}


class ShippingError(UserError):
    """A shipment that cannot be closed; the message says why."""


def ready_to_ship(db: sqlite_utils.Database, store_id: str) -> list[dict]:
    """The bags to tick, with what their row shows (kiosk/templates/shipments/_bag_row.html) and the estimate whose
    photos are theirs too, not the sealed seller and payout columns."""
    return fetch_all(db, f"SELECT t.uuid, t.code, t.state, t.accepted_at, t.estimate_uuid, {DEVICE_COLUMNS} "
                         "FROM tradeins t LEFT JOIN devices d ON d.id = t.device_id WHERE t.store_id = ? "
                         f"AND t.state IN ({_SHIPPABLE_SQL}) AND t.shipment_uuid IS NULL ORDER BY t.accepted_at",
                         [store_id])


def bag_photos(db: sqlite_utils.Database, bags: list[dict]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each bag's shots as (sha256, kind), the customer's at the totem included, in the order of
    kiosk.evidence.photos.of_tradein (SHOT_KINDS, then taken): one query for the list, where one a bag was most
    of the page with a few hundred bags."""
    by_estimate: dict[str, list[str]] = {}
    for bag in bags:
        if bag["estimate_uuid"]:
            by_estimate.setdefault(bag["estimate_uuid"], []).append(bag["uuid"])
    shots: dict[str, list[tuple[str, str]]] = {bag["uuid"]: [] for bag in bags}
    rows = fetch_all(db, "SELECT tradein_uuid, estimate_uuid, sha256, kind, taken_at FROM photos "
                         "WHERE tradein_uuid IN (SELECT value FROM json_each(?)) "
                         "OR estimate_uuid IN (SELECT value FROM json_each(?))",
                         [json.dumps(list(shots)), json.dumps(list(by_estimate))])
    for row in sorted(rows, key=lambda row: (_KIND_ORDER[row["kind"]], row["taken_at"])):
        owners = {row["tradein_uuid"], *by_estimate.get(row["estimate_uuid"], ())} & shots.keys()
        for owner in owners:
            shots[owner].append((row["sha256"], row["kind"]))
    return {bag: tuple(taken) for bag, taken in shots.items()}


def recent_shipments(db: sqlite_utils.Database, store_id: str, limit: int = 20) -> list[dict]:
    """The latest shipments, newest first, each with its bags and those HQ received, counted in the index of
    migration 38 for these shipments only: grouping every shipment's bags first read ten years of them (4 s at
    100,000 trade-ins), and a GROUP BY over the latest twenty's 3,800 bags took 7.5 ms at a million, these 0.4."""
    return fetch_all(db, "SELECT s.*, (SELECT count(*) FROM tradeins t WHERE t.shipment_uuid = s.uuid) AS bags, "
                         "(SELECT count(*) FROM tradeins t WHERE t.shipment_uuid = s.uuid AND t.state = 'received') "
                         "AS received FROM shipments s WHERE s.store_id = ? ORDER BY s.closed_at DESC LIMIT ?",
                         [store_id, limit])


def close_shipment(db: sqlite_utils.Database, actor: Actor, tradein_uuids: list[str]) -> dict:
    """One transaction: the shipment, every bag moved to shipped, and the outbox record for HQ."""
    if not tradein_uuids:
        raise ShippingError(N_("Tick the bags that leave in this shipment."))
    shipment = {"uuid": str(uuid.uuid4()), "code": SHIPMENT.mint(),
                "store_id": actor.store_id, "staff_id": actor.staff_id, "closed_at": utcnow()}
    with write_transaction(db):
        db["shipments"].insert(shipment)
        bags = []
        for tradein_uuid in dict.fromkeys(tradein_uuids):
            ti = tradeins.get(db, tradein_uuid)
            if ti is None or ti["store_id"] != actor.store_id or ti["state"] not in SHIPPABLE or ti["shipment_uuid"]:
                raise ShippingError(N_("Trade-in %(code)s cannot be shipped (cancelled, or already shipped): "
                                       "nothing was closed."), code=ti["code"] if ti else tradein_uuid[:8])
            if ti["state"] != "bagged":
                ti = tradeins.move_to(db, ti, "bagged", actor, "bagged")
            tradeins.move_to(db, ti, "shipped", actor, "shipped", shipment_uuid=shipment["uuid"])
            bags.append({"uuid": ti["uuid"], "code": ti["code"]})
        outbox.append(db, shipment["uuid"], protocol.SHIPMENT_CLOSED, {**shipment, "bags": bags})
    return {**shipment, "bags": bags}


def manifest_bags(db: sqlite_utils.Database, shipment_uuid: str) -> list[dict]:
    """Each bag of a shipment with what is in it, for the courier's manifest."""
    return [{"code": r["code"], "device": f"{r['brand']} {r['model']}".strip()} for r in fetch_all(
        db, "SELECT t.code, d.brand, d.model FROM tradeins t LEFT JOIN devices d ON d.id = t.device_id "
            "WHERE t.shipment_uuid = ? ORDER BY t.code", [shipment_uuid])]


def apply_updates(db: sqlite_utils.Database, updates: list[dict]) -> int:
    """Store HQ's outcomes (once each); a received bag moves its shipped trade-in to received."""
    applied = 0
    with write_transaction(db):
        for update in updates:
            done = db.execute("INSERT INTO hq_updates VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                              [update["id"], update["tradein_uuid"], update["at"], update["action"], update.get("by"),
                               json.dumps(update.get("detail", {}))]).rowcount
            ti = tradeins.get(db, update["tradein_uuid"])
            if done and update["action"] == "received" and ti and ti["state"] == "shipped":
                tradeins.move_to(db, ti, "received", None, "received_at_hq")
            if done and update["action"] == "resold" and ti:  # its new owner may trade it in again
                db.execute("UPDATE tradeins SET resold_at = ? WHERE uuid = ? AND resold_at IS NULL",
                           [update["at"], ti["uuid"]])
            if done and ti:  # a counter-offer's outcome: the voucher adjusted once, a device coming back
                counter_offers.apply_update(db, update)
            applied += done
    return applied


def updates_of(db: sqlite_utils.Database, tradein_uuid: str) -> list[dict]:
    rows = fetch_all(db, "SELECT * FROM hq_updates WHERE tradein_uuid = ? ORDER BY at", [tradein_uuid])
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]
