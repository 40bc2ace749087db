"""The outside attack run's findings (issue 16), one test per item, named after it, against real processes over
HTTP where the finding was made that way."""

from __future__ import annotations

import csv
import html
import io
import json
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hq.services.staff import add_staff
from kiosk.store.db import fetch_one, open_database
from testing.hostile import Browser, hq_staff, kiosk_staff, probe_picture_uploads, probe_voucher_forgery
from testing.printer_emulator import free_port
from testing.processes import hq_process, kiosk_process, peak_rss_mb
from testing.samples import ADULT_SELLER, PIN
from tests.conftest import KioskClient, make_app, model_id, run_to_quote, staff_id
from tests.hq_fixtures import create_hq_app
from tests.test_compliance import flask_cli

HQ_PIN = "135790"


@pytest.fixture
def hq_with_receiver(tmp_path):
    """HQ as its own process, with a receiver (made through HQ's own code before it starts)."""
    setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    add_staff(setup.extensions["hq.storage"], "Inès Moreau", "receiver", HQ_PIN)
    receiver = "Inès Moreau"
    stores = [setup.extensions["hq.storage"].add_store(name) for name in ("Boutique A", "Boutique B")]
    with hq_process(tmp_path / "hq") as (base, _process):
        yield base, receiver, stores


def test_high_1_picture_bomb_and_empty_upload_on_all_three_routes(tmp_path, hq_with_receiver):
    hq_base, receiver, _stores = hq_with_receiver
    with kiosk_process(tmp_path / "kiosk", DEMO="true", DEMO_PIN=PIN, PRINTER_DRIVER="dummy") as (base, process):
        staff = kiosk_staff(base, "Camille Martin", PIN)
        customer = Browser(base)
        customer.get("/customer/")
        assert customer.post("/customer/start", {"kind": "phone"}).status_code == 303
        customer.get("/customer/device")  # the page the photo button is on (a new session: a new form token)
        findings = probe_picture_uploads({
            "staff snapshot": (staff, "/scan/image"), "customer *#06# photo": (customer, "/customer/device/photo"),
            "HQ sticker": (hq_staff(hq_base, receiver, HQ_PIN), "/hq/checkin/photo")},
            peak_mb=lambda: peak_rss_mb(process.pid))
    assert all(f.held for f in findings), "\n".join(f.line() for f in findings)


def test_high_2_a_store_cannot_mint_or_drain_another_stores_voucher(hq_with_receiver):
    base, _receiver, (store_a, store_b) = hq_with_receiver
    findings = probe_voucher_forgery(base, store_a, store_b)
    assert all(f.held for f in findings), "\n".join(f.line() for f in findings)


def test_medium_4_open_redirect_refused_after_the_browser_clean_up(app):
    from core.text import local_path

    for hostile in ("//127.0.0.2/x", "/\t/127.0.0.2/x", "/\\127.0.0.2/x", "https://127.0.0.2/", "/\n/127.0.0.2",
                    "\x00//127.0.0.2", "javascript:alert(1)", "／／127.0.0.2"):
        assert local_path(hostile) is None, hostile
    assert local_path("/tradeins?q=1") == "/tradeins?q=1"
    client = KioskClient(app.test_client())
    with open_database(app.config["DATABASE"]) as database:
        member = staff_id(database, "Camille Martin")
    for where in ("/login?next=%2F%09%2F127.0.0.2%2Fx", "/login?next=%2F%5C127.0.0.2"):
        client.get("/login")
        response = client.post(where, {"staff_id": member, "pin": PIN})
        assert response.headers["Location"] == "/tradeins", where
        client.post("/logout")
    client.get("/login")
    switched = client.post("/lang", {"lang": "en", "next": "/\t/127.0.0.2/x"})
    assert switched.headers["Location"] == "/"


def test_medium_4_hq_login_never_leaves_hq(hq_app):
    from tests.test_hq_receiving import CSRF

    add_staff(hq_app.extensions["hq.storage"], "Inès Moreau", "receiver", HQ_PIN)
    client = hq_app.test_client()
    token = CSRF.search(client.get("/hq/login").get_data(as_text=True)).group(1)
    response = client.post("/hq/login?next=%2F%09%2F127.0.0.2%2Fx", data={"csrf_token": token, "name": "Inès Moreau",
                                                                          "pin": HQ_PIN})
    assert response.status_code == 302 and response.headers["Location"] == "/hq/"


