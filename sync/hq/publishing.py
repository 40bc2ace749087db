"""Publishing a reference version, whichever door it comes through (the browser, the CLI, the demo): the same
validators a terminal runs on its pull (core.reference), plus the checks against what HQ already publishes."""

from __future__ import annotations

import json

from core.reference import ReferenceInvalid, grid_kind_problems, validate
from sync.hq.storage import Storage


def catalog_kinds(storage: Storage) -> dict[tuple[str, str], str] | None:
    """(brand, model) -> kind in the catalog HQ publishes now; None before any catalog."""
    latest = storage.latest_references().get("catalog")
    data = latest and storage.reference("catalog", latest["version"])
    if not data:
        return None
    return {(m["brand"], m["model"]): m["kind"] for m in json.loads(data)["models"]}


def checked(storage: Storage, kind: str, data: object) -> dict:
    """The canonical data of a version, or ReferenceInvalid listing every row at fault. A grid is also held
    against the published catalog: each row's model listed there, with the same kind."""
    clean = validate(kind, data)
    kinds = catalog_kinds(storage) if kind == "grid" else None
    if kinds is not None and (problems := grid_kind_problems(clean["values"], kinds, listed_only=True)):
        raise ReferenceInvalid(kind, problems)
    return clean


def publish(storage: Storage, kind: str, version: str, data: object) -> dict:
    """Check, then publish an immutable version; returns what was published."""
    clean = checked(storage, kind, data)
    storage.publish(kind, version, json.dumps(clean, ensure_ascii=False))
    return clean
