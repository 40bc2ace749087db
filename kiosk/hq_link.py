"""This terminal's link to HQ: the signed client built from settings (None when the terminal works offline
only), pushing the outbox with the register's anchor, and the cross-store fraud gate asked of HQ while it
answers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_app_context

from core.device_gates import Refusal, refusal_from_json
from kiosk.compliance import register
from kiosk.peripherals.health import device_facts
from kiosk.provisioning.terminal import this_terminal
from kiosk.settings import HQ_LINK_FILE, read_hq_link
from kiosk.till import fiscal_chain
from sync import pusher
from sync.client import HQClient, HQRefused, HQUnavailable
from sync.health import LocalFacts


def ANCHOR(db) -> dict:  # noqa: N802 (the name callers know)
    """Every push from this terminal carries the police register's chain head and the till's fiscal chain head:
    HQ keeps both as anchors (sync.client.batch_body sends the fiscal one apart). The fiscal head comes with the
    records after the one HQ anchored (core.fiscal_links): HQ moves its anchor only along their signatures."""
    return {**register.head(db), "fiscal_head": fiscal_chain.head_for_hq(db, pusher.fiscal_anchored_seq(db))}


def local_facts(app: Flask) -> LocalFacts:
    """This terminal's device facts for its health report (kiosk.peripherals.health), readable from any thread."""
    config, printer = app.config, app.extensions["kiosk.printer"]
    return lambda db: device_facts(db, printer, config["DATA_DIR"],
                                   this_terminal(db, config["TERMINAL_ID"], config["TERMINAL_MODE"]))


def push(db, client: HQClient, batch_size: int, **options) -> int:
    """Drain the outbox to HQ (sync.pusher.drain), the register head and this terminal's health riding with each
    batch (its device facts when an app is at hand: a request, a CLI command)."""
    local = local_facts(current_app) if has_app_context() else None
    return pusher.drain(db, client, batch_size, anchor=ANCHOR, local=local, **options)


def follow_enrolment(config) -> None:
    """Take over the HQ link `enrol` stored since this app read it: re-enrolling with the CLI while the kiosk runs
    gives the store a new secret at HQ, and a running kiosk that kept the old one sealed transfers HQ cannot read
    and signed requests HQ refuses until a restart. Settings given by hand (KIOSK_SYNC_SECRET) are left alone."""
    if not config.get("SYNC_FOLLOWS_ENROLMENT"):
        return
    try:
        found = (Path(config["DATA_DIR"]) / HQ_LINK_FILE).stat()
        stamp = (found.st_mtime_ns, found.st_ino, found.st_size)
        if config.get("HQ_LINK_STAMP") == stamp:
            return  # one stat per use: no reading while nothing changed
        link = read_hq_link(config["DATA_DIR"])
        config.update(SYNC_URL=link["url"], SYNC_STORE_ID=link["store_id"], SYNC_SECRET=link["secret"],
                      HQ_LINK_STAMP=stamp)
    except (OSError, ValueError, KeyError):  # not enrolled yet, or a link being written: read again next time
        return


def hq_secret(config) -> str:
    """The store's HMAC secret as of now (it seals the transfers asked of HQ)."""
    follow_enrolment(config)
    return config["SYNC_SECRET"]


def hq_client(config) -> HQClient | None:
    """None when this terminal is not set up to talk to HQ (offline-only)."""
    follow_enrolment(config)
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
