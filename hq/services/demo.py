"""A demo HQ, only when asked for (`python -m hq --demo`): core.demo's catalog, invented grid, promos and
products are published (checked like any upload), and the demo store is registered with a fresh enrolment code,
so a demo terminal enrolled with it quotes and HQ regrades on the same grid."""

from __future__ import annotations

from datetime import date

from core.demo import DEMO_PROFILE, demo_references
from hq.services import enrolment, publishing
from hq.storage import Storage


def publish_demo(storage: Storage, today: date, hours: int) -> tuple[list[str], str, str]:
    """(versions published now, demo store id, enrolment code). Versions already there are left alone."""
    published = []
    latest = storage.latest_references()
    for kind, (version, data) in demo_references(today).items():
        if kind in latest:
            continue  # HQ already publishes this kind: a demo never replaces real data
        publishing.publish(storage, kind, version, data)
        published.append(f"{kind} {version}")
    with storage.read() as tx:
        rows = tx.rows("SELECT id FROM hq_stores WHERE siret = %s AND name = %s",
                       [DEMO_PROFILE["siret"], DEMO_PROFILE["trading_name"]])
    if rows:
        return published, rows[0][0], enrolment.issue_code(storage, rows[0][0], hours)
    store_id, code = enrolment.add_store(storage, DEMO_PROFILE, hours)
    return published, store_id, code
