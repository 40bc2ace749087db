"""Trade-in records: every write to a trade-in goes through here (acceptance, in kiosk.tradein.acceptance), with
its audit row, and the business writes that HQ must see carry their outbox row in the same transaction."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

import sqlite_utils

from core import protocol
from core.clock import utcnow
from core.codes import TRADEIN
from core.grading import Grade, Spec, grade
from core.imei import IDENTIFIER_FOR_KIND, Imei, takes
from core.messages import N_, Message, UserError, stored
from core.pricing import NO_GRID, Device, PricingError, Quote, quote
from core.serials import check_for_model
from core.states import EDITABLE, LABELS, RECEIPT_OUT, TAKEN, IllegalTransition, check_cancel, check_transition
from kiosk.compliance import audit
from kiosk.compliance.audit import Actor
from kiosk.compliance.staff import name_of as staff_name_of
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.till import vouchers
from kiosk.tradein import catalog
from sync import outbox


class TradeInError(UserError):
    """A request the trade-in cannot take in its current state; str(err) is shown to the clerk."""


def get(db: sqlite_utils.Database, tradein_uuid: str) -> dict | None:
    return fetch_one(db, "SELECT * FROM tradeins WHERE uuid = ?", [tradein_uuid])


def answers_of(db: sqlite_utils.Database, tradein_uuid: str) -> dict[str, str]:
    rows = fetch_all(db, "SELECT question_id, answer FROM tradein_answers WHERE tradein_uuid = ?", [tradein_uuid])
    return {r["question_id"]: r["answer"] for r in rows}


# The states written into the SQL as literals: only then can SQLite prove the query matches the
# partial unique indexes (tradeins_imei_taken, tradeins_serial_taken) and use them.
_TAKEN_SQL = ", ".join(f"'{state}'" for state in TAKEN)


def device_is(kind: str, value: str) -> tuple[str, list[str]]:
    """The SQL condition (and its values) for trade-ins of this device: an IMEI is either IMEI of a dual-SIM
    phone, a serial number is the serial."""
    return ("(imei = ? OR imei2 = ?)", [value, value]) if kind == "imei" else ("serial = ?", [value])


def taken_by(db: sqlite_utils.Database, kind: str, value: str) -> dict | None:
    """The trade-in that already owns this IMEI/serial, if any (a device HQ marked resold is owned by no one here)."""
    where, params = device_is(kind, value)
    return fetch_one(db, f"SELECT * FROM tradeins WHERE {where} AND state IN ({_TAKEN_SQL}) AND resold_at IS NULL",
                     params)


def identifiers_of(ti: dict) -> list[tuple[str, str]]:
    """(type, value) of every identifier the device was taken on: IMEI, second IMEI, serial number."""
    return [(kind, ti[column]) for kind, column in (("imei", "imei"), ("imei", "imei2"), ("serial", "serial"))
            if ti.get(column)]


def blocklist_entry(db: sqlite_utils.Database, kind: str, identifier: str) -> dict | None:
    """HQ's blocklist row for this IMEI or serial number, if any."""
    return fetch_one(db, "SELECT identifier, reason, version FROM blocklist WHERE type = ? AND identifier = ?",
                     [kind, identifier])


def _audit(db, actor: Actor | None, tradein_uuid: str, action: str, from_state=None, to_state=None, **detail):
    audit.record(db, action, staff_id=actor.staff_id if actor else None, tradein_uuid=tradein_uuid,
                 from_state=from_state, to_state=to_state, **detail)


def move_to(db, ti: dict, target: str, actor: Actor | None, action: str, **fields) -> dict:
    """Change state (and fields) with its audit row; returns the row as now stored."""
    check_transition(ti["state"], target)
    fields.update(state=target, updated_at=utcnow())
    assignments = ", ".join(f"{name} = ?" for name in fields)
    db.execute(f"UPDATE tradeins SET {assignments} WHERE uuid = ?", [*fields.values(), ti["uuid"]])
    if target not in EDITABLE:  # accepted, discarded, expired: what was typed for the seller is no longer needed
        db.execute("DELETE FROM seller_drafts WHERE tradein_uuid = ?", [ti["uuid"]])
    _audit(db, actor, ti["uuid"], action, ti["state"], target)
    return {**ti, **fields}


