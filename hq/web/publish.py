"""Publishing reference data from the browser: upload a file (CSV or JSON) for a market (core.markets: a currency),
see what changes against that market's current version, then publish an immutable version the market's stores pick
up on their next pull."""

from __future__ import annotations

import csv
import io
import json

from babel.numbers import format_decimal
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from werkzeug.exceptions import RequestEntityTooLarge

from core.dates import read_date
from core.markets import DEFAULT_MARKET, MARKET_KINDS, MARKETS, MarketUnknown, market_named
from core.protocol import JSONRefused, parse_json
from core.reference import KINDS as REFERENCE_KINDS
from core.reference import ROWS, ReferenceInvalid, version_name
from hq.services import markets, publishing
from hq.web.auth import load_staff, supervisor_required

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


def parse_upload(kind: str, filename: str, raw: bytes, form, market: str = DEFAULT_MARKET) -> dict:
    """The canonical JSON of a kind for `market`, from an uploaded JSON or CSV file, checked row by row."""
    if kind == "tacs" and not filename.lower().endswith(".json"):  # bounded, and refused rows named by line
        try:
            return publishing.checked_tac_csv(current_app.extensions["hq.storage"], raw)
        except ReferenceInvalid as err:
            raise PublishError(str(err)) from None
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
        if kind == "grid":  # a CSV grid's prices are in its market's currency
            data.update(currency=market, valid_from=_day(form.get("valid_from", "")),
                        valid_until=_day(form.get("valid_until", "")))
    return _check(kind, data, market)


def _day(typed: str) -> str:
    """A date as the reader's locale writes it, in the ISO form the grid holds (left as typed if it is none:
    core.reference then says which field is wrong)."""
    day = read_date(typed, str(get_locale()))
    return day.isoformat() if day else typed


def _check(kind: str, data: object, market: str) -> dict:
    """The same validators a terminal applies before it takes a version (core.reference), row by row, a grid in
    the market's currency and against the market's catalog."""
    try:
        return publishing.checked(current_app.extensions["hq.storage"], kind, data, market)
    except ReferenceInvalid as err:
        raise PublishError(str(err)) from None


# The field each kind's changes are counted by: a supervisor sees at once that only watches moved.
GROUPED_BY = {"grid": "kind", "catalog": "kind", "blocklist": "type", "products": "kind", "tacs": "brand"}


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


def _current(kind: str, market: str) -> tuple[str | None, dict | None]:
    storage = current_app.extensions["hq.storage"]
    latest = storage.latest_references(market).get(kind)
    if not latest:
        return None, None
    return latest["version"], json.loads(storage.reference(kind, latest["version"], market))


def _page(status: int = 200, **context):
    """The publish page: each market's current versions, and how many stores pull from each."""
    storage = current_app.extensions["hq.storage"]
    return render_template("hq/publish.html", kinds=REFERENCE_KINDS, markets=MARKETS, market_kinds=MARKET_KINDS,
                           latest=markets.latest_per_market(storage), store_counts=markets.stores_per_market(storage),
                           shown=SHOWN, **{"preview": None, "error": None, **context}), status


@bp.get("")
def form():
    return _page()


@bp.errorhandler(RequestEntityTooLarge)
def too_large(err: RequestEntityTooLarge):
    """An upload over HQ's body limit, refused before any of it is parsed (even its CSRF token): said on the
    publish page, to a supervisor only (the page's own guard had not run yet)."""
    if "hq_staff" not in g:
        load_staff()
    if g.hq_staff is None or g.hq_staff["role"] != "supervisor":  # what every other page answers (hq.app)
        return render_template("hq/error.html", title=gettext("Too large"), message=err.description), 413
    limit = format_decimal(current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024), locale=get_locale())
    return _page(413, error=gettext("the file is larger than %(size)s MB: nothing was read", size=limit))


@bp.post("/preview")
def preview():
    kind, typed = request.form.get("kind", ""), request.form.get("version", "")
    version, upload = version_name(typed), request.files.get("file")
    try:
        if kind not in REFERENCE_KINDS or not typed.strip() or upload is None:
            raise PublishError("choose a kind, a new version name and a file")
        if version is None:  # a terminal fetches a version at /reference/<kind>/<version>: "2026/12" never arrives
            raise PublishError(gettext("the version name may hold only letters, digits, dots, dashes and "
                                       "underscores, starting with a letter or a digit (at most 40)"))
        market = _market(kind)
        data = parse_upload(kind, upload.filename or "", upload.read(), request.form, market)
    except PublishError as err:
        return _page(422, error=str(err))
    current_version, current = _current(kind, market)
    return _page(preview={"kind": kind, "version": version, "current": current_version, "market": market,
                          "diff": diff(kind, current, data), "data": json.dumps(data, ensure_ascii=False)})


def _market(kind: str) -> str:
    """The market the form names (a blocklist or TAC table reaches every market: '')."""
    if kind not in MARKET_KINDS:
        return ""
    try:
        return market_named(request.form.get("market", DEFAULT_MARKET))
    except MarketUnknown:
        raise PublishError(gettext("choose one of the markets: %(markets)s", markets=", ".join(MARKETS))) from None


@bp.post("/confirm")
def confirm():
    kind, version = request.form.get("kind", ""), request.form.get("version", "")
    try:
        publishing.publish(current_app.extensions["hq.storage"], kind, version,
                           parse_json(request.form.get("data", "")), request.form.get("market") or DEFAULT_MARKET)
    except (PublishError, ValueError, KeyError, TypeError) as err:
        flash(gettext("Not published: %(reason)s", reason=str(err)), "error")
        return redirect(url_for(".form"), 303)
    flash(gettext("Published %(kind)s %(version)s: stores pick it up on their next pull.", kind=kind, version=version))
    return redirect(url_for(".form"), 303)
