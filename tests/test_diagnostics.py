"""The customer's phone tests itself (issue 33, item 3): the clerk's QR code, HQ's test page with its one-time link
(registered by a signed call, refused once used or expired, rate-limited), the report fetched back by the terminal,
the checklist's pre-answers with both the device's word and the clerk's kept, and the receipt's line. Real HQ and
kiosk over HTTP (HQ on SQLite and PostgreSQL), real SQLite files; the page itself in headless Chromium as a phone
(tests/test_diagnostics_phone.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from core import device_tests
from sync.client import HQClient
from testing.paper import paper_text
from testing.samples import ADULT_SELLER, PERFECT_PHONE
from tests.browser import live_server
from tests.conftest import KioskClient, make_app
from tests.test_counter import checked, to_checklist

CLEAN = {colour: "clean" for colour in device_tests.load_spec().colours}


def phone_report(tone: int, **changes) -> dict:
    """What the page sends after a phone passed everything (its touch grid full, the tone heard)."""
    report = {"touch": {"cells": 60, "touched": 60}, "multitouch": {"points": 2}, "dead_pixels": dict(CLEAN),
              "audio": {"played_hz": tone, "heard_hz": tone + 4.2, "level_db": -31.5},
              "camera_front": {"width": 640, "height": 480, "facing": "user"},
              "camera_back": {"width": 1280, "height": 720, "facing": "environment"},
              "vibration": {"felt": True}, "motion": {"readings": 118}, "battery": {"level": 0.81, "charging": False},
              "screen": {"width": 390, "height": 844, "ratio": 3, "user_agent": "Mozilla/5.0 (Linux; Android 14)"}}
    return {**report, **changes}


def hx(target: str) -> dict:
    return {"HX-Request": "true", "HX-Target": target}


def start_test(staff: KioskClient, uuid: str) -> str:
    """The clerk's one click: the panel's answer carries the QR code's address (shown once)."""
    response = staff.post(f"/tradeins/{uuid}/device-test", headers=hx("device-test"))
    assert response.status_code == 201, response.get_data(as_text=True)
    return re.search(r'id="device-test-url">([^<]+)<', response.get_data(as_text=True)).group(1)


def tone_of(url: str) -> int:
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    return int(re.search(r'data-tone="(\d+)"', page.text).group(1))


def status_of(staff: KioskClient, uuid: str):
    return staff.get(f"/tradeins/{uuid}/device-test", headers=hx("device-test-status"))


@pytest.fixture
def wired(tmp_path: Path, hq_app, hq_store):
    """A kiosk enrolled with a live HQ, its clerk signed in."""
    with live_server(hq_app) as base:
        app = make_app(tmp_path / "kiosk", SYNC_URL=base, SYNC_STORE_ID=hq_store[0], SYNC_SECRET=hq_store[1])
        staff = KioskClient(app.test_client())
        staff.login(app)
        yield app, staff, base


def test_judging_trusts_no_value_the_page_sends():
    spec = device_tests.load_spec()
    tone = 2000
    judged = device_tests.judge(phone_report(tone), tone)
    assert {test: result.outcome for test, result in judged.items()} == {
        "touch": "passed", "multitouch": "passed", "dead_pixels": "passed", "audio": "passed",
        "camera_front": "passed", "camera_back": "passed", "vibration": "passed", "motion": "passed",
        "battery": "info", "screen": "info"}
    # 3 % of the tone, and not one hertz more; a page that says it heard the tone louder than silence only
    assert device_tests.judge({"audio": {"heard_hz": 2060, "level_db": -40}}, tone)["audio"].outcome == "passed"
    assert device_tests.judge({"audio": {"heard_hz": 2061, "level_db": -40}}, tone)["audio"].outcome == "failed"
    assert device_tests.judge({"audio": {"heard_hz": 2000, "level_db": -120}}, tone)["audio"].outcome == "failed"
    hostile = {"touch": {"cells": True, "touched": 1e308}, "multitouch": {"points": float("nan")},
               "dead_pixels": {"red": ["spot"]}, "audio": {"heard_hz": "2000"}, "camera_front": [1],
               "vibration": {"felt": "yes"}, "motion": {"readings": -1}, "battery": {"level": 7},
               "screen": {"width": 10**30, "user_agent": "\x1b[p" + "A" * 5000}}
    assert {r.outcome for r in device_tests.judge(hostile, tone).values()} == {"not_run"}
    assert device_tests.judge({"screen": {"width": 1, "height": 1, "user_agent": "a\x00\u202eb"}}, tone)[
        "screen"].values["user_agent"] == "ab"
    # the back camera dead, the browser opened the front one for "environment": that is a failure, named alone
    judged = device_tests.judge(phone_report(tone, camera_back={"width": 640, "height": 480, "facing": "user"}), tone)
    found = device_tests.evidence(judged, spec)
    assert found["camera_lens"].answer == "broken" and found["camera_lens"].tests == ("camera_back",)
    assert found["display_works"].answer == "yes" and found["buttons_ports"].answer == ""  # partly tested
    assert device_tests.receipt_functions(judged, spec) == (
        ["touch", "multi-touch", "screen", "speaker and microphone", "vibration", "motion sensors"], ["cameras"])


