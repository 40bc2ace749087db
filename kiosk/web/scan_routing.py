"""Where a scanned code leads, the same from every staff page and every scan field: a trade-in code or bag label
opens its trade-in, a voucher goes to the till's payment, a product barcode to the cart, an IMEI or serial to a
trade-in, an estimate ticket to its pick-up, a sale or return receipt to its page, a shipment code to the shipments.

A field takes the codes of its own meaning (an IMEI on the start form, a product on the till, a voucher in the
voucher field) and hands any other to `lead_elsewhere`, which follows it as the page-wide /scan does and says what
was read and where it went: a wedge scanner types into whatever field has the focus, and a scan is never lost."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from flask import flash, url_for
from flask_babel import gettext

from core import serials
from core.codes import Scan
from core.imei import parse_imei
from core.messages import N_, Message
from kiosk.formatting import current_store
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.till import sales
from kiosk.tradein import listing
from kiosk.web import current_actor, see_other
from kiosk.web.start import begin

Refused = Callable[[str], object]

# What each kind of code is called when the page says what it read (a refusal: "Read: TI-… (trade-in code). …").
KIND_NAMES = {
    "imei": N_("IMEI"), "imeisv": N_("IMEI"), "serial": N_("serial number"), "tradein_code": N_("trade-in code"),
    "bag_label": N_("bag label"), "voucher": N_("voucher"), "ean13": N_("product barcode"),
    "upca": N_("product barcode"), "estimate_ticket": N_("estimate ticket"), "sale_receipt": N_("sale receipt"),
    "return_receipt": N_("return receipt"), "shipment": N_("shipment code"),
}


@dataclass(frozen=True)
class Led:
    """Where a code led: the answer to send, the sentence that says what was read and where it went (shown when the
    code came from a field of another meaning), and what /scan says of it (`quiet`, if anything)."""

    response: object
    went: Message
    quiet: Message | None = None


def follow(scan: Scan, refused: Refused) -> object:
    """Go where a scanned code leads; `refused(reason)` when it leads nowhere (the reason in the reader's language)."""
    return _answer(scan, refused, say=False)


def lead_elsewhere(scan: Scan, field_takes: Collection[str], refused: Refused) -> object | None:
    """None when the field takes this kind of code (the caller goes on with its own meaning); else the code is
    followed as /scan follows it, and the page says what was read and where it went (or why it led nowhere)."""
    if scan.kind in field_takes or scan.kind not in _FOLLOW:
        return None
    return _answer(scan, refused, say=True)


def _answer(scan: Scan, refused: Refused, say: bool) -> object:
    handler = _FOLLOW.get(scan.kind)
    outcome = handler(scan.value) if handler else translated(scan.message)
    if isinstance(outcome, str):
        if say:  # the clerk scanned into a field of another meaning: say what the code was read as
            outcome = gettext("Read: %(code)s (%(what)s).", code=scan.value, what=gettext(KIND_NAMES[scan.kind])) \
                + " " + outcome
        return refused(outcome)
    if say or outcome.quiet:
        flash(translated(outcome.went if say else outcome.quiet))
    return outcome.response


def _reason(message: str) -> str:
    """begin()'s refusal, kept as text: the caller's field shows it."""
    return message


def _started(outcome: object, went: Message) -> Led | str:
    return outcome if isinstance(outcome, str) else Led(outcome, went)


def _device(imei: str) -> Led | str:
    """A phone's IMEI: started (or resumed, or refused) as from the start form."""
    return _started(begin("phone", parse_imei(imei), None, _reason),
                    Message(N_("Read an IMEI: %(code)s, taken to its trade-in."), code=imei))


def _serial(serial: str) -> Led | str:
    """A serial number: started as the kind its format says, else the start form asks the kind, the serial kept."""
    if kind := serials.kind_for(serial):
        return _started(begin(kind, None, serial, _reason),
                        Message(N_("Read a serial number: %(code)s, taken to its trade-in."), code=serial))
    return Led(see_other(url_for("today.today", serial=serial)),
               Message(N_("Read a serial number: %(code)s, taken to the start form: choose the kind of device."),
                       code=serial))


def _tradein(code: str) -> Led | str:
    if found := listing.by_code(get_db(), current_store()["id"], code):
        return Led(see_other(url_for("tradein.detail", tradein_uuid=found["uuid"])),
                   Message(N_("Read a trade-in code: %(code)s, its trade-in opened."), code=code))
    return gettext("No trade-in %(code)s at this store.", code=code)


def _bag(code: str) -> Led | str:
    led = _tradein(code)
    return led if isinstance(led, str) else Led(
        led.response, Message(N_("Read a bag label: %(code)s, its trade-in opened."), code=code))


def _product(ean: str) -> Led | str:
    """A product: into the till's cart."""
    try:
        name = sales.scan(get_db(), current_actor().terminal_id, ean)
    except sales.SaleError as err:
        return translated(err)
    went = Message(N_("Read a product barcode: %(code)s, added to the till's cart: %(name)s."), code=ean, name=name)
    return Led(see_other(url_for("pos.index")), went, Message(N_("Added: %(name)s"), name=name))


def _sale(number: str) -> Led | str:
    """A sale or return receipt: its page, where a return starts."""
    found = sales.get_sale(get_db(), number)
    if found and found["store_id"] == current_store()["id"]:
        went = N_("Read a sale receipt: %(code)s, its sale opened.") if found["kind"] == "sale" \
            else N_("Read a return receipt: %(code)s, its return opened.")
        return Led(see_other(url_for("pos.sale", key=found["uuid"])), Message(went, code=number))
    return gettext("No sale %(code)s at this store.", code=number)


def _voucher(code: str) -> Led:
    """A voucher: the till's payment, ready to spend it (the page shows its balance)."""
    return Led(see_other(url_for("pos.pay", voucher_code=code)),
               Message(N_("Read a voucher: %(code)s, taken to the payment."), code=code))


def _estimate(code: str) -> Led:
    return Led(see_other(url_for("handoff.show", code=code)),
               Message(N_("Read an estimate ticket: %(code)s, opened for pick-up."), code=code))


def _shipment(code: str) -> Led:
    return Led(see_other(url_for("shipments.index")),
               Message(N_("Read a shipment code: %(code)s, the shipments opened."), code=code))


_FOLLOW: dict[str, Callable[[str], Led | str]] = {
    "imei": _device, "imeisv": _device, "serial": _serial, "tradein_code": _tradein, "bag_label": _bag,
    "estimate_ticket": _estimate, "voucher": _voucher, "ean13": _product, "upca": _product,
    "sale_receipt": _sale, "return_receipt": _sale, "shipment": _shipment,
}
