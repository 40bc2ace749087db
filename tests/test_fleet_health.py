"""HQ sees every terminal's health (issue 35): each push carries the terminal's report, HQ checks every field again,
keeps the last one per terminal and lists the fleet worst first (page and JSON); old terminals keep working: the
last release's code, run from git against today's HQ, and a protocol HQ does not read refused in words. Real HTTP
between the kiosks and HQ, on both HQ backends."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from core.health import Contact, TerminalHealth, Thresholds, parse_health, reasons
from core.protocol import HEADER_PROTOCOL, signed_headers
from hq import create_app as create_hq_app
from kiosk.hq_link import push
from sync import health, pusher
from sync.client import HQClient, HQRefused
from sync.localdb import set_mark, write_transaction
from testing.old_terminal import release_tree, run_old_terminal
from testing.printer_emulator import PrinterEmulator
from tests.browser import live_server
from tests.conftest import KioskClient, make_app
from tests.test_golive import add_store_by_cli, publish_demo_kinds
from tests.test_hq_receiving import HQStaff
from tests.test_network_printer import wait_for
from tests.test_sync import take_trade_ins

MONITOR_TOKEN = "m" * 40


def kiosk_of(tmp_path, name: str, hq_url: str, store: tuple[str, str], **settings):
    return make_app(tmp_path / name, SYNC_URL=hq_url, SYNC_STORE_ID=store[0], SYNC_SECRET=store[1], **settings)


def signed_in(app) -> KioskClient:
    staff = KioskClient(app.test_client())
    staff.login(app)
    return staff


def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def fleet_rows(page: str) -> list[str]:
    """The Fleet table's rows as text, in the page's order."""
    body = page.split('id="fleet"', 1)[1].split("</table>", 1)[0]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row.split(">", 1)[1])).split())
            for row in body.split("<tr")[2:]]


def skewed_client(app, seconds: float) -> HQClient:
    """The kiosk's own client, as hq_link builds it, on a terminal whose clock runs `seconds` ahead."""
    c = app.config
    return HQClient(c["SYNC_URL"], c["SYNC_STORE_ID"], c["SYNC_SECRET"], 5, clock=lambda: time.time() + seconds)


def three_terminals_heard(tmp_path, hq_app, hq_url, db_of) -> tuple[str, str]:
    """Three stores' kiosks push over HQ's HTTP: one then falls silent (its row set 30 hours back), one has an empty
    roll in a network printer that answers DLE EOT, one's clock runs 200 s fast. Their /sync pages, as text."""
    storage = hq_app.extensions["hq.storage"]
    stores = [storage.add_store(name) for name in ("Boutique Calme", "Boutique Papier", "Boutique Horloge")]
    with PrinterEmulator(paper="out") as printer:
        silent = kiosk_of(tmp_path, "a", hq_url, stores[0])
        paperless = kiosk_of(tmp_path, "b", hq_url, stores[1], PRINTER_DRIVER="network",
                             PRINTER_TARGET=f"127.0.0.1:{printer.port}", PRINTER_TIMEOUT=1)
        skewed = kiosk_of(tmp_path, "c", hq_url, stores[2])
        for n, app in enumerate((silent, paperless, skewed)):
            take_trade_ins(app, 1, first=n)
        jobs = db_of(paperless)
        assert wait_for(lambda: jobs.execute("SELECT count(*) FROM print_jobs WHERE status = 'failed'").fetchone()[0]
                        == 2)  # the receipt and the label: the roll is empty
        for app in (silent, paperless):  # the clerk presses "Sync now", twice
            staff = signed_in(app)
            staff.get("/sync")
            assert "Sent 2 record(s) to HQ." in page_text(staff.post("/sync/now", follow_redirects=True))
            assert "Sent 0 record(s) to HQ." in page_text(staff.post("/sync/now", follow_redirects=True))
        with skewed.app_context():  # the background sync of a terminal whose clock is 200 s fast
            assert push(db_of(skewed), skewed_client(skewed, 200), 50) == 2
        paper_page = page_text(signed_in(paperless).get("/sync"))
    with storage.transaction() as tx:
        tx.run("UPDATE hq_terminal_health SET seen_at = %s WHERE store_id = %s",
               [(datetime.now(UTC) - timedelta(hours=30)).isoformat(timespec="milliseconds"), stores[0][0]])
    return paper_page, page_text(signed_in(skewed).get("/sync"))