def test_a_link_is_registered_at_hq_used_once_and_its_report_pre_answers_the_checklist(wired, db_of):
    app, staff, base = wired
    uuid = to_checklist(staff, 501)
    url = start_test(staff, uuid)
    assert url.startswith(base + "/device-test/")
    assert "Waiting for the phone's results" in status_of(staff, uuid).get_data(as_text=True)
    tone = tone_of(url)
    sent = requests.post(url + "/results", json=phone_report(tone, dead_pixels={**CLEAN, "white": "spot"}),
                         timeout=5)
    assert sent.status_code == 200 and sent.json()["results"]["dead_pixels"]["outcome"] == "failed"
    # the same link again: the report is refused, and the page says so in words
    again = requests.post(url + "/results", json=phone_report(tone), timeout=5)
    assert again.status_code == 409 and "already used" in again.json()["error"]
    page = requests.get(url, timeout=5)
    assert page.status_code == 409 and "This test link was already used" in page.text
    # the clerk's panel asks HQ: the whole panel comes back, with the answers for the form as it stands
    arrived = status_of(staff, uuid)
    assert arrived.headers["HX-Retarget"] == "#device-test"
    assert json.loads(arrived.headers["HX-Trigger"]) == {"deviceTestArrived": {"answers": {"display_works": "no"}}}
    assert "1 failed" in arrived.get_data(as_text=True)
    page = staff.get(f"/tradeins/{uuid}/checklist").get_data(as_text=True)
    assert checked(page)["display_works"] == "no"  # the device's word starts selected
    assert 'id="display_works-device">Tested on the device: fail · Colour screens (dead pixels)' in page
    assert 'id="buttons_ports-device">Tested on the device: pass' in page  # said, not answered: buttons untested
    # the clerk overrides it: both are kept
    response = staff.post(f"/tradeins/{uuid}/checklist", {**PERFECT_PHONE, "display_works": "yes"})
    assert response.status_code == 303
    db = db_of(app)
    detail = json.loads(db.execute("SELECT detail FROM audit_log WHERE action = 'device_test_checked' AND "
                                   "tradein_uuid = ?", [uuid]).fetchone()[0])
    assert detail["questions"]["display_works"] == {"device": "failed", "pre_answer": "no", "clerk": "yes"}
    # answered after the report came, the clerk's answer now starts selected
    assert checked(staff.get(f"/tradeins/{uuid}/checklist").get_data(as_text=True))["display_works"] == "yes"


