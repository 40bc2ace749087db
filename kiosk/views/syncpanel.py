"""The staff sync panel (/sync): what is still to send (records, and the photos' files after them), the last error,
HQ's rejections; sync now. A New York store's daily dealer reports too: made, downloaded and marked handed over by a
manager once uploaded to the city's service (kiosk.compliance.dealer_report)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext

from core.messages import N_
from core.protocol import PROTOCOL_VERSION
from kiosk.auth import login_required
from kiosk.compliance import dealer_report
from kiosk.compliance.staff import APPROVERS
from kiosk.hq_link import hq_client, local_facts, push
from kiosk.i18n import translated
from kiosk.peripherals.selftest import PRINTER_STATES
from kiosk.store.connection import get_db
from kiosk.tradein.reference import pull
from sync import health, photos, puller, pusher
from sync.client import HQRefused, HQUnavailable, said

bp = Blueprint("syncpanel", __name__, url_prefix="/sync")
bp.before_request(login_required(lambda: None))
PRINT_RESULTS = {"printed": N_("printed"), "failed": N_("failed"), "pending": N_("waiting"),
                 "none": N_("nothing printed yet")}


@bp.get("")
def panel():
    db = get_db()
    rejections = pusher.rejections(db)
    return render_template("sync/sync.html", status=pusher.status(db), rejections=rejections,
                           refused=puller.refused_versions(db), configured=hq_client(current_app.config) is not None,
                           photos=photos.backlog(db), photo_refusals=photos.refusals(db),
                           photo_rate=current_app.config["PHOTO_UPLOAD_BYTES_PER_SECOND"],
                           health=health.local_view(db, pusher.checkpoint(db), local_facts(current_app)),
                           protocol=PROTOCOL_VERSION, printer_states=PRINTER_STATES, print_results=PRINT_RESULTS,
                           dealer_reports=dealer_report.panel(db), manager=g.staff["role"] in APPROVERS)


def _report_day(day: str) -> str:
    """A manager's look at a day's report: the report holds sellers' names, residences and IDs."""
    if g.staff["role"] not in APPROVERS:
        abort(403)
    try:
        return date.fromisoformat(day[:10]).isoformat()
    except ValueError:
        abort(404)


@bp.get("/dealer-reports/<day>.zip")
def dealer_report_file(day: str):
    day = _report_day(day)
    try:
        data = dealer_report.report_bytes(get_db(), current_app.extensions["kiosk.cipher"], day)
    except dealer_report.DealerReportRefused:
        abort(404)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f"attachment; filename=dealer-record-{day}.zip", "Cache-Control": "no-store"})


@bp.post("/dealer-reports/<day>/handed-over")
def dealer_report_handed_over(day: str):
    try:
        dealer_report.hand_over(get_db(), _report_day(day), g.staff["id"])
        flash(gettext("The dealer report of %(day)s is marked handed over; HQ hears of it.", day=day[:10]))
    except dealer_report.DealerReportRefused as err:
        flash(translated(err), "error")
    return redirect(url_for(".panel") + "#dealer-reports", 303)


@bp.post("/now")
def sync_now():
    client = hq_client(current_app.config)
    if client is None:
        flash(gettext("Sync with HQ is not set up on this terminal (SYNC_URL, SYNC_STORE_ID, SYNC_SECRET)."), "error")
        return redirect(url_for(".panel"), 303)
    try:
        sent = push(get_db(), client, current_app.config["SYNC_BATCH_SIZE"], max_failures=1)
        applied = pull(get_db(), client)
        flash(gettext("Sent %(count)s record(s) to HQ.", count=sent) +
              (" " + gettext("Updated: %(what)s.", what=", ".join(applied)) if applied else ""))
    except (HQUnavailable, HQRefused) as err:
        puller.record_error(get_db(), said(err))  # the panel's "Last error" says it too, not only this flash
        flash(gettext("Sync failed, nothing is lost; it will be retried: %(reason)s", reason=translated(said(err))),
              "error")
    return redirect(url_for(".panel"), 303)
