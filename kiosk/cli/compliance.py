"""`flask --app kiosk register verify|export` and
`flask --app kiosk privacy export|rectify|erase|request|requests|answered|purge|rotate-key`."""

from __future__ import annotations

import json
import sys
from datetime import UTC

import click
from flask import current_app, render_template
from flask.cli import AppGroup

from core.jurisdiction import ALL_DOCUMENTS
from hardware.printer import FileSink
from kiosk.compliance import privacy, register, register_export
from kiosk.compliance.crypto import DataCipher, add_key_to_file, load_keys
from kiosk.formatting import current_store
from kiosk.hq_link import hq_client
from kiosk.store.connection import get_db
from sync.client import HQRefused, HQUnavailable

register_cli = AppGroup("register", help="The police register (registre de police).")
privacy_cli = AppGroup("privacy", help="Sellers' data rights (GDPR) and the data keys.")


def _cipher() -> DataCipher:
    return current_app.extensions["kiosk.cipher"]


def _outside_anchor() -> tuple[dict | None, str]:
    """The chain head HQ holds for this store, and a line saying what the check compared with."""
    client = hq_client(current_app.config)
    if client is None:
        return None, "no HQ configured: chain and keyed hashes checked, no outside anchor to compare with"
    try:
        anchor = client.register_anchor()
    except (HQUnavailable, HQRefused) as err:
        return None, f"HQ unreachable ({err}): chain and keyed hashes checked, outside anchor not compared"
    if anchor.get("seq") is None:
        return None, "HQ holds no anchor yet (nothing synced): chain and keyed hashes checked"
    return anchor, f"compared with HQ's anchor: entry {anchor['seq']} as received {anchor['at']}"


@register_cli.command("verify")
def verify_command() -> None:
    """Check numbering, chaining and content of every entry; exit 1 if anything was tampered with."""
    anchor, where = _outside_anchor()
    problems = register.verify(get_db(), _cipher(), anchor)
    count = get_db().execute("SELECT count(*) FROM police_register").fetchone()[0]
    click.echo(where)
    if problems:
        click.echo(f"REGISTER TAMPERED: {len(problems)} problem(s) in {count} entries", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    click.echo(f"register intact: {count} entries, numbering gap-free, hash chain verified")


@register_cli.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="First day (YYYY-MM-DD), the store's local day.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day, included.")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
def export_command(start, end, fmt: str, output) -> None:
    """The register for a period of the store's days: its language, its local time, the law's column order
    (HTML prints to paper or PDF)."""
    store = current_store()
    rows = register_export.entries(get_db(), _cipher(), store, start.date(), end.date())
    if fmt == "csv":
        output.write(register_export.to_csv(rows, store["locale"]))
    else:
        headings, cells = register_export.table(rows, store["locale"])
        output.write(render_template("compliance/register_export.html", headings=headings, cells=cells,
                                     start=start.date(), end=end.date(), store=store))


def _reference(doc_type: str, doc_number: str) -> str:
    try:
        return privacy.reference_for(_cipher(), doc_type, doc_number)
    except privacy.NotADocumentNumber as err:  # a look-alike names no seller: said, not hashed
        raise click.BadParameter(str(err), param_hint="--doc-number") from None


def seller_options(command):
    command = click.option("--doc-number", required=True, help="The seller's ID document number.")(command)
    return click.option("--doc-type", required=True, help=", ".join(ALL_DOCUMENTS) + " (the store's "
                        "jurisdiction says which it accepts)")(command)


@privacy_cli.command("export")
@seller_options
def privacy_export(doc_type: str, doc_number: str) -> None:
    """Everything held about a seller, as JSON (access and portability)."""
    click.echo(json.dumps(privacy.export(get_db(), _cipher(), _reference(doc_type, doc_number)), indent=2,
                          ensure_ascii=False, default=str))


@privacy_cli.command("rectify")
@seller_options
@click.option("--field", required=True, type=click.Choice(privacy.RECTIFIABLE))
@click.option("--value", required=True)
def privacy_rectify(doc_type: str, doc_number: str, field: str, value: str) -> None:
    changed = privacy.rectify(get_db(), _cipher(), _reference(doc_type, doc_number), field, value)
    click.echo(f"rectified {field} on {changed} trade-in(s); the police register keeps its original entry")


@privacy_cli.command("erase")
@seller_options
def privacy_erase(doc_type: str, doc_number: str) -> None:
    """Erase the seller's identity from trade-ins (the police register keeps its legal copy)."""
    reference = _reference(doc_type, doc_number)
    codes = privacy.codes_of(get_db(), reference)
    count = privacy.erase(get_db(), reference)
    sink = current_app.extensions["kiosk.printer"]
    if isinstance(sink, FileSink):  # the receipts printed to files named the seller too
        click.echo(f"removed {sink.forget(codes)} print file(s) of those trade-ins")
    click.echo(f"erased the identity on {count} trade-in(s); police register entries kept (legal obligation)")


@privacy_cli.command("request")
@seller_options
@click.option("--kind", required=True, type=click.Choice(privacy.REQUEST_KINDS))
@click.option("--note", default="", help="What the seller asked, in a few words (no personal data).")
def privacy_request(doc_type: str, doc_number: str, kind: str, note: str) -> None:
    """Log a seller's request to exercise a right, with its deadline: one month in France (GDPR), 45 days in the New
    York store (its CCPA-style policy); the kinds are the store's regime's."""
    try:
        logged = privacy.log_request(get_db(), _reference(doc_type, doc_number), kind, note=note)
    except ValueError as err:  # a kind of another regime's (erasure is "delete" in the New York store)
        raise click.BadParameter(str(err), param_hint="--kind") from None
    click.echo(f"request {logged['id']} ({kind}) logged: answer by {logged['due_on']}")


@privacy_cli.command("requests")
def privacy_requests() -> None:
    """The requests not answered yet, nearest deadline first."""
    for row in privacy.open_requests(get_db()):
        click.echo(f"{row['id']}  {row['kind']:<13}  received {row['received_at'][:10]}  due {row['due_on']}  "
                   f"{row['note']}")


@privacy_cli.command("answered")
@click.argument("request_id", type=int)
@click.option("--note", default="")
def privacy_answered(request_id: int, note: str) -> None:
    """Mark a request answered (after the export, rectification or erasure it asked for)."""
    if not privacy.answer_request(get_db(), request_id, note):
        raise click.ClickException(f"no open request {request_id}")
    click.echo(f"request {request_id} answered")


@privacy_cli.command("purge")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Pretend today is this day.")
def privacy_purge(today) -> None:
    """Retention: identity once 3 years since the last activity and 6 since the last trade-in have passed,
    register entries after 10 years."""
    result = privacy.purge(get_db(), today.replace(tzinfo=UTC) if today else None)
    click.echo(json.dumps(result))


@privacy_cli.command("rotate-key")
def rotate_key() -> None:
    """Put a new data key first and re-encrypt all personal data under it."""
    config = current_app.config
    keys = load_keys(config["DATA_KEYS"], config["DATA_KEYS_FILE"]) if config["DATA_KEYS"] else \
        add_key_to_file(config["DATA_KEYS_FILE"])
    cipher = _cipher().with_keys(keys)  # the register's own key stays
    count = privacy.rotate(get_db(), cipher)
    problems = register.verify(get_db(), cipher)
    click.echo(f"re-encrypted {count} row(s) under the newest key; register "
               f"{'intact' if not problems else 'PROBLEMS: ' + '; '.join(problems)}")