def test_the_receipt_says_what_was_tested_on_the_device_and_a_trade_in_without_a_test_prints_as_before(wired):
    app, staff, _ = wired
    uuid = to_checklist(staff, 502)
    url = start_test(staff, uuid)
    tone = tone_of(url)
    report = phone_report(tone, camera_back={"error": "not_readable"}, vibration={"error": "unsupported"})
    assert requests.post(url + "/results", json=report, timeout=5).status_code == 200
    staff.get(f"/tradeins/{uuid}/checklist")  # the checklist's load fetches the report
    assert staff.post(f"/tradeins/{uuid}/checklist", {**PERFECT_PHONE, "camera_lens": "broken"}).status_code == 303
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code in (302, 303)
    plain = to_checklist(staff, 503)
    assert staff.post(f"/tradeins/{plain}/checklist", PERFECT_PHONE).status_code == 303
    assert staff.post(f"/tradeins/{plain}/seller", ADULT_SELLER).status_code in (302, 303)
    prints = Path(app.config["DATA_DIR"]) / "prints"
    tested = " ".join(paper_text(next(prints.glob(f"*-{code_of(app, uuid)}-receipt*")).read_bytes()).split())
    # paper is in the store's language: French
    assert "Testé sur l'appareil tactile, multipoint, écran, haut-parleur et micro, capteurs de mouvement" in tested
    assert "Échoué sur l'appareil caméras" in tested
    untested = paper_text(next(prints.glob(f"*-{code_of(app, plain)}-receipt*")).read_bytes())
    assert "sur l'appareil" not in untested


def code_of(app, uuid: str) -> str:
    from kiosk.store.db import open_database

    database = open_database(app.config["DATABASE"])
    try:
        return database.execute("SELECT code FROM tradeins WHERE uuid = ?", [uuid]).fetchone()[0]
    finally:
        database.close()


def test_an_expired_link_is_refused_and_the_background_pull_brings_a_report_the_panel_missed(wired, hq_app, db_of):
    app, staff, _ = wired
    late, missed = to_checklist(staff, 504), to_checklist(staff, 505)
    late_url, missed_url = start_test(staff, late), start_test(staff, missed)
    storage = hq_app.extensions["hq.storage"]
    with storage.transaction() as tx:  # the quarter of an hour has passed for this one
        tx.run("UPDATE hq_device_tests SET expires_at = %s WHERE token_sha256 = %s",
               ["2000-01-01T00:00:00.000+00:00", device_tests_hash(late_url)])
    page = requests.get(late_url, timeout=5)
    assert page.status_code == 410 and "This test link has expired: ask the store for a new QR code." in page.text
    refused = requests.post(late_url + "/results", json=phone_report(2000), timeout=5)
    assert refused.status_code == 410
    assert 'id="device-test-start">New QR code' in status_of(staff, late).get_data(as_text=True)
    # the other phone reports while nobody looks at its panel: the sync's pull fetches it
    assert requests.post(missed_url + "/results", json=phone_report(tone_of_hq(storage, missed_url)),
                         timeout=5).status_code == 200
    from kiosk.diagnostics import links
    from kiosk.hq_link import hq_client

    db = db_of(app)
    assert links.pull(db, hq_client(app.config)) == ["1 phone test report(s)"]
    assert links.pull(db, hq_client(app.config)) == []  # asked once: nothing left open
    assert db.execute("SELECT hq_status FROM device_tests WHERE tradein_uuid = ?", [late]).fetchone()[0] == "expired"


def device_tests_hash(url: str) -> str:
    import hashlib

    return hashlib.sha256(url.rsplit("/", 1)[1].encode()).hexdigest()


def tone_of_hq(storage, url: str) -> int:
    with storage.read() as tx:
        return tx.rows("SELECT tone_hz FROM hq_device_tests WHERE token_sha256 = %s", [device_tests_hash(url)])[0][0]


def test_hqs_doors_refuse_what_is_not_a_phones_report_and_a_registration_not_signed(wired, hq_app, hq_store):
    _, staff, base = wired
    url = start_test(staff, to_checklist(staff, 506))
    other = hq_app.extensions["hq.storage"].add_store("Another store")
    assert HQClient(base, *other).device_test(device_tests_hash(url)) is None  # another store's link: unknown
    assert HQClient(base, *hq_store).device_test(device_tests_hash(url))["status"] == "open"
    post = lambda data, kind="application/json": requests.post(  # noqa: E731
        url + "/results", data=data, headers={"Content-Type": kind}, timeout=5)
    assert post(b"x" * (device_tests.MAX_REPORT_BYTES + 1)).status_code == 413
    assert post(b"touch=1", "application/x-www-form-urlencoded").status_code == 415  # no cross-site form
    assert post(b"[" * 5000 + b"]" * 5000).status_code == 422
    assert post(b"[1, 2]").status_code == 422
    assert requests.get(base + "/device-test/" + "A" * 43, timeout=5).status_code == 404
    assert requests.get(base + "/device-test/%E2%80%AE..", timeout=5).status_code == 404
    unsigned = requests.post(f"{base}/api/v1/stores/{hq_store[0]}/device-tests", timeout=5,
                             json={"token_sha256": "0" * 64, "tradein_uuid": "x", "minutes": 5})
    assert unsigned.status_code == 401
    assert requests.get(f"{base}/api/v1/stores/{hq_store[0]}/device-tests/{'0' * 64}", timeout=5).status_code == 401


