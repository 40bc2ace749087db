"""Filling the seller form without copying the ID document by hand: from the seller's last trade-in at this store
(their document's number finds it), or from the document's machine-readable zone read by the camera. Either way the
fields only fill the form: the clerk checks them against the document and accepts, as with typed ones."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext

from core.seller import typed_form
from hardware import extras
from hardware.uploads import PictureRefused
from kiosk.auth import login_required
from kiosk.compliance.privacy import NotADocumentNumber
from kiosk.formatting import current_store
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.tradein import returning_sellers
from kiosk.views.tradein import _seller_page
from kiosk.web import accepts_picture, current_actor, load_tradein, see_other
from kiosk.web.approvals import accept_approval_reasons
from kiosk.web.id_documents import read_document

bp = Blueprint("seller_fill", __name__, url_prefix="/tradeins")
bp.before_request(login_required(lambda: None))


def _quoted(tradein_uuid: str) -> dict | None:
    ti = load_tradein(tradein_uuid)
    return ti if ti["state"] == "quoted" else None


def _merge(typed: dict[str, str], found: dict[str, str]) -> dict[str, str]:
    """What the clerk typed stays; the found details fill what is still empty. The payment comes from the
    found details only when no account was typed (store credit is the form's default, not a choice)."""
    merged = {name: typed.get(name) or found.get(name, "") for name in typed}
    for name in ("id_doc_type", "id_doc_number"):  # the document as found: its type, its number as printed
        merged[name] = found.get(name) or typed.get(name, "")
    if not typed.get("iban") and found.get("payout_method"):
        for name in ("payout_method", "iban", "account_holder", "bic"):
            merged[name] = found.get(name, "")
    return merged


def _reasons(ti: dict, form: dict[str, str]) -> list[str]:
    """The approvals the accept will need, now that the document (so the seller's trade-ins today) is known."""
    try:
        return accept_approval_reasons(ti, SimpleNamespace(id_doc_type=form.get("id_doc_type", ""),
                                                           id_doc_number=form.get("id_doc_number", "")))
    except NotADocumentNumber:
        return accept_approval_reasons(ti, None)


@bp.post("/<tradein_uuid>/seller/find")
def find(tradein_uuid: str):
    """A returning seller: their document's number fills the form with the identity of their last trade-in here."""
    ti = _quoted(tradein_uuid)
    if ti is None:
        return see_other(url_for("tradein.seller", tradein_uuid=tradein_uuid))
    typed = typed_form(request.form)
    try:
        found = returning_sellers.find(get_db(), current_app.extensions["kiosk.cipher"], typed["id_doc_type"],
                                       typed["id_doc_number"], current_store()["locale"], current_actor().staff_id,
                                       ti["uuid"])
    except NotADocumentNumber as err:
        return _seller_page(ti, 422, {"id_doc_number": err.message}, form=typed)
    if found is None:
        return _seller_page(ti, 200, form=typed, reasons=_reasons(ti, typed),
                            message=gettext("No earlier trade-in with this document at this store: type the "
                                            "seller's details.") if typed["id_doc_number"] else None)
    form = _merge(typed, found.fields)
    notice = gettext("Returning seller: their details from their last trade-in here. Check them against the "
                     "document, then accept.")
    return _seller_page(ti, 200, form=form, notice=notice, reasons=_reasons(ti, form))


@bp.post("/<tradein_uuid>/seller/document")
@accepts_picture
def document(tradein_uuid: str):
    """A photo of the ID document: its machine-readable zone fills the fields it carries (every check digit
    verified); the photo is read in memory and never kept. A returning seller's address comes with it."""
    ti = _quoted(tradein_uuid)
    if ti is None:
        return see_other(url_for("tradein.seller", tradein_uuid=tradein_uuid))
    typed = typed_form(request.form)
    if why := extras.mrz():
        return _seller_page(ti, 503, form=typed, message=gettext("The document cannot be read on this terminal: "
                                                                   "%(why)s. Type the details.", why=why))
    upload = request.files.get("document")
    try:
        read = read_document(upload.read() if upload else b"", current_store()["locale"])
    except PictureRefused as err:
        return _seller_page(ti, err.status, form=typed, message=translated(err.message))
    if read is None:
        return _seller_page(ti, 422, form=typed, message=gettext(
            "The document's machine-readable zone (the lines of <<< at the bottom) could not be read with every "
            "check digit right: take the photo again, flat and lit, or type the details."))
    # The photo's own form carries no other field: empty ones are left out, so the form's defaults (payment) stand.
    form = {**{name: value for name, value in typed.items() if value}, **read}
    earlier = returning_sellers.find(get_db(), current_app.extensions["kiosk.cipher"], read["id_doc_type"],
                                     read["id_doc_number"], current_store()["locale"], current_actor().staff_id,
                                     ti["uuid"])
    if earlier:
        form = _merge(form, earlier.fields)
    notice = gettext("Read from the document: check every field against it, fill in what the document's zone does "
                     "not carry (address, date of issue), then accept.")
    return _seller_page(ti, 200, form=form, notice=notice, reasons=_reasons(ti, form))
