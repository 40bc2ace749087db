"""`flask --app sync.hq stores add NAME`, `stores list`, `publish KIND FILE --version V`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from core.reference import ReferenceInvalid, validate
from sync.hq.api import REFERENCE_KINDS

stores = AppGroup("stores", help="The store registry.")


@stores.command("add")
@click.argument("name")
def add_store(name: str) -> None:
    """Register a store; prints its id and secret (give both to the store's terminals)."""
    store_id, secret = current_app.extensions["hq.storage"].add_store(name)
    click.echo(f"store id: {store_id}\nsecret:   {secret}\n"
               f"On the kiosk: KIOSK_SYNC_STORE_ID={store_id} KIOSK_SYNC_SECRET={secret}")


@stores.command("list")
def list_stores() -> None:
    with current_app.extensions["hq.storage"].transaction() as tx:
        for row in tx.rows("SELECT id, name, acked_through_seq, last_batch_at FROM hq_stores ORDER BY name"):
            click.echo("  ".join(str(v) for v in row))


def read_reference(path: Path, kind: str) -> dict:
    """JSON as published; CSV for the tabular kinds (blocklist entries, grid values, promos)."""
    if path.suffix.lower() == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if kind == "blocklist":
        return {"entries": rows}
    if kind == "promos":
        return {"promos": [{**r, "bonus_minor": int(r["bonus_minor"])} for r in rows]}
    raise click.BadParameter(f"{kind} is published from a JSON file")


@click.command("publish")
@click.argument("kind", type=click.Choice(REFERENCE_KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--version", required=True, help="A new, never used version name, e.g. 2026-12-01.")
def publish(kind: str, file: Path, version: str) -> None:
    """Publish a new immutable version of a reference kind; stores pick it up on their next pull."""
    try:
        data = validate(kind, read_reference(file, kind))  # what every terminal will check again on its pull
    except ReferenceInvalid as err:
        raise click.ClickException(f"not published: {err}") from None
    current_app.extensions["hq.storage"].publish(kind, version, json.dumps(data, ensure_ascii=False))
    click.echo(f"published {kind} {version}")


def init_app(app: Flask) -> None:
    app.cli.add_command(stores)
    app.cli.add_command(publish)
