"""The kiosk's side of sync in the app: HQ client from settings, the staff sync panel, the CLI."""

from __future__ import annotations

import click
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, url_for
from flask.cli import AppGroup
from flask_babel import gettext

from kiosk.auth import login_required
from kiosk.db import fetch_all
from kiosk.db_request import get_db
from sync import pusher
from sync.client import HQClient, HQRefused, HQUnavailable
from sync.puller import pull

bp = Blueprint("syncpanel", __name__, url_prefix="/sync")
bp.before_request(login_required(lambda: None))
cli = AppGroup("sync", help="Push the outbox to HQ, pull reference data, show the state.")


def hq_client(config) -> HQClient | None:
    """None when this terminal is not set up to talk to HQ (offline-only)."""
    if not (config["SYNC_URL"] and config["SYNC_STORE_ID"] and config["SYNC_SECRET"]):
        return None
    return HQClient(config["SYNC_URL"], config["SYNC_STORE_ID"], config["SYNC_SECRET"], config["SYNC_TIMEOUT"])


def hq_device_gates(identifier: str) -> tuple[str, ...]:
    """The cross-store fraud gate: HQ knows every store's trade-ins. Offline, the store's own check
    (in kiosk.tradeins) still applies, and the trade-in is not held up."""
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


@bp.get("")
def panel():
    db = get_db()
    rejections = fetch_all(db, "SELECT r.*, o.kind, o.entity_uuid FROM sync_rejections r JOIN outbox o "
                               "ON o.seq = r.seq ORDER BY r.seq DESC LIMIT 100")
    return render_template("sync.html", status=pusher.status(db), rejections=rejections,
                           configured=hq_client(current_app.config) is not None)


@bp.post("/now")
def sync_now():
    client = hq_client(current_app.config)
    if client is None:
        flash(gettext("Sync with HQ is not set up on this terminal (SYNC_URL, SYNC_STORE_ID, SYNC_SECRET)."), "error")
        return redirect(url_for(".panel"), 303)
    try:
        sent = pusher.drain(get_db(), client, current_app.config["SYNC_BATCH_SIZE"], max_failures=1)
        applied = pull(get_db(), client)
        flash(gettext("Sent %(count)s record(s) to HQ.", count=sent) +
              (" " + gettext("Updated: %(what)s.", what=", ".join(applied)) if applied else ""))
    except (HQUnavailable, HQRefused) as err:
        flash(gettext("Sync failed, nothing is lost; it will be retried: %(reason)s", reason=str(err)), "error")
    return redirect(url_for(".panel"), 303)


def _cli_client() -> HQClient:
    client = hq_client(current_app.config)
    if client is None:
        raise click.ClickException("set KIOSK_SYNC_URL, KIOSK_SYNC_STORE_ID and KIOSK_SYNC_SECRET first")
    return client


@cli.command("push")
def push_command() -> None:
    """Send every pending outbox record to HQ, with a progress bar."""
    db, client = get_db(), _cli_client()
    total = pusher.status(db)["pending"]
    with click.progressbar(length=total, label="Pushing to HQ") as bar:
        sent = pusher.drain(db, client, current_app.config["SYNC_BATCH_SIZE"],
                            on_batch=lambda result: bar.update(result.sent))
    click.echo(f"sent {sent}; acknowledged through seq {pusher.checkpoint(db)}")


@cli.command("pull")
def pull_command() -> None:
    """Fetch newer price grid, catalog, promos and blocklist versions from HQ."""
    applied = pull(get_db(), _cli_client())
    click.echo("applied: " + ", ".join(applied) if applied else "already up to date")


@cli.command("status")
def status_command() -> None:
    for key, value in pusher.status(get_db()).items():
        click.echo(f"{key}: {value}")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(cli)
