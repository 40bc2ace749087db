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
from hq.i18n import LANGUAGE_CODES, LANGUAGES

bp = Blueprint("hq_track", __name__)

# The steps a seller reads, in the catalogue like every HQ text; the page speaks the seller's language.
STEP = {"accepted": N_("Accepted at the store"), "shipped": N_("On its way to our workshop"),
        "received": N_("Received at our workshop"), "regrade": N_("Condition checked"),
        "regrade_confirmed": N_("the store's grading is confirmed"), "regrade_open": N_("under review"),
        "regrade_accepted": N_("our check differed: the store will contact you"),
        "regrade_rejected": N_("the store's grading stands"), "paid_credit": N_("Paid in store credit"),
        "payout_pending": N_("Bank transfer being prepared"), "payout_exported": N_("Bank transfer ordered"),
        "payout_sent": N_("Bank transfer sent"), "cancelled": N_("Cancelled at the store")}


def _language(store_locale: str) -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGE_CODES:
        return asked
    return request.accept_languages.best_match(LANGUAGE_CODES) or (store_locale or "fr")[:2]


def _facts(tx, code: str) -> dict | None:
    rows = tx.rows("SELECT t.uuid, t.tracking_hash, t.brand, t.model, t.accepted_at, t.received_at, t.store_state, "
                   "t.payout_method, s.timezone, s.locale, s.country, r.status, coalesce(r.decided_at, r.regraded_at), "
                   "p.status, p.updated_at, (SELECT min(x.closed_at) FROM hq_shipment_bags b JOIN hq_shipments x ON "
                   "x.shipment_uuid = b.shipment_uuid WHERE b.tradein_uuid = t.uuid) FROM hq_tradeins t "
                   "JOIN hq_stores s ON s.id = t.store_id LEFT JOIN hq_regrades r ON r.tradein_uuid = t.uuid "
                   "LEFT JOIN hq_payouts p ON p.tradein_uuid = t.uuid WHERE t.code = %s AND t.uuid = coalesce((SELECT "
                   "c.tradein_uuid FROM hq_tradein_codes c WHERE c.code = %s), t.uuid)", [code[:32], code[:32]])
    names = ("uuid", "tracking_hash", "brand", "model", "accepted_at", "received_at", "store_state", "payout_method",
             "timezone", "locale", "country", "regrade", "regrade_at", "payout", "payout_at", "shipped_at")
    return dict(zip(names, rows[0], strict=True)) if rows else None


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
    return steps + [(words[f"payout_{facts['payout'] or 'pending'}"] if facts["payout"] != "returned" else
                     words["payout_pending"], facts["payout_at"] if facts["payout"] == "sent" else None, "")]


@bp.get("/track/<code>/<token>")
def track(code: str, token: str):
    with current_app.extensions["hq.storage"].read() as tx:
        facts = _facts(tx, code)
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
