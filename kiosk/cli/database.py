"""`flask --app kiosk init-db`, `seed` (the demo store, only when asked for) and `enrol` (a real store)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from core.receipts import business_ids
from core.restore import RestoreRefused
from kiosk.provisioning.enrolment import EnrolmentFailed, enrol
from kiosk.provisioning.restore import REPORT_FILE
from kiosk.provisioning.setup import prepare_database
from kiosk.store.connection import open_signing_database
from kiosk.store.db import migrate, open_database, schema_version
from sync.client import HQRefused, HQUnavailable


@click.command("init-db")
def init_db_command() -> None:
    """Create the SQLite file and apply pending migrations."""
    db = open_database(current_app.config["DATABASE"])
    applied = migrate(db)
    click.echo(f"{current_app.config['DATABASE']}: schema version {schema_version(db)} (applied {applied or 'none'})")
    db.close()


@click.command("seed")
def seed_command() -> None:
    """Seed the demo store, staff, catalog and invented price grid (once, on a terminal with no store)."""
    pin = prepare_database(current_app.config["DATABASE"], demo=True, demo_pin=current_app.config["DEMO_PIN"])
    click.echo(f"Demo store seeded; staff PIN: {pin}" if pin else "Already seeded: nothing changed.")


@click.command("enrol")
@with_appcontext
@click.option("--hq", "hq_url", required=True, help="HQ's base URL, e.g. https://hq.example")
@click.option("--code", required=True, help="The one-time enrolment code HQ gave for this store.")
@click.option("--restore", is_flag=True, help="A dead terminal's replacement: take the store's records back from HQ "
              "(empty data folder only; docs/going-live.md).")
def enrol_command(hq_url: str, code: str, restore: bool) -> None:
    """Enrol this terminal with HQ (asks nothing: fit for a provisioning script). The secret is stored 0600 in
    the data folder and never printed; the first manager is created on the terminal's first page."""
    db = open_signing_database(current_app.config)  # enrolment makes the till's signing key
    try:
        migrate(db)
        result = enrol(db, current_app.config["DATA_DIR"], hq_url, code, current_app.config["SYNC_TIMEOUT"], restore)
    except EnrolmentFailed as err:
        raise click.ClickException(str(err)) from None
    except (HQRefused, HQUnavailable, RestoreRefused) as err:  # enrolled, but the restore did not finish
        raise click.ClickException(f"enrolled, but the restore failed ({err}): nothing of it was kept; run the "
                                   "restore again with a new code from an empty data folder") from None
    finally:
        db.close()
    profile = result["profile"]
    click.echo(f"enrolled: {profile['trading_name']} ({', '.join((profile['legal_name'], *business_ids(profile)))}"
               f"), store id {result['store_id']}, rules of {profile['jurisdiction']}")
    click.echo("pulled: " + (", ".join(result["pulled"]) or "nothing published yet") if not result["pull_error"]
               else f"not pulled yet ({result['pull_error']}): the next sync will")
    for line in result["restored"] or []:
        click.echo(line)
    if result["restored"] is not None:
        click.echo(f"restore report kept in {current_app.config['DATA_DIR']}/{REPORT_FILE}")
    click.echo("next: open the terminal in a browser to create the first manager's account")
