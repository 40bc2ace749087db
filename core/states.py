"""The trade-in state machine: every legal transition is listed here and nowhere else. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.messages import N_, Message, UserError

# state -> states it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"draft", "graded", "declined"}),
    "graded": frozenset({"draft", "graded", "quoted", "declined"}),
    "quoted": frozenset({"draft", "graded", "quoted", "accepted", "declined"}),
    "accepted": frozenset({"printed", "bagged", "cancelled"}),
    "printed": frozenset({"bagged", "cancelled"}),
    "bagged": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"received"}),
    "received": frozenset(),
    "declined": frozenset(),
    "cancelled": frozenset(),
}
EDITABLE = frozenset({"draft", "graded", "quoted"})  # device and answers may still change
TAKEN = ("accepted", "printed", "bagged", "shipped", "received")  # the store owns the device
SHIPPABLE = ("accepted", "printed", "bagged")  # at the store, may leave in a shipment (or still be cancelled)
UNQUOTED = ("draft", "graded")  # the checklist is not finished yet
UNDONE = ("declined", "cancelled")  # no trade happened: the device is the customer's or the store's
RECEIPT_OUT = ("printed", "bagged")  # the customer holds a receipt: cancelling needs a manager

LABELS = {
    "draft": N_("Draft"),
    "graded": N_("Graded"),
    "quoted": N_("Quoted"),
    "accepted": N_("Accepted"),
    "printed": N_("Receipt printed"),
    "bagged": N_("Bagged"),
    "shipped": N_("Shipped"),
    "received": N_("Received at HQ"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled"),
}


class IllegalTransition(UserError):
    """A state change the flow does not allow; str(err) is shown to the clerk."""


def check_transition(current: str, target: str) -> None:
    if current not in TRANSITIONS:
        raise IllegalTransition(N_("Unknown trade-in state %(state)s."), state=current)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(N_("A trade-in in state “%(current)s” cannot become “%(target)s”."),
                                current=Message(LABELS[current]), target=Message(LABELS.get(target, target)))


def check_cancel(current: str, accepted_at: datetime, now: datetime, window: timedelta) -> None:
    """Cancelling is allowed before shipping and inside the cancel window."""
    check_transition(current, "cancelled")
    if now > accepted_at + window:
        hours = int(window.total_seconds() // 3600)
        raise IllegalTransition(N_("The %(hours)s h cancel window has passed: this trade-in can no longer be "
                                   "cancelled."), hours=hours)