def test_fleet_lists_the_silent_the_paper_out_and_the_skewed_terminal_worst_first(tmp_path, hq_app, hq_url, db_of):
    paper_page, clock_page = three_terminals_heard(tmp_path, hq_app, hq_url, db_of)
    assert "Printer Out of paper. last print: failed" in paper_page
    assert re.search(r"Clock against HQ's (199|200|201) s ahead", clock_page), clock_page

    hq = HQStaff(hq_app, "Inès Moreau", "receiver")
    rows = fleet_rows(hq.get("/hq/fleet").get_data(as_text=True))
    assert [row.split()[1] for row in rows] == ["Calme", "Papier", "Horloge"], rows
    assert "silent for 30 h (more than 6 h)" in rows[0] and "printer out of paper" in rows[1]
    assert "last print: failed" in rows[1] and re.search(r"clock (199|200|201) s ahead of HQ's", rows[2])
    assert all("protocol 2.1" in row for row in rows) and "3 of 3 terminal(s) need a look" in page_text(
        hq.get("/hq/fleet"))
    hq.post("/hq/lang", {"lang": "fr"})
    assert "silencieux depuis 30 h" in hq.get("/hq/fleet").get_data(as_text=True)

    answer = hq.get("/hq/fleet.json").get_json()
    assert [(t["store_name"], [r["code"] for r in t["reasons"]]) for t in answer["terminals"]] == [
        ("Boutique Calme", ["silent"]), ("Boutique Papier", ["printer"]), ("Boutique Horloge", ["clock"])]
    assert answer["terminals"][1]["health"]["printer"] == "paper_out" and answer["failing"] == 3
    anonymous = requests.get(f"{hq_url}/hq/fleet.json", timeout=5, allow_redirects=False)
    assert anonymous.status_code == 302 and "/hq/login" in anonymous.headers["Location"]  # no session, no token
    hq_app.config["FLEET_MONITOR_TOKEN"] = MONITOR_TOKEN
    wrong = requests.get(f"{hq_url}/hq/fleet.json", headers={"Authorization": "Bearer " + "n" * 40}, timeout=5)
    monitor = requests.get(f"{hq_url}/hq/fleet.json", headers={"Authorization": f"Bearer {MONITOR_TOKEN}"}, timeout=5)
    assert wrong.status_code == 401 and monitor.json()["terminals"] == answer["terminals"]


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)  # the old code's run is slow; test 1 has both backends
def test_the_last_release_pushes_to_todays_hq_and_shows_as_older_on_the_fleet_page(tmp_path, hq_app, hq_url):
    publish_demo_kinds(hq_app, "catalog", "grid")
    store_id, code = add_store_by_cli(hq_app)
    # The same HQ, its operator having raised the oldest protocol it reads once every terminal was updated.
    strict = create_hq_app({"DATA_DIR": hq_app.config["DATA_DIR"], "LANGUAGE": "en", "PROTOCOL_OLDEST": "2.1"})
    with live_server(strict) as strict_url:
        old = run_old_terminal(release_tree(tmp_path / "release"), folder=str(tmp_path / "old-terminal"),
                               hq_url=hq_url, code=code, refusing_url=strict_url)
    assert old["kiosk_module"].startswith(str(tmp_path / "release")) and (old["enrolled"], old["accepted"]) == (0, 303)
    assert "this terminal's software is too old for HQ: update it (it speaks protocol 2.0" in old["refused_page"]
    assert "Waiting to be sent 2" in old["refused_page"]  # refused whole: nothing of it was taken
    assert "Sent 2 record(s) to HQ." in old["synced_page"] and "Last error —" in old["synced_page"]
    stored = hq_app.extensions["hq.storage"].records(store_id)
    assert [kind for *_, kind, _ in stored] == ["tradein.accepted", "voucher.issued"]
    assert json.loads(stored[0][4])["uuid"] == old["tradein"]

    hq = HQStaff(hq_app, "Inès Moreau", "receiver")
    [row] = fleet_rows(hq.get("/hq/fleet").get_data(as_text=True))
    assert "Télé Shop Saint-Denis" in row and "protocol 2.0" in row
    assert "software older than HQ's: protocol 2.0, HQ speaks 2.1; update the terminal" in row
    [terminal] = hq.get("/hq/fleet.json").get_json()["terminals"]
    assert [r["code"] for r in terminal["reasons"]] == ["version"] and terminal["health"] is None


def signed_post(hq_url: str, store: tuple[str, str], path: str, body: bytes, protocol: str | None) -> requests.Response:
    headers = signed_headers(store[0], store[1], int(time.time()), "POST", path, body)
    headers.update({HEADER_PROTOCOL: protocol} if protocol else {})
    return requests.post(hq_url + path, data=body, headers={**headers, "Content-Type": "application/json"},
                         timeout=5)


