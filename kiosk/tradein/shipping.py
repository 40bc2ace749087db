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
from core.states import SHIPPABLE
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_all, write_transaction
from kiosk.tradein import counter_offers, tradeins
from kiosk.tradein.listing import DEVICE_COLUMNS
from sync import outbox

_SHIPPABLE_SQL = ", ".join(f"'{state}'" for state in SHIPPABLE)  # literals: SQLite can use its partial index


class ShippingError(UserError):
    """A shipment that cannot be closed; the message says why."""


def ready_to_ship(db: sqlite_utils.Database, store_id: str) -> list[dict]:
    return fetch_all(db, f"SELECT t.*, {DEVICE_COLUMNS} FROM tradeins t LEFT JOIN devices d "
                         f"ON d.id = t.device_id WHERE t.store_id = ? AND t.state IN ({_SHIPPABLE_SQL}) "
                         "AND t.shipment_uuid IS NULL ORDER BY t.accepted_at", [store_id])


def recent_shipments(db: sqlite_utils.Database, store_id: str, limit: int = 20) -> list[dict]:
    return fetch_all(db, "SELECT s.*, count(t.uuid) AS bags, sum(t.state = 'received') AS received FROM shipments s "
                         "LEFT JOIN tradeins t ON t.shipment_uuid = s.uuid WHERE s.store_id = ? GROUP BY s.uuid "
                         "ORDER BY s.closed_at DESC LIMIT ?", [store_id, limit])


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
