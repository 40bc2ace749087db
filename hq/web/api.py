"""HQ's store-facing API (JSON, HMAC-signed by each store). Described in openapi.py."""

from __future__ import annotations

import time
import uuid
from datetime import date

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from core.clock import utcnow_ms
from core.health import MAX_HEALTH_BYTES, parse_health
from core.protocol import (
    HEADER_PROTOCOL,
    HEADER_SIGNATURE,
    HEADER_STORE,
    HEADER_TIMESTAMP,
    PROTOCOL_UNVERSIONED,
    REJECTIONS,
    SELLER_ERASED,
    SignatureError,
    parse_json,
    protocol_refusal,
    signed_target,
    verify,
)
from core.reference import KINDS
from hq.services import aftersales, devices, enrolment, fleet, markets, photos, register_anchors, voucher_ledger
from hq.services import restore as store_restore
from hq.services.ingest import BatchError, ReplayError, ingest, parse_batch
from hq.services.receiving import updates_for_store
from hq.storage import RaceLost
from hq.web.openapi import OPENAPI

bp = Blueprint("hq_api", __name__)
REFERENCE_KINDS = KINDS


def _storage():
    return current_app.extensions["hq.storage"]


def _error(status: int, message: str):
    return jsonify({"error": message}), status


def _authenticate(store_id: str) -> None:
    """Refuse anything not signed by this store's secret (401), with the reason."""
    if "\x00" in store_id or request.headers.get(HEADER_STORE) != store_id:
        raise SignatureError(f"{HEADER_STORE} must name the store in the URL")
    secret, revoked = _storage().store_access(store_id)
    if secret is None:
        raise SignatureError("unknown store")
    if revoked:
        raise SignatureError("this store's access was revoked at HQ: enrol the terminal again with a new code")
    verify(secret, request.headers.get(HEADER_TIMESTAMP, ""), request.headers.get(HEADER_SIGNATURE, ""),
           request.method, signed_target(request.path, request.query_string.decode("latin-1")), request.get_data(),
           time.time())


def _refused_protocol():
    """None, or HQ's answer to a request in a protocol it does not read (422): the code, which the terminal says in
    its reader's words, and the English text, which a terminal older than the codes shows as it is."""
    message = protocol_refusal(request.headers.get(HEADER_PROTOCOL), current_app.config["PROTOCOL_OLDEST"])
    if message is None:
        return None
    code = next(code for code, msgid in REJECTIONS.items() if msgid == message.msgid)
    return jsonify({"error": str(message), "code": code, "params": message.params}), 422


def _heard(health=None) -> fleet.Heard:
    """This signed request as the fleet page keeps it: its protocol, and its signed timestamp against HQ's clock."""
    offset = round(int(request.headers[HEADER_TIMESTAMP]) + 0.5 - time.time())  # the stamp is cut to the second
    return fleet.Heard(request.headers.get(HEADER_PROTOCOL) or PROTOCOL_UNVERSIONED, offset, health)


@bp.errorhandler(SignatureError)
def _unsigned(err):
    return _error(401, str(err))


@bp.errorhandler(HTTPException)
def _http(err):
    return _error(err.code or 500, err.description or err.name)


@bp.post("/api/v1/stores/<store_id>/batches")
def post_batch(store_id: str):
    _authenticate(store_id)
    if refused := _refused_protocol():
        return refused
    try:
        batch_id, records, backlog = parse_batch(request.get_data())
        ack = ingest(_storage(), store_id, batch_id, records, backlog, _heard(backlog.health if backlog else None))
    except BatchError as err:
        return _error(422, str(err))
    except ReplayError as err:
        return _error(409, str(err))
    except RaceLost:  # still, after ingest's own retries: nothing of the batch was kept, the store sends it again
        return _error(503, "other batches were writing the same records; send this batch again")
    if any(record.kind == SELLER_ERASED for record in records):  # their photos went: so do the files none names
        photos.drop_unreferenced(_storage(), current_app.extensions["hq.photos"])
    return jsonify(ack.as_json())


@bp.post("/api/v1/stores/<store_id>/health")
def post_health(store_id: str):
    """A terminal's health report sent alone, when it had nothing to push for a while (the fleet page)."""
    if (request.content_length or 0) > MAX_HEALTH_BYTES:
        return _error(413, f"a health report is at most {MAX_HEALTH_BYTES} bytes")
    _authenticate(store_id)
    if refused := _refused_protocol():
        return refused
    try:
        body = parse_json(request.get_data())
    except ValueError:
        body = None
    health = parse_health(body.get("health")) if isinstance(body, dict) else None
    if health is None:
        return _error(422, "send {\"health\": {...}}: the terminal's report")
    fleet.note_report(_storage(), store_id, _heard(health), utcnow_ms())
    return jsonify({"noted": True})


@bp.get("/api/v1/stores/<store_id>/register-anchor")
def register_anchor(store_id: str):
    """The head of the store's police register as HQ last received it: what `register verify` compares with."""
    _authenticate(store_id)
    return jsonify(register_anchors.anchor(_storage(), store_id))


@bp.get("/api/v1/stores/<store_id>/fiscal-anchor")
def fiscal_anchor(store_id: str):
    """The store's fiscal chain heads as HQ anchored them, and its terminals' public keys: `fiscal verify`."""
    _authenticate(store_id)
    return jsonify(register_anchors.fiscal_anchor(_storage(), store_id))