def test_a_protocol_hq_does_not_read_is_refused_with_its_code_and_the_sync_page_says_it(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    path = f"/api/v1/stores/{hq_store[0]}/batches"
    body = json.dumps({"batch_id": "b" * 16, "records": []}).encode()
    unknown, too_old = (signed_post(hq_url, hq_store, path, body, v).json() for v in ("3.0", "1.4"))
    assert (unknown["code"], unknown["params"]["version"]) == ("protocol_unknown", "3.0")
    assert too_old["code"] == "protocol_too_old" and "too old for HQ: update it" in too_old["error"]
    assert signed_post(hq_url, hq_store, path, body, "2.0").status_code == 200  # the previous minor is read
    app = kiosk_of(tmp_path, "kiosk", hq_url, hq_store)
    take_trade_ins(app, 1)
    db, staff = db_of(app), signed_in(app)
    c = app.config
    for version, words in (("3.0", "HQ does not know this terminal's protocol 3.0 (it reads 2.0 to 2.1): HQ must be "
                                   "updated before this terminal"),
                           ("1.4", "this terminal's software is too old for HQ: update it (it speaks protocol 1.4, "
                                   "HQ reads 2.0 to 2.1)")):
        with app.app_context(), pytest.raises(HQRefused):
            push(db, HQClient(c["SYNC_URL"], c["SYNC_STORE_ID"], c["SYNC_SECRET"], 5, protocol=version), 50)
        page = page_text(staff.get("/sync"))
        assert f"Last error {words}" in page and "Waiting to be sent 2" in page
    staff.post("/lang", {"lang": "fr"})
    assert "le logiciel de ce terminal est trop ancien pour le siège : mettez-le à jour" in staff.get(
        "/sync").get_data(as_text=True)
    assert hq_app.extensions["hq.storage"].records(hq_store[0]) == []


def test_hq_checks_every_field_of_a_report_and_refuses_what_is_not_one(hq_app, hq_url, hq_store):
    path = f"/api/v1/stores/{hq_store[0]}/health"
    hostile = {"terminal_id": "ＴＥＲＭ-1", "software": "0.1.0\x1b[2J", "outbox_pending": 10**30,
               "outbox_oldest_age_s": -5, "photo_files": True, "photo_bytes": 1.5, "printer": "<script>",
               "last_print": "printed", "last_print_at": "2026-12-07T10:00:00+01:00", "disk_free_bytes": "lots",
               "clock_offset_s": -(10**12), "extra": "x" * 200}
    assert signed_post(hq_url, hq_store, path, json.dumps({"health": hostile}).encode(), "2.1").status_code == 200
    for refused, status in ((b'{"health": "ok"}', 422), (b"[]", 422), (b"{" * 40, 422),
                            (json.dumps({"health": {"x": "y" * 5000}}).encode(), 413)):
        assert signed_post(hq_url, hq_store, path, refused, "2.1").status_code == status
    assert requests.post(hq_url + path, data=b'{"health": {}}', timeout=5).status_code == 401  # unsigned
    hq = HQStaff(hq_app, "Inès Moreau", "receiver")
    [terminal] = hq.get("/hq/fleet.json").get_json()["terminals"]
    assert terminal["terminal_id"] == "TERM-1" and terminal["health"] == {
        "terminal_id": "TERM-1", "software": "", "outbox_pending": 10**9, "outbox_oldest_age_s": 0,
        "photo_files": 0, "photo_bytes": 0, "printer": "unknown", "last_print": "printed",
        "last_print_at": "2026-12-07T09:00:00+00:00", "disk_free_bytes": None, "clock_offset_s": -(10 * 366 * 86400)}
    assert "<script>" not in hq.get("/hq/fleet").get_data(as_text=True)


def test_an_idle_terminal_still_tells_hq_it_is_alive_every_few_minutes(tmp_path, hq_app, hq_url, hq_store, db_of):
    app = kiosk_of(tmp_path, "kiosk", hq_url, hq_store)
    db, storage = db_of(app), hq_app.extensions["hq.storage"]

    def seen() -> list[tuple]:
        with storage.read() as tx:
            return tx.rows("SELECT terminal_id, seen_at FROM hq_terminal_health")

    with app.app_context():
        assert push(db, HQClient(app.config["SYNC_URL"], hq_store[0], hq_store[1], 5), 50) == 0
        [(terminal, first)] = seen()
        assert terminal and pusher.status(db)["last_error"] is None
        push(db, HQClient(app.config["SYNC_URL"], hq_store[0], hq_store[1], 5), 50)
        assert seen() == [(terminal, first)]  # told a moment ago: not again
        with write_transaction(db):
            set_mark(db, health.REPORTED_AT, (datetime.now(UTC) - timedelta(seconds=health.HEARTBEAT_SECONDS))
                     .isoformat(timespec="seconds"))
        push(db, HQClient(app.config["SYNC_URL"], hq_store[0], hq_store[1], 5), 50)
    [(_, again)] = seen()
    assert again > first


def test_reasons_are_judged_worst_first_with_the_thresholds():
    now = datetime.now(UTC)
    limits = Thresholds(silent_hours=6, backlog_minutes=60, clock_seconds=120, oldest_software="0.2.0",
                        protocol="2.1")
    sick = TerminalHealth(software="0.1.0", outbox_pending=3, outbox_oldest_age_s=7200, printer="cover_open",
                          clock_offset_s=-300)
    found = reasons(Contact(now - timedelta(hours=7), "2.1", None, sick), now, limits)
    assert [r.code for r in found] == ["silent", "backlog", "printer", "clock", "version"]
    assert str(found[3].message) == "clock 300 s behind HQ's" and "0.1.0 older than" in str(found[4].message)
    healthy = replace_health(sick, outbox_oldest_age_s=3599, printer="paper_near_end", clock_offset_s=120,
                             software="0.2.0")
    assert reasons(Contact(now - timedelta(hours=5), "2.1", 2, healthy), now, limits) == []
    assert parse_health([]) is None and parse_health({}).printer == "unknown"


def replace_health(report: TerminalHealth, **changes) -> TerminalHealth:
    return parse_health({**report.as_json(), **changes})
