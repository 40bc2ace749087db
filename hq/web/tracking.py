"""The seller's public tracking page: `/track/<code>/<token>`, printed on the receipt as a QR. It shows the
trade-in's steps (accepted, shipped, received at HQ, regrade outcome, payment) with dates in the store's time
zone, in French or English (the seller's browser or choice, not HQ's), and nothing personal: no name, no ID,
no account. A wrong token is a 404 like an
unknown code (nobody learns which codes exist), and the door is rate-limited per address.

The token is drawn by the terminal at acceptance; HQ keeps only its SHA-256 (from the synced trade-in)."""

from __future__ import annotations

import hmac
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale, gettext

from core.messages import N_
from core.protocol import tracking_hash
from hq.services import seller_tracking
from hq.web.i18n import LANGUAGE_CODES, LANGUAGES

bp = Blueprint("hq_track", __name__)

# The steps a seller reads, in the catalogue like every HQ text; the page speaks the seller's language.
STEP = {"accepted": N_("Accepted at the store"), "shipped": N_("On its way to our workshop"),
        "received": N_("Received at our workshop"), "regrade": N_("Condition checked"),
        "regrade_confirmed": N_("the store's grading is confirmed"), "regrade_open": N_("under review"),
        "regrade_accepted": N_("our check differed: the store will contact you"),
        "regrade_rejected": N_("the store's grading stands"), "paid_credit": N_("Paid in store credit"),
        "payout_pending": N_("Bank transfer being prepared"), "payout_exported": N_("Bank transfer ordered"),
        "payout_sent": N_("Bank transfer sent"), "cancelled": N_("Cancelled at the store"),
        "payout_returned": N_("Bank transfer not made: the store will contact you about your payment")}


def _language(store_locale: str) -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGE_CODES:
        return asked
    return request.accept_languages.best_match(LANGUAGE_CODES) or (store_locale or "fr")[:2]


def _steps(facts: dict) -> list[tuple[str, str | None, str]]:
    """(label, when, detail) per step; `when` None for a step not reached yet."""
    words = {key: gettext(text) for key, text in STEP.items()}
    if facts["store_state"] == "cancelled":
        return [(words["accepted"], facts["accepted_at"], ""), (words["cancelled"], facts["accepted_at"], "")]
    regrade = words.get(f"regrade_{facts['regrade']}", "") if facts["regrade"] else ""
    steps = [(words["accepted"], facts["accepted_at"], ""), (words["shipped"], facts["shipped_at"], ""),
             (words["received"], facts["received_at"], ""), (words["regrade"], facts["regrade_at"], regrade)]
    if facts["payout_method"] == "store_credit":
        return steps + [(words["paid_credit"], facts["accepted_at"], "")]
    # "returned": rejected, cancelled or the seller's data erased: never shown as a transfer on its way.
    return steps + [(words.get(f"payout_{facts['payout']}", words["payout_pending"]),
                     facts["payout_at"] if facts["payout"] in ("sent", "returned") else None, "")]


@bp.get("/track/<code>/<token>")
def track(code: str, token: str):
    facts = seller_tracking.facts(current_app.extensions["hq.storage"], code)
    if facts is None or not facts["tracking_hash"] or \
            not hmac.compare_digest(facts["tracking_hash"], tracking_hash(token[:128])):
        abort(404, gettext("No trade-in at this address: check the link on your receipt."))
    language = _language(facts["locale"] or "")
    zone, locale = ZoneInfo(facts["timezone"] or "Europe/Paris"), f"{language}_{facts['country'] or 'FR'}"

    def local(at: str | None) -> str | None:
        return format_datetime(datetime.fromisoformat(at), "medium", tzinfo=zone, locale=locale) if at else None

    with force_locale(language):  # the seller's language, not the HQ reader's
        steps = [(label, local(when), detail) for label, when, detail in _steps(facts)]
        return render_template("hq/track.html", language=language, code=code, steps=steps,
                               device=f"{facts['brand'] or ''} {facts['model'] or ''}".strip(),
                               other=next(code for code, _ in LANGUAGES if code != language))
