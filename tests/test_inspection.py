"""Inspection-ready records (issue 32, item 7): the police register in the store's language and local time, as the
CLI's CSV and a manager's printable page; the audit log filtered, paged and exported. Through the real routes, the
real `flask --app kiosk` command and the paper decoded back from its ESC/POS bytes."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from testing.paper import paper_text
from testing.samples import ADULT_SELLER, PIN
from tests.conftest import KioskClient, make_app, model_id, run_to_quote
from tests.test_compliance import flask_cli

# The register's fields as Code pénal R.321-3 ff. name them (core/data/police_register.toml), in the law's order.
FRENCH_HEADINGS = ["N° d'ordre", "Date", "Description de l'objet", "IMEI / numéro de série", "Mode d'acquisition",
                   "Nom", "Prénoms", "Qualité", "Adresse", "Nature de la pièce d'identité", "Numéro de la pièce",
                   "Date de délivrance", "Autorité de délivrance", "Prix", "Mode de paiement"]
IMEIS = ("490154203237518", "352099001761481", "356938035643809")
SHOTS = Path("/work/scratch/shots32")


def _day_boundary_zone() -> str:
    """A zone whose local day is not UTC's right now (one of +14 h and -11 h always is): the register must file the
    entry under the store's day."""
    today = datetime.now(UTC).date()
    return next(zone for zone in ("Pacific/Noumea", "Pacific/Tahiti", "Pacific/Kiritimati", "Pacific/Pago_Pago")
                if datetime.now(ZoneInfo(zone)).date() != today)


def _store_in(app, db_of, timezone: str) -> None:
    """The store as HQ enrolled it, in `timezone` (enrolment itself is tests/test_golive.py's subject)."""
    db = db_of(app)
    with db.conn:
        db.execute("UPDATE stores SET timezone = ?", [timezone])


def _accept(app, clerk: KioskClient, imei: str, seller: dict | None = None) -> str:
    uuid = run_to_quote(clerk, imei=imei, device_id=model_id(app), storage_gb=128)
    assert clerk.post(f"/tradeins/{uuid}/seller", seller or ADULT_SELLER).status_code == 303
    return uuid


def _printed_receipt(db, uuid: str) -> str:
    path = db.execute("SELECT output_ref FROM print_jobs WHERE tradein_uuid = ? AND kind = 'receipt' ORDER BY id",
                      [uuid]).fetchone()[0]
    return " ".join(paper_text(Path(path).read_bytes()).split())


def _rows(exported: str) -> list[dict]:
    lines = list(csv.reader(io.StringIO(exported)))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


@pytest.mark.parametrize("zone", ["Europe/Paris", "day boundary"])
def test_register_export_headings_are_french_and_times_equal_the_receipts(tmp_path, db_of, zone):
    zone = _day_boundary_zone() if zone == "day boundary" else zone
    app = make_app(tmp_path / "kiosk")
    _store_in(app, db_of, zone)
    clerk = KioskClient(app.test_client())
    clerk.login(app)
    uuid = _accept(app, clerk, IMEIS[0])
    db = db_of(app)
    local_day = datetime.now(ZoneInfo(zone)).date().isoformat()
    out = flask_cli(app, "register", "export", "--from", local_day, "--to", local_day)
    assert out.returncode == 0, out.stderr
    assert next(csv.reader(io.StringIO(out.stdout))) == FRENCH_HEADINGS
    [entry] = _rows(out.stdout)
    paper = _printed_receipt(db, uuid)
    shown = " ".join(entry["Date"].split())
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", shown) and shown in paper  # the receipt's time, to the letter
    entered_utc = datetime.fromisoformat(db.execute("SELECT entered_at FROM police_register").fetchone()[0])
    assert shown != entered_utc.strftime("%d/%m/%Y %H:%M")  # not UTC's time (the store is hours away from it)
    assert (entry["Nom"], entry["IMEI / numéro de série"], entry["Numéro de la pièce"]) == (
        "Dupont", IMEIS[0], "X4RTBPFW4")
    assert (entry["Mode d'acquisition"], entry["Qualité"]) == ("Achat", "Particulier")
    assert entry["Nature de la pièce d'identité"] == "Carte nationale d'identité"
    assert entry["Mode de paiement"] == "Avoir magasin (bon d'achat)" and "€" in entry["Prix"]
    utc_day = entered_utc.date().isoformat()
    if utc_day != local_day:  # the store's day, not UTC's, holds the entry
        assert _rows(flask_cli(app, "register", "export", "--from", utc_day, "--to", utc_day).stdout) == []


