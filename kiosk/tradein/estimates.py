"""Customer estimates (self-service kiosk) and their handoff to a clerk's trade-in.

An estimate holds no personal data: a device, its storage, optionally the IMEI the customer
scanned, and the checklist answers. A ticket code is given when the customer asks for it; a clerk
scans it to start the trade-in with everything pre-filled, and whatever the clerk finds different
is recorded on the trade-in (`handoff`) with its price impact, for the screen and the receipt.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import sqlite_utils

from core import estimating
from core.clock import utcnow
from core.codes import ESTIMATE
from core.grading import Spec, grade
from core.imei import Imei
from core.messages import N_, UserError
from core.pricing import Device, PricingError, quote
from kiosk.compliance.audit import Actor
from kiosk.store.db import fetch_one, write_transaction
from kiosk.tradein import catalog, tradeins


class EstimateError(UserError):
    """An estimate or ticket that cannot be used; the message says why, for clerk or customer."""


def _row(row: dict | None) -> dict | None:
    return {**row, "answers": json.loads(row["answers"])} if row else None


def get(db: sqlite_utils.Database, estimate_uuid: str) -> dict | None:
    return _row(fetch_one(db, "SELECT * FROM estimates WHERE uuid = ?", [estimate_uuid]))


def by_code(db: sqlite_utils.Database, code: str) -> dict | None:
    return _row(fetch_one(db, "SELECT * FROM estimates WHERE code = ?", [code.strip().upper()]))


def start(db: sqlite_utils.Database, store_id: str, kind: str, spec: Spec) -> dict:
    row = {"uuid": str(uuid.uuid4()), "store_id": store_id, "device_kind": kind, "spec_version": spec.version,
           "created_at": utcnow()}
    with write_transaction(db):
        db["estimates"].insert(row)
    return get(db, row["uuid"])


def _open(db, estimate_uuid: str) -> dict:
    est = get(db, estimate_uuid)
    if est is None or est["code"]:
        raise EstimateError(N_("This estimate is finished: start a new one."))
    return est


def set_device(db, estimate_uuid: str, device_id: int, storage_gb: int, imei: Imei | None = None) -> None:
    with write_transaction(db):
        est = _open(db, estimate_uuid)
        device = catalog.get_device(db, device_id)
        if device is None or device.kind != est["device_kind"]:
            raise EstimateError(N_("Choose your model from the list."))
        if storage_gb not in device.storages_gb:
            raise EstimateError(N_("Choose the storage of your device."))
        db.execute("UPDATE estimates SET device_id = ?, storage_gb = ?, imei = coalesce(?, imei) WHERE uuid = ?",
                   [device_id, storage_gb, imei.number if imei else None, estimate_uuid])


def save_answer(db, spec: Spec, estimate_uuid: str, question_id: str, value: str) -> None:
    spec.question(question_id).effect_of(value)  # AnswerError when it does not fit
    with write_transaction(db):
        est = _open(db, estimate_uuid)
        answers = {**est["answers"], question_id: value.strip()}
        db.execute("UPDATE estimates SET answers = ? WHERE uuid = ?", [json.dumps(answers), estimate_uuid])


def discard(db, estimate_uuid: str) -> None:
    """Idle reset or "start again": an estimate without a ticket leaves nothing behind."""
    with write_transaction(db):
        db.execute("DELETE FROM estimates WHERE uuid = ? AND code IS NULL", [estimate_uuid])


def device_key(device_id: int, storage_gb: int) -> str:
    return f"{device_id}:{storage_gb}"


def price_function(db, spec: Spec, kind: str, grid_version: str, today: date) -> estimating.PriceOf:
    """Price any device key and answers with one grid version and today's promos (core.pricing)."""
    promos, grids, devices = catalog.load_promos(db), {}, {}

    def price_of(key, answers: Mapping[str, str]) -> int | None:
        device_id, storage_gb = (int(part) for part in str(key).split(":"))
        if device_id not in devices:
            devices[device_id] = catalog.get_device(db, device_id)
            grids[device_id] = catalog.load_grid(db, grid_version, device_id)
        d = devices[device_id]
        try:
            offer = quote(Device(d.id, d.kind, d.brand, d.model, storage_gb), grade(answers, spec, kind),
                          grids[device_id], promos, today)
        except PricingError:
            return None
        return offer.total_minor if offer.eligible else None

    return price_of


def evaluate(db, spec: Spec, est: dict, today: date) -> tuple[estimating.Estimate, str]:
    """The estimate range on the active grid, and that grid's version."""
    row = db.execute("SELECT version FROM price_grids WHERE active = 1").fetchone()
    if row is None or est["device_id"] is None:
        raise EstimateError(N_("No estimate can be given on this terminal right now: please ask a member of staff."))
    price_of = price_function(db, spec, est["device_kind"], row[0], today)
    key = device_key(est["device_id"], est["storage_gb"])
    return estimating.estimate(spec, est["device_kind"], key, est["answers"], price_of), row[0]


def issue_ticket(db, spec: Spec, estimate_uuid: str, today: date, valid_days: int) -> dict:
    """Freeze the estimate (range, grid) under a ticket code the customer shows a clerk."""
    with write_transaction(db):
        est = _open(db, estimate_uuid)
        missing = grade(est["answers"], spec, est["device_kind"]).missing
        if missing:
            raise EstimateError(N_("Answer every question before asking for a ticket."))
        result, grid_version = evaluate(db, spec, est, today)
        while True:
            code = ESTIMATE.mint()
            if not db.execute("SELECT 1 FROM estimates WHERE code = ?", [code]).fetchone():
                break
        grid = fetch_one(db, "SELECT currency FROM price_grids WHERE version = ?", [grid_version])
        db.execute("UPDATE estimates SET code = ?, grid_version = ?, currency = ?, low_minor = ?, high_minor = ?, "
                   "ticketed_at = ?, expires_at = ? WHERE uuid = ?",
                   [code, grid_version, grid["currency"], result.low_minor, result.high_minor, utcnow(),
                    (today + timedelta(days=valid_days)).isoformat(), estimate_uuid])
    return get(db, estimate_uuid)


