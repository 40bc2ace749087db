"""HQ receiving: check bags in, regrade against the store's answers, settle disputes, and the feed of
outcomes each store pulls. Every change writes an hq_events row in the same transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core import estimating, protocol
from core.clock import utcnow_ms
from core.codes import classify
from core.grading import Spec, grade
from core.markets import DEFAULT_MARKET
from core.messages import N_, Instant, Message, UserError
from core.pricing import Device, PriceGrid, PricingError, quote
from core.states import UNDONE
from hq.services.labels import LABELS
from hq.storage import Storage

TRADEIN_FIELDS = ("uuid", "store_id", "code", "identifier", "device_kind", "brand", "model", "storage_gb",
                  "cosmetic_grade", "functional_grade", "grid_version", "spec_version", "currency", "total_minor",
                  "staff_id", "accepted_at", "synced_at", "store_state", "received_at", "received_by",
                  "regrade_status", "payout_method", "resold_at")
FEED_ACTIONS = ("received", "dispute_opened", "regrade_confirmed", "dispute_accepted", "dispute_rejected", "resold",
                "payout_exported", "payout_sent", "payout_requeued", "payout_rejected", "counter_offer_made",
                "counter_offer_waived", "counter_offer_accepted", "counter_offer_refused", "return_asked",
                "return_sent")


# The trade-in that holds a code (hq.services.tradein_claims): a code two trade-ins carried before codes were unique
# finds the one HQ received first, never the other store's.
HOLDER = "uuid = coalesce((SELECT c.tradein_uuid FROM hq_tradein_codes c WHERE c.code = %s), uuid)"


@dataclass(frozen=True)
class CheckIn:
    ok: bool
    message: str
    tradein: dict | None = None


def _tradein(tx, where: str, params: list) -> dict | None:
    rows = tx.rows(f"SELECT {', '.join(TRADEIN_FIELDS)} FROM hq_tradeins WHERE {where}", params)
    return dict(zip(TRADEIN_FIELDS, rows[0], strict=True)) if rows else None


def get_tradein(storage: Storage, tradein_uuid: str) -> dict | None:
    with storage.read() as tx:
        return _tradein(tx, "uuid = %s", [tradein_uuid])


def event(tx, ti: dict, action: str, staff_name: str | None, **detail) -> None:
    tx.run("INSERT INTO hq_events VALUES (%s, %s, %s, %s, %s, %s, %s)",
           [str(uuid.uuid4()), ti["uuid"], ti["store_id"], utcnow_ms(), staff_name, action, json.dumps(detail)])


def _store_name(tx, store_id: str) -> str:
    rows = tx.rows("SELECT name FROM hq_stores WHERE id = %s", [store_id])
    return rows[0][0] if rows else store_id


def check_in(storage: Storage, scanned: str, staff_name: str, expected_store: str | None = None) -> CheckIn:
    """A bag label (or trade-in code) scanned on arrival: received, or the reason it cannot be."""
    scan = classify(scanned[:200])
    if scan.kind not in ("bag_label", "tradein_code"):
        return CheckIn(False, Message(N_("“%(scanned)s” is not a bag label: scan the QR or barcode on the bag's "
                                         "sticker."), scanned=scanned[:40]))
    with storage.transaction() as tx:
        ti = _tradein(tx, f"code = %s AND {HOLDER}", [scan.value, scan.value])
        if ti is None:
            return CheckIn(False, Message(N_("Unknown bag %(code)s: no store has synced this trade-in yet. Set the "
                                             "bag aside and check the store's sync status on the dashboard."),
                                          code=scan.value))
        store = _store_name(tx, ti["store_id"])
        if expected_store and ti["store_id"] != expected_store:
            return CheckIn(False, Message(N_("Wrong store: bag %(code)s comes from %(store)s, not from the store "
                                             "being checked in. Put it with that store's shipment."),
                                          code=ti["code"], store=store), ti)
        if ti["received_at"]:
            return CheckIn(False, Message(N_("Already received: %(code)s was checked in on %(when)s by %(who)s."),
                                          code=ti["code"], when=Instant(ti["received_at"]), who=ti["received_by"]), ti)
        if ti["store_state"] in UNDONE:
            return CheckIn(False, Message(N_("%(code)s was %(state)s at %(store)s: the store still owns this device. "
                                             "Do not process it; return it to the store."), code=ti["code"],
                                          state=Message(LABELS.get(ti["store_state"], "cancelled")), store=store), ti)
        now = utcnow_ms()
        tx.run("UPDATE hq_tradeins SET received_at = %s, received_by = %s WHERE uuid = %s",
               [now, staff_name, ti["uuid"]])
        event(tx, ti, "received", staff_name)
    device = Message(N_("%(device)s %(size)s GB"), device=f"{ti['brand'] or ''} {ti['model'] or ''}".strip(),
                     size=ti["storage_gb"] or "?")
    return CheckIn(True, Message(N_("Received %(code)s: %(device)s from %(store)s."), code=ti["code"], device=device,
                                 store=store), {**ti, "received_at": now, "received_by": staff_name})


def store_answers(storage: Storage, tradein_uuid: str) -> dict:
    """The store's evidence: the accepted record's payload (answers, grades, clerk, time, estimate)."""
    with storage.read() as tx:
        rows = tx.rows("SELECT payload FROM hq_records WHERE entity_uuid = %s AND kind = %s",
                       [tradein_uuid, protocol.TRADEIN_ACCEPTED])
    return json.loads(rows[0][0]) if rows else {}


def _grid_price(storage: Storage, ti: dict, spec: Spec, today: date) -> estimating.PriceOf:
    """Price answers for this trade-in's model with the grid version the store quoted with, as published for the
    store's market (the trade-in's currency: two markets may each have a grid of that name)."""
    with storage.read() as tx:
        rows = tx.rows("SELECT data FROM hq_reference WHERE kind = 'grid' AND version = %s AND market = %s",
                       [ti["grid_version"], ti["currency"] or DEFAULT_MARKET])
    if not rows:
        return lambda key, answers: None
    data = json.loads(rows[0][0])
    values = {(0, int(v["storage_gb"]), v["cosmetic"], v["functional_band"]): int(v["base_minor"])
              for v in data["values"] if (v["brand"], v["model"]) == (ti["brand"], ti["model"])
              and v.get("kind", ti["device_kind"]) == ti["device_kind"]}  # grids before kinds had no "kind"
    grid = PriceGrid(ti["grid_version"], data["currency"], date.fromisoformat(data["valid_from"]),
                     date.fromisoformat(data["valid_until"]), values)

    def price_of(storage_gb, answers) -> int | None:
        device = Device(0, ti["device_kind"], ti["brand"], ti["model"], int(storage_gb))
        when = min(max(today, grid.valid_from), grid.valid_until)  # the store's grid, on a day it was valid
        try:
            offer = quote(device, grade(answers, spec, ti["device_kind"]), grid, (), when)
        except PricingError:
            return None
        return offer.total_minor if offer.eligible else None

    return price_of


def regrade(storage: Storage, spec: Spec, tradein_uuid: str, answers: dict[str, str], staff_name: str,
            today: date) -> dict:
    """HQ's own checklist on the device; any difference opens a dispute for a supervisor."""
    ti = get_tradein(storage, tradein_uuid)
    if ti is None or not ti["received_at"]:
        raise UserError(N_("Check the bag in before regrading it."))
    result = grade(answers, spec, ti["device_kind"])  # AnswerError on a value the spec does not know
    if result.missing:
        raise UserError(N_("Answer every question of the checklist."))
    said = store_answers(storage, tradein_uuid).get("answers", {})
    price_of = _grid_price(storage, ti, spec, today)
    changes = estimating.compare(spec, ti["device_kind"], (ti["storage_gb"], said), (ti["storage_gb"], answers),
                                 price_of)
    store_minor, hq_minor = price_of(ti["storage_gb"], said), price_of(ti["storage_gb"], answers)
    status = "open" if changes else "confirmed"
    with storage.transaction() as tx:
        if tx.rows("SELECT 1 FROM hq_regrades WHERE tradein_uuid = %s AND status IN ('accepted', 'rejected')",
                   [tradein_uuid]):
            raise UserError(N_("The dispute on this trade-in is settled: it cannot be regraded again."))
        tx.run("DELETE FROM hq_regrades WHERE tradein_uuid = %s", [tradein_uuid])
        tx.run("INSERT INTO hq_regrades (tradein_uuid, regraded_by, regraded_at, answers, cosmetic_grade, "
               "functional_grade, store_minor, hq_minor, changes, status) VALUES "
               "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
               [tradein_uuid, staff_name, utcnow_ms(), json.dumps(answers), result.cosmetic, result.functional,
                store_minor, hq_minor, json.dumps([list(vars(c).values()) for c in changes]), status])
        tx.run("UPDATE hq_tradeins SET regrade_status = %s WHERE uuid = %s", [status, tradein_uuid])
        event(tx, ti, "dispute_opened" if changes else "regrade_confirmed", staff_name,
              cosmetic=result.cosmetic, functional=result.functional, store_minor=store_minor, hq_minor=hq_minor,
              changes=[list(vars(c).values()) for c in changes])
    return get_regrade(storage, tradein_uuid)


