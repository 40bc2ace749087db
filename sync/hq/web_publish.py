"""Publishing reference data from the browser: upload a file (CSV or JSON), see what changes against the
current version, then publish an immutable version the stores pick up on their next pull."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from sync.hq.api import REFERENCE_KINDS
from sync.hq.web_auth import supervisor_required

bp = Blueprint("hq_publish", __name__, url_prefix="/hq/publish")
bp.before_request(supervisor_required(lambda: None))
GRADES, SHOWN = ("A", "B", "C", "D"), 100
# kind -> (list key, fields that identify a row)
ROWS = {"grid": ("values", ("brand", "model", "storage_gb", "cosmetic", "functional_band")),
        "catalog": ("models", ("brand", "model")), "promos": ("promos", ("code",)), "blocklist": ("entries", ("imei",)),
        "products": ("products", ("ean", "name", "kind", "price_minor", "vat_bp"))}


class PublishError(ValueError):
    """The upload cannot be published; the message says what to fix."""


def _csv_rows(text: str) -> list[dict]:
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(io.StringIO(text))]


def _whole(row: dict, name: str, index: int) -> int:
    try:
        return int(str(row[name]))
    except (KeyError, ValueError):
        raise PublishError(f"row {index + 1}: {name} must be a whole number") from None


def parse_upload(kind: str, filename: str, raw: bytes, form) -> dict:
    """The canonical JSON of a kind, from an uploaded JSON or CSV file, checked row by row."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PublishError("the file is not UTF-8 text") from None
    if filename.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise PublishError(f"the JSON does not parse: {err}") from None
    else:
        data = {ROWS[kind][0]: _csv_rows(text)}
        if kind == "grid":
            data.update(currency=form.get("currency", "EUR"), valid_from=form.get("valid_from", ""),
                        valid_until=form.get("valid_until", ""))
    if not isinstance(data, dict) or not isinstance(data.get(ROWS[kind][0]), list):
        raise PublishError(f"a {kind} file holds a list named {ROWS[kind][0]!r}")
    return _check(kind, data)


def _check(kind: str, data: dict) -> dict:
    rows = data[ROWS[kind][0]]
    if not rows:
        raise PublishError("the file has no rows")
    for index, row in enumerate(rows):
        missing = [name for name in ROWS[kind][1] if not str(row.get(name, "")).strip()]
        if missing:
            raise PublishError(f"row {index + 1}: {', '.join(missing)} missing")
    if kind == "grid":
        _check_grid(data, rows)
    if kind == "promos":
        for index, row in enumerate(rows):
            row["bonus_minor"] = _whole(row, "bonus_minor", index)
    if kind == "products":
        for index, row in enumerate(rows):
            row["price_minor"], row["vat_bp"] = _whole(row, "price_minor", index), _whole(row, "vat_bp", index)
    return data


def _check_grid(data: dict, rows: list[dict]) -> None:
    try:
        start, end = date.fromisoformat(data["valid_from"]), date.fromisoformat(data["valid_until"])
    except (KeyError, TypeError, ValueError):
        raise PublishError("a grid needs valid_from and valid_until as dates (YYYY-MM-DD)") from None
    if start > end:
        raise PublishError("valid_from is after valid_until")
    for index, row in enumerate(rows):
        row["storage_gb"], row["base_minor"] = _whole(row, "storage_gb", index), _whole(row, "base_minor", index)
        if row["cosmetic"] not in GRADES or row["base_minor"] < 0:
            raise PublishError(f"row {index + 1}: cosmetic must be A-D and base_minor 0 or more")


def diff(kind: str, old: dict | None, new: dict) -> dict:
    """Rows added, removed and changed, by their identifying fields."""
    key_fields = ROWS[kind][1]

    def keyed(data: dict | None) -> dict:
        return {tuple(str(r.get(f)) for f in key_fields): r for r in (data or {}).get(ROWS[kind][0], [])}

    before, after = keyed(old), keyed(new)
    changed = [(k, before[k], after[k]) for k in after if k in before and before[k] != after[k]]
    return {"added": [after[k] for k in after if k not in before], "removed": [before[k] for k in before
                                                                                 if k not in after],
            "changed": changed, "unchanged": len(after) - len(changed) - sum(k not in before for k in after),
            "key_fields": key_fields}


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
    kind, version = request.form.get("kind", ""), request.form.get("version", "").strip()[:40]
    upload = request.files.get("file")
    latest = current_app.extensions["hq.storage"].latest_references()
    try:
        if kind not in REFERENCE_KINDS or not version or upload is None:
            raise PublishError("choose a kind, a new version name and a file")
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
    kind, version = request.form.get("kind", ""), request.form.get("version", "").strip()[:40]
    try:
        data = _check(kind, json.loads(request.form.get("data", "")))
        current_app.extensions["hq.storage"].publish(kind, version, json.dumps(data, ensure_ascii=False))
    except (PublishError, ValueError, KeyError, TypeError) as err:
        flash(f"Not published: {err}", "error")
        return redirect(url_for(".form"), 303)
    flash(f"Published {kind} {version}: stores pick it up on their next pull.")
    return redirect(url_for(".form"), 303)
