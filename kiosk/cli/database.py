"""`flask --app kiosk init-db` and `flask --app kiosk seed`."""

from __future__ import annotations

import click
from flask import current_app

from kiosk.provisioning.setup import prepare_database
from kiosk.store.db import migrate, open_database, schema_version


@click.command("init-db")
def init_db_command() -> None:
    """Create the SQLite file and apply pending migrations."""
    db = open_database(current_app.config["DATABASE"])
    applied = migrate(db)
    click.echo(f"{current_app.config['DATABASE']}: schema version {schema_version(db)} (applied {applied or 'none'})")
    db.close()


@click.command("seed")
def seed_command() -> None:
    """Seed the demo store, staff, catalog and price grid (once)."""
    pin = prepare_database(current_app.config["DATABASE"], current_app.config["DEMO_PIN"])
    click.echo(f"Demo store seeded; staff PIN: {pin}" if pin else "Already seeded: nothing changed.")