def test_hqs_public_doors_are_rate_limited_per_address(tmp_path: Path):
    from hq import create_app as create_hq_app

    hq_app = create_hq_app({"DATABASE_URL": "", "DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en",
                            "RATE_LIMIT_DEVICE_TEST": "3 per minute"})
    with live_server(hq_app) as base:
        answers = [requests.get(f"{base}/device-test/{'B' * 43}", timeout=5).status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_offline_the_panel_says_so_and_the_checklist_works_as_before(tmp_path: Path):
    app = make_app(tmp_path / "kiosk", SYNC_URL="http://127.0.0.1:9", SYNC_STORE_ID="st_x", SYNC_SECRET="s" * 32)
    staff = KioskClient(app.test_client())
    staff.login(app)
    uuid = to_checklist(staff, 507)
    response = staff.post(f"/tradeins/{uuid}/device-test", headers=hx("device-test"))
    assert response.status_code == 503
    assert "HQ cannot be reached (is the store offline?)" in response.get_data(as_text=True)
    page = staff.post(f"/tradeins/{uuid}/device-test")  # without JavaScript: its own page, the checklist linked
    assert page.status_code == 503 and "Back to the checklist" in page.get_data(as_text=True)
    assert staff.post(f"/tradeins/{uuid}/checklist", PERFECT_PHONE).status_code == 303


def test_hostile_reports_and_registrations_never_get_a_5xx(tmp_path: Path):
    """Every leaf of a report and every field of a registration, fed the hostile corpus (testing/hostile_corpus.py)
    over real HTTP: refused or judged "not tested", never a server error; judging alone never raises."""
    from hq import create_app as create_hq_app
    from hq.services import device_tests as links
    from testing.hostile_corpus import TEXT, TYPED, leaves, replaced, sampler

    hq_app = create_hq_app({"DATABASE_URL": "", "DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en",
                            "RATE_LIMIT_DEVICE_TEST": "100000 per minute"})
    storage = hq_app.extensions["hq.storage"]
    store_id, secret = storage.add_store("Boutique")
    report = phone_report(2000, camera_back={"error": "not_readable"}, vibration={"skipped": True})
    samples, statuses = sampler(TEXT + TYPED, 3, 33), []
    with live_server(hq_app) as base:
        client = HQClient(base, store_id, secret)
        for path in leaves(report):
            for hostile in next(samples):
                hostile_report = replaced(report, path, hostile.value)
                assert set(device_tests.judge(hostile_report, 2000)) == {t.id for t in device_tests.load_spec().tests}
                token = f"{len(statuses):043d}"
                links.register(storage, store_id, {"token_sha256": links.token_hash(token), "minutes": 5,
                                                   "tradein_uuid": "7f0d2a4e-9c1b-4f55-8a51-0c8f1f3d2b10"}, 60)
                body = json.dumps(hostile_report).encode("utf-8", "surrogatepass")
                sent = requests.post(f"{base}/device-test/{token}/results", data=body, timeout=10,
                                     headers={"Content-Type": "application/json"})
                statuses.append(sent.status_code)
        registration = {"token_sha256": "a" * 64, "tradein_uuid": "7f0d2a4e-9c1b-4f55-8a51-0c8f1f3d2b10",
                        "minutes": 5, "language": "fr"}
        for field in registration:
            for hostile in next(samples):
                try:
                    client.register_device_test(json.dumps({**registration, field: hostile.value}).encode(
                        "utf-8", "surrogatepass"))
                    statuses.append(201)
                except Exception as err:  # HQRefused (4xx) is fine; HQUnavailable would be a 5xx
                    statuses.append(getattr(err, "status", 500))
    assert statuses and max(statuses) < 500, sorted(set(statuses))