def _fresh(db, tradein_uuid: str) -> dict:
    ti = get(db, tradein_uuid)
    if ti is None:
        raise TradeInError(N_("This trade-in does not exist."))
    return ti


def _editable(db, tradein_uuid: str) -> dict:
    ti = _fresh(db, tradein_uuid)
    if ti["state"] not in EDITABLE:
        raise TradeInError(N_("This trade-in is %(state)s: its device and answers can no longer change."),
                           state=Message(LABELS.get(ti["state"], ti["state"])))
    return ti


def create_draft(db, actor: Actor, device_kind: str, imei: Imei | None = None, serial: str | None = None) -> dict:
    device = catalog.device_for_tac(db, imei.tac) if imei else None
    now = utcnow()
    row = {
        "uuid": str(uuid.uuid4()), "code": TRADEIN.mint(), "store_id": actor.store_id,
        "terminal_id": actor.terminal_id, "staff_id": actor.staff_id, "state": "draft",
        "device_kind": device.kind if device else device_kind, "imei": imei.number if imei else None,
        "serial": serial, "device_id": device.id if device else None, "created_at": now, "updated_at": now,
    }
    with write_transaction(db):
        db["tradeins"].insert(row)
        _audit(db, actor, row["uuid"], "created", None, "draft", from_imeisv=bool(imei and imei.from_imeisv))
    return row


def set_device(db, actor: Actor, tradein_uuid: str, device_id: int, storage_gb: int, imei2: str | None = None) -> None:
    """The model and storage, and a dual-SIM phone's second IMEI (checked by the caller's gates first)."""
    with write_transaction(db):
        ti = _editable(db, tradein_uuid)
        device = catalog.get_device(db, device_id)
        if device is None:
            raise TradeInError(N_("Choose a model from the list."))
        if storage_gb not in device.storages_gb:
            raise TradeInError(N_("The %(model)s comes with %(sizes)s GB."), model=device.name,
                               sizes=", ".join(map(str, device.storages_gb)))
        if not takes(device.kind, "imei" if ti["imei"] else "serial"):
            raise TradeInError(N_("This model is identified by an IMEI: start a new trade-in with it.")
                               if IDENTIFIER_FOR_KIND[device.kind] == "imei" else
                               N_("This model is identified by a serial number: start a new trade-in with it."))
        if ti["serial"]:  # where the maker publishes its format, the serial must fit the model chosen
            check_for_model(ti["serial"], device.brand, device.model)
        if imei2 and (imei2 == ti["imei"] or not ti["imei"]):
            raise TradeInError(N_("The second IMEI must differ from the first (it is the phone's other SIM slot)."))
        move_to(db, ti, "draft", actor, "device_set", device_id=device_id, storage_gb=storage_gb,
                device_kind=device.kind, imei2=imei2 or None)


def save_answer(db, actor: Actor, spec: Spec, tradein_uuid: str, question_id: str, value: str) -> Grade:
    """Record one checklist answer (validated against the spec); returns the grade so far."""
    question = spec.question(question_id)
    question.effect_of(value)  # raises AnswerError with the clerk's message
    with write_transaction(db):
        ti = _editable(db, tradein_uuid)
        db.execute(
            "INSERT INTO tradein_answers VALUES (?, ?, ?, ?) ON CONFLICT (tradein_uuid, question_id) "
            "DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
            [tradein_uuid, question_id, value.strip(), utcnow()],
        )
        result = grade(answers_of(db, tradein_uuid), spec, ti["device_kind"])
        target = "graded" if result.complete else "draft"
        move_to(db, ti, target, actor, "answered", cosmetic_grade=result.cosmetic,
                   functional_grade=result.functional, spec_version=spec.version)
    return result


