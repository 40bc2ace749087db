"""Issue 34: New York City's second-hand dealer record (NYC Admin. Code § 20-273; 38 RCNY ch. 21). At the New York
store (added and enrolled by the README's commands) a trade-in without its ID fields, its photos or the clerk's answer
"serial or IMEI altered or missing" is refused with the reason and nothing is saved; with them, the record is written
in the accept's transaction, and the day's file (`flask --app kiosk dealer-report --day … --out FILE`: records.csv and
photos/<sha256>.jpg) holds every required field and the photos' own bytes. The kiosk's background jobs make each file
after midnight in New York, across the night the clocks go back (2026-11-01), a manager marks it handed over on
/sync, and HQ (both backends) shows both. A French store keeps no such record."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from core import clock
from core.dealer_record import COLUMNS, required_fields
from core.jurisdiction import pack
from kiosk.launcher import daily_jobs
from testing.factories import imei_number
from testing.samples import ADULT_SELLER
from tests.conftest import run_to_quote
from tests.test_golive import to_quote
from tests.test_hq_receiving import HQStaff
from tests.test_jurisdictions import US_SELLER, jpeg, ny_store

SHOTS = ("front", "back", "screen", "imei_screen")
HEADERS = {column.key: column.header for column in COLUMNS}


def take_shots(staff, uuid: str, seed: int = 0) -> list[bytes]:
    """The four shots New York's pack requires, each a different picture."""
    for n, kind in enumerate(SHOTS):
        picture = jpeg(((seed * 40 + n * 60) % 256, 30 + seed, 9))
        done = staff.post(f"/tradeins/{uuid}/photos", {"kind": kind, "image": (io.BytesIO(picture), "p.jpg")},
                          content_type="multipart/form-data")
        assert done.status_code == 303, done.get_data(as_text=True)


def ny_quote_with_shots(app: Flask, staff, number: int) -> str:
    uuid = to_quote(staff, app, imei_number(number).number)
    take_shots(staff, uuid, number)
    return uuid


def export(app: Flask, tmp_path: Path, day: str, *extra: str) -> tuple[str, dict[str, bytes]]:
    """`flask --app kiosk dealer-report --day DAY --out FILE`: (the command's output, the ZIP's files)."""
    out = tmp_path / f"report-{day}.zip"
    result = app.test_cli_runner().invoke(args=["dealer-report", "--day", day, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        return result.output, {name: archive.read(name) for name in archive.namelist()}


def rows_of(files: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files["records.csv"].decode("utf-8"))))


def test_a_new_york_trade_in_lacking_id_photos_or_the_identifier_answer_is_refused_then_exported_whole(
        tmp_path, hq_app, hq_url, db_of):
    ny, manager = ny_store(tmp_path, hq_app, hq_url)
    db = db_of(ny)
    uuid = to_quote(manager, ny)
    form = manager.get(f"/tradeins/{uuid}/seller").get_data(as_text=True)
    assert 'name="identifier_altered"' in form and "Serial number or IMEI altered or missing?" in form
    no_id = manager.post(f"/tradeins/{uuid}/seller", {**US_SELLER, "id_doc_number": "", "id_doc_issuer": ""})
    assert no_id.status_code == 422 and 'id="id_doc_number-error"' in no_id.get_data(as_text=True)
    no_photos = manager.post(f"/tradeins/{uuid}/seller", US_SELLER)
    assert no_photos.status_code == 422 and "4 required photo(s) missing" in no_photos.get_data(as_text=True)
    take_shots(manager, uuid)
    unanswered = manager.post(f"/tradeins/{uuid}/seller", {**US_SELLER, "identifier_altered": ""})
    text = unanswered.get_data(as_text=True)
    assert unanswered.status_code == 422 and "dealer record needs: Serial number or IMEI altered or missing" in text
    assert db["tradeins"].get(uuid)["state"] == "quoted"
    assert [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("dealer_records", "police_register")] == [
        0, 0]  # nothing saved, the register entry neither
    accepted = manager.post(f"/tradeins/{uuid}/seller", {**US_SELLER, "identifier_altered": "yes"})
    assert accepted.status_code == 303, accepted.get_data(as_text=True)
    record = db.execute("SELECT local_day, content, photos, retain_until FROM dealer_records").fetchone()
    day = record[0]
    assert "Rivera" not in record[1] and record[3] == f"{int(day[:4]) + 6}{day[4:]}"  # encrypted, kept six years
    with pytest.raises(sqlite3.DatabaseError, match="kept until their retention date"):
        db.execute("DELETE FROM dealer_records")
    refused = ny.test_cli_runner().invoke(args=["dealer-report", "--day", day])
    assert refused.exit_code != 0 and "is not over in the store's time zone" in refused.output
    with clock.set_to(datetime.fromisoformat(f"{day}T12:00:00+00:00") + timedelta(days=1)):  # the next morning
        output, files = export(ny, tmp_path, day)
    [row] = rows_of(files)
    for name in required_fields(pack("us-ny-nyc")):
        assert row[HEADERS[name]].strip(), name
    assert (row["Seller's name"], row["Seller's residence"], row["Identification shown: number"]) == (
        "Ana Sofia Rivera", US_SELLER["address"], "123456789")
    assert row["Identification shown: type"] == "State driver's license" and row["Manufacturer"] == "Apple"
    assert row["Serial number or IMEI altered or missing"] == "Yes" and row["IMEI"] == "490154203237518"
    shots = {kind: sha for kind, sha, _ in json.loads(record[2])}
    assert set(shots) == set(SHOTS) and "1 purchase(s), 4 photo(s)" in output
    for kind, sha in shots.items():
        assert hashlib.sha256(files[f"photos/{sha}.jpg"]).hexdigest() == sha  # the photo's own bytes
        assert f"{kind}: photos/{sha}.jpg" in row["Photographs"]
    hands_over_at_hq(ny, manager, hq_app, db, day)


