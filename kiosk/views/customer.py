"""Self-service customer kiosk: touch-first estimate, then a ticket for the clerk.

Nothing personal is asked. The session holds one thing, the estimate being made; the idle reset
(customer.js, and the server on the next request) wipes it, so the next customer, or the back
button, finds the start screen. On a terminal set to TERMINAL_MODE=customer every other page is 404.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from core.grading import AnswerError
from core.imei import IDENTIFIER_FOR_KIND, IdentifierError, parse_imei
from hardware import extras
from hardware.printer import PrinterError
from hardware.uploads import PictureRefused
from kiosk.evidence import photos
from kiosk.formatting import current_store
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.tradein import catalog, estimates
from kiosk.views import totem_photos as totem
from kiosk.web import accepts_picture, small_int
from kiosk.web.customer_ticket import estimate_range, print_ticket

bp = Blueprint("customer", __name__, url_prefix="/customer")
KINDS = ("phone", "tablet", "watch", "console")
# Reachable on a customer terminal: these pages, their files, the language switch, the health probe.
CUSTOMER_ENDPOINTS = ("static", "assets.static", "lang.switch", "health.healthz")


bp.add_app_template_global(estimate_range)


@bp.context_processor
def _customer_context() -> dict:
    # The idle reset runs whenever this customer left something behind: an estimate or a language.
    return {"idle_active": bool(session.get("estimate") or session.get("lang"))}


def _spec():
    return current_app.extensions["kiosk.spec"]


def _wipe() -> None:
    if estimate_uuid := session.get("estimate"):
        if not (estimates.get(get_db(), estimate_uuid) or {}).get("code"):  # no ticket: the shots leave too
            photos.forget_estimate(get_db(), estimate_uuid)
        estimates.discard(get_db(), estimate_uuid)
    language = session.get("lang")
    session.clear()
    if language and current_app.config["TERMINAL_MODE"] != "customer":
        session["lang"] = language  # a clerk demoing on a staff terminal keeps theirs


@bp.before_request
def _load_estimate():
    """The customer's estimate, unless the kiosk sat idle past its countdown (then: wiped)."""
    limit = current_app.config["CUSTOMER_IDLE_SECONDS"] + current_app.config["CUSTOMER_COUNTDOWN_SECONDS"]
    if session.get("estimate") and time.time() - session.get("customer_seen", 0) > limit:
        _wipe()
    g.estimate = estimates.get(get_db(), session["estimate"]) if session.get("estimate") else None
    if g.estimate:
        session["customer_seen"] = int(time.time())


def _estimate_or_start():
    if g.estimate is None:
        return None, redirect(url_for(".start"), 303)
    if g.estimate["code"] and request.endpoint != "customer.ticket":
        return None, redirect(url_for(".ticket"), 303)
    return g.estimate, None


@bp.get("/")
def start():
    return render_template("customer/start.html", kinds=KINDS)


@bp.post("/start")
def begin():
    kind = request.form.get("kind", "")
    if kind not in KINDS:
        return render_template("customer/start.html", kinds=KINDS, error=gettext("Choose a type of device.")), 422
    _wipe()
    # Drafts of customers who walked away with the browser closed (no idle reset ran): gone after a day.
    estimates.purge_drafts(get_db(), datetime.now(UTC) - timedelta(days=1))  # their shots' files: the daily purge
    est = estimates.start(get_db(), current_store()["id"], kind, _spec())
    session.update(estimate=est["uuid"], customer_seen=int(time.time()))
    return redirect(url_for(".device"), 303)


# Model tiles a page shows: four rows of three on the portrait totem, so a brand's list never scrolls.
MODELS_PER_PAGE = 12