def _device(db, ti: dict) -> Device:
    if ti["device_id"] is None or ti["storage_gb"] is None:
        raise TradeInError(N_("Choose the model and storage first."))
    d = catalog.get_device(db, ti["device_id"])
    return Device(d.id, d.kind, d.brand, d.model, ti["storage_gb"])


def _store_gates(db, ti: dict) -> tuple[str, ...]:
    """Gates the checklist cannot know: HQ's blocklist, and this device already taken here."""
    gates = []
    found = [e for kind, value in identifiers_of(ti) if (e := blocklist_entry(db, kind, value))]
    if found:
        gates.append(Message(N_("This device (%(identifier)s) is on HQ's blocklist (%(reason)s, list %(version)s): "
                                "do not buy it and follow the store's procedure."), identifier=found[0]["identifier"],
                             reason=found[0]["reason"] or "reported lost or stolen", version=found[0]["version"]))
    others = [o for kind, value in identifiers_of(ti) if (o := taken_by(db, kind, value)) and o["uuid"] != ti["uuid"]]
    if others:
        gates.append(Message(N_("This device was already traded in (%(code)s, %(date)s): the same device cannot "
                                "be bought twice."), code=others[0]["code"], date=others[0]["created_at"][:10]))
    return tuple(gates)


def prepare_quote(db, actor: Actor, spec: Spec, tradein_uuid: str, today: date,
                  other_gates: tuple[str, ...] = ()) -> Quote:
    """Grade, check the gates (with any found elsewhere, e.g. by HQ) and price with the active grid;
    the quote is stored with its grid version."""
    with write_transaction(db):
        ti = _editable(db, tradein_uuid)
        result = grade(answers_of(db, tradein_uuid), spec, ti["device_kind"])
        gates = result.gates + _store_gates(db, ti) + other_gates
        result = Grade(result.cosmetic, result.functional, gates, result.missing)
        device = _device(db, ti)
        grid = catalog.active_grid(db, device.id)
        if grid is None:
            raise PricingError(NO_GRID)
        offer = quote(device, result, grid, catalog.load_promos(db), today)
        move_to(
            db, ti, "quoted", actor, "quoted", cosmetic_grade=result.cosmetic, functional_grade=result.functional,
            gate_reasons=json.dumps([stored(r) for r in offer.reasons]),
            grid_version=offer.grid_version, currency=offer.currency,
            base_minor=offer.base_minor, bonus_minor=offer.bonus_minor, total_minor=offer.total_minor,
            bonuses=json.dumps([list(b) for b in offer.bonuses]),
            quote_valid_until=offer.valid_until.isoformat() if offer.valid_until else None,
        )
    return offer


def override_price(db, actor: Actor, tradein_uuid: str, total_minor: int, reason: str, approved_by: str) -> None:
    """A manager sets the offer by hand (with the reason, kept on the receipt and in the audit log)."""
    reason = " ".join(reason.split())
    if not 5 <= len(reason) <= 200:
        raise TradeInError(N_("Give the reason for the new price (5 to 200 characters)."))
    if not 0 <= total_minor <= 10_000_00:
        raise TradeInError(N_("The new price must be between 0 and 10,000."))
    with write_transaction(db):
        ti = _fresh(db, tradein_uuid)
        if ti["state"] != "quoted" or json.loads(ti["gate_reasons"] or "[]"):
            raise TradeInError(N_("Only the quote of an eligible device can be changed."))
        move_to(db, ti, "quoted", actor, "price_override", total_minor=total_minor, override_reason=reason)
        _audit(db, actor, tradein_uuid, "approved", approved_by=approved_by, what="price override",
               old_total_minor=ti["total_minor"], new_total_minor=total_minor, reason=reason)


def mark_printed(db, tradein_uuid: str) -> None:
    """Inside the print outcome's transaction: the first printed receipt moves accepted -> printed."""
    ti = _fresh(db, tradein_uuid)
    if ti["state"] == "accepted":
        move_to(db, ti, "printed", None, "printed")


