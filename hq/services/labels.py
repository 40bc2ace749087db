"""The codes HQ stores (trade-in states, record kinds, event actions, payment methods, payout states, roles) and
the words a reader sees instead, marked for the catalogue. No Flask: services name them in their messages."""

from __future__ import annotations

from core import protocol
from core.messages import N_

# Codes HQ stores (states, record kinds, event actions, payment methods, roles) and what a reader sees instead.
LABELS = {
    "accepted": N_("accepted"), "shipped": N_("shipped"), "cancelled": N_("cancelled"), "declined": N_("declined"),
    "draft": N_("draft"), "received": N_("received"), "none": N_("not regraded"), "open": N_("dispute open"),
    "confirmed": N_("confirmed"), "rejected": N_("dispute rejected"), "awaiting": N_("awaiting arrival"),
    "disputed": N_("in dispute"), "settled": N_("dispute settled"),
    protocol.TRADEIN_ACCEPTED: N_("Trade-in accepted at the store"),
    protocol.TRADEIN_DECLINED: N_("Trade-in declined at the store"),
    protocol.TRADEIN_CANCELLED: N_("Trade-in cancelled at the store"), protocol.SHIPMENT_CLOSED: N_("Shipment closed"),
    protocol.VOUCHER_ISSUED: N_("Store credit issued"), protocol.PAYOUT_REQUESTED: N_("Bank transfer requested"),
    protocol.SALE_COMPLETED: N_("Sale"), protocol.SALE_RETURNED: N_("Return"), protocol.Z_CLOSED: N_("Z report"),
    "dispute_opened": N_("Regrade: dispute opened"), "regrade_confirmed": N_("Regrade: the store's grading confirmed"),
    "dispute_accepted": N_("Dispute accepted: HQ's grade stands"),
    "dispute_rejected": N_("Dispute rejected: the store's grade stands"), "resold": N_("Marked resold"),
    "payout_exported": N_("Bank transfer put in a SEPA file"), "payout_sent": N_("Bank transfer sent"),
    "payout_requeued": N_("Bank transfer re-queued"), "pending": N_("pending"), "exported": N_("in a SEPA file"),
    "held": N_("held"), "payout_held": N_("Bank transfer set aside"), "payout_approved": N_("Bank transfer approved"),
    "payout_corrected": N_("Bank transfer: holder's name corrected"), "payout_rejected": N_("Bank transfer rejected"),
    "payout_cancelled_late": N_("Cancelled at the store after the transfer was ordered"),
    "payout_late_cancel_settled": N_("Late cancel handled"),
    "counter_offer_made": N_("Counter-offer made to the seller"),
    "counter_offer_waived": N_("No counter-offer: the transfer had left (HQ takes the device at the old price)"),
    "counter_offer_accepted": N_("Counter-offer accepted"), "counter_offer_refused": N_("Counter-offer refused"),
    "return_asked": N_("Device to send back to the seller"), "return_sent": N_("Device sent back"),
    protocol.DEVICE_HANDED_BACK: N_("Device handed back to the seller at the store"),
    "sent": N_("sent"), "returned": N_("returned"), "store_credit": N_("store credit"),
    "bank_transfer": N_("bank transfer"), "receiver": N_("receiver"), "supervisor": N_("supervisor"),
    "phone": N_("phones"), "tablet": N_("tablets"), "watch": N_("watches"), "console": N_("game consoles"),
    "imei": N_("by IMEI"), "serial": N_("by serial number"), "device": N_("devices"), "accessory": N_("accessories"),
}
