"""What makes the busy store's pages cheaper (bench/bench_big_pages.py) without changing what they show: the staff
layout's head and top bar kept rendered (kiosk.layout), the templates' URLs built once (kiosk.templating), the
shipments page's bags read at once and kept rendered, and no full scan of a table the years fill (migration 38)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask import Flask, render_template_string, url_for

from bench import big_store
from kiosk.store.connection import get_db
from kiosk.tradein import shipping
from testing.factories import accepted_tradeins, actor_of
from tests.conftest import CSRF_FIELD, KioskClient, staff_id
from tests.test_photos import jpeg, shots_of, take

# Tables a store's years fill, read by the benchmarked pages: a SCAN of one is a page that slows with the years.
GROWING = (
    "tradeins",
    "sales",
    "sale_lines",
    "tenders",
    "print_jobs",
    "vouchers",
    "photos",
    "outbox",
    "audit_log",
    "police_register",
    "shipments",
    "hq_updates",
)
PARTIAL_INDEXES = ("photos_refused", "photos_to_send", "tradeins_unshipped_state", "returns_from_hq_waiting")
SQL_WORDS = {
    "WHERE",
    "ON",
    "JOIN",
    "LEFT",
    "CROSS",
    "INNER",
    "GROUP",
    "ORDER",
    "LIMIT",
    "USING",
    "SET",
    "VALUES",
    "INDEXED",
    "NOT",
    "AND",
    "OR",
}


@contextmanager
def statements_of_requests(app: Flask):
    """Every statement the app's requests send to SQLite (parameters written in), from the connection this
    thread's requests use."""
    sent: list[str] = []
    with app.app_context():
        conn = get_db().conn
    conn.set_trace_callback(sent.append)
    try:
        yield sent
    finally:
        conn.set_trace_callback(None)


def scans_of_growing_tables(db, sql: str) -> list[str]:
    """The plan's SCAN steps over a growing table (named or aliased in `sql`), but through a partial index that
    holds only the few rows the statement wants (the unsent or refused photos, the bags not shipped)."""
    names = set(GROWING)
    for _table, alias in re.findall(rf"\b({'|'.join(GROWING)})\s+(?:AS\s+)?([a-z]\w*)", sql, re.IGNORECASE):
        if alias.upper() not in SQL_WORDS:
            names.add(alias)
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    return [
        step
        for step in plan
        if step.startswith("SCAN ")
        and step.split()[1] in names
        and not any(f"INDEX {index}" in step for index in PARTIAL_INDEXES)
    ]


def test_the_top_bar_is_the_readers_and_its_forms_carry_this_requests_token(app, db, staff):
    page = staff.get("/pos?from=a%22b").get_data(as_text=True)
    bar = page[page.index('<header class="topbar">') : page.index("</header>")]
    assert "Camille Martin" in bar and ">Till<" in bar and ">Staff<" not in bar  # a clerk: no staff admin
    assert 'name="next" value="/pos?from=a%22b"' in bar  # the language switch comes back here
    assert CSRF_FIELD.search(bar).group(1) == staff.token  # the request's own token, not a kept one
    staff.post("/lang", {"lang": "fr", "next": "/pos"})
    french = staff.get("/sync").get_data(as_text=True)
    assert ">Caisse<" in french and 'name="next" value="/sync"' in french
    db.execute("UPDATE stores SET name = 'Boutique Bastille'")
    db.conn.commit()
    assert 'class="brand" href="/tradeins">Boutique Bastille<' in staff.get("/sync").get_data(as_text=True)
    assert staff.post("/logout").status_code == 302  # the token the top bar carried signs out
    staff.get("/login")
    staff.login(app, "Sacha Leroy")
    manager = staff.get("/pos").get_data(as_text=True)
    assert "Sacha Leroy" in manager and ">Staff<" in manager and "Camille Martin" not in manager


