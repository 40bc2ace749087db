"""Enrolling a terminal with HQ: a one-time code is exchanged for the store's id, its HMAC secret and its
profile; the secret goes into <data dir>/hq_link.json (0600, never printed), the store row takes HQ's id and
profile, and the reference data (grid, catalog, products, promos, blocklist) is pulled. No demo data.

What HQ answers crosses a trust boundary: the profile is checked with core.store_profile, the same code HQ ran
when the store was created. A terminal that already belongs to another store refuses (its records would mix).
Re-enrolling the same store (replacement hardware, or after HQ revoked the old secret) keeps every record."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import sqlite_utils

from core import protocol
from core.messages import N_, UserError
from core.payout import open_from_store, seal_for_hq
from core.protocol import canonical_json
from core.settings import write_private
from core.store_profile import ProfileInvalid, validate_profile
from kiosk.provisioning.restore import restore as restore_from_hq
from kiosk.provisioning.terminal import store_profile
from kiosk.settings import HQ_LINK_FILE, read_hq_link
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from kiosk.till import fiscal_chain
from kiosk.tradein.reference import pull
from kiosk.translations import catalogue
from sync.client import HQClient, HQRefused, HQUnavailable, exchange_enrolment_code
from sync.localdb import get_mark
from sync.pusher import CHECKPOINT

COUNTER = N_("Counter 1")  # the terminal's name, until a manager renames it
_STORE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class EnrolmentFailed(UserError):
    """Why enrolment did not happen; nothing was written."""


def _checked(answer: dict) -> tuple[str, str, dict]:
    store_id, secret = answer.get("store_id"), answer.get("secret")
    if not isinstance(store_id, str) or not _STORE_ID.fullmatch(store_id):
        raise EnrolmentFailed(N_("HQ's answer has no valid store id: nothing was changed."))
    if not isinstance(secret, str) or not 20 <= len(secret) <= 200:
        raise EnrolmentFailed(N_("HQ's answer has no valid secret: nothing was changed."))
    try:
        profile = validate_profile(answer.get("profile") if isinstance(answer.get("profile"), dict) else {})
    except ProfileInvalid as err:
        raise EnrolmentFailed(N_("HQ's store profile is not valid (%(reason)s): nothing was changed."),
                              reason=str(err)) from None
    return store_id, secret, profile


def _save_store(db: sqlite_utils.Database, store_id: str, profile: dict) -> None:
    row = {"id": store_id, "code": store_id, "name": profile["trading_name"], "demo": 0,
           **{k: profile[k] for k in ("legal_name", "siret", "address", "country", "locale", "currency", "timezone",
                                      "vat_regime", "jurisdiction", "ein", "dealer_licence")}}
    with write_transaction(db):
        db["stores"].upsert(row, pk="id")
        if not fetch_one(db, "SELECT id FROM terminals WHERE store_id = ? AND mode = 'staff'", [store_id]):
            name = catalogue(profile["locale"]).gettext(COUNTER)  # on the receipts: in the store's language
            db["terminals"].insert({"id": str(uuid.uuid4()), "store_id": store_id, "name": name, "mode": "staff"})
        for terminal in fetch_all(db, "SELECT id FROM terminals WHERE store_id = ? AND mode = 'staff'", [store_id]):
            fiscal_chain.ensure_key(db, terminal["id"])  # the till's signing key, its public half queued for HQ


def enrol(db: sqlite_utils.Database, data_dir: str, hq_url: str, code: str, timeout: float = 10.0,
          restore: bool = False) -> dict:
    """Exchange the code, store the link and profile, pull reference data; with `restore`, on an empty terminal,
    take the store's records back from HQ (kiosk.provisioning.restore). Returns {store_id, profile, pulled,
    pull_error, restored}; raises EnrolmentFailed (nothing written) when HQ refuses."""
    current = store_profile(db)
    if restore and (current or fetch_one(db, "SELECT 1 FROM tradeins LIMIT 1")):  # checked before the code is used
        raise EnrolmentFailed(N_("A restore is made on an empty data folder only: nothing was changed."))
    try:
        answer = exchange_enrolment_code(hq_url, code.strip(), timeout)
    except (HQRefused, HQUnavailable) as err:
        raise EnrolmentFailed(N_("Enrolment failed: %(reason)s"), reason=str(err)) from None
    store_id, secret, profile = _checked(answer)
    if current and current["id"] != store_id:
        raise EnrolmentFailed(N_("This terminal already belongs to %(store)s: enrol a new terminal from an empty "
                                 "data folder."), store=current["name"])
    tracking = answer.get("tracking_url") if isinstance(answer.get("tracking_url"), str) else ""
    old_secret = read_hq_link(data_dir).get("secret", "")
    # The link first, whole (a kiosk running meanwhile takes it over: kiosk.hq_link), then the transfers sealed
    # with the old secret: one sealed while this runs is resealed too, not left for HQ to refuse.
    _write_link(Path(data_dir), {"url": hq_url, "store_id": store_id, "secret": secret,
                                 "tracking_url": tracking[:300]})
    _reseal_pending_payouts(db, old_secret, secret)
    _save_store(db, store_id, profile)
    result = {"store_id": store_id, "profile": profile, "pulled": [], "pull_error": "", "restored": None}
    try:
        result["pulled"] = pull(db, HQClient(hq_url, store_id, secret, timeout))
    except (HQRefused, HQUnavailable) as err:  # enrolled all the same: the background sync pulls later
        result["pull_error"] = str(err)
    if restore:  # after the pull: restored trade-ins find their catalog models
        terminal = fetch_one(db, "SELECT id FROM terminals WHERE store_id = ? AND mode = 'staff'", [store_id])
        result["restored"] = restore_from_hq(db, data_dir, HQClient(hq_url, store_id, secret, timeout),
                                             terminal["id"])
    return result


def _write_link(data_dir: Path, link: dict) -> None:
    """Written beside and renamed into place: a running kiosk never reads half a link."""
    fresh = data_dir / (HQ_LINK_FILE + ".new")
    write_private(fresh, json.dumps(link))
    os.replace(fresh, data_dir / HQ_LINK_FILE)


def _reseal_pending_payouts(db: sqlite_utils.Database, old: str, new: str) -> int:
    """Transfers not yet sent to HQ were sealed with the old secret (core.payout.seal_for_hq): seal them again with
    the new one, or HQ could not read them. HQ never saw these payloads, so changing them is safe."""
    if not old or old == new:
        return 0
    resealed = 0
    with write_transaction(db):
        rows = fetch_all(db, "SELECT seq, payload FROM outbox WHERE kind = ? AND seq > ?",
                         [protocol.PAYOUT_REQUESTED, int(get_mark(db, CHECKPOINT, "0"))])
        for row in rows:
            payload = json.loads(row["payload"])
            account = open_from_store(payload.get("account_sealed"), old)
            if account is None:
                continue
            payload["account_sealed"] = seal_for_hq(account, new)
            db.execute("UPDATE outbox SET payload = ? WHERE seq = ?", [canonical_json(payload), row["seq"]])
            resealed += 1
    return resealed


def link_settings(data_dir: str) -> dict:
    """The HQ link settings as enrolment just stored them (for a running app to take over at once)."""
    link = read_hq_link(data_dir)
    return {"SYNC_URL": link["url"], "SYNC_STORE_ID": link["store_id"], "SYNC_SECRET": link["secret"],
            "TRACKING_URL": link.get("tracking_url") or link["url"]}
