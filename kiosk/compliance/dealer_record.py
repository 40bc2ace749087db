"""New York City's second-hand dealer record at the store (core.dealer_record): written in the accept's transaction
for a store whose jurisdiction keeps it (core/data/jurisdictions: [dealer_record] fields), with every field the pack
requires, or the accept is refused with the fields it lacks. The article (manufacturer, model, serial number, IMEI,
visible alterations or damage from the checklist, the clerk's answer "serial or IMEI altered or missing"), the seller
(name, residence, the identification shown: type, number, issuer), the day and hour in the store's time zone, the
price and the photos by SHA-256 (kiosk.evidence). The record is encrypted like the seller's identity, kept six years
whatever else is purged or erased (a legal obligation), and goes out in the day's report (kiosk.compliance.
dealer_report)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

import sqlite_utils

from core import dealer_record
from core.grading import Spec, load_spec
from core.jurisdiction import ALL_DOCUMENTS, Deadline, Pack, pack_for
from core.messages import N_, UserError
from core.photos import MEDIA_TYPES
from core.seller import Seller
from kiosk.compliance.crypto import DataCipher
from kiosk.evidence import photos
from kiosk.store.db import fetch_all, fetch_one


@lru_cache(maxsize=1)
def checklist_spec() -> Spec:
    """The checklist the kiosk grades with (kiosk.app loads the same file): its English words describe damage."""
    return load_spec()


class DealerRecordIncomplete(UserError):
    """The purchase lacks a field the store's dealer record requires: nothing is saved."""


def pack_of_store(db: sqlite_utils.Database, store_id: str) -> tuple[Pack, str]:
    """(the store's jurisdiction pack, its time zone)."""
    store = fetch_one(db, "SELECT jurisdiction, timezone FROM stores WHERE id = ?", [store_id]) or {}
    pack = pack_for(store)
    return pack, store.get("timezone") or pack.timezone


def keeps_record(db: sqlite_utils.Database, store_id: str) -> bool:
    return dealer_record.keeps_record(pack_of_store(db, store_id)[0])


def write(db: sqlite_utils.Database, accepted: dict, device, seller: Seller, form: Mapping[str, str],
          cipher: DataCipher, spec: Spec | None = None) -> bool:
    """Inside the accept's transaction: the purchase's record, for a store that keeps one (False for another);
    DealerRecordIncomplete, naming every missing field, rolls the accept back."""
    pack, zone = pack_of_store(db, accepted["store_id"])
    if not dealer_record.keeps_record(pack):
        return False
    altered, problem = dealer_record.identifier_altered(form)
    shots = [(p["kind"], p["sha256"], p["media_type"]) for p in photos.of_tradein(db, accepted)]
    record = _record(db, accepted, device, seller, altered, spec or checklist_spec(), zone, shots)
    if lacking := dealer_record.missing(record, dealer_record.required_fields(pack)):
        raise DealerRecordIncomplete(N_("New York City's second-hand dealer record needs: %(fields)s."),
                                     fields=", ".join(lacking))
    if problem:  # required or not, an answer that is neither yes nor no is never written
        raise DealerRecordIncomplete(problem.msgid, **problem.params)
    keep_until = Deadline(months=12 * dealer_record.retention_years(pack)).after(
        date.fromisoformat(record["purchased_on"]))  # February 29 + 6 years: February 28
    db.execute("INSERT INTO dealer_records (tradein_uuid, local_day, purchased_at, content, photos, retain_until) "
               "VALUES (?, ?, ?, ?, ?, ?)", [accepted["uuid"], record["purchased_on"], accepted["accepted_at"],
                                             cipher.encrypt(json.dumps(record, sort_keys=True)), json.dumps(shots),
                                             keep_until.isoformat()])
    return True


def _record(db, ti: dict, device, seller: Seller, altered: str, spec: Spec, zone: str,
            shots: list[tuple[str, str, str]]) -> dict[str, str]:
    """Every column of the record (core.dealer_record.COLUMNS), in English."""
    day, hour, abbreviation = dealer_record.local_moment(ti["accepted_at"], zone)
    answers = {r["question_id"]: r["answer"] for r in fetch_all(
        db, "SELECT question_id, answer FROM tradein_answers WHERE tradein_uuid = ?", [ti["uuid"]])}
    clerk = fetch_one(db, "SELECT name FROM staff WHERE id = ?", [ti["staff_id"]]) or {}
    return {
        "transaction": ti["code"], "purchased_on": day, "purchased_time": hour, "time_zone": abbreviation,
        "manufacturer": device.brand if device else "", "model": device.model if device else "", "model_number": "",
        "serial_number": ti.get("serial") or "", "imei": " / ".join(filter(None, (ti.get("imei"), ti.get("imei2")))),
        "identifier_altered": dealer_record.YES_NO.get(altered, ""),
        "alterations": dealer_record.alterations(answers, spec, ti["device_kind"]),
        "seller_name": f"{seller.first_names} {seller.surname}".strip(), "seller_residence": seller.address,
        "id_type": ALL_DOCUMENTS.get(seller.id_doc_type, seller.id_doc_type), "id_number": seller.id_doc_number,
        "id_issuer": seller.id_doc_issuer,
        "price": dealer_record.price_text(ti["total_minor"], ti["currency"]), "currency": ti["currency"],
        "photos": "; ".join(f"{kind}: photos/{sha}.{MEDIA_TYPES[media]}" for kind, sha, media in shots),
        "clerk": clerk.get("name", ""),
    }


def records_of_day(db: sqlite_utils.Database, cipher: DataCipher, day: str) -> list[tuple[dict, list]]:
    """(record, [(kind, sha256, media type)]) of each purchase of the store's `day`, in the order bought."""
    rows = fetch_all(db, "SELECT content, photos FROM dealer_records WHERE local_day = ? ORDER BY purchased_at, "
                         "tradein_uuid", [day])
    return [(json.loads(cipher.decrypt(row["content"])), json.loads(row["photos"])) for row in rows]


def rotate(db: sqlite_utils.Database, cipher: DataCipher) -> int:
    """Inside the key rotation's transaction: every record re-encrypted under the newest key (same content)."""
    rows = fetch_all(db, "SELECT tradein_uuid, content FROM dealer_records")
    for row in rows:
        db.execute("UPDATE dealer_records SET content = ? WHERE tradein_uuid = ?",
                   [cipher.rotate(row["content"]), row["tradein_uuid"]])
    return len(rows)
