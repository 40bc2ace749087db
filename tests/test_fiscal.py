"""The till's fiscal records (CGI art. 286 I-3° bis): insert-only tables, an Ed25519-signed chain anchored at HQ,
closures whose perpetual totals add up, and a signed XML archive an inspector checks without the database."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import fiscal
from core.fiscal_archive import SCHEMA_FILE
from hq.services import register_anchors
from kiosk.compliance.audit import Actor
from kiosk.hq_link import push
from kiosk.store.db import open_database, write_transaction
from kiosk.till import closures, fiscal_chain, reports, returns, sales
from sync.client import batch_body
from tests.conftest import KioskClient, make_app
from tests.test_compliance import flask_cli
from tests.test_hq_receiving import HQStaff
from tests.test_pos import BOOK, CASE, CHARGER, fill, manager_approval

MONTH = date.today().isoformat()[:7]


def sell(staff: KioskClient, db, *codes: str) -> dict:
    fill(staff, *codes)
    assert staff.post("/pos/pay", {"cash_given": "200"}).status_code == 303
    row = db.execute("SELECT uuid, number, total_minor FROM sales ORDER BY rowid DESC LIMIT 1").fetchone()
    return dict(zip(("uuid", "number", "total"), row, strict=True))


def day_of_business(app, staff: KioskClient, db) -> dict:
    """Two sales, a return of one line, a Z: every fiscal table gets rows, through the till's routes."""
    first = sell(staff, db, CASE, CHARGER)
    sell(staff, db, BOOK)
    assert staff.post(f"/pos/sales/{first['uuid']}/return", {"qty-1": "1"}).status_code == 303
    assert staff.post("/pos/reports/z", {"counted_cash": "0", "confirm": "1", "comment": "counted by the test",
                                         **manager_approval(db)}).status_code in (200, 303)
    return first


def seq_of(db, sale: dict) -> int:
    return db.execute("SELECT seq FROM fiscal_records WHERE doc_uuid = ?", [sale["uuid"]]).fetchone()[0]


