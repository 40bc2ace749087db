"""The seller's public tracking page: `/track/<code>/<token>`, printed on the receipt as a QR. It shows the
trade-in's steps (accepted, shipped, received at HQ, regrade outcome, payment) with dates in the store's time
zone, the amount and when it is paid (core.payment_dates), in French or English (the seller's browser or choice,
not HQ's), and nothing personal: no name, no ID, no account. A wrong token is a 404 like an unknown code (nobody
learns which codes exist), and the door is rate-limited per address.

When a supervisor settled a dispute for HQ's lower grade, the page carries HQ's counter-offer (hq.services.
counter_offers): the old and new amounts, each difference in the words the seller was asked in, the store's photos
of the device, and the deadline; the seller accepts or refuses (device back to the store, or by post) with a form
the same token authenticates (CSRF, and a rate limit of its own: HQ_RATE_LIMIT_SELLER_ANSWER).

The token is drawn by the terminal at acceptance; HQ keeps only its SHA-256 (from the synced trade-in)."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext

from core.grading import load_spec
from core.messages import N_, UserError
from core.money import format_money
from core.payment_dates import PaymentFacts, expected_payment
from core.photos import SHOT_KINDS
from core.protocol import tracking_hash
from hq.services import counter_offers, photos, seller_tracking
from hq.web.i18n import LANGUAGE_CODES, LANGUAGES, translated

bp = Blueprint("hq_track", __name__)
QUESTIONS = {question.id: question for question in load_spec().questions}  # as the seller was asked (customer_text)

# The steps a seller reads, in the catalogue like every HQ text; the page speaks the seller's language.
STEP = {"accepted": N_("Accepted at the store"), "shipped": N_("On its way to our workshop"),
        "received": N_("Received at our workshop"), "regrade": N_("Condition checked"),
        "regrade_confirmed": N_("the store's grading is confirmed"), "regrade_open": N_("under review"),
        "regrade_accepted": N_("our check differed: the store will contact you"),
        "regrade_offer": N_("our check found differences: see our offer above"),
        "regrade_rejected": N_("the store's grading stands"), "paid_credit": N_("Paid in store credit"),
        "payout_pending": N_("Bank transfer being prepared"), "payout_exported": N_("Bank transfer ordered"),
        "payout_sent": N_("Bank transfer sent"), "cancelled": N_("Cancelled at the store"),
        "payout_returned": N_("Bank transfer not made: the store will contact you about your payment"),
        "offer": N_("Your answer to our offer"), "offer_accepted": N_("accepted"),
        "offer_refused": N_("refused: your device comes back to you"), "returned": N_("Device sent back to you"),
        "offer_kept": N_("refused: you keep the amount paid and we keep the device")}


def _language(store_locale: str) -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGE_CODES:
        return asked
    return request.accept_languages.best_match(LANGUAGE_CODES) or (store_locale or "fr")[:2]


def _storage():
    return current_app.extensions["hq.storage"]


def _seller_facts(code: str, token: str) -> dict:
    """The trade-in this link names, or 404 for an unknown code or a wrong token alike."""
    facts = seller_tracking.facts(_storage(), code)
    if facts is None or not facts["tracking_hash"] or \
            not hmac.compare_digest(facts["tracking_hash"], tracking_hash(token[:128])):
        abort(404, gettext("No trade-in at this address: check the link on your receipt."))
    return facts


def _steps(facts: dict, offer: dict | None) -> list[tuple[str, str | None, str]]:
    """(label, when, detail) per step; `when` None for a step not reached yet."""
    words = {key: gettext(text) for key, text in STEP.items()}
    if facts["store_state"] == "cancelled":
        return [(words["accepted"], facts["accepted_at"], ""), (words["cancelled"], facts["accepted_at"], "")]
    regrade = words.get(f"regrade_{facts['regrade']}", "") if facts["regrade"] else ""
    if offer and offer["status"] != "waived":
        regrade = words["regrade_offer"]
    steps = [(words["accepted"], facts["accepted_at"], ""), (words["shipped"], facts["shipped_at"], ""),
             (words["received"], facts["received_at"], ""), (words["regrade"], facts["regrade_at"], regrade)]
    if offer and offer["status"] != "waived":
        steps += _offer_steps(offer, words)
        if offer["status"] == "refused" and not offer["outcome"].get("kept_original"):
            return steps
    if facts["payout_method"] == "store_credit":
        return steps + [(words["paid_credit"], facts["accepted_at"], "")]
    # "returned": rejected, cancelled or the seller's data erased: never shown as a transfer on its way.
    return steps + [(words.get(f"payout_{facts['payout']}", words["payout_pending"]),
                     facts["payout_at"] if facts["payout"] in ("sent", "returned") else None, "")]


def _offer_steps(offer: dict, words: dict) -> list[tuple[str, str | None, str]]:
    answer = offer["answer"]
    if answer is None:
        return [(words["offer"], None, "")]
    kept = offer["outcome"].get("kept_original")
    detail = words["offer_accepted"] if answer["answer"] == "accept" else \
        words["offer_kept"] if kept else words["offer_refused"]
    steps = [(words["offer"], answer["at"], detail)]
    if answer["answer"] == "refuse" and not kept:
        steps.append((words["returned"], (offer["return"] or {}).get("sent_at"), ""))
    return steps


def _payment(facts: dict, offer: dict | None) -> dict:
    """The amount the seller is paid now, and when (core.payment_dates)."""
    answered = offer["answer"]["at"] if offer and offer["answer"] else None
    expected = expected_payment(PaymentFacts(
        facts["payout_method"] or "store_credit", facts["payout"], facts["payout_at"], facts["accepted_at"],
        facts["received_at"], answered, bool(offer and offer["status"] == "open"), bool(facts["before_receipt"])),
        current_app.config["PAYOUT_EXPECTED_DAYS"])
    amount = facts["payout_minor"] if facts["payout_minor"] is not None else facts["total_minor"]
    if offer and offer["status"] == "accepted":
        amount = offer["new_minor"]
    refused = bool(offer and offer["status"] == "refused" and not offer["outcome"].get("kept_original"))
    return {"amount": None if refused else amount, "expected": expected, "refused": refused}


def _differences(offer: dict) -> list[dict]:
    """Each difference HQ found, in the words the seller was asked in: the store's answer and HQ's."""
    def said(question, value: str) -> str:
        try:
            return gettext(question.label_of(value))
        except KeyError:  # an answer this spec no longer has (an older checklist): shown as it was stored
            return value

    return [{"question": gettext(question.customer_text), "store": said(question, store_value),
             "hq": said(question, hq_value)}
            for question_id, store_value, hq_value, _impact in offer["changes"]
            if (question := QUESTIONS.get(question_id)) is not None]


class _Writer:
    """Times, days and money as the seller's language and the store's zone write them."""

    def __init__(self, facts: dict, language: str) -> None:
        self.zone, self.locale = ZoneInfo(facts["timezone"] or "Europe/Paris"), f"{language}_{facts['country'] or 'FR'}"
        self.currency = facts["currency"] or "EUR"

    def local(self, at: str | None) -> str | None:  # to the minute: a seller reads no seconds
        if not at:
            return None
        instant = datetime.fromisoformat(at).astimezone(self.zone)
        return f"{format_date(instant, 'medium', locale=self.locale)} " \
               f"{format_time(instant, 'short', locale=self.locale)}"

    def day(self, at: datetime | str | None) -> str:
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        return format_date(at.astimezone(self.zone).date(), "long", locale=self.locale) if at else ""

    def money(self, minor: int | None) -> str:
        return format_money(int(minor), self.currency, self.locale) if minor is not None else "—"


def _page(code: str, token: str, facts: dict, error: str | None = None, status: int = 200):
    language = _language(facts["locale"] or "")
    write = _Writer(facts, language)
    offer = counter_offers.for_seller(_storage(), facts["uuid"])
    if offer:  # open past its deadline until the hourly job applies the policy: no form to answer any more
        offer["deadline_passed"] = offer["deadline_at"] <= datetime.now(UTC).isoformat(timespec="milliseconds")
    with force_locale(language):  # the seller's language, not the HQ reader's
        steps = [(label, write.local(when), detail) for label, when, detail in _steps(facts, offer)]
        shots = [{**shot, "label": gettext(SHOT_KINDS.get(shot["kind"], shot["kind"]))}
                 for shot in photos.of_tradein(_storage(), facts["uuid"]) if shot["held"]] if offer else []
        response = make_response(render_template(
            "hq/track.html", language=language, code=code, token=token, steps=steps, facts=facts, offer=offer,
            payment=_payment(facts, offer), differences=_differences(offer) if offer else [], shots=shots,
            money=write.money, day=write.day, local=write.local, error=translated(error) if error else None,
            device=f"{facts['brand'] or ''} {facts['model'] or ''}".strip(),
            other=next(code for code, _ in LANGUAGES if code != language)), status)
    response.headers["Cache-Control"] = "no-store"  # the back button shows the answer as it stands, not a stale form
    return response


@bp.get("/track/<code>/<token>")
def track(code: str, token: str):
    return _page(code, token, _seller_facts(code, token))


@bp.post("/track/<code>/<token>/answer")
def answer(code: str, token: str):
    """The seller accepts or refuses HQ's counter-offer. A second answer (double click, back button, another tab)
    changes nothing: the page then shows the answer that was kept."""
    facts = _seller_facts(code, token)
    try:
        choice = counter_offers.parse_answer({k: v[:2000] for k, v in request.form.items()})
    except UserError as err:
        return _page(code, token, facts, err, 422)
    counter_offers.answer(_storage(), facts["uuid"], choice)
    return redirect(url_for(".track", code=code, token=token, lang=_language(facts["locale"] or "")) + "#offer",
                    303)


@bp.get("/track/<code>/<token>/photos/<sha256>")
def photo(code: str, token: str, sha256: str):
    """A photo the store took of this trade-in's device, to its seller only (the same token)."""
    facts = _seller_facts(code, token)
    found = seller_tracking.photo(_storage(), current_app.extensions["hq.photos"], facts["uuid"], sha256[:64])
    if found is None:
        abort(404)
    response = make_response(found[0])
    response.headers["Content-Type"] = found[1]
    return response
