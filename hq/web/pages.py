"""HQ staff pages: dashboard, inbox (+ CSV), a trade-in's evidence and history with regrade and
dispute, bag check-in (scanner or camera), shipments. htmx fragments where a part of a page changes."""

from __future__ import annotations

import csv
import io
from datetime import date

from babel.dates import format_date
from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from core.codes import BAG_PREFIX
from core.grading import AnswerError, load_spec
from core.text import csv_cell
from hardware import extras
from hq.extensions import htmx
from hq.services import counter_offers, dealer_reports, device_returns, oversight, photos, receiving
from hq.web.auth import staff_required, supervisor_required
from hq.web.charts import bar_chart
from hq.web.i18n import money, translated

bp = Blueprint("hq_web", __name__, url_prefix="/hq")
bp.before_request(staff_required(lambda: None))

SPEC = load_spec()  # the same checklist spec the stores grade with


def _storage():
    return current_app.extensions["hq.storage"]


def _day(iso_day: str) -> str:
    return format_date(date.fromisoformat(iso_day), "d MMM", locale=get_locale())


@bp.get("/")
def dashboard():
    figures = oversight.dashboard(_storage())
    charts = {
        "per_day": bar_chart(gettext("Trade-ins per day"), [(_day(d), n) for d, n, _ in figures["per_day"]]),
        # one chart of money per currency: euros and dollars never share a bar or a total
        "value": {currency: bar_chart(gettext("Value paid per day in %(currency)s", currency=currency),
                                      [(_day(d), v.get(currency, 0)) for d, _, v in figures["per_day"]],
                                      value_label=lambda v, c=currency: money(v, c))
                  for currency in figures["currencies"]},
        "per_store": bar_chart(gettext("Trade-ins per store"),
                               [(s["store"], s["count"]) for s in figures["per_store"]]),
        "grades": bar_chart(gettext("Cosmetic grade mix"), figures["grades"]),
        "regrade": bar_chart(gettext("Regrades that found a difference, per store"),
                             [(s["store"], round(100 * s["regrade_rate"])) for s in figures["per_store"]],
                             value_label=lambda v: f"{v} %"),
    }
    return render_template("hq/dashboard.html", figures=figures, charts=charts, stores=oversight.stores(_storage()),
                           dealer_reports=dealer_reports.recent(_storage()))


