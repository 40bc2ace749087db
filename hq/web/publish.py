"""Publishing reference data from the browser: upload a file (CSV or JSON), see what changes against the
current version, then publish an immutable version the stores pick up on their next pull."""

from __future__ import annotations

import csv
import io
import json

from babel.numbers import format_decimal
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from core.dates import read_date
from core.protocol import JSONRefused, parse_json
from core.reference import KINDS as REFERENCE_KINDS
from core.reference import ROWS, ReferenceInvalid, version_name
from hq.services import publishing
from hq.web.auth import supervisor_required

bp = Blueprint("hq_publish", __name__, url_prefix="/hq/publish")
bp.before_request(supervisor_required(lambda: None))
SHOWN = 100


class PublishError(ValueError):
    """The upload cannot be published; the message says what to fix."""


def _csv_rows(text: str) -> list[dict]:
    """The rows of a CSV upload; a file the csv module cannot read (a field over its 131,072-character limit, a
    NUL) is refused with the reason, never a 500."""
    try:
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(io.StringIO(text))]
    except csv.Error as err:
        if "field limit" in str(err):
            limit = format_decimal(csv.field_size_limit(), locale=get_locale())
            raise PublishError(gettext("a CSV field is longer than %(count)s characters: no reference row is that "
                                       "long; check the file's quotes", count=limit)) from None
        raise PublishError(gettext("the CSV file cannot be read (%(reason)s)", reason=str(err))) from None


def parse_upload(kind: str, filename: str, raw: bytes, form) -> dict:
    """The canonical JSON of a kind, from an uploaded JSON or CSV file, checked row by row."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PublishError("the file is not UTF-8 text") from None
    if filename.lower().endswith(".json"):
        try:
            data = parse_json(text)  # depth checked before parsing
        except JSONRefused as err:
            raise PublishError(str(err)) from None
    else:
        data = {ROWS[kind][0]: _csv_rows(text)}
        if kind == "grid":
            data.update(currency=form.get("currency", "EUR"), valid_from=_day(form.get("valid_from", "")),
                        valid_until=_day(form.get("valid_until", "")))
    return _check(kind, data)


def _day(typed: str) -> str:
    """A date as the reader's locale writes it, in the ISO form the grid holds (left as typed if it is none:
    core.reference then says which field is wrong)."""
    day = read_date(typed, str(get_locale()))
    return day.isoformat() if day else typed


def _check(kind: str, data: object) -> dict:
    """The same validators a terminal applies before it takes a version (core.reference), row by row, and a
    grid against the published catalog."""
    try:
        return publishing.checked(current_app.extensions["hq.storage"], kind, data)
    except ReferenceInvalid as err:
        raise PublishError(str(err)) from None


# The field each kind's changes are counted by: a supervisor sees at once that only watches moved.
GROUPED_BY = {"grid": "kind", "catalog": "kind", "blocklist": "type", "products": "kind"}


def diff(kind: str, old: dict | None, new: dict) -> dict:
    """Rows added, removed and changed, by their identifying fields, and their counts per device kind."""
    key_fields, rows_of = ROWS[kind][1], ROWS[kind][0]
    # A grid published before rows named their kind: its rows take the kind the new rows give the same model.
    kind_of = {(r.get("brand"), r.get("model")): r.get("kind") for r in new.get(rows_of, [])}

    def keyed(data: dict | None) -> dict:
        rows = ({"kind": kind_of.get((r.get("brand"), r.get("model"))), **r} if kind == "grid" else r
                for r in (data or {}).get(rows_of, []))
        return {tuple(str(r.get(f)) for f in key_fields): r for r in rows}

    before, after = keyed(old), keyed(new)
    changed = [(k, before[k], after[k]) for k in after if k in before and before[k] != after[k]]
    added, removed = [after[k] for k in after if k not in before], [before[k] for k in before if k not in after]
    return {"added": added, "removed": removed, "changed": changed,
            "unchanged": len(after) - len(changed) - len(added), "key_fields": key_fields,
            "per_group": _per_group(GROUPED_BY.get(kind), added, removed, [a for _, _, a in changed],
                                    [r for k, r in after.items() if before.get(k) == r])}


def _per_group(field: str | None, *lists: list[dict]) -> list[tuple[str, ...]]:
    """(group, added, removed, changed, unchanged) for each value of `field`, e.g. each device kind."""
    if field is None:
        return []
    groups = sorted({str(r.get(field)) for rows in lists for r in rows})
    return [(g, *(sum(str(r.get(field)) == g for r in rows) for rows in lists)) for g in groups]


def _current(kind: str) -> tuple[str | None, dict | None]:
    storage = current_app.extensions["hq.storage"]
    latest = storage.latest_references().get(kind)
    if not latest:
        return None, None
    return latest["version"], json.loads(storage.reference(kind, latest["version"]))


@bp.get("")
def form():
    return render_template("hq/publish.html", kinds=REFERENCE_KINDS, latest=current_app.extensions[
        "hq.storage"].latest_references(), preview=None, error=None, shown=SHOWN)


@bp.post("/preview")
def preview():
    kind, typed = request.form.get("kind", ""), request.form.get("version", "")
    version, upload = version_name(typed), request.files.get("file")
    latest = current_app.extensions["hq.storage"].latest_references()
    try:
        if kind not in REFERENCE_KINDS or not typed.strip() or upload is None:
            raise PublishError("choose a kind, a new version name and a file")
        if version is None:  # a terminal fetches a version at /reference/<kind>/<version>: "2026/12" never arrives
            raise PublishError(gettext("the version name may hold only letters, digits, dots, dashes and "
                                       "underscores, starting with a letter or a digit (at most 40)"))
        data = parse_upload(kind, upload.filename or "", upload.read(), request.form)
    except PublishError as err:
        return render_template("hq/publish.html", kinds=REFERENCE_KINDS, latest=latest, preview=None,
                               error=str(err), shown=SHOWN), 422
    current_version, current = _current(kind)
    return render_template("hq/publish.html", kinds=REFERENCE_KINDS, latest=latest, error=None, shown=SHOWN,
                           preview={"kind": kind, "version": version, "current": current_version,
                                    "diff": diff(kind, current, data), "data": json.dumps(data, ensure_ascii=False)})


@bp.post("/confirm")
def confirm():
    kind, version = request.form.get("kind", ""), request.form.get("version", "")
    try:
        publishing.publish(current_app.extensions["hq.storage"], kind, version,
                           parse_json(request.form.get("data", "")))
    except (PublishError, ValueError, KeyError, TypeError) as err:
        flash(gettext("Not published: %(reason)s", reason=str(err)), "error")
        return redirect(url_for(".form"), 303)
    flash(gettext("Published %(kind)s %(version)s: stores pick it up on their next pull.", kind=kind, version=version))
    return redirect(url_for(".form"), 303)
