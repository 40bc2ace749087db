"""`flask --app kiosk photos required|require`: the shots this store must take before it buys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.jurisdiction import pack_for
from core.photos import SHOT_KINDS, rule_for
from kiosk.evidence import photos
from kiosk.provisioning.terminal import store_profile
from kiosk.store.connection import get_db

cli = AppGroup("photos", help="The photos a trade-in needs before it is accepted (the store's rule).")


def _store() -> dict:
    store = store_profile(get_db())
    if store is None:
        raise click.ClickException("this terminal has no store yet: enrol it first")
    return store


@cli.command("required")
def required_command() -> None:
    """The shots this store must take, and whose rule that is."""
    store = _store()
    kinds = photos.required_kinds(get_db(), store["id"])
    own = get_db().execute("SELECT required_photos FROM stores WHERE id = ?", [store["id"]]).fetchone()[0]
    click.echo(f"required: {', '.join(kinds) or 'none'}")
    pack = pack_for(store)  # a jurisdiction with shots of its own (New York City) names its rule
    click.echo("rule: the store's own" if own is not None else
               f"rule: {pack.name}'s ({pack.raw['photos']['source']})" if pack.required_shots else
               f"rule: {store.get('country') or 'FR'}'s ({rule_for(store.get('country') or 'FR').source})")


@cli.command("require")
@click.argument("kinds", required=False)
@click.option("--country", is_flag=True, help="Follow the country's rule again (core/data/photos.toml).")
def require_command(kinds: str | None, country: bool) -> None:
    """Set the store's own rule: KINDS comma-separated (front, back, screen, imei_screen, damage), "" for none."""
    if country == (kinds is not None):
        raise click.UsageError("give KINDS (e.g. front,back,imei_screen, or \"\" for none) or --country")
    try:
        required = photos.set_required(get_db(), _store()["id"], None if country else kinds)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"required: {', '.join(required) or 'none'} (kinds: {', '.join(SHOT_KINDS)})")
