"""This terminal's link to HQ: the signed client built from settings (None when the terminal works offline
only), pushing the outbox with the register's anchor, and the cross-store fraud gate asked of HQ while it
answers."""

from __future__ import annotations

from flask import current_app

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


def hq_device_gates(identifier: str) -> tuple[str, ...]:
    """The cross-store fraud gate: HQ knows every store's trade-ins. Offline, the store's own check
    (in kiosk.tradein.tradeins) still applies, and the trade-in is not held up."""
    client = hq_client(current_app.config)
    if client is None or not identifier:
        return ()
    client.timeout = min(client.timeout, 3)
    try:
        status = client.device_status(identifier)
    except (HQUnavailable, HQRefused):
        return ()
    if not status.get("taken"):
        return ()
    return (f"HQ reports this device already traded in at {status.get('store') or 'another store'} "
            f"(since {status.get('since')}): the same device cannot be bought twice.",)
