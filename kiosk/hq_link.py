"""This terminal's link to HQ: the signed client built from settings (None when the terminal works offline
only), pushing the outbox with the register's anchor, and the cross-store fraud gate asked of HQ while it
answers."""

from __future__ import annotations

from flask import current_app

from core.device_gates import Refusal, refusal_from_json
from kiosk.compliance import register
from sync import pusher
from sync.client import HQClient, HQRefused, HQUnavailable

# Every push from this terminal carries the police register's chain head: HQ keeps it as the anchor.
ANCHOR = register.head


def push(db, client: HQClient, batch_size: int, **options) -> int:
    """Drain the outbox to HQ (sync.pusher.drain), the register head riding with each batch."""
    return pusher.drain(db, client, batch_size, anchor=ANCHOR, **options)


def hq_client(config) -> HQClient | None:
    """None when this terminal is not set up to talk to HQ (offline-only)."""
    if not (config["SYNC_URL"] and config["SYNC_STORE_ID"] and config["SYNC_SECRET"]):
        return None
    return HQClient(config["SYNC_URL"], config["SYNC_STORE_ID"], config["SYNC_SECRET"], config["SYNC_TIMEOUT"])


def hq_refusal(identifier: str) -> Refusal | None:
    """The cross-store gate: HQ knows every store's trade-ins and answers with a reason code (None when HQ is
    not configured, does not answer within HQ_GATE_TIMEOUT seconds, or sees no reason)."""
    client = hq_client(current_app.config)
    if client is None or not identifier:
        return None
    client.timeout = min(client.timeout, current_app.config["HQ_GATE_TIMEOUT"])
    try:
        status = client.device_status(identifier)
    except (HQUnavailable, HQRefused):
        return None
    return refusal_from_json(status.get("refusal"))


def hq_device_gates(identifier: str) -> tuple[str, ...]:
    """HQ's refusal as a quote's gate reason (checked again at quote time: a device may be taken meanwhile)."""
    refusal = hq_refusal(identifier)
    return (refusal.message(),) if refusal else ()