def _device_page(est: dict, status: int = 200, error: str | None = None, model_id: int | None = None):
    db = get_db()
    models = catalog.devices_of_kind(db, est["device_kind"])
    brands = sorted({d.brand for d in models})
    brand = request.args.get("brand", "")
    chosen = catalog.get_device(db, model_id) if model_id else None
    if chosen is None or chosen.kind != est["device_kind"]:
        chosen = None
    shown = [d for d in models if d.brand == (chosen.brand if chosen else brand)]
    pages = max(1, -(-len(shown) // MODELS_PER_PAGE))
    page = min(max(small_int(request.args.get("page")) or 1, 1), pages)
    return render_template("customer/device.html", est=est, brands=brands, brand=chosen.brand if chosen else brand,
                           models=shown[(page - 1) * MODELS_PER_PAGE:page * MODELS_PER_PAGE], page=page, pages=pages,
                           chosen=chosen, error=error,
                           uses_imei=IDENTIFIER_FOR_KIND[est["device_kind"]] == "imei"), status


@bp.route("/device", methods=["GET", "POST"])
def device():
    est, away = _estimate_or_start()
    if away:
        return away
    if request.method == "GET":
        return _device_page(est, model_id=small_int(request.args.get("model")))
    model_id, storage = small_int(request.form.get("device_id")), small_int(request.form.get("storage_gb"))
    try:
        estimates.set_device(get_db(), est["uuid"], model_id or 0, storage or 0)
    except estimates.EstimateError as err:
        return _device_page(est, 422, translated(err), model_id)
    return redirect(url_for(".question", step=1), 303)


def _identified(est: dict, raw: str):
    """The model behind an IMEI (typed on the keypad or read from a *#06# photo)."""
    try:
        imei = parse_imei(raw)
    except IdentifierError as err:
        return _device_page(est, 422, translated(err))
    found = catalog.device_for_tac(get_db(), imei.tac)
    if found is None or found.kind != est["device_kind"]:
        return _device_page(est, 422, gettext("We could not recognise the model from this IMEI: "
                                              "choose it from the list."))
    if len(found.storages_gb) == 1:
        estimates.set_device(get_db(), est["uuid"], found.id, found.storages_gb[0], imei)
        return redirect(url_for(".question", step=1), 303)
    return redirect(url_for(".device", model=found.id), 303)


@bp.post("/device/imei")
def device_imei():
    est, away = _estimate_or_start()
    return away or _identified(est, request.form.get("imei", "")[:64])


@bp.post("/device/photo")
@accepts_picture
def device_photo():
    est, away = _estimate_or_start()
    if away:
        return away
    upload = request.files.get("image")
    imeis = []
    if extras.camera() is None:  # without the camera extra the customer is asked to choose the model instead
        from hardware.camera import read_picture  # (OCR: the ocr extra, asked inside)

        try:
            imeis = read_picture(upload.read() if upload else b"").imeis  # a barcode, or the *#06# screen's digits
        except PictureRefused as err:
            return _device_page(est, err.status, translated(err.message))
    if not imeis:
        return _device_page(est, 422, gettext("No IMEI could be read from the picture. Dial *#06#, "
                                              "hold the phone closer and try again, or choose your model."))
    return _identified(est, imeis[0])


def _questions(est: dict):
    return _spec().questions_for(est["device_kind"])


@bp.route("/questions/<int:step>", methods=["GET", "POST"])
def question(step: int):
    est, away = _estimate_or_start()
    if away:
        return away
    if est["device_id"] is None:
        return redirect(url_for(".device"), 303)
    questions = _questions(est)
    if not 1 <= step <= len(questions):
        return redirect(url_for(".question", step=1), 303)
    error, status = None, 200
    if request.method == "POST":
        try:
            estimates.save_answer(get_db(), _spec(), est["uuid"], questions[step - 1].id,
                                  request.form.get("answer", "")[:16])
        except AnswerError as err:
            error, status = translated(err), 422
        else:
            missing = [i for i, q in enumerate(questions, 1) if q.id not in estimates.get(get_db(), est["uuid"])
                       ["answers"]]
            target = url_for(".question", step=missing[0]) if missing else url_for(".estimate")
            return redirect(target, 303)
    question = questions[step - 1]
    return render_template("customer/question.html", est=est, step=step, total=len(questions), question=question,
                           current=est["answers"].get(question.id), error=error), status


@bp.get("/estimate")
def estimate():
    est, away = _estimate_or_start()
    if away:
        return away
    missing = [i for i, q in enumerate(_questions(est), 1) if q.id not in est["answers"]]
    if est["device_id"] is None or missing:
        return redirect(url_for(".question", step=missing[0]) if missing else url_for(".device"), 303)
    try:
        result, _grid = estimates.evaluate(get_db(), _spec(), est, date.today())
    except estimates.EstimateError as err:
        return render_template("customer/estimate.html", est=est, result=None, error=translated(err)), 503
    return render_template("customer/estimate.html", est=est, result=result, spec=_spec(),
                           device=catalog.get_device(get_db(), est["device_id"]), error=None)


@bp.route("/photos", methods=["GET", "POST"])
@accepts_picture
def photos_step():
    """Optional: the customer shows the device's state to the camera; the clerk's trade-in of the ticket keeps it."""
    est, away = _estimate_or_start()
    return away or (totem.page(est) if request.method == "GET" else totem.take(est))


@bp.post("/photos/<photo_uuid>/remove")
def photo_remove(photo_uuid: str):
    est, away = _estimate_or_start()
    return away or totem.remove(est, photo_uuid)


@bp.get("/photos/<photo_uuid>")
def photo_file(photo_uuid: str):
    """Only a shot of this customer's own estimate, while it is on the screen (before its ticket)."""
    est, away = _estimate_or_start()
    return away or totem.photo_file(est, photo_uuid)


@bp.post("/ticket")
def issue_ticket():
    est, away = _estimate_or_start()
    if away:
        return away
    try:
        est = estimates.issue_ticket(get_db(), _spec(), est["uuid"], date.today(),
                                     current_app.config["ESTIMATE_VALID_DAYS"])
    except estimates.EstimateError as err:
        return render_template("customer/estimate.html", est=est, result=None, error=translated(err)), 422
    try:
        print_ticket(est)
        session["ticket_printed"] = True
    except PrinterError:
        session["ticket_printed"] = False
    return redirect(url_for(".ticket"), 303)


@bp.get("/ticket")
def ticket():
    est = g.estimate
    if est is None or not est["code"]:
        return redirect(url_for(".start"), 303)
    return render_template("customer/ticket.html", est=est, printed=session.get("ticket_printed"),
                           device=catalog.get_device(get_db(), est["device_id"]))


@bp.post("/reset")
def reset():
    """"Start again", "Done", or the idle countdown reaching zero: nothing of this customer remains."""
    _wipe()
    return redirect(url_for(".start"), 303)


def _customer_terminal_guard():
    if request.endpoint is None or request.blueprint == "customer" or request.endpoint in CUSTOMER_ENDPOINTS:
        return None
    if request.path == "/":
        return redirect(url_for("customer.start"))
    abort(404)


def init_app(app: Flask) -> None:
    if app.config["TERMINAL_MODE"] not in ("staff", "customer"):
        raise ValueError(f"TERMINAL_MODE must be staff or customer, not {app.config['TERMINAL_MODE']!r}")
    if app.config["TERMINAL_MODE"] == "customer":
        app.before_request_funcs.setdefault(None, []).insert(0, _customer_terminal_guard)
    app.register_blueprint(bp)
