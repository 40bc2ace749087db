"""`flask --app kiosk sync push|photos|pull|status`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from kiosk.hq_link import hq_client, push
from kiosk.store.connection import get_db
from kiosk.tradein.reference import pull
from sync import photos, pusher
from sync.client import HQClient, HQRefused, HQUnavailable

cli = AppGroup("sync", help="Push the outbox to HQ, pull reference data, show the state.")


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
    try:
        with click.progressbar(length=total, label="Pushing to HQ") as bar:
            sent = push(db, client, current_app.config["SYNC_BATCH_SIZE"],
                                on_batch=lambda result: bar.update(result.sent))
    except (HQRefused, HQUnavailable) as err:  # one clear line, never a traceback; nothing is lost
        raise click.ClickException(f"push failed, nothing lost (it will be retried): {err}") from None
    click.echo(f"sent {sent}; acknowledged through seq {pusher.checkpoint(db)}")


@cli.command("photos")
def photos_command() -> None:
    """Send the trade-in photos HQ expects (after the records), within PHOTO_UPLOAD_BYTES_PER_SECOND."""
    db, client = get_db(), _cli_client()
    try:
        done = photos.upload(db, client, current_app.config["PHOTO_UPLOAD_BYTES_PER_SECOND"], round_seconds=3600)
    except (HQRefused, HQUnavailable) as err:
        raise click.ClickException(f"photos not all sent, nothing lost (they will be resumed): {err}") from None
    left = photos.backlog(db)
    click.echo(f"sent {done.files} photo(s), {done.bytes} bytes; {left['files']} left ({left['bytes']} bytes), "
               f"{left['refused']} refused by HQ" + (" (records waiting: push first)" if done.ended == "records"
                                                       else ""))


@cli.command("pull")
def pull_command() -> None:
    """Fetch newer price grid, catalog, promos and blocklist versions from HQ."""
    try:
        applied = pull(get_db(), _cli_client())
    except (HQRefused, HQUnavailable) as err:
        raise click.ClickException(f"pull failed: {err}") from None
    click.echo("applied: " + ", ".join(applied) if applied else "already up to date")


@cli.command("status")
def status_command() -> None:
    for key, value in pusher.status(get_db()).items():
        click.echo(f"{key}: {value}")