@pytest.fixture
def register_store(tmp_path):
    """A French store with three purchases (one seller's address a spreadsheet formula), a clerk and a manager."""
    app = make_app(tmp_path / "kiosk")
    clerk = KioskClient(app.test_client())
    clerk.login(app)
    for imei in IMEIS[:2]:
        _accept(app, clerk, imei)
    _accept(app, clerk, IMEIS[2], {**ADULT_SELLER, "address": '=HYPERLINK("http://127.0.0.2/x","x")'})
    manager = KioskClient(app.test_client())
    manager.login(app, "Sacha Leroy")
    return app, clerk, manager


def test_the_printable_register_is_for_managers_only_and_matches_the_cli(register_store):
    app, clerk, manager = register_store
    for url in ("/inspection/register", "/inspection/register.csv", "/inspection/audit", "/inspection/audit.csv"):
        assert clerk.get(url).status_code == 403, url
    today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
    page = manager.get(f"/inspection/register?from={today}&to={today}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Registre de police" in html  # the store's language, not the reader's
    assert all(f">{heading}</th>".replace("'", "&#39;") in html for heading in FRENCH_HEADINGS)
    assert html.count("490154203237518") == 1 and "356938035643809" in html
    cli = flask_cli(app, "register", "export", "--from", today, "--to", today).stdout
    download = manager.get(f"/inspection/register.csv?from={today}&to={today}")
    rows = _rows(cli)
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert _rows(download.get_data(as_text=True)) == rows and len(rows) == 3
    assert [row["N° d'ordre"] for row in rows] == ["1", "2", "3"]
    assert all(row["Date"] in html for row in rows)  # the page prints the same local times
    assert rows[2]["Adresse"].startswith("'=HYPERLINK")  # a formula is written as text
    yesterday = (datetime.fromisoformat(today) - timedelta(days=1)).date().isoformat()
    assert _rows(manager.get(f"/inspection/register.csv?from={yesterday}&to={yesterday}").get_data(
        as_text=True)) == []
    assert manager.get("/inspection/register?from=31/12/2026").status_code == 400


def _audit_rows(manager: KioskClient, query: str = "") -> list[dict]:
    return _rows(manager.get(f"/inspection/audit.csv?{query}").get_data(as_text=True))


def test_the_audit_log_filters_by_person_action_and_day_pages_and_exports(register_store, db_of):
    app, clerk, manager = register_store
    db = db_of(app)
    added = manager.post("/staff", {"name": "=1+1 Formula", "role": "clerk", "pin": "24681357"})
    assert added.status_code == 303
    new_id = db.execute("SELECT id FROM staff WHERE name = '=1+1 Formula'").fetchone()[0]
    intruder = KioskClient(app.test_client())
    assert intruder.post("/login", {"staff_id": new_id, "pin": "00000000"}).status_code in (200, 401)
    everyone = _audit_rows(manager)
    assert len(everyone) == db.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 20
    assert {row["Person"] for row in everyone} >= {"Camille Martin", "Sacha Leroy", "'=1+1 Formula"}
    camille = db.execute("SELECT id FROM staff WHERE name = 'Camille Martin'").fetchone()[0]
    mine = _audit_rows(manager, f"person={camille}")
    assert mine and {row["Person"] for row in mine} == {"Camille Martin"}
    accepted = _audit_rows(manager, "action=accepted")
    assert len(accepted) == 3 and {row["Action"] for row in accepted} == {"accepted"}
    assert [row["Trade-in"] for row in accepted] == [r[0] for r in db.execute(
        "SELECT code FROM tradeins WHERE state IN ('accepted', 'printed') ORDER BY accepted_at, rowid")]
    wrong = _audit_rows(manager, "action=pin_wrong")
    assert [row["Person"] for row in wrong] == ["'=1+1 Formula"]  # formula-safe
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    assert len(_audit_rows(manager, f"from={today}&to={today}")) == len(everyone)
    assert _audit_rows(manager, f"from={today + timedelta(days=1)}") == []
    assert _audit_rows(manager, f"to={today - timedelta(days=1)}") == []
    local = datetime.fromisoformat(db.execute("SELECT at FROM audit_log ORDER BY id").fetchone()[0]).astimezone(
        ZoneInfo("Europe/Paris"))
    assert everyone[0]["Time"] == local.isoformat(sep=" ", timespec="seconds")  # the store's local time
    page = manager.get(f"/inspection/audit?person={camille}&action=accepted").get_data(as_text=True)
    assert "3 matching row(s)" in page and "Sacha Leroy</td>" not in page


def test_the_audit_page_shows_fifty_rows_a_page_newest_first(register_store, db_of):
    app, clerk, manager = register_store
    db = db_of(app)
    while db.execute("SELECT count(*) FROM audit_log").fetchone()[0] <= 50:  # quotes: several rows each
        run_to_quote(clerk, imei=_next_imei(db), device_id=model_id(app), storage_gb=128)
    total = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    first = manager.get("/inspection/audit").get_data(as_text=True)
    assert f"{total} matching row(s) · page 1 of 2" in first and first.count('<td class="detail">') == 50
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = manager.get("/inspection/audit?page=2").get_data(as_text=True)
    assert second.count('<td class="detail">') == total - 50 and 'rel="prev"' in second
    newest_code, oldest_code = (db.execute(f"SELECT t.code FROM audit_log a JOIN tradeins t ON t.uuid = a.tradein_uuid "
                                           f"ORDER BY a.id {order} LIMIT 1").fetchone()[0] for order in ("DESC", "ASC"))
    assert newest_code in first and newest_code not in second  # its few rows are the newest: all on page 1
    last_row = second.rsplit("<tr>", 1)[1]
    assert "trade-in started" in last_row and oldest_code in last_row  # the very first row closes the last page


def _next_imei(db) -> str:
    """A valid IMEI this store has not taken yet (TAC of a catalog model, serial counted up, Luhn digit)."""
    from stdnum import luhn

    taken = db.execute("SELECT count(*) FROM tradeins").fetchone()[0]
    body = f"35209900{100000 + taken:06d}"
    return body + luhn.calc_check_digit(body)


@pytest.mark.browser
def test_screenshots_of_the_register_and_the_audit_pages(register_store):
    from tests.browser import chromium_page, live_server, screenshot

    app, _, _ = register_store
    with live_server(app) as base, chromium_page() as page:
        page.goto(base + "/login?next=/inspection/register")
        page.get_by_label("Sacha Leroy").check()
        page.get_by_label("PIN").fill(PIN)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/inspection/register"))
        page.locator("table.register").wait_for()
        assert page.locator("table.register thead th").count() == 15  # the register's legal fields, as printed
        assert page.locator("table.register tbody tr").count() >= 1
        shots = [screenshot(page, "inspection-register")]
        page.goto(base + "/inspection/audit")
        page.locator("table.audit").wait_for()
        assert page.locator("table.audit tbody tr").count() >= 1  # at least this manager's sign-in
        shots.append(screenshot(page, "inspection-audit"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copy(shot, SHOTS / shot.name)
