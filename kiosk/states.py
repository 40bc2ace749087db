"""The trade-in state machine: every legal transition is listed here and nowhere else. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

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

LABELS = {
    "draft": "Draft",
    "graded": "Graded",
    "quoted": "Quoted",
    "accepted": "Accepted",
    "printed": "Receipt printed",
    "bagged": "Bagged",
    "shipped": "Shipped",
    "received": "Received at HQ",
    "declined": "Declined",
    "cancelled": "Cancelled",
}


class IllegalTransition(ValueError):
    """A state change the flow does not allow; str(err) is shown to the clerk."""


def check_transition(current: str, target: str) -> None:
    if current not in TRANSITIONS:
        raise IllegalTransition(f"Unknown trade-in state {current!r}.")
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"A trade-in that is {LABELS[current].lower()} cannot become {LABELS.get(target, target).lower()}."
        )


def check_cancel(current: str, accepted_at: datetime, now: datetime, window: timedelta) -> None:
    """Cancelling is allowed before shipping and inside the cancel window."""
    check_transition(current, "cancelled")
    if now > accepted_at + window:
        hours = int(window.total_seconds() // 3600)
        raise IllegalTransition(f"The {hours} h cancel window has passed: this trade-in can no longer be cancelled.")
