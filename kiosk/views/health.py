"""GET /healthz: one JSON answer for monitoring and for the clerk's "is it me or the system?"."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, current_app, jsonify

from kiosk.store.connection import get_db
from kiosk.store.db import schema_version
from kiosk.store.migrations import MIGRATIONS
from sync import pusher

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    printer = current_app.extensions["kiosk.printer"]
    body = {"status": "ok", "version": current_app.config["VERSION"],
            "printer": {"driver": printer.driver, "state": printer.state()}}
    try:
        db = get_db()
        version = schema_version(db)
        body["database"] = {"ok": version == MIGRATIONS[-1][0], "schema_version": version}
        sync = pusher.status(db)
        body["outbox"] = {"pending": sync.pop("pending")}
        body["sync"] = {"enabled": bool(current_app.config["SYNC_URL"]), **sync}
    except sqlite3.Error as err:
        body["database"] = {"ok": False, "error": str(err)}
    if not body["database"]["ok"]:
        body["status"] = "error"
    elif body["printer"]["state"] not in ("ready", "unknown"):
        body["status"] = "degraded"
    return jsonify(body), 200 if body["status"] != "error" else 503
