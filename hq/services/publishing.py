"""Publishing a reference version, whichever door it comes through (the browser, the CLI, the demo): the same
validators a terminal runs on its pull (core.reference), plus the checks against what HQ already publishes."""

from __future__ import annotations

import json

from core.reference import (
    VERSION_RULE,
    ReferenceInvalid,
    RowProblem,
    catalog_kind_problems,
    grid_kind_problems,
    validate,
    version_name,
)
from hq.storage import Storage


def catalog_kinds(storage: Storage) -> dict[tuple[str, str], str] | None:
    """(brand, model) -> kind in the catalog HQ publishes now; None before any catalog."""
    latest = storage.latest_references().get("catalog")
    data = latest and storage.reference("catalog", latest["version"])
    if not data:
        return None
    return {(m["brand"], m["model"]): m["kind"] for m in json.loads(data)["models"]}


def grid_kinds(storage: Storage) -> dict[tuple[str, str], str]:
    """(brand, model) -> kind in the grid HQ publishes now (rows from before grids named their kind: none)."""
    latest = storage.latest_references().get("grid")
    data = latest and storage.reference("grid", latest["version"])
    values = json.loads(data)["values"] if data else []
    return {(v["brand"], v["model"]): v["kind"] for v in values if v.get("kind")}


def checked(storage: Storage, kind: str, data: object) -> dict:
    """The canonical data of a version, or ReferenceInvalid listing every row at fault. A grid is also held
    against the published catalog (each row's model listed there, with the same kind), and a catalog against the
    published grid (a model the grid prices keeps its kind): the same checks a terminal runs as it applies them."""
    clean = validate(kind, data)
    problems = []
    if kind == "grid" and (kinds := catalog_kinds(storage)) is not None:
        problems = grid_kind_problems(clean["values"], kinds, listed_only=True)
    elif kind == "catalog":
        problems = catalog_kind_problems(clean["models"], grid_kinds(storage))
    if problems:
        raise ReferenceInvalid(kind, problems)
    return clean


def publish(storage: Storage, kind: str, version: str, data: object) -> dict:
    """Check, then publish an immutable version under its one name (core.reference.version_name: a terminal
    fetches no other); returns what was published."""
    name = version_name(version)
    if name is None:
        raise ReferenceInvalid(kind, [RowProblem(0, "version", f"{str(version)[:80]!r} must be {VERSION_RULE}")])
    clean = checked(storage, kind, data)
    storage.publish(kind, name, json.dumps(clean, ensure_ascii=False))
    return clean