def _claimable(db, code: str, store_id: str, today: date) -> dict:
    est = by_code(db, code)
    if est is None or est["store_id"] != store_id:
        raise EstimateError(N_("No estimate has the ticket %(code)s in this store."), code=code)
    if est["tradein_uuid"]:
        raise EstimateError(N_("Ticket %(code)s was already picked up: open today's trade-ins."), code=est["code"])
    if est["expires_at"] < today.isoformat():
        raise EstimateError(N_("Ticket %(code)s expired on %(date)s: start a normal trade-in."),
                            code=est["code"], date=est["expires_at"])
    return est


def claim(db, actor: Actor, code: str, today: date, imei: Imei | None = None, serial: str | None = None) -> dict:
    """The clerk picks up a ticket: a trade-in draft on the device in hand, pre-set from the estimate."""
    with write_transaction(db):
        est = _claimable(db, code, actor.store_id, today)
        ti = tradeins.create_draft(db, actor, est["device_kind"], imei=imei, serial=serial)
        if ti["device_id"] is None or ti["device_id"] == est["device_id"]:  # the IMEI's model wins
            tradeins.set_device(db, actor, ti["uuid"], est["device_id"], est["storage_gb"])
        db.execute("UPDATE tradeins SET estimate_uuid = ? WHERE uuid = ?", [est["uuid"], ti["uuid"]])
        db.execute("UPDATE estimates SET tradein_uuid = ? WHERE uuid = ? AND tradein_uuid IS NULL",
                   [ti["uuid"], est["uuid"]])
    return tradeins.get(db, ti["uuid"])


def quote_with_handoff(db, actor: Actor, spec: Spec, tradein_uuid: str, today: date,
                       other_gates: tuple[str, ...] = ()) -> None:
    """The clerk's quote and its comparison with the customer's estimate, committed together."""
    with write_transaction(db):
        tradeins.prepare_quote(db, actor, spec, tradein_uuid, today, other_gates)
        record_handoff(db, spec, tradein_uuid, today)


def record_handoff(db, spec: Spec, tradein_uuid: str, today: date) -> dict | None:
    """After the clerk's quote: what differs from the customer's estimate and what each difference is worth."""
    ti = tradeins.get(db, tradein_uuid)
    if not ti or not ti["estimate_uuid"] or ti["grid_version"] is None:
        return None
    est = get(db, ti["estimate_uuid"])
    price_of = price_function(db, spec, ti["device_kind"], ti["grid_version"], today)
    customer = (device_key(est["device_id"], est["storage_gb"]), est["answers"])
    clerk = (device_key(ti["device_id"], ti["storage_gb"]), tradeins.answers_of(db, tradein_uuid))
    changes = estimating.compare(spec, ti["device_kind"], customer, clerk, price_of)
    handoff = {
        "code": est["code"], "estimate_minor": est["high_minor"], "estimate_grid": est["grid_version"],
        "grid_version": ti["grid_version"], "repriced_minor": price_of(*customer),
        "offer_minor": ti["total_minor"] if ti["total_minor"] is not None else None,
        "changes": [[c.question_id, c.customer, c.clerk, c.impact_minor] for c in changes],
    }
    with write_transaction(db):
        db.execute("UPDATE tradeins SET handoff = ? WHERE uuid = ?", [json.dumps(handoff), tradein_uuid])
    return handoff


def _device_label(db, key: str) -> str:
    device_id, storage_gb = (int(part) for part in key.split(":"))
    return f"{catalog.get_device(db, device_id).name} {storage_gb} GB"


def handoff_rows(db, spec: Spec, ti: dict, translate: Callable[[str], str],
                 money: Callable[[int], str]) -> tuple[tuple[str, str], ...]:
    """The comparison as (label, amount) rows, in the reader's language: the quote page and the receipt."""
    if not ti.get("handoff"):
        return ()
    h, _ = json.loads(ti["handoff"]), translate
    signed = lambda minor: "—" if minor is None else ("+ " if minor >= 0 else "- ") + money(abs(minor))  # noqa: E731
    rows = [(_("Customer estimate %(code)s") % {"code": h["code"]}, money(h["estimate_minor"] or 0))]
    if h["estimate_grid"] != h["grid_version"] and h["repriced_minor"] is not None:
        rows.append((_("New price grid %(version)s") % {"version": h["grid_version"]},
                     signed(h["repriced_minor"] - (h["estimate_minor"] or 0))))
    for question_id, said, found, impact in h["changes"]:
        if question_id == "device":
            label = _("%(question)s: %(said)s, checked: %(found)s") % {
                "question": _("Device"), "said": _device_label(db, said), "found": _device_label(db, found)}
        else:
            q = spec.question(question_id)
            label = _("%(question)s: %(said)s, checked: %(found)s") % {
                "question": _(q.short), "said": _(q.label_of(said)), "found": _(q.label_of(found))}
        rows.append((label, signed(impact)))
    if h["offer_minor"] is not None:
        rows.append((_("Offer after the check"), money(h["offer_minor"])))
    return tuple(rows)


def purge_drafts(db, older_than: datetime) -> int:
    """Unticketed estimates left by customers who walked away (the idle reset normally removes them)."""
    with write_transaction(db):
        return db.execute("DELETE FROM estimates WHERE code IS NULL AND created_at < ?",
                          [older_than.isoformat()]).rowcount