@bp.get("/api/v1/stores/<store_id>/restore/<part>")
def restore_part(store_id: str, part: str):
    """What a new terminal of this store takes back from HQ when the old one died (core.restore): `summary`, or a
    page of `tradeins`, `vouchers` or `sales` after the cursor `after`. This store's data only."""
    _authenticate(store_id)
    if part == "summary":
        return jsonify(store_restore.summary(_storage(), store_id))
    if part not in store_restore.PARTS:
        return _error(404, f"no restore part {part[:20]}")
    after = request.args.get("after", "")[:80].replace("\x00", "")
    return jsonify(store_restore.page(_storage(), store_id, part, after))


@bp.get("/api/v1/stores/<store_id>/reference")
def reference_index(store_id: str):
    """The versions this store pulls: its market's (its currency, core.markets) and those for every market."""
    _authenticate(store_id)
    return jsonify(_storage().latest_references(markets.store_market(_storage(), store_id)))


@bp.get("/api/v1/stores/<store_id>/reference/<kind>/<version>")
def reference(store_id: str, kind: str, version: str):
    _authenticate(store_id)
    market = markets.store_market(_storage(), store_id)  # another market's version is not this store's to read
    data = _storage().reference(kind, version, market) if kind in REFERENCE_KINDS else None
    if data is None:
        return _error(404, f"no {kind} version {version}")
    return current_app.response_class(data, mimetype="application/json")


@bp.get("/api/v1/stores/<store_id>/devices/<identifier>")
def device_status(store_id: str, identifier: str):
    """Whether the re-trade policy (core.device_gates) lets this store buy the device, judged on every store's
    trade-ins: a reason code the kiosk puts into words, or null."""
    _authenticate(store_id)
    refusal = devices.refusal(_storage(), identifier[:32].replace("\x00", ""), store_id, date.today(),
                              current_app.config["RETRADE_MIN_DAYS"])
    return jsonify({"refusal": refusal.as_json() if refusal else None})


@bp.post("/api/v1/enrol")
def enrol():
    """A terminal's one-time enrolment code for the store's id, a new HMAC secret and the store profile."""
    try:
        body = parse_json(request.get_data() or b"{}")
        code = body["code"] if isinstance(body, dict) and isinstance(body.get("code"), str) else ""
    except ValueError:
        code = ""
    if not 0 < len(code) <= 40:
        return _error(422, "send {\"code\": \"XXXX-XXXX-XXXX\"}")
    try:
        answer = enrolment.exchange(_storage(), code)
    except enrolment.EnrolmentRefused as err:
        return _error(403, str(err))
    return jsonify({**answer, "tracking_url": current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")})


@bp.get("/api/v1/stores/<store_id>/updates")
def updates(store_id: str):
    """What HQ did with this store's trade-ins (received, regraded, disputes settled) after `after`."""
    _authenticate(store_id)
    after = request.args.get("after", "")[:120].replace("\x00", "")
    return jsonify({"updates": updates_for_store(_storage(), store_id, after)})


def _voucher_request() -> tuple[str, int]:
    try:
        body = parse_json(request.get_data() or b"{}")
        sale_uuid, amount = str(uuid.UUID(str(body["sale_uuid"]))), body.get("amount_minor", 0)
    except (ValueError, KeyError, TypeError):
        raise BatchError("send {sale_uuid, amount_minor}") from None
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise BatchError("amount_minor must be a whole number")
    return sale_uuid, amount


@bp.post("/api/v1/stores/<store_id>/vouchers/<code>/redeem")
def redeem_voucher(store_id: str, code: str):
    """Spend part of a voucher of any store, once per sale (the cross-store double-spend guard)."""
    _authenticate(store_id)
    try:
        sale_uuid, amount = _voucher_request()
        balance = voucher_ledger.redeem(_storage(), store_id, code[:32].replace("\x00", ""), sale_uuid, amount)
    except voucher_ledger.UnknownVoucher as err:
        return _error(404, str(err))
    except (BatchError, voucher_ledger.VoucherRefused) as err:
        return _error(422, str(err))
    return jsonify({"balance_minor": balance})


@bp.post("/api/v1/stores/<store_id>/vouchers/<code>/release")
def release_voucher(store_id: str, code: str):
    """Give back what a sale took if the store could not save that sale: only this store's own redemption, and
    only while HQ has no record of the sale."""
    _authenticate(store_id)
    try:
        sale_uuid, _ = _voucher_request()
        released = voucher_ledger.release(_storage(), store_id, code[:32].replace("\x00", ""), sale_uuid)
    except (BatchError, voucher_ledger.VoucherRefused) as err:
        return _error(422, str(err))
    return jsonify({"released": released})


@bp.get("/api/v1/stores/<store_id>/sales/<key>")
def find_sale(store_id: str, key: str):
    """A sale of any store, by its receipt number or a device's IMEI/serial, for a return or a warranty claim at
    this store: only what that needs (aftersales.find_sale). Unknown to HQ (not synced yet, or none): 404."""
    _authenticate(store_id)
    found = aftersales.find_sale(_storage(), key[:32].strip().upper().replace("\x00", ""), store_id)
    if found is None:
        return _error(404, "HQ has no sale with this receipt number or device")
    return jsonify(found)


@bp.get("/api/v1/stores/<store_id>/warranty-claims/<claim_uuid>")
def warranty_claim(store_id: str, claim_uuid: str):
    """The status of a warranty claim this store opened (another store's claims are not found)."""
    _authenticate(store_id)
    status = aftersales.claim_status(_storage(), store_id, claim_uuid[:64].replace("\x00", ""))
    if status is None:
        return _error(404, "HQ has no warranty claim of this store with this id (not synced yet?)")
    return jsonify(status)


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@bp.get("/healthz")
def healthz():
    try:
        _storage().latest_references()
        return jsonify({"status": "ok", "backend": _storage().backend})
    except Exception as err:  # any driver error means HQ cannot serve: say so, do not crash
        return jsonify({"status": "error", "backend": _storage().backend, "error": str(err)}), 503

