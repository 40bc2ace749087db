"""Pull HQ's reference data (catalog, price grid, promos, blocklist, products) and HQ's outcomes: each newer
version is applied atomically with its version mark, so a terminal has either the old version or the new one,
whole. How a kind is applied is the kiosk's (it hands over `Appliers`); this module only fetches and marks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlite_utils

from core.reference import ReferenceInvalid, validate
from sync.client import HQClient
from sync.localdb import get_mark, set_mark, write_transaction

ORDER = ("catalog", "grid", "promos", "blocklist", "products")  # the grid names models: catalog first


@dataclass(frozen=True)
class Appliers:
    """How the terminal applies what it pulls; the kiosk hands them over, so sync knows no business table.

    `reference[kind](db, version, data)` runs inside the pull's write transaction, with the version mark;
    `updates(db, updates)` stores HQ's outcomes for this store's records and returns how many were new."""

    reference: Mapping[str, Callable[[sqlite_utils.Database, str, dict], None]]
    updates: Callable[[sqlite_utils.Database, list[dict]], int]


def pull_updates(db: sqlite_utils.Database, client: HQClient, apply_updates: Callable) -> int:
    """HQ's outcomes for this store's records since the last one we have."""
    total = 0
    while updates := client.updates(get_mark(db, "hq_updates.after") or ""):
        total += apply_updates(db, updates)
        with write_transaction(db):
            set_mark(db, "hq_updates.after", updates[-1]["cursor"])
        if len(updates) < 500:
            break
    return total


def refused_versions(db: sqlite_utils.Database) -> list[dict]:
    """Versions HQ published that this terminal refused, with the reason (for the staff sync page)."""
    return [{"kind": kind, "version": version, "reason": get_mark(db, f"refused.{kind}.reason")}
            for kind in ORDER if (version := get_mark(db, f"refused.{kind}.version"))]


def pull(db: sqlite_utils.Database, client: HQClient, appliers: Appliers) -> list[str]:
    """Fetch, validate and apply every kind whose published version differs from ours, then HQ's outcomes;
    returns what changed. An invalid version is refused whole: the terminal keeps the one it has."""
    index, applied = client.reference_index(), []
    for kind in ORDER:
        remote = index.get(kind)
        if not remote or remote["version"] == get_mark(db, f"reference.{kind}"):
            continue
        if get_mark(db, f"refused.{kind}.version") == remote["version"]:
            continue  # refused already: the reason is on the staff sync page until HQ publishes another
        try:  # the same validators HQ ran when it accepted the upload (core.reference), then the applier's
            # checks against what this terminal holds (a grid row's kind against the catalog's): all or nothing
            data = validate(kind, client.reference(kind, remote["version"]))
            with write_transaction(db):
                appliers.reference[kind](db, remote["version"], data)
                set_mark(db, f"reference.{kind}", remote["version"])
                set_mark(db, f"refused.{kind}.version", "")
        except ReferenceInvalid as err:
            with write_transaction(db):
                set_mark(db, f"refused.{kind}.version", remote["version"])
                set_mark(db, f"refused.{kind}.reason", str(err)[:2000])
            applied.append(f"{kind} {remote['version']} refused")
            continue
        applied.append(f"{kind} {remote['version']}")
    if outcomes := pull_updates(db, client, appliers.updates):
        applied.append(f"{outcomes} HQ update(s)")
    return applied