REGRADE_FIELDS = ("tradein_uuid", "regraded_by", "regraded_at", "answers", "cosmetic_grade", "functional_grade",
                  "store_minor", "hq_minor", "changes", "status", "decided_by", "decided_at", "note")


def get_regrade(storage: Storage, tradein_uuid: str) -> dict | None:
    with storage.read() as tx:
        rows = tx.rows(f"SELECT {', '.join(REGRADE_FIELDS)} FROM hq_regrades WHERE tradein_uuid = %s",
                       [tradein_uuid])
    if not rows:
        return None
    found = dict(zip(REGRADE_FIELDS, rows[0], strict=True))
    return {**found, "answers": json.loads(found["answers"]), "changes": json.loads(found["changes"])}


def decide(storage: Storage, tradein_uuid: str, accept: bool, supervisor: str, note: str,
           on_accepted: Callable[[Any, dict, int | None, int | None], object] | None = None) -> None:
    """A supervisor settles an open dispute: accepted (HQ's grade stands) or rejected (the store's does).
    `on_accepted(tx, trade-in, store_minor, hq_minor)` runs in the same transaction when HQ's grade stands:
    hq.services.counter_offers.settle_dispute passes the counter-offer it makes then (it imports this module)."""
    note = " ".join(note.split())[:300]
    if len(note) < 5:
        raise UserError(N_("Say why in a few words (at least 5 characters): the store reads it."))
    status = "accepted" if accept else "rejected"
    with storage.transaction() as tx:
        ti = _tradein(tx, "uuid = %s", [tradein_uuid])
        done = tx.rows("UPDATE hq_regrades SET status = %s, decided_by = %s, decided_at = %s, note = %s "
                       "WHERE tradein_uuid = %s AND status = 'open' RETURNING hq_minor, store_minor",
                       [status, supervisor, utcnow_ms(), note, tradein_uuid])
        if ti is None or not done:
            raise UserError(N_("There is no open dispute on this trade-in."))
        tx.run("UPDATE hq_tradeins SET regrade_status = %s WHERE uuid = %s", [status, tradein_uuid])
        event(tx, ti, f"dispute_{status}", supervisor, note=note, hq_minor=done[0][0], store_minor=done[0][1])
        if accept and on_accepted:
            on_accepted(tx, ti, done[0][1], done[0][0])


def updates_for_store(storage: Storage, store_id: str, after: str = "", limit: int = 500) -> list[dict]:
    """What HQ did with this store's trade-ins after the cursor `after` ("<time>|<event id>" of the last
    event the store has), oldest first: the kiosk pulls this feed."""
    at, _, last_id = after.partition("|")
    marks = ", ".join(["%s"] * len(FEED_ACTIONS))
    with storage.read() as tx:
        rows = tx.rows(f"SELECT id, tradein_uuid, at, staff_name, action, detail FROM hq_events WHERE store_id = %s "
                       f"AND (at > %s OR (at = %s AND id > %s)) AND action IN ({marks}) ORDER BY at, id LIMIT %s",
                       [store_id, at, at, last_id, *FEED_ACTIONS, limit])
    return [{"id": r[0], "tradein_uuid": r[1], "at": r[2], "by": r[3], "action": r[4], "detail": json.loads(r[5]),
             "cursor": f"{r[2]}|{r[0]}"} for r in rows]
