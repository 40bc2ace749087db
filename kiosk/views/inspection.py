"""What a manager shows an inspection: the police register for a period as a printable page and as CSV (the
store's language and local time), and the audit log, filtered and paged, and as CSV. Managers only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import gettext

from kiosk.auth import login_required
from kiosk.compliance import audit_log, register_export
from kiosk.compliance import staff as staff_accounts
from kiosk.formatting import current_store
from kiosk.store.connection import get_db
from kiosk.web import small_int

bp = Blueprint("inspection", __name__, url_prefix="/inspection")


@bp.before_request
@login_required
def _managers_only():
    if g.staff["role"] not in staff_accounts.APPROVERS:
        abort(403)


def _day(name: str, default: date | None) -> date | None:
    """A day from the query (YYYY-MM-DD); none given: `default`; not a day: 400, said on the page."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400, gettext("%(value)s is not a day (YYYY-MM-DD).", value=raw[:10]))


def _period() -> tuple[date, date]:
    """The days asked for; by default the store's current month up to today (its local today)."""
    today = datetime.now(ZoneInfo(current_store()["timezone"])).date()
    first, last = _day("from", today.replace(day=1)), _day("to", today)
    if first > last:
        abort(400, gettext("The first day comes after the last."))
    return first, last


def _csv(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _register_rows() -> tuple[date, date, list[dict]]:
    first, last = _period()
    cipher = current_app.extensions["kiosk.cipher"]
    return first, last, register_export.entries(get_db(), cipher, current_store(), first, last)


@bp.get("/register")
def register_page():
    first, last, rows = _register_rows()
    headings, cells = register_export.table(rows, current_store()["locale"])
    title, subtitle = register_export.caption(current_store(), first, last, len(rows))
    return render_template("inspection/register.html", headings=headings, cells=cells, first=first, last=last,
                           sheet_title=title, sheet_subtitle=subtitle)


@bp.get("/register.csv")
def register_csv():
    first, last, rows = _register_rows()
    return _csv(register_export.to_csv(rows, current_store()["locale"]), f"police-register_{first}_{last}.csv")


def _audit_filter() -> audit_log.AuditFilter:
    return audit_log.AuditFilter(staff_id=request.args.get("person", "")[:64], action=request.args.get("action",
                                 "")[:64], first=_day("from", None), last=_day("to", None))


@bp.get("/audit")
def audit_page():
    wanted = _audit_filter()
    number = small_int(request.args.get("page")) or 1
    shown = audit_log.page(get_db(), wanted, current_store()["timezone"], number)
    people, actions = audit_log.choices(get_db())
    return render_template("inspection/audit.html", shown=shown, wanted=wanted, people=people, actions=actions,
                           labels=audit_log.ACTIONS)


@bp.get("/audit.csv")
def audit_csv():
    body = audit_log.to_csv(get_db(), _audit_filter(), current_store()["timezone"], gettext)
    return _csv(body, f"audit-log_{date.today().isoformat()}.csv")
