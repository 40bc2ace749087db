"""Printing after an accept or a reprint: the trade-in is committed first, whatever the printer then does."""

from __future__ import annotations

import sqlite3

from flask import current_app, flash
from flask_babel import gettext

from kiosk.formatting import JOB_KINDS
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.till import journal
from kiosk.tradein import printing
from kiosk.web import current_actor


def print_after_commit(tradein_uuid: str, job_id: int) -> dict:
    """After the commit: the trade-in is safe whatever the printer does. Prints the given job,
    then whatever else is pending for the trade-in (the bag label after the receipt)."""
    db = get_db()
    config, extensions = current_app.config, current_app.extensions
    facts = printing.receipt_facts(db, tradein_uuid, extensions["kiosk.spec"], config["CANCEL_WINDOW"],
                                   extensions["kiosk.cipher"], config["TRACKING_URL"])
    jobs = [job_id] + [j["id"] for j in printing.pending_jobs(db, tradein_uuid, current_actor().terminal_id)
                       if j["id"] != job_id]
    results = []
    try:
        for queued in jobs:
            results.append(printing.run_job(db, queued, current_app.extensions["kiosk.printer"], facts,
                                            current_app.config["PRINTER_PROFILE"]))
    except sqlite3.OperationalError as err:
        flash(gettext("The trade-in is saved, but the print outcome could not be recorded (%(reason)s): check the "
                      "receipt and use Reprint if it is missing.", reason=str(err)), "error")
        return {"status": "unknown"}
    for job in results:
        if job["status"] == "failed":  # a printer fault goes in the technical event journal (JET)
            journal.record_now(db, "printer_fault", current_actor().terminal_id, current_actor().staff_id,
                               document=tradein_uuid, job=job["kind"], reason=str(job["last_error"]))
            flash(gettext("The %(job)s did not print: %(reason)s The trade-in is saved; use Reprint.",
                          job=translated(JOB_KINDS[job["kind"]]), reason=translated(job["last_error"])), "error")
    return results[0]
