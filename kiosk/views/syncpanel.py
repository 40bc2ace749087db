"""The staff sync panel (/sync): what is still to send, the last error, HQ's rejections; sync now."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext

from kiosk.auth import login_required
from kiosk.hq_link import hq_client, push
from kiosk.store.connection import get_db
from kiosk.tradein.reference import pull
from sync import puller, pusher
from sync.client import HQRefused, HQUnavailable

bp = Blueprint("syncpanel", __name__, url_prefix="/sync")
bp.before_request(login_required(lambda: None))


@bp.get("")
def panel():
    db = get_db()
    rejections = pusher.rejections(db)
    return render_template("sync/sync.html", status=pusher.status(db), rejections=rejections,
                           refused=puller.refused_versions(db), configured=hq_client(current_app.config) is not None)


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
        puller.record_error(get_db(), str(err))  # the panel's "Last error" says it too, not only this flash
        flash(gettext("Sync failed, nothing is lost; it will be retried: %(reason)s", reason=str(err)), "error")
    return redirect(url_for(".panel"), 303)