def test_medium_6_control_characters_never_reach_the_printer_and_identity_refuses_them(app, staff, db):
    from core.receipts import Receipt
    from hardware.escpos_render import render

    uuid = run_to_quote(staff, device_id=model_id(app))
    refused = staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "first_names": "Jean\x1bp\x00\x19",
                                                      "surname": "Du\x00pont"})
    assert refused.status_code == 422 and "control characters" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM police_register").fetchone()[0] == 0  # nothing saved
    receipt = Receipt(title="T", header=("Jean \x1bp\x00\x19\u200bDupont",), code="TI-AAAA-BBBB", sections=(),
                      totals=(), total=("Total", "1,00 €"), barcode="TI-AAAA-BBBB", footer=("line\x1b@two",))
    data = render(receipt, "TM-T88V")
    assert b"\x1bp\x00\x19" not in data and b"Jean pDupont" in data and b"line@two" in data


def test_medium_7_every_csv_export_neutralises_formulas(tmp_path, hq_app, hq_store):
    from hq.services.ingest import Record, ingest
    from tests.test_hq_receiving import HQStaff

    kiosk = make_app(tmp_path / "kiosk")
    clerk = KioskClient(kiosk.test_client())
    clerk.login(kiosk)
    uuid = run_to_quote(clerk, device_id=model_id(kiosk))
    formula = '=HYPERLINK("http://127.0.0.2/x","click")'
    assert clerk.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "address": formula}).status_code == 303
    today = datetime.now(UTC).date().isoformat()
    rows = list(csv.reader(io.StringIO(flask_cli(kiosk, "register", "export", "--from", today, "--to",
                                                 today).stdout)))
    assert "'" + formula in rows[1] and formula not in rows[1]
    storage, (store_id, _secret) = hq_app.extensions["hq.storage"], hq_store
    payload = {"uuid": "u1", "code": "TI-AAAA-CCCC", "brand": "@SUM(A1)", "model": "+cmd|' /C calc'!A0",
               "total_minor": 100}
    ingest(storage, store_id, "b1", [Record(1, "3f2b6c1e-0000-4000-8000-000000000001", "tradein.accepted",
                                            json.dumps(payload))])
    exported = HQStaff(hq_app, "Inès Moreau", "receiver").get("/hq/inbox.csv").get_data(as_text=True)
    cells = next(row for row in csv.reader(io.StringIO(exported)) if "TI-AAAA-CCCC" in row)
    assert "'@SUM(A1)" in cells and "'+cmd|' /C calc'!A0" in cells


def test_medium_8_the_same_id_number_however_typed_is_one_seller(app, staff, db):
    from core.text import canonical_id_number

    typed = ["X4RTBPFW4", "x4r-tbp-fw4", "X4R\u00adTBPFW4", "X4R\u200bTBP\u200dFW4", "X4R TBP FW4",
             "Ｘ４ＲＴＢＰＦＷ４", "X4R\u2011TBP\u2013FW4"]
    assert {canonical_id_number(t) for t in typed} == {"X4RTBPFW4"}
    imeis = ("490154203237518", "352099001761481", "356938035643809", "353918057629418")
    for n, (imei, number) in enumerate(zip(imeis, typed[:4], strict=True)):
        uuid = run_to_quote(staff, imei=imei, device_id=model_id(app))
        response = staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "id_doc_number": number})
        assert response.status_code == (303 if n < 3 else 422), number  # the 4th in a day needs a manager
    cipher = app.extensions["kiosk.cipher"]
    numbers = {json.loads(cipher.decrypt(r[0]))["id_doc_number"] for r in db.execute("SELECT identity FROM "
                                                                                     "police_register")}
    assert numbers == {"X4RTBPFW4"}  # no invisible character reached the register


