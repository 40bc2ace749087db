"""The request-scoped database connection, and the CLI commands that work on the kiosk's database."""

from __future__ import annotations

import threading

import click
import sqlite_utils
from flask import Flask, current_app

from kiosk.db import migrate, open_database, schema_version
from kiosk.seed import is_seeded, seed_demo


def get_db() -> sqlite_utils.Database:
    """This thread's connection to the kiosk database, opened once and kept: opening one (and
    setting its pragmas) costs more than a typical htmx fragment request does."""
    per_thread = current_app.extensions["kiosk.connections"]
    db = getattr(per_thread, "db", None)
    if db is None:
        db = per_thread.db = open_database(current_app.config["DATABASE"])
    return db


def release_db(_exc: BaseException | None = None) -> None:
    """After each request: never leave a transaction open on a kept connection."""
    db = getattr(current_app.extensions["kiosk.connections"], "db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def prepare_database(path: str, demo_pin: str = "") -> str | None:
    """Create and migrate the database; seed the demo store on first run. Returns the new PIN, if seeded."""
    db = open_database(path)
    try:
        migrate(db)
        return None if is_seeded(db) else seed_demo(db, pin=demo_pin or None)
    finally:
        db.close()


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


def init_app(app: Flask) -> None:
    app.extensions["kiosk.connections"] = threading.local()
    app.teardown_appcontext(release_db)
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
