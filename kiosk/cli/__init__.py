"""Every `flask --app kiosk` command, in one place: database (init-db, seed, enrol), sync (push, pull, status),
register (verify, export), privacy (export, rectify, erase, purge, rotate-key) and hardware (selftest).

May import kiosk's services, store and views' shared checks; nothing imports it but kiosk.app."""

from __future__ import annotations

from flask import Flask

from kiosk.cli import compliance, database, hardware, sync


def init_app(app: Flask) -> None:
    for command in (database.init_db_command, database.seed_command, database.enrol_command, sync.cli,
                    compliance.register_cli, compliance.privacy_cli, hardware.cli):
        app.cli.add_command(command)
