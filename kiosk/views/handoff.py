"""A clerk picks up a customer's estimate ticket (scanned or typed): the trade-in starts on the
device in hand with the customer's model, storage and answers ready to be checked one by one."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext

from core.codes import classify
from core.imei import IDENTIFIER_FOR_KIND, IdentifierError, parse_identifier
from kiosk.auth import login_required
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.tradein import catalog, estimates
from kiosk.web import current_actor, see_other
from kiosk.web.customer_ticket import estimate_range
from kiosk.web.scan_routing import lead_elsewhere
from kiosk.web.start import identifier_field_takes

bp = Blueprint("handoff", __name__, url_prefix="/tradeins/pickup")
bp.before_request(login_required(lambda: None))


def _page(code: str, status: int = 200, error: str | None = None, value: str = ""):
    db = get_db()
    est = estimates.by_code(db, code)
    if est is None or est["store_id"] != current_actor().store_id:
        return render_template("error.html", title=gettext("Unknown ticket"),
                               message=gettext("No estimate has the ticket %(code)s in this store.", code=code)), 404
    spec = current_app.extensions["kiosk.spec"]
    answers = [(q, q.label_of(est["answers"][q.id])) for q in spec.questions_for(est["device_kind"])
               if q.id in est["answers"]]
    return render_template("handoff/pickup.html", est=est, answers=answers, error=error,
                           value=value or est["imei"] or "",
                           device=catalog.get_device(db, est["device_id"]), range=estimate_range(est),
                           uses_imei=IDENTIFIER_FOR_KIND[est["device_kind"]] == "imei"), status


@bp.get("/<code>")
def show(code: str):
    return _page(code[:16])


@bp.post("/<code>")
def pick_up(code: str):
    code, raw = code[:16], request.form.get("identifier", "")[:64]
    db = get_db()
    est = estimates.by_code(db, code)
    if est is None:
        return _page(code)
    led = lead_elsewhere(classify(raw), identifier_field_takes(est["device_kind"]),
                         lambda reason: _page(code, 422, reason, raw))
    if led is not None:  # another ticket, a trade-in code...: where /scan would take it, said on the page
        return led
    try:
        imei, serial = parse_identifier(est["device_kind"], raw)
        ti = estimates.claim(db, current_actor(), code, date.today(), imei=imei, serial=serial)
    except (IdentifierError, estimates.EstimateError) as err:
        return _page(code, 422, translated(err), raw)
    return see_other(url_for("tradein.device", tradein_uuid=ti["uuid"]))
