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
    """Print a test receipt and check the camera decoding is installed; exit 1 if anything failed. The scanner
    and the camera themselves are tested on the /hardware page (a scan, a picture)."""
    results = run_all(current_app.extensions["kiosk.printer"], current_app.config["PRINTER_PROFILE"],
                      current_store()["name"], print_page=not no_print)
    for check in results:
        mark = {"ok": "OK  ", "problem": "FAIL", "untested": "----"}[check.verdict]
        fix = f"  -> {check.fix}" if check.fix else ""
        click.echo(f"{mark}  {check.device:<22} {check.detail}{fix}")
    if not all(check.ok for check in results):
        sys.exit(1)