@bp.get("/dashboard.csv")
def dashboard_csv():
    """The dashboard's days for a spreadsheet: a row per day and currency, never a sum across currencies."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("day", "currency", "tradeins", "value_paid_minor"))
    writer.writerows([csv_cell(value) for value in row] for row in oversight.daily_rows(_storage()))
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=totals-per-currency-{date.today()}.csv"})


@bp.get("/inbox")
def inbox():
    filters, stores = oversight.Filters.from_args(request.args, str(get_locale())), oversight.stores(_storage())
    rows, store_names = oversight.tradeins(_storage(), filters), oversight.places(stores)
    if htmx and not htmx.boosted and htmx.target == "inbox-rows":
        return render_template("hq/_tradein_rows.html", rows=rows, filters=filters, store_names=store_names)
    return render_template("hq/inbox.html", rows=rows, filters=filters, stores=stores, store_names=store_names,
                           statuses=oversight.STATUSES)


@bp.get("/inbox.csv")
def inbox_csv():
    """The filtered list, every row (not one page), for a spreadsheet."""
    filters, storage = oversight.Filters.from_args(request.args, str(get_locale())), _storage()

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(receiving.TRADEIN_FIELDS)
        filters.page, batch = 1, oversight.tradeins(storage, filters, 5000)
        while batch:
            writer.writerows([csv_cell(row[k]) for k in receiving.TRADEIN_FIELDS] for row in batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            filters.page += 1
            batch = oversight.tradeins(storage, filters, 5000) if len(batch) == 5000 else []

    return Response(lines(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=tradeins-{date.today()}.csv"})


def _tradein_page(tradein_uuid: str, status: int = 200, error: str | None = None):
    ti = receiving.get_tradein(_storage(), tradein_uuid)
    if ti is None:
        abort(404)
    evidence = receiving.store_answers(_storage(), tradein_uuid)
    regrade = receiving.get_regrade(_storage(), tradein_uuid)
    place = oversight.place_of(_storage(), ti["store_id"])
    ti = {**ti, "store_name": place.get("name"), "store_timezone": place.get("timezone")}
    return render_template("hq/tradein.html", ti=ti, evidence=evidence, regrade=regrade, error=error,
                           questions=SPEC.questions_for(ti["device_kind"] or "phone"), form=request.form,
                           clerk=oversight.clerk_of(evidence), photos=photos.of_tradein(_storage(), tradein_uuid),
                           history=oversight.history(_storage(), tradein_uuid, ti["store_name"] or "")), status


@bp.get("/tradeins/<tradein_uuid>")
def tradein(tradein_uuid: str):
    return _tradein_page(tradein_uuid[:64])


@bp.post("/tradeins/<tradein_uuid>/regrade")
def regrade(tradein_uuid: str):
    ti = receiving.get_tradein(_storage(), tradein_uuid[:64])
    if ti is None:
        abort(404)
    answers = {q.id: request.form.get(q.id, "").strip()[:16] for q in SPEC.questions_for(ti["device_kind"] or "phone")}
    try:
        result = receiving.regrade(_storage(), SPEC, ti["uuid"], answers, g.hq_staff["name"], date.today())
    except (ValueError, AnswerError) as err:
        return _tradein_page(ti["uuid"], 422, translated(err))
    flash(gettext("Regrade saved: a supervisor settles the dispute.") if result["status"] == "open"
          else gettext("Regrade saved: HQ confirms the store's grading."))
    return redirect(url_for(".tradein", tradein_uuid=ti["uuid"]), 303)


@bp.post("/tradeins/<tradein_uuid>/decision")
@supervisor_required
def decision(tradein_uuid: str):
    try:
        counter_offers.settle_dispute(
            _storage(), tradein_uuid[:64], request.form.get("decision") == "accept", g.hq_staff["name"],
            request.form.get("note", ""),
            counter_offers.Terms(current_app.config["COUNTER_OFFER_DAYS"], current_app.config["COUNTER_OFFER_POLICY"]))
    except ValueError as err:
        return _tradein_page(tradein_uuid[:64], 422, translated(err))
    flash(gettext("Dispute settled: the store sees the outcome on its next sync."))
    return redirect(url_for(".tradein", tradein_uuid=tradein_uuid[:64]), 303)


def _checkin_page(result: receiving.CheckIn | None = None, status: int = 200):
    expected = request.values.get("expected_store", "")[:64]
    context = {"result": result, "expected": expected, "stores": oversight.stores(_storage())}
    if htmx and not htmx.boosted and htmx.target == "checkin-result":
        return render_template("hq/_checkin_result.html", **context), status
    return render_template("hq/checkin.html", **context), status


@bp.route("/checkin", methods=["GET", "POST"])
def checkin():
    if request.method == "GET":
        return _checkin_page()
    result = receiving.check_in(_storage(), request.form.get("code", ""), g.hq_staff["name"],
                                request.form.get("expected_store") or None)
    return _checkin_page(result, 200 if result.ok else 422)


@bp.post("/checkin/photo")
def checkin_photo():
    """A camera snapshot of the bag's sticker, decoded by hardware.camera (the camera extra)."""
    upload = request.files.get("image")
    if extras.camera():
        return _checkin_page(receiving.CheckIn(
            False, gettext("Camera decoding is not installed on HQ (the camera extra).")), 503)
    from hardware.camera import PictureRefused, decode_image_bytes  # the camera extra, there as just asked

    try:
        texts = [r.text for r in decode_image_bytes(upload.read() if upload else b"")]
    except PictureRefused as err:  # empty, too large, too many pixels, not a picture: said before any decoding
        return _checkin_page(receiving.CheckIn(False, translated(err)), err.status)
    bag = next((t for t in texts if t.startswith(BAG_PREFIX)), texts[0] if texts else "")
    if not bag:
        return _checkin_page(receiving.CheckIn(
            False, gettext("No code found in the picture: hold the sticker flat and closer.")), 422)
    result = receiving.check_in(_storage(), bag, g.hq_staff["name"], request.form.get("expected_store") or None)
    return _checkin_page(result, 200 if result.ok else 422)


@bp.get("/shipments")
def shipments():
    return render_template("hq/shipments.html", shipments=oversight.shipments(_storage(),
                                                                              request.args.get("store_id", "")[:64]),
                           returns=device_returns.returns(_storage()))


@bp.post("/returns/<tradein_uuid>/sent")
def return_sent(tradein_uuid: str):
    """A device going back to its seller leaves HQ (to the store, or by post with the carrier's number)."""
    try:
        device_returns.mark_sent(_storage(), tradein_uuid[:64], g.hq_staff["name"], request.form.get("tracking", ""))
    except ValueError as err:
        flash(translated(err), "error")
        return redirect(url_for(".shipments") + "#returns", 303)
    flash(gettext("Marked sent: the store and the seller see it on their next look."))
    return redirect(url_for(".shipments") + "#returns", 303)
