"""`flask --app kiosk hardware selftest`: the same checks as the staff hardware page."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from kiosk.formatting import current_store
from kiosk.peripherals.selftest import run_all

cli = AppGroup("hardware", help="Printer, scanners and camera decoding.")


@cli.command("selftest")
@click.option("--no-print", is_flag=True, help="Check the printer's state without printing a test page.")
def selftest(no_print: bool) -> None:
    """Print a test receipt, check scan parsing and camera decoding; exit 1 if anything failed."""
    results = run_all(current_app.extensions["kiosk.printer"], current_app.config["PRINTER_PROFILE"],
                      current_store()["name"], print_page=not no_print)
    for check in results:
        click.echo(f"{'OK  ' if check.ok else 'FAIL'}  {check.device:<22} {check.detail}")
    if not all(check.ok for check in results):
        sys.exit(1)