def drop_triggers(db, *tables: str) -> None:
    for table in tables:
        for action in ("update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    db.conn.commit()


def test_update_and_delete_are_refused_on_every_fiscal_table(app, staff, db, tmp_path):
    day_of_business(app, staff, db)
    assert flask_cli(app, "fiscal", "archive", "--period", MONTH, "--out", str(tmp_path / "a.xml")).returncode == 0
    for table in (*fiscal.FISCAL_TABLES, "z_reports"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        column = db.execute(f"SELECT name FROM pragma_table_info('{table}') LIMIT 1").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(f"UPDATE {table} SET {column} = {column}")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(f"DELETE FROM {table}")
    kinds = [r[0] for r in db.execute("SELECT kind FROM fiscal_records ORDER BY seq")]
    assert kinds[0] == "jet" and db.execute("SELECT code FROM fiscal_events").fetchone()[0] == "sign_in"
    assert kinds[1:4] == ["sale", "sale", "return"] and "closure" in kinds and kinds[-2:] == ["archive", "jet"]
    assert flask_cli(app, "fiscal", "verify").returncode == 0


def test_verify_names_the_ticket_whose_amount_was_changed_with_the_triggers_dropped(app, staff, db):
    first = sell(staff, db, CASE, CHARGER)
    sell(staff, db, BOOK)
    assert flask_cli(app, "fiscal", "verify").returncode == 0
    drop_triggers(db, "sales", "sale_lines")
    db.execute("UPDATE sale_lines SET unit_minor = 990 WHERE sale_uuid = ? AND line_no = 2", [first["uuid"]])
    db.execute("UPDATE sales SET total_minor = total_minor - 1500 WHERE uuid = ?", [first["uuid"]])
    db.conn.commit()
    out = flask_cli(app, "fiscal", "verify")
    assert out.returncode == 1
    seq = seq_of(db, first)
    assert f"record {seq} (sale {first['number']}): the ticket's amounts differ from the signed record" in out.stderr


def test_verify_names_a_deleted_ticket(app, staff, db):
    sell(staff, db, CASE)
    second = sell(staff, db, CHARGER)
    sell(staff, db, BOOK)
    seq = seq_of(db, second)
    drop_triggers(db, "sales", "sale_lines", "tenders", "fiscal_records")
    db.execute("DELETE FROM fiscal_records WHERE doc_uuid = ?", [second["uuid"]])
    for table, key in (("tenders", "sale_uuid"), ("sale_lines", "sale_uuid"), ("sales", "uuid")):
        db.execute(f"DELETE FROM {table} WHERE {key} = ?", [second["uuid"]])
    db.conn.commit()
    out = flask_cli(app, "fiscal", "verify")
    assert out.returncode == 1 and f"record {seq} is missing (the next record is record {seq + 1} (sale" in out.stderr


def _resign_with_a_new_key(db, key_folder: Path) -> None:
    """What a store that wants to rewrite its past would do: drop the triggers, throw the key away, make a new one
    and re-sign the whole chain (here after raising a ticket's amount)."""
    drop_triggers(db, "fiscal_records", "fiscal_keys")
    terminal = db.execute("SELECT terminal_id FROM fiscal_keys").fetchone()[0]
    private = fiscal.new_private_key_pem()
    (key_folder / f"fiscal-{terminal}.pem").write_text(private)
    db.execute("UPDATE fiscal_keys SET public_key = ?", [fiscal.public_key_pem(private)])
    prev = fiscal.GENESIS
    for seq, in db.execute("SELECT seq FROM fiscal_records ORDER BY seq").fetchall():
        row = dict(zip([d[0] for d in db.execute("SELECT * FROM fiscal_records").description],
                       db.execute("SELECT * FROM fiscal_records WHERE seq = ?", [seq]).fetchone(), strict=True))
        row["prev_signature"] = prev
        row["signature"] = prev = fiscal.sign(private, row)
        db.execute("UPDATE fiscal_records SET prev_signature = ?, signature = ? WHERE seq = ?",
                   [row["prev_signature"], row["signature"], seq])
    db.conn.commit()


def test_a_chain_re_signed_with_a_new_key_differs_from_hqs_anchor_and_its_head_is_a_refused_fork(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    from tests.test_sync import client_of, kiosk_for

    app = kiosk_for(tmp_path, hq_url, hq_store)
    staff = KioskClient(app.test_client())
    staff.login(app)
    db = db_of(app)
    sell(staff, db, CASE)
    sell(staff, db, CHARGER)
    push(db, client_of(app), 100)
    anchored, last = client_of(app).fiscal_anchor(), fiscal_chain.head(db)["seq"]
    assert anchored["seq"] == last and list(anchored["keys"]) == [db.execute("SELECT terminal_id FROM fiscal_keys")
                                                               .fetchone()[0]]
    assert flask_cli(app, "fiscal", "verify", sync=True).returncode == 0
    _resign_with_a_new_key(db, Path(app.config["REGISTER_KEY_FILE"]).parent)
    assert flask_cli(app, "fiscal", "verify").returncode == 0  # alone, the re-signed chain looks whole
    out = flask_cli(app, "fiscal", "verify", sync=True)
    assert out.returncode == 1, out.stdout
    assert re.search(r"record \d+ \(sale S-[\w-]+\): its signature does not verify", out.stderr), out.stderr
    assert f"record {last} (sale" in out.stderr and "differs from the chain head HQ anchored" in out.stderr
    forked = fiscal_chain.head(db)  # the re-signed chain's head, at the number HQ anchored: a fork, refused
    ack = client_of(app).post_batch(batch_body(uuid.uuid4().hex, [], None, {"fiscal_head": forked}))
    assert ack["fiscal"]["code"] == "fiscal_fork" and ack["fiscal"]["params"] == {"seq": last, "anchored": last}
    assert client_of(app).fiscal_anchor()["hash"] == anchored["hash"] != forked["hash"]
    assert [f["seq"] for f in register_anchors.all_forks(hq_app.extensions["hq.storage"], "fiscal")] == [last]
    page = HQStaff(hq_app, "Inès Moreau", "supervisor").get("/hq/stores").get_data(as_text=True)
    assert "Till fiscal chain forks" in page and forked["hash"][:16] in page  # shown to HQ's supervisors


def test_the_archive_validates_against_the_shipped_xsd_and_verifies_without_the_database(app, staff, db, tmp_path):
    day_of_business(app, staff, db)
    out, key = tmp_path / "archive.xml", tmp_path / "terminal.pem"
    made = flask_cli(app, "fiscal", "archive", "--period", MONTH, "--out", str(out))
    assert made.returncode == 0, made.stderr
    xmlschema.XMLSchema(str(SCHEMA_FILE)).validate(str(out))
    key.write_text(db.execute("SELECT public_key FROM fiscal_keys").fetchone()[0])
    elsewhere = tmp_path / "inspector"  # no database at all on the inspector's side: only the file and the key
    elsewhere.mkdir()
    shutil.copy(out, elsewhere / "archive.xml")
    checked = flask_cli(app, "fiscal", "verify", str(elsewhere / "archive.xml"), "--public-key", str(key))
    assert checked.returncode == 0 and "intact" in checked.stdout
    text = out.read_text()
    second = re.findall(r'<record seq="(\d+)" kind="(\w+)"[^>]*number="([^"]+)"[^>]*totalMinor="(-?\d+)"', text)[1]
    forged = text.replace(f'number="{second[2]}" ', f'number="{second[2]}" ', 1).replace(
        f'totalMinor="{second[3]}"', f'totalMinor="{int(second[3]) - 100}"', 1)
    (elsewhere / "forged.xml").write_text(forged)
    refused = flask_cli(app, "fiscal", "verify", str(elsewhere / "forged.xml"), "--public-key", str(key))
    assert refused.returncode == 1 and f"record {second[0]} ({second[1]} {second[2]})" in refused.stderr
    other = tmp_path / "other.pem"
    other.write_text(fiscal.public_key_pem(fiscal.new_private_key_pem()))
    assert flask_cli(app, "fiscal", "verify", str(out), "--public-key", str(other)).returncode == 1


def test_the_attestation_names_the_store_the_software_and_the_four_conditions(app):
    out = flask_cli(app, "fiscal", "attestation")
    assert out.returncode == 0
    assert "ATTESTATION INDIVIDUELLE" in out.stdout and "inaltérabilité" in out.stdout and "archivage" in out.stdout


def test_a_month_and_its_year_close_by_themselves_at_the_first_ticket_of_the_next(app, staff, db):
    sell(staff, db, CASE)
    terminal = db.execute("SELECT terminal_id FROM fiscal_keys").fetchone()[0]
    year = int(MONTH[:4])
    with write_transaction(db):  # the service a ticket of next January runs before its own record
        done = closures.close_elapsed(db, terminal, f"{year + 1}-01-02")
    assert [(c["level"], c["label"]) for c in done] == [("month", MONTH), ("year", str(year))]
    assert done[0]["data"]["period"] == done[1]["data"]["period"] and done[0]["data"]["tickets"] == 1
    with write_transaction(db):
        assert closures.close_elapsed(db, terminal, f"{year + 1}-01-03") == []  # closed once


# Through the till's services (no SQL): random sales (some lines discounted), returns of parts of them, Z closures.
OPERATION = st.one_of(
    st.tuples(st.just("sale"), st.lists(st.sampled_from([CASE, CHARGER, BOOK]), min_size=1, max_size=3),
              st.integers(0, 500)),
    st.tuples(st.just("return"), st.integers(0, 10**6), st.integers(1, 3)),
    st.tuples(st.just("z"), st.just(0), st.just(0)),
)
SEEDED: dict[str, Path] = {}


def _fresh_database(tmp_path_factory) -> tuple:
    if "db" not in SEEDED:
        app = make_app(tmp_path_factory.mktemp("fiscal-seed"))
        SEEDED["db"] = Path(app.config["DATABASE"])
    folder = tmp_path_factory.mktemp("fiscal")
    shutil.copy(SEEDED["db"], folder / "kiosk.db")
    db = open_database(folder / "kiosk.db")
    store, terminal = db.execute("SELECT id, (SELECT id FROM terminals WHERE mode = 'staff') FROM stores").fetchone()
    staff_id = db.execute("SELECT id FROM staff WHERE role = 'manager'").fetchone()[0]
    return db, Actor(staff_id, store, terminal)


def _run(db, actor: Actor, operation: tuple) -> None:
    kind, first, second = operation
    if kind == "sale":
        for code in first:
            sales.scan(db, actor.terminal_id, code)
        line = sales.cart(db, actor.terminal_id)[0]
        discount = min(second, line.line.gross_minor)
        if discount:
            sales.set_discount(db, actor.terminal_id, line.line_no, discount, "test discount", actor.staff_id)
        total = sum(c.line.total_minor for c in sales.cart(db, actor.terminal_id))
        sales.checkout(db, actor, "EUR", sales.Payment(cash_given_minor=total), date.today())
    elif kind == "return":
        sold = db.execute("SELECT uuid FROM sales WHERE kind = 'sale' ORDER BY rowid").fetchall()
        if sold:
            with contextlib.suppress(sales.SaleError):  # all taken back already: the till refuses, rightly
                returns.record_return(db, actor, sold[first % len(sold)][0], {1: 1}, date.today())
    else:
        expected = reports.figures(db, actor.store_id)["expected_cash_minor"]
        reports.close_z(db, actor, max(expected, 0), "refunds above the takings")


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(OPERATION, min_size=210, max_size=240))
def test_every_closures_perpetual_total_is_the_sum_of_its_tickets_and_periods_add_up(tmp_path_factory, operations):
    db, actor = _fresh_database(tmp_path_factory)
    try:
        for operation in operations:
            _run(db, actor, operation)
        with write_transaction(db):
            month = closures.close(db, "month", MONTH, actor.terminal_id)
            year = closures.close(db, "year", MONTH[:4], actor.terminal_id)
        tickets = [(r["seq"], r["total_minor"], json.loads(r["totals"])) for r in fiscal_chain.records(db)
                   if r["kind"] in fiscal.TICKET_KINDS]
        assert sum(t[1] for t in tickets) == db.execute("SELECT sum(total_minor) FROM sales").fetchone()[0]
        days = closures.closures(db, "day")
        for closure in days + [month, year]:
            upto = [t for t in tickets if t[0] <= closure["last_seq"]]
            assert closure["data"]["perpetual_minor"] == sum(t[1] for t in upto)
            assert closure["data"]["perpetual"] == fiscal.add_totals(*(t[2] for t in upto))
        after_last_z = [t[2] for t in tickets if t[0] > max((d["last_seq"] for d in days), default=0)]
        assert fiscal.add_totals(*(d["data"]["period"] for d in days), *after_last_z) == month["data"]["period"]
        assert month["data"]["period"] == year["data"]["period"] == year["data"]["perpetual"]
        assert fiscal_chain.verify(db) == []
    finally:
        db.close()