def test_medium_3_hq_sign_in_locks_after_wrong_pins_and_lists_nobody(hq_app):
    from tests.test_hq_receiving import CSRF

    add_staff(hq_app.extensions["hq.storage"], "Inès Moreau", "receiver", HQ_PIN)
    client = hq_app.test_client()
    page = client.get("/hq/login").get_data(as_text=True)
    assert "Inès" not in page  # an anonymous visitor learns no name
    token = CSRF.search(page).group(1)

    def sign_in(pin: str):
        return client.post("/hq/login", data={"csrf_token": token, "name": "inès moreau", "pin": pin})

    answers = [sign_in("000000") for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5 and "now locked" in answers[-1].get_data(as_text=True)
    right_pin = sign_in(HQ_PIN)  # the right PIN, too late
    assert right_pin.status_code == 401 and "locked" in right_pin.get_data(as_text=True)


def test_medium_3_rate_limits_on_both_sign_ins_and_on_anonymous_customer_writes(app, hq_app):
    from tests.test_hq_receiving import CSRF

    kiosk = KioskClient(app.test_client())
    kiosk.get("/login")
    statuses = [kiosk.post("/login", {"staff_id": "nobody", "pin": "000000"}).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    def start_an_estimate() -> int:  # a new visitor each time, all from the same screen (one address)
        customer = KioskClient(app.test_client())
        customer.get("/customer/")
        return customer.post("/customer/start", {"kind": "phone"}).status_code

    starts = [start_an_estimate() for _ in range(25)]
    assert starts.count(303) == 20 and starts[20:] == [429] * 5
    hq = hq_app.test_client()
    token = CSRF.search(hq.get("/hq/login").get_data(as_text=True)).group(1)
    hq_statuses = [hq.post("/hq/login", data={"csrf_token": token, "name": "x", "pin": "1"}).status_code
                   for _ in range(12)]
    assert hq_statuses[:10] == [401] * 10 and hq_statuses[10:] == [429, 429]


def test_medium_9_hq_refuses_reference_files_that_break_tills_and_a_till_keeps_what_it_has(tmp_path, hq_app,
                                                                                          hq_url, hq_store, db_of):
    from kiosk.tradein.reference import pull
    from tests.test_hq_receiving import HQStaff
    from tests.test_sync import client_of, kiosk_for

    supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")

    def upload(name: str, content: bytes):
        return supervisor.post("/hq/publish/preview", {"kind": "products", "version": "P-X", "file": (
            io.BytesIO(content), name)}, content_type="multipart/form-data")

    wrong_ean = upload("p.csv", b"ean,name,kind,price_minor,vat_bp\n3761234500015,Coque,accessory,1990,2000\n")
    negative = upload("p.csv", b"ean,name,kind,price_minor,vat_bp\n3761234500014,Coque,accessory,-5,2000\n")
    not_objects = upload("p.json", b'{"products": [1, "two", null]}')
    too_deep = upload("p.json", b'{"products": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    for answer, said in ((wrong_ean, "row 1: ean is not a valid EAN"), (negative, "row 1: price_minor must be"),
                         (not_objects, "row 1:  is not an object"), (too_deep, "JSON")):
        assert answer.status_code == 422 and said in html.unescape(answer.get_data(as_text=True)), said
    kiosk = kiosk_for(tmp_path, hq_url, hq_store)
    db = db_of(kiosk)
    before = db.execute("SELECT count(*) FROM products").fetchone()[0]
    hq_app.extensions["hq.storage"].publish("products", "P-BROKEN", json.dumps({"products": [  # past HQ's checks
        {"ean": "3761234500015", "name": "x", "kind": "accessory", "price_minor": -1, "vat_bp": 2000}]}))
    assert pull(db, client_of(kiosk)) == ["products P-BROKEN refused"]
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == before == 7
    staff = KioskClient(kiosk.test_client())
    staff.login(kiosk)
    page = staff.get("/sync").get_data(as_text=True)
    assert "P-BROKEN" in page and "price_minor must be a whole number" in html.unescape(page)


def test_low_12_a_deeply_nested_batch_is_refused_before_parsing(hq_app, hq_url, hq_store):
    import requests

    from core.protocol import signed_headers

    store_id, secret = hq_store
    path = f"/api/v1/stores/{store_id}/batches"
    for body in (b'{"batch_id": "b-deep-01", "records": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
                 b'{"batch_id": "b-deep-02", "records": [' + b'{"a":' * 50 + b"1" + b"}" * 50 + b"]}"):
        headers = signed_headers(store_id, secret, int(time.time()), "POST", path, body)
        answer = requests.post(hq_url + path, data=body, headers=headers, timeout=10)
        assert answer.status_code == 422 and "nests" in answer.json()["error"]  # a clear refusal, never a 500


def test_medium_5_a_rewritten_register_is_found_even_re_chained_and_verify_passes_after_a_lawful_purge(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    from kiosk.compliance import privacy, register
    from sync import pusher
    from tests.test_sync import client_of, kiosk_for, take_trade_ins

    kiosk = kiosk_for(tmp_path, hq_url, hq_store)
    take_trade_ins(kiosk, 3)
    db, cipher = db_of(kiosk), kiosk.extensions["kiosk.cipher"]
    pusher.drain(db, client_of(kiosk), 100, anchor=register.head)  # the head goes to HQ with the batch
    env_cli = lambda *a: flask_cli(kiosk, *a, sync=True)  # noqa: E731
    intact = env_cli("register", "verify")
    assert intact.returncode == 0 and "compared with HQ's anchor: entry 3" in intact.stdout

    def rewrite(price: int, keyed: bool) -> None:  # the attack: triggers dropped, entry 2 changed, chain recomputed
        db.execute("DROP TRIGGER IF EXISTS police_register_append_only")
        rows = db.execute("SELECT seq FROM police_register ORDER BY seq").fetchall()
        prev = register.GENESIS
        for (seq,) in rows:
            row = fetch_one(db, "SELECT * FROM police_register WHERE seq = ?", [seq])
            row["price_minor"] = price if seq == 2 else row["price_minor"]
            identity = json.loads(cipher.decrypt(row["identity"]))
            digest = register.entry_hash(prev, register._content(row, identity), cipher if keyed else None)
            db.execute("UPDATE police_register SET price_minor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                       [row["price_minor"], prev, digest, seq])
            prev = digest
        db.conn.commit()

    rewrite(1, keyed=False)  # without the key: the keyed hashes no longer match
    plain = env_cli("register", "verify")
    assert plain.returncode == 1 and "entry 2 was changed" in plain.stderr
    rewrite(2, keyed=True)  # even with the key: HQ's anchor tells
    keyed = env_cli("register", "verify")
    assert keyed.returncode == 1 and "differs from the chain head anchored outside the terminal" in keyed.stderr

    # A lawful purge (entries entered over 10 years ago) keeps the rest verifiable.
    fresh = make_app(tmp_path / "purge")
    fresh_db = db_of(fresh)
    take_trade_ins(fresh, 3)
    fresh_db.execute("DROP TRIGGER police_register_append_only")  # age two entries as if written in 2014
    fresh_db.execute("UPDATE police_register SET entered_at = '2014-01-0' || seq || 'T10:00:00+00:00' WHERE seq < 3")
    fresh_db.conn.commit()
    assert privacy.purge(fresh_db)["register_entries_removed"] == 2
    after = flask_cli(fresh, "register", "verify")
    assert after.returncode == 0 and "1 entries" in after.stdout, after.stderr


def test_bench_hostile_replays_every_high_and_medium_item_over_http_and_all_hold():
    from bench.hostile import main

    assert main() == 0


def test_low_13_a_captured_signed_request_cannot_be_replayed_with_another_query(hq_app, hq_url, hq_store):
    import requests

    from core.protocol import signed_headers, signed_target

    store_id, secret = hq_store
    path = f"/api/v1/stores/{store_id}/updates"
    captured = signed_headers(store_id, secret, int(time.time()), "GET", signed_target(path, "after=A"), b"")
    assert requests.get(f"{hq_url}{path}?after=A", headers=captured, timeout=10).status_code == 200
    replayed = requests.get(f"{hq_url}{path}?after=", headers=captured, timeout=10)
    assert replayed.status_code == 401 and "wrong signature" in replayed.json()["error"]


def test_low_16_a_printer_that_takes_the_connection_but_never_reads_is_a_failed_job(tmp_path):
    from testing.printer_emulator import PrinterEmulator
    from tests.test_network_printer import signed_in

    with PrinterEmulator(silent=True) as printer:
        app = make_app(tmp_path, PRINTER_DRIVER="network", PRINTER_TARGET=f"127.0.0.1:{printer.port}",
                       PRINTER_TIMEOUT=1)
        staff = signed_in(app)
        uuid = run_to_quote(staff, device_id=model_id(app))
        started = time.monotonic()
        page = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER, follow_redirects=True).get_data(as_text=True)
        assert time.monotonic() - started < 5 and "did not confirm the job" in page and "Reprint" in page
        with open_database(app.config["DATABASE"]) as database:
            assert database.execute("SELECT status FROM print_jobs").fetchone()[0] == "failed"
            assert database["tradeins"].get(uuid)["state"] == "accepted"  # the trade-in is kept whole


def test_low_17_messages_say_what_happened_in_the_readers_language(tmp_path, hq_app, hq_url, hq_store):
    import sqlite3

    from tests.test_sync import kiosk_for

    app = make_app(tmp_path / "fr", LANGUAGE="fr", PRINTER_DRIVER="network",
                   PRINTER_TARGET=f"127.0.0.1:{free_port()}", PRINTER_TIMEOUT=1)
    with app.test_request_context():
        from kiosk.i18n import database_trouble

        busy = database_trouble(sqlite3.OperationalError("database is locked"))
        assert "occupée" in busy and "disque" not in busy  # busy is not a full disk
    staff = KioskClient(app.test_client())
    staff.login(app)
    uuid = run_to_quote(staff, device_id=model_id(app))
    page = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER, follow_redirects=True).get_data(as_text=True)
    assert "L'imprimante" in html.unescape(page) and "The printer" not in page  # the printer's reason in French
    detail = html.unescape(staff.get(f"/tradeins/{uuid}").get_data(as_text=True))
    assert "L'imprimante" in detail
    wrong = kiosk_for(tmp_path, hq_url, hq_store, secret="not-the-secret")
    take = KioskClient(wrong.test_client())
    take.login(wrong)
    uuid = run_to_quote(take, device_id=model_id(wrong))
    take.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    pushed = flask_cli(wrong, "sync", "push", sync=True)
    assert pushed.returncode == 1 and "Traceback" not in pushed.stderr
    assert "push failed, nothing lost" in pushed.stderr and "wrong signature" in pushed.stderr


def test_low_11_z_needs_a_manager_nobody_approves_their_own_request_only_admins_create_admins(app, staff, db):
    from kiosk.compliance.staff import StaffAuthError, add_staff

    clerk_alone = staff.post("/pos/reports/z", {"counted_cash": "0", "confirm": "1"})
    assert clerk_alone.status_code == 422 and "A manager must approve closing the day" in clerk_alone.get_data(
        as_text=True)
    assert db.execute("SELECT count(*) FROM z_reports").fetchone()[0] == 0
    manager = KioskClient(app.test_client())
    manager.login(app, "Sacha Leroy")
    own = manager.post("/pos/reports/z", {"counted_cash": "0", "confirm": "1",
                                          "approver_id": staff_id(db, "Sacha Leroy"),
                                          "approver_pin": PIN})
    assert own.status_code == 422 and "Nobody approves their own request" in own.get_data(as_text=True)
    approved = staff.post("/pos/reports/z", {"counted_cash": "0", "confirm": "1",
                                             "approver_id": staff_id(db, "Sacha Leroy"),
                                             "approver_pin": PIN})
    assert approved.status_code == 303 and db.execute("SELECT count(*) FROM z_reports").fetchone()[0] == 1
    store = db.execute("SELECT id FROM stores").fetchone()[0]
    with pytest.raises(StaffAuthError, match="Only an admin"):
        add_staff(db, store, "Mallory", "admin", "135790", staff_id(db, "Sacha Leroy"))
    admin = add_staff(db, store, "Ada Admin", "manager", "135790", staff_id(db, "Sacha Leroy"))
    assert admin  # a manager still adds managers and clerks


def test_low_14_data_at_rest_is_private_and_hq_keeps_store_secrets_sealed(tmp_path, hq_app, hq_store):
    import stat

    from tests.test_sync import take_trade_ins

    kiosk = make_app(tmp_path / "kiosk")
    take_trade_ins(kiosk, 1)
    folder = Path(kiosk.config["DATA_DIR"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("kiosk.db", "kiosk.db-wal", "secret_key", "data_keys"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    hq_folder = Path(hq_app.config["DATA_DIR"])
    for name in ("secret_key", "data_keys") + (("hq.db",) if hq_app.extensions["hq.storage"].backend == "sqlite"
                                                else ()):
        assert stat.S_IMODE((hq_folder / name).stat().st_mode) == 0o600, name
    store_id, secret = hq_store
    with hq_app.extensions["hq.storage"].transaction() as tx:
        kept = tx.rows("SELECT secret FROM hq_stores WHERE id = %s", [store_id])[0][0]
    assert secret not in kept and kept.startswith("fernet:")  # a copy of the database signs as nobody
    assert hq_app.extensions["hq.storage"].store_secret(store_id) == secret
    tracked = subprocess.run(["git", "ls-files", "hq-instance", "instance"], cwd=Path(__file__).parent.parent,
                             capture_output=True, text=True).stdout
    assert tracked == ""  # no instance or data folder is in the repository


def test_low_10_a_session_cookie_copied_before_sign_out_is_dead_after_it(app, staff, hq_app):
    from tests.test_hq_receiving import HQStaff

    copied = staff.client.get_cookie("session").value
    assert staff.get("/tradeins").status_code == 200
    staff.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/tradeins").status_code == 302  # to the sign-in page: the session was closed
    receiver = HQStaff(hq_app, "Inès Moreau", "receiver")
    hq_copy = receiver.client.get_cookie("session").value
    receiver.post("/hq/logout")
    hq_thief = hq_app.test_client()
    hq_thief.set_cookie("session", hq_copy)
    assert hq_thief.get("/hq/inbox").status_code == 302
    idle = HQStaff(hq_app, "Nadia Benali", "supervisor")
    with hq_app.extensions["hq.storage"].transaction() as tx:  # 31 minutes without activity
        tx.run("UPDATE hq_sessions SET seen_at = '2020-01-01T00:00:00+00:00'")
    assert idle.get("/hq/inbox").status_code == 302
    assert hq_app.config["SESSION_COOKIE_SECURE"] is False  # a setting (HQ_SESSION_COOKIE_SECURE) behind TLS


def test_low_15_print_files_keep_no_seller_past_erasure_nor_past_their_days(tmp_path):
    import os

    from tests.test_sync import take_trade_ins

    app = make_app(tmp_path / "kiosk", PRINTER_DRIVER="file")
    prints = Path(app.config["DATA_DIR"]) / "prints"
    stale = prints / "000000-TI-OLD0-0000-receipt.escpos"
    prints.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"Jean Dupont")
    os.utime(stale, (time.time() - 8 * 86400,) * 2)  # printed 8 days ago: past PRINT_FILES_DAYS (7)
    take_trade_ins(app, 1)
    named = [p for p in prints.glob("*.escpos") if b"Dupont" in p.read_bytes()]
    assert named and not stale.exists()  # the new receipt names the seller; the old file went at this print
    erased = flask_cli(app, "privacy", "erase", "--doc-type", "national_id", "--doc-number", "X4RTBPFW4")
    assert erased.returncode == 0 and "removed" in erased.stdout, erased.stderr
    assert not [p for p in prints.glob("*.escpos") if b"Dupont" in p.read_bytes()]


def test_privacy_duties_notice_at_identity_capture_and_rights_requests_with_their_deadline(app, staff, db):
    from datetime import date

    from kiosk.compliance import privacy

    uuid = run_to_quote(staff, device_id=model_id(app))
    form = staff.get(f"/tradeins/{uuid}/seller").get_data(as_text=True)
    assert 'id="privacy-notice"' in form and "police register" in form and "within one month" in form
    logged = flask_cli(app, "privacy", "request", "--kind", "erasure", "--doc-type", "national_id",
                       "--doc-number", "x4r-tbp-fw4", "--note", "asked at the counter")
    assert logged.returncode == 0, logged.stderr
    due = privacy._one_month_after(date.today()).isoformat()
    assert f"answer by {due}" in logged.stdout
    assert privacy._one_month_after(date(2027, 1, 31)) == date(2027, 2, 28)
    manager = KioskClient(app.test_client())
    manager.login(app, "Sacha Leroy")
    page = manager.get("/staff").get_data(as_text=True)
    with app.test_request_context():  # the deadline as this reader's locale writes it
        from kiosk.formatting import _local_date

        shown = _local_date(due)
    assert 'id="privacy-requests"' in page and "erasure" in page and shown in page and due not in page
    assert flask_cli(app, "privacy", "answered", "1").returncode == 0
    assert privacy.open_requests(db) == [] and "None open." in manager.get("/staff").get_data(as_text=True)
