"""Pull HQ's reference data (catalog, price grid, promos, blocklist, products) and HQ's outcomes: each newer
version is applied atomically with its version mark, so a terminal has either the old version or the new one,
whole. How a kind is applied is the kiosk's (it hands over `Appliers`); this module only fetches and marks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlite_utils

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


def pull(db: sqlite_utils.Database, client: HQClient, appliers: Appliers) -> list[str]:
    """Fetch and apply every kind whose published version differs from ours, then HQ's outcomes;
    returns what changed."""
    index, applied = client.reference_index(), []
    for kind in ORDER:
        remote = index.get(kind)
        if not remote or remote["version"] == get_mark(db, f"reference.{kind}"):
            continue
        data = client.reference(kind, remote["version"])
        with write_transaction(db):
            appliers.reference[kind](db, remote["version"], data)
            set_mark(db, f"reference.{kind}", remote["version"])
        applied.append(f"{kind} {remote['version']}")
    if outcomes := pull_updates(db, client, appliers.updates):
        applied.append(f"{outcomes} HQ update(s)")
    return applied