def test_a_template_url_is_kept_for_its_mount_point_and_its_values_type(app: Flask) -> None:
    template = "{{ url_for('tradein.detail', tradein_uuid=key) }} {{ url_for('today.today', q=q) }}"
    for root in ("", "/kiosk", ""):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for key, q in (("a b", 1), ("a b", True), ("c", "1"), ("c", 1.0)):
                shown = render_template_string(template, key=key, q=q)
                assert shown == f"{url_for('tradein.detail', tradein_uuid=key)} {url_for('today.today', q=q)}"
                assert shown.startswith(f"{root}/tradeins/") and shown.endswith(f"q={q}")


def test_the_shipments_page_reads_the_bags_photos_at_once_and_shows_a_new_shot(app, db, staff):
    bags = accepted_tradeins(db, 4)
    with statements_of_requests(app) as sent:
        page = staff.get("/shipments").get_data(as_text=True)
    assert all(f'value="{bag}"' in page for bag in bags)
    assert sum(" photos " in sql for sql in sent) == 1, [sql for sql in sent if " photos " in sql]
    take(staff, bags[1], "front", jpeg())
    sha = shots_of(db, bags[1])[0][1]
    row = next(row for row in staff.get("/shipments").get_data(as_text=True).split("<tr>") if bags[1] in row)
    assert f'src="/photos/{sha}"' in row and "Photos of" in row and "none: take them" not in row
    staff.post("/lang", {"lang": "fr", "next": "/shipments"})
    assert "aucune : les prendre" in staff.get("/shipments").get_data(as_text=True)


def test_recent_shipments_count_their_bags_newest_first(db) -> None:
    actor = actor_of(db)
    first, second = accepted_tradeins(db, 2), accepted_tradeins(db, 3, first=2)
    older = shipping.close_shipment(db, actor, first)
    newer = shipping.close_shipment(db, actor, second)
    shipping.apply_updates(
        db,
        [{"id": "u1", "tradein_uuid": second[0], "at": "2026-12-07T10:00:00+00:00", "action": "received", "by": "HQ"}],
    )
    shown = [(s["code"], s["bags"], s["received"]) for s in shipping.recent_shipments(db, actor.store_id)]
    assert shown == [(newer["code"], 3, 1), (older["code"], 2, 0)]
    assert [s["code"] for s in shipping.recent_shipments(db, actor.store_id, limit=1)] == [newer["code"]]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_benchmarked_page_scans_a_table_the_years_fill(app, db, client: KioskClient, language) -> None:
    """On a seeded store with SQLite's statistics (ANALYZE), as the benchmark's: print jobs, vouchers, shipments
    and refused photos are read through their indexes (migration 38), whatever the store holds."""
    data = big_store.seed(db, tradeins=3000, sales=500)
    client.login(app)
    client.post("/lang", {"lang": language, "next": "/tradeins"})
    rows = {"HX-Request": "true", "HX-Target": "tradein-rows"}
    with statements_of_requests(app) as sent:
        for path, headers in (
            (f"/tradeins?q={data.imei_fragment}", rows),
            ("/tradeins", rows),
            ("/pos", {}),
            (f"/tradeins/{data.old_tradein}", {}),
            ("/sync", {}),
            ("/shipments", {}),
            ("/pos/reports", {}),
        ):
            assert client.get(path, headers=headers).status_code == 200, path
    reads = [sql for sql in dict.fromkeys(sent) if sql.lstrip().upper().startswith("SELECT")]
    assert len(reads) > 30
    assert {sql[:120]: scans for sql in reads if (scans := scans_of_growing_tables(db, sql))} == {}
    assert staff_id(db, "Camille Martin")


def test_a_templates_text_is_escaped_and_formatted_as_jinjas_own_gettext_did(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string('{{ _("Ship %(code)s", code=c) }}', c="<b>&") == "Ship &lt;b&gt;&amp;"
        assert render_template_string('{{ _("Amount or percent (e.g. 5 or 10 %%)") }}').endswith("10 %)")
        assert render_template_string('{{ _("Till") }}') == "Till"
        plain = app.jinja_env.from_string('{% autoescape false %}{{ _("Ship %(code)s", code=c) }}{% endautoescape %}')
        assert plain.render(c="<b>") == "Ship <b>"
