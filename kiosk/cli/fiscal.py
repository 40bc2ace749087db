"""`flask --app kiosk fiscal archive|verify|attestation`: the till's fiscal archive of a period, the check of an
archive file without the database (or of the live chain against HQ's anchor), and the editor's attestation of
conformity for this store (CGI art. 286 I-3° bis; core/data/fiscal.toml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core import fiscal
from core.fiscal_archive import SOFTWARE
from kiosk.hq_link import hq_client
from kiosk.provisioning.terminal import store_profile, this_terminal
from kiosk.store.connection import get_db
from kiosk.till import archive, fiscal_chain, journal
from sync.client import HQRefused, HQUnavailable

fiscal_cli = AppGroup("fiscal", help="The till's fiscal records: archive, verify, restored, attestation (CGI art. 286 "
                                     "I-3° bis).")


def _terminal() -> str:
    found = this_terminal(get_db(), current_app.config["TERMINAL_ID"], "staff")
    if found is None:
        raise click.ClickException("this terminal is not set up yet: run `flask --app kiosk enrol` (or seed) first")
    return found


@fiscal_cli.command("archive")
@click.option("--period", required=True, help="A month (2026-12) or a fiscal year (2026).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def archive_command(period: str, out: Path) -> None:
    """Write the period's signed XML archive (schema: core/data/fiscal_archive.xsd)."""
    try:
        data = archive.make(get_db(), period, _terminal())
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    out.write_bytes(data)
    click.echo(f"archive of {period} written to {out} ({len(archive.period_records(get_db(), period))} records)")


def _hq_anchor() -> tuple[dict | None, str]:
    client = hq_client(current_app.config)
    if client is None:
        return None, "no HQ configured: signatures and chain checked, no outside anchor to compare with"
    try:
        anchor = client.fiscal_anchor()
    except (HQUnavailable, HQRefused) as err:
        return None, f"HQ unreachable ({err}): signatures and chain checked, HQ's anchor not compared"
    return anchor, f"compared with HQ's anchor (record {anchor.get('seq')}) and the public keys HQ holds"


@fiscal_cli.command("verify")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The terminal's public key (PEM) to trust instead of the ones the archive carries.")
def verify_command(file: Path | None, public_key: Path | None) -> None:
    """Check an archive FILE without the database, or (no FILE) the live chain against HQ's anchor. Exits non-zero
    naming the first record that fails."""
    if file is not None:
        problems, where = archive.verify_file(file.read_bytes(), public_key.read_text() if public_key else None), ""
    else:
        anchor, where = _hq_anchor()
        problems = fiscal_chain.verify(get_db(), anchor)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"fiscal records NOT intact: {problems[0]}")
    click.echo("fiscal records intact: every signature verified, chain unbroken" + (f"; {where}" if where else ""))
    if file is None and (restored := fiscal_chain.restored_from(get_db())):
        click.echo(f"restored from HQ at {restored['restored_at']}: record {restored['seq'] + 1} (the JET's restore) "
                   f"continues terminal {restored['terminal_id']}'s chain from its record {restored['seq']}, the head "
                   f"HQ anchored (made {restored['at']}, signature SHA-256 {restored['hash'][:16]}...)")


@fiscal_cli.command("restored")
@click.option("--reason", required=True, help="What was restored, from which copy, and why (kept in the journal).")
def restored_command(reason: str) -> None:
    """Journal that this database was restored from a copy (JET event "restore"). Run it right after putting a copy
    back: the terminal cannot tell by itself offline, since a copy carries its own record of what HQ anchored."""
    head = fiscal_chain.head(get_db())
    journal.record_now(get_db(), "restore", _terminal(), reason=reason, head_seq=head["seq"])
    click.echo(f"restore journaled: the fiscal chain goes on from record {head['seq']}; run `flask --app kiosk fiscal "
               "verify` to compare it with HQ's anchor")


@fiscal_cli.command("attestation")
def attestation_command() -> None:
    """The editor's attestation of conformity for this store, in its language (print it or keep it)."""
    store = store_profile(get_db()) or {}
    text = fiscal.RULES["attestation"]["fr" if str(store.get("locale", "fr")).startswith("fr") else "en"]
    click.echo(text.format(editor=fiscal.RULES["attestation"]["editor"], software=SOFTWARE,
                           version=fiscal_chain.software_version(),
                           legal_name=store.get("legal_name") or store.get("name", ""), store=store.get("name", ""),
                           siret=store.get("siret") or "", address=store.get("address", ""),
                           date=date.today().isoformat()))