def hands_over_at_hq(ny: Flask, manager, hq_app: Flask, db, day: str) -> None:
    """The manager marks the report handed over on /sync; HQ's dashboard shows it made and handed over."""
    page = manager.get("/sync").get_data(as_text=True)
    assert 'id="dealer-reports"' in page and "Mark handed over" in page
    assert manager.get(f"/sync/dealer-reports/{day}.zip").data[:2] == b"PK"
    assert manager.post(f"/sync/dealer-reports/{day}/handed-over").status_code == 303
    twice = manager.post(f"/sync/dealer-reports/{day}/handed-over", follow_redirects=True).get_data(as_text=True)
    assert "already marked handed over" in twice and "Mark handed over" not in twice
    assert ny.test_cli_runner().invoke(args=["sync", "push"]).exit_code == 0
    assert db.execute("SELECT count(*) FROM outbox WHERE kind LIKE 'dealer_report.%'").fetchone()[0] == 2
    dashboard = HQStaff(hq_app, "Inès Moreau", "supervisor").get("/hq/").get_data(as_text=True)
    table = dashboard[dashboard.index('id="dealer-reports"'):]
    assert "Trade-In Pop-Up NYC" in table and "Nadia Benali" in table and "not yet" not in table


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_the_days_file_follows_midnight_in_new_york_across_the_night_the_clocks_go_back(
        tmp_path, hq_app, hq_url, db_of):
    ny, manager = ny_store(tmp_path, hq_app, hq_url)
    db, jobs = db_of(ny), daily_jobs(ny)
    bought = {"2026-11-01T03:30:00+00:00": "Oct 31 23:30 EDT", "2026-11-01T04:30:00+00:00": "Nov 1 00:30 EDT",
              "2026-11-02T04:30:00+00:00": "Nov 1 23:30 EST, an hour after a naive UTC-4 midnight"}
    for number, instant in enumerate(bought, start=1):
        uuid = ny_quote_with_shots(ny, manager, number)
        with clock.set_to(datetime.fromisoformat(instant)):
            accepted = manager.post(f"/tradeins/{uuid}/seller", US_SELLER)
        assert accepted.status_code == 303, accepted.get_data(as_text=True)
    made = lambda: [r[0] for r in db.execute("SELECT day FROM dealer_reports ORDER BY day")]  # noqa: E731
    with clock.set_to(datetime.fromisoformat("2026-11-01T03:59:00+00:00")):  # Oct 31, 23:59 in New York
        jobs(db)
    assert made() == []
    with clock.set_to(datetime.fromisoformat("2026-11-01T04:05:00+00:00")):  # Nov 1, 00:05 EDT
        jobs(db)
    assert made() == ["2026-10-31"]
    with clock.set_to(datetime.fromisoformat("2026-11-02T04:45:00+00:00")):  # Nov 1, 23:45 EST: not over yet
        jobs(db)
    assert made() == ["2026-10-31"]
    with clock.set_to(datetime.fromisoformat("2026-11-02T05:05:00+00:00")):  # Nov 2, 00:05 EST
        jobs(db)
    assert made() == ["2026-10-31", "2026-11-01"]
    _, october = export(ny, tmp_path, "2026-10-31")
    _, november = export(ny, tmp_path, "2026-11-01")
    hours = [[(r["Day of purchase"], r["Hour of purchase"], r["Time zone"]) for r in rows_of(files)]
             for files in (october, november)]
    assert hours == [[("2026-10-31", "23:30", "EDT")], [("2026-11-01", "00:30", "EDT"), ("2026-11-01", "23:30", "EST")]]
    assert len([name for name in november if name.startswith("photos/")]) == 8
    again = Path(ny.config["DATA_DIR"]) / "dealer_reports" / "dealer-record-2026-11-01.zip"
    stored = db.execute("SELECT sha256, records FROM dealer_reports WHERE day = '2026-11-01'").fetchone()
    assert stored == (hashlib.sha256(again.read_bytes()).hexdigest(), 2)
    page = manager.get("/sync").get_data(as_text=True)
    assert "Nov 1, 2026" in page and "Oct 31, 2026" in page and "/sync/dealer-reports/2026-11-01.zip" in page


def test_a_french_store_keeps_no_dealer_record_and_its_form_asks_nothing_more(app, db, staff):
    uuid = run_to_quote(staff)
    form = staff.get(f"/tradeins/{uuid}/seller").get_data(as_text=True)
    assert "identifier_altered" not in form and "Bank transfer" in form and "carry euros only" not in form
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    assert db.execute("SELECT count(*) FROM dealer_records").fetchone()[0] == 0
    refused = app.test_cli_runner().invoke(args=["dealer-report", "--day", "2026-12-06"])
    assert refused.exit_code != 0 and "keeps no second-hand dealer record" in refused.output
    assert "dealer-reports" not in staff.get("/sync").get_data(as_text=True)


def test_a_cell_that_would_run_as_a_formula_or_break_a_line_is_made_safe():
    from core.dealer_record import csv_bytes

    text = csv_bytes([{"seller_name": "=HYPERLINK(\"x\")", "seller_residence": "1 Main St\nApt 2\u202e"}]).decode()
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["Seller's name"] == "'=HYPERLINK(\"x\")" and row["Seller's residence"] == "1 Main St Apt 2 "
