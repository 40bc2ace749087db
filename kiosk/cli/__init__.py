"""Every `flask --app kiosk` command, in one place: database (init-db, seed, enrol), sync (push, pull, status),
register (verify, export), fiscal (archive, verify, attestation), privacy (export, rectify, erase, purge,
rotate-key), hardware (selftest), photos (required, require) and dealer-report (New York City's daily record).

May import kiosk's services, store and views' shared checks; nothing imports it but kiosk.app."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from kiosk.cli import compliance, database, dealer_report, fiscal, hardware, photos, sync
from kiosk.store.db import open_database, schema_version
from kiosk.store.migrations import MIGRATIONS


def init_app(app: Flask) -> None:
    for group in (sync.cli, compliance.register_cli, compliance.privacy_cli, photos.cli):
        group.callback = with_appcontext(_database_is_current)  # run before any of the group's commands
    app.cli.add_command(dealer_report.dealer_report_command)
    for command in (database.init_db_command, database.seed_command, database.enrol_command, sync.cli,
                    compliance.register_cli, compliance.privacy_cli, hardware.cli, fiscal.fiscal_cli, photos.cli):
        app.cli.add_command(command)


def _database_is_current() -> None:
    """A command that reads the store's records on a data folder with no database, or one a release behind, says
    so in one line instead of a traceback about a missing table."""
    db = open_database(current_app.config["DATABASE"])
    try:
        version = schema_version(db)
    finally:
        db.close()
    if version < MIGRATIONS[-1][0]:
        raise click.ClickException(f"{current_app.config['DATABASE']} is at schema version {version}, not "
                                   f"{MIGRATIONS[-1][0]}: run `flask --app kiosk init-db` first (the kiosk does it "
                                   "when it starts).")