def decline(db, actor: Actor, tradein_uuid: str) -> None:
    with write_transaction(db):
        ti = _fresh(db, tradein_uuid)
        declined = move_to(db, ti, "declined", actor, "declined")
        outbox.append(db, tradein_uuid, protocol.TRADEIN_DECLINED, hq_payload(db, declined, None))


def check_cancellable(ti: dict, now: datetime, window: timedelta) -> None:
    if ti["accepted_at"] is None:
        raise IllegalTransition("Only an accepted trade-in can be cancelled; decline a quote instead.")
    check_cancel(ti["state"], datetime.fromisoformat(ti["accepted_at"]), now, window)


# HQ's payout outcomes, newest wins: once the transfer is in a bank file or sent the money may have left, and a
# cancel here would take the device back from a seller HQ paid; a re-queue (the bank returned it) frees it again.
_PAYOUT_OUTCOMES = ("payout_exported", "payout_sent", "payout_requeued", "payout_rejected")


def transfer_ordered(db, tradein_uuid: str) -> bool:
    """HQ has said (in the feed the terminal pulls) that this trade-in's transfer is ordered or sent."""
    row = db.execute("SELECT action FROM hq_updates WHERE tradein_uuid = ? AND action IN (?, ?, ?, ?) "
                     "ORDER BY at DESC, rowid DESC LIMIT 1", [tradein_uuid, *_PAYOUT_OUTCOMES]).fetchone()
    return bool(row) and row[0] in _PAYOUT_OUTCOMES[:2]


def cancel_needs_approval(ti: dict) -> bool:
    """Once a receipt is printed the customer holds proof of payment: a manager must confirm."""
    return ti["state"] in RECEIPT_OUT


def cancel(db, actor: Actor, tradein_uuid: str, now: datetime, window: timedelta,
           approved_by: str | None = None) -> None:
    with write_transaction(db):
        ti = _fresh(db, tradein_uuid)
        check_cancellable(ti, now, window)
        if transfer_ordered(db, tradein_uuid):
            raise TradeInError(N_("HQ has already ordered the bank transfer to the seller: this trade-in can no "
                                  "longer be cancelled here. Call HQ."))
        if cancel_needs_approval(ti) and not approved_by:
            raise TradeInError(N_("A manager must approve cancelling after the receipt was printed."))
        vouchers.cancel_for_tradein(db, tradein_uuid)
        move_to(db, ti, "cancelled", actor, "cancelled")
        if approved_by:
            _audit(db, actor, tradein_uuid, "approved", approved_by=approved_by, what="cancel after printing")
        outbox.append(db, tradein_uuid, protocol.TRADEIN_CANCELLED, {"uuid": tradein_uuid, "cancelled_at": utcnow()})


def hq_payload(db, ti: dict, seller_reference: str | None, device: catalog.CatalogDevice | None = None) -> dict:
    """What HQ needs, and nothing of the seller's identity (that stays in the store's register)."""
    tradein_uuid = ti["uuid"]
    if device is None and ti["device_id"]:
        device = catalog.get_device(db, ti["device_id"])
    keep = ("uuid", "code", "store_id", "terminal_id", "staff_id", "state", "device_kind", "imei", "imei2",
            "serial", "storage_gb", "spec_version", "cosmetic_grade", "functional_grade", "grid_version",
            "currency", "base_minor", "bonus_minor", "total_minor", "override_reason", "payout_method", "created_at",
            "accepted_at")
    payload = {k: ti[k] for k in keep}
    payload.update(
        brand=device.brand if device else None, model=device.model if device else None,
        answers=answers_of(db, tradein_uuid), bonuses=json.loads(ti["bonuses"] or "[]"),
        gate_reasons=json.loads(ti["gate_reasons"] or "[]"), seller_ref=seller_reference,
        tracking_hash=protocol.tracking_hash(ti["tracking_token"]) if ti.get("tracking_token") else None,
        staff_name=staff_name_of(db, ti["staff_id"]),  # HQ shows who accepted it by name, as the receipt does
    )
    if ti.get("handoff"):  # the customer's estimate and what the check changed: HQ's evidence in a dispute
        payload["estimate"] = json.loads(ti["handoff"])
    return payload
