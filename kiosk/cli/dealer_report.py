"""`flask --app kiosk dealer-report --day 2026-12-06 --out FILE [--handed-over]`: a New York store's second-hand
dealer report of a day (kiosk.compliance.dealer_report), made if the kiosk had not made it yet, written to FILE, and
marked handed over once staff uploaded it to the city's service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from kiosk.compliance import dealer_report
from kiosk.store.connection import get_db


def _day(_context, _param, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a day written YYYY-MM-DD") from None


@click.command("dealer-report")
@click.option("--day", required=True, callback=_day, help="The day of the store's purchases, YYYY-MM-DD, in the "
              "store's time zone (made once that day is over there).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where to write the day's ZIP (records.csv and photos/<sha256>.jpg).")
@click.option("--handed-over", is_flag=True, help="Mark the day's report handed over: staff uploaded it to the "
              "service the Police Commissioner designates (HQ hears of it).")
@with_appcontext
def dealer_report_command(day: str, out: Path | None, handed_over: bool) -> None:
    """New York City's daily second-hand dealer report of DAY: made, written to --out, marked --handed-over."""
    db, cipher = get_db(), current_app.extensions["kiosk.cipher"]
    try:
        made = dealer_report.make(db, cipher, day)
        if out is not None:
            out.write_bytes(dealer_report.report_bytes(db, cipher, day))
            out.chmod(0o600)  # it holds the sellers' names, residences and IDs
        if handed_over:
            made = dealer_report.hand_over(db, day)
    except dealer_report.DealerReportRefused as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"dealer report {day}: {made['records']} purchase(s), {made['photos']} photo(s), "
               f"SHA-256 {made['sha256']}, made {made['made_at']}"
               + (f", handed over {made['handed_over_at']}" if made["handed_over_at"] else ", not handed over yet")
               + (f"\nwritten to {out}" if out else f"\nkept in {dealer_report.reports_folder(db) / made['file']}"))
