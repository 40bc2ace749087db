"""`flask --app hq stores add NAME --siret … --address …` (or `--jurisdiction us-ny-nyc --ein … --dcwp-licence …`),
`stores code|revoke|list`, `publish KIND FILE --version V [--market USD]`, `partition-records --partitions N`
(PostgreSQL), `purge`, `counter-offers expire`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from core import tacs
from core.markets import DEFAULT_MARKET, MARKET_KINDS, MARKETS
from core.reference import KINDS as REFERENCE_KINDS
from core.reference import ReferenceInvalid
from core.store_profile import ProfileInvalid
from hq.services import counter_offers, enrolment, publishing, retention
from hq.storage import partitioning

stores = AppGroup("stores", help="The store registry.")


def _profile_options(command):
    """One option per profile field, with the same check the HQ pages and the terminal run."""
    for field, default, help_text in reversed((
        ("legal-name", "", "Legal name of the company (default: NAME)."),
        ("jurisdiction", "fr", "The store's rules (core/data/jurisdictions): fr or us-ny-nyc."),
        ("siret", "", "SIRET (14 digits), checked: a store in France."),
        ("ein", "", "US Employer Identification Number (12-3456789), checked: a store in New York City."),
        ("dcwp-licence", "", "NYC DCWP second-hand dealer licence number (2087654-DCA): a store in New York City."),
        ("address", None, "Postal address printed on receipts."),
        ("country", "", "ISO 3166 country code (default: the jurisdiction's)."),
        ("locale", "", "Locale of screens and paper, e.g. fr_FR or en_GB (default: the jurisdiction's)."),
        ("currency", "", "ISO 4217 currency (default, and the only one allowed: the jurisdiction's)."),
        ("timezone", "", "IANA time zone (default: the jurisdiction's)."),
        ("vat-regime", "", "margin (second-hand goods scheme) or standard in France; sales_tax in New York City "
                           "(default: the jurisdiction's first)."),
    )):
        command = click.option(f"--{field}", required=default is None, default=default, help=help_text)(command)
    return command


def _profile(name: str, options: dict) -> dict:
    return {"trading_name": name, "legal_name": options.pop("legal_name") or name,
            "dealer_licence": options.pop("dcwp_licence"), **options}


@stores.command("add")
@click.argument("name")
@_profile_options
def add_store(name: str, **options: str) -> None:
    """Register a store with its profile; prints its id and a one-time enrolment code for its terminal."""
    try:
        store_id, code = enrolment.add_store(_storage(), _profile(name, options), current_app.config["ENROLMENT_HOURS"])
    except ProfileInvalid as err:
        raise click.ClickException(f"not added: {err}") from None
    click.echo(f"store id: {store_id}\nenrolment code: {code}\n"
               f"On the terminal (single use, valid {current_app.config['ENROLMENT_HOURS']} h): "
               f"flask --app kiosk enrol --hq <HQ URL> --code {code}")


@stores.command("code")
@click.argument("store_id")
def new_code(store_id: str) -> None:
    """A new one-time enrolment code (replacement hardware): the store keeps its id, gets a new secret."""
    try:
        code = enrolment.issue_code(_storage(), store_id, current_app.config["ENROLMENT_HOURS"])
    except LookupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"enrolment code: {code}")


@stores.command("revoke")
@click.argument("store_id")
def revoke_store(store_id: str) -> None:
    """Cut the store's terminals off now (lost or stolen terminal); `stores code` lets one back in."""
    try:
        enrolment.revoke(_storage(), store_id)
    except LookupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"revoked: {store_id} can no longer sync until a terminal enrols with a new code")


@stores.command("list")
def list_stores() -> None:
    with _storage().read() as tx:
        for row in tx.rows("SELECT id, name, siret, acked_through_seq, last_batch_at, revoked_at FROM hq_stores "
                           "ORDER BY name"):
            click.echo("  ".join("" if v is None else str(v) for v in row))


def _storage():
    return current_app.extensions["hq.storage"]


def read_reference(path: Path, kind: str) -> dict:
    """JSON as published; CSV for the tabular kinds (blocklist entries, promos, the TAC table). A grid or catalog
    goes as JSON here, or as CSV through the publish page."""
    if path.suffix.lower() == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if kind == "tacs":  # no more than its bound is read; a refused row is named by its line
        with path.open("rb") as f:
            return publishing.checked_tac_csv(_storage(), f.read(tacs.MAX_FILE_BYTES + 1))
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
@click.option("--market", type=click.Choice(MARKETS, case_sensitive=False), default=DEFAULT_MARKET, show_default=True,
              help=f"The market (a currency) whose stores pull it: {', '.join(MARKET_KINDS)} are published per "
                   "market; the blocklist and TAC table reach every market whatever this says.")
@with_appcontext
def publish(kind: str, file: Path, version: str, market: str) -> None:
    """Publish a new immutable version of a reference kind; the market's stores pick it up on their next pull."""
    try:  # what every terminal will check again on its pull
        publishing.publish(current_app.extensions["hq.storage"], kind, version, read_reference(file, kind), market)
    except ReferenceInvalid as err:
        raise click.ClickException(f"not published: {err}") from None
    click.echo(f"published {kind} {version}" + (f" for the {market.upper()} market" if kind in MARKET_KINDS else ""))


@click.command("partition-records")
@click.option("--partitions", type=click.IntRange(2, 1024), default=16, show_default=True,
              help="How many hash partitions of store_id.")
@with_appcontext
def partition_records(partitions: int) -> None:
    """PostgreSQL only: rebuild hq_records as hash partitions of store_id, in one transaction (ingest waits)."""
    try:
        moved = partitioning.partition_records(_storage(), partitions)
    except ValueError as err:
        raise click.ClickException(f"not partitioned: {err}") from None
    click.echo(f"hq_records: {partitions} partitions by store_id, {moved} records moved")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Blank the sellers' accounts the retention periods no longer allow (python -m hq runs it daily itself)."""
    click.echo(f"blanked {retention.purge(current_app.extensions['hq.storage'])} payout account(s)")


counter_offers_group = AppGroup("counter-offers", help="Sellers' answers to HQ's counter-offers.")


@counter_offers_group.command("expire")
def expire_counter_offers() -> None:
    """Apply the policy to every counter-offer past its deadline (python -m hq does it every hour itself)."""
    applied = counter_offers.expire_due(current_app.extensions["hq.storage"])
    click.echo(f"{applied} counter-offer(s) past their deadline got their policy")


def init_app(app: Flask) -> None:
    app.cli.add_command(stores)
    app.cli.add_command(purge_command)
    app.cli.add_command(counter_offers_group)
    app.cli.add_command(publish)
    app.cli.add_command(partition_records)
