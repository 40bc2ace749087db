"""Pull HQ's reference data (catalog, price grid, promos, blocklist, products) and HQ's outcomes: each newer
version is applied atomically with its version mark, so a terminal has either the old version or the new one,
whole. How a kind is applied is the kiosk's (it hands over `Appliers`); this module only fetches and marks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlite_utils

from core.clock import utcnow
from core.messages import Message, stored_text
from core.reference import ReferenceInvalid, failed_checks, refused_version, unfetchable_version, validate, version_name
from sync.client import HQClient, HQRefused
from sync.localdb import get_mark, set_mark, write_transaction

ORDER = ("catalog", "tacs", "grid", "promos", "blocklist", "products")  # grid and TACs name models: catalog first


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
    """Versions HQ published that this terminal parked, with the reason (for the staff sync page)."""
    return [{"kind": kind, "version": version, "reason": get_mark(db, f"refused.{kind}.reason")}
            for kind in ORDER if (version := get_mark(db, f"refused.{kind}.version"))]


class VersionParked(Exception):
    """This version cannot be taken (its name, HQ's answer for it, or its content); `reason` says why."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


def pull(db: sqlite_utils.Database, client: HQClient, appliers: Appliers) -> list[str]:
    """Fetch, validate and apply every kind whose published version differs from ours, then HQ's outcomes;
    returns what changed. One bad version (a name that is no plain name, one HQ will not serve, one that fails
    the checks) is parked with its reason for the staff sync page: the terminal keeps the one it has, and every
    other kind, and any later version of this one, still comes in."""
    index, applied = client.reference_index(), []
    for kind in ORDER:
        remote = index.get(kind) if isinstance(index, dict) else None
        version = remote.get("version") if isinstance(remote, dict) else None
        if not version or version in (get_mark(db, f"reference.{kind}"), get_mark(db, f"refused.{kind}.version")):
            continue  # ours already, or parked already: its reason stays on the page until HQ publishes another
        applied.append(_take(db, client, appliers, kind, str(version)))
    if outcomes := pull_updates(db, client, appliers.updates):
        applied.append(f"{outcomes} HQ update(s)")
    return applied


def _take(db: sqlite_utils.Database, client: HQClient, appliers: Appliers, kind: str, version: str) -> str:
    """One kind's new version applied whole with its mark, or parked; what the pull reports."""
    try:
        if version_name(version) != version:  # the same rule HQ's publish applies (core.reference)
            raise VersionParked(refused_version(kind, version))
        # the same validators HQ ran when it accepted the upload, then the applier's checks against what this
        # terminal holds (a grid row's kind against the catalog's, a catalog's against the grid): all or nothing
        data = validate(kind, _fetched(client, kind, version))
        with write_transaction(db):
            appliers.reference[kind](db, version, data)
            set_mark(db, f"reference.{kind}", version)
            set_mark(db, f"refused.{kind}.version", "")
    except ReferenceInvalid as err:
        _park(db, kind, version, failed_checks(kind, version, str(err)))
        return f"{kind} {version} refused"
    except VersionParked as err:
        _park(db, kind, version, err.reason)
        return f"{kind} {version} refused"
    return f"{kind} {version}"


def _fetched(client: HQClient, kind: str, version: str) -> object:
    """The version's data; HQ refusing this one version (404: it lists a version it cannot serve) parks it. A
    refused signature (401, 403) or HQ out of reach stops the pull: nothing is wrong with the version then."""
    try:
        return client.reference(kind, version)
    except HQRefused as err:
        if getattr(err, "status", 0) in (401, 403):
            raise
        raise VersionParked(unfetchable_version(kind, version, str(err))) from None
    except ValueError:  # not JSON
        raise VersionParked(unfetchable_version(kind, version, "not JSON")) from None


def _park(db: sqlite_utils.Database, kind: str, version: str, reason: Message) -> None:
    """Kept for the staff sync page: in its table of versions not taken, and as the last error."""
    with write_transaction(db):
        set_mark(db, f"refused.{kind}.version", version)
        set_mark(db, f"refused.{kind}.reason", stored_text(reason))
    record_error(db, reason)


def record_error(db: sqlite_utils.Database, reason: str) -> None:
    """The last error the staff sync page shows (a Message is kept to be shown in the reader's language)."""
    with write_transaction(db):
        set_mark(db, "last_error", stored_text(reason))
        set_mark(db, "last_error_at", utcnow())
