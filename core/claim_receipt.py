"""A warranty claim's intake ticket as the one Receipt model (core.receipts): the device, the sale it was bought
with (any store's), the customer's words and the device's condition, for the customer to keep. Pure."""

from __future__ import annotations

from collections.abc import Callable

from core.receipts import Receipt


def build_claim_ticket(store: dict, clerk: str, when: str, claim: dict, _: Callable[[str], str] = str) -> Receipt:
    return Receipt(
        title=_("WARRANTY CLAIM"),
        header=(store["name"], store["address"], _("Clerk: %(name)s") % {"name": clerk}, when),
        code=claim["number"],
        sections=((_("Device"), ((claim["product_name"], ""), ("IMEI", claim["identifier"]))),
                  (_("Bought with"), ((_("Receipt"), claim["sale_number"]), (_("Store"), claim["sale_store_name"]),
                                      (_("Warranty until"), claim["warranty_end"]))),
                  (_("Problem described"), ((claim["problem"], ""),)),
                  (_("Condition on arrival"), ((claim["condition"], ""),))),
        totals=(),
        total=(_("Claim"), claim["number"]),
        barcode=claim["identifier"],
        footer=(_("Keep this ticket: it is asked for when the device is given back. Its status is shown at any "
                  "store of the network with this number."),),
    )
