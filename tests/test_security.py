"""Staff access: lockout, idle sessions, manager approvals, security headers."""

from __future__ import annotations

import time
from pathlib import Path

from testing.samples import ADULT_SELLER, PIN
from tests.conftest import KioskClient, make_app, run_to_quote, staff_id


def test_lockout_after_repeated_wrong_pins(app, client, db):
    camille = staff_id(db, "Camille Martin")
    for left in (4, 3, 2, 1):
        page = client.post("/login", {"staff_id": camille, "pin": "000000"}).get_data(as_text=True)
        assert f"{left} tries left" in page
    assert "now locked for 15 min" in client.post("/login", {"staff_id": camille, "pin": "000000"}).get_data(
        as_text=True)
    locked = client.post("/login", {"staff_id": camille, "pin": PIN})  # even the right PIN
    assert locked.status_code == 401 and "locked after too many wrong PINs" in locked.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'staff_locked'").fetchone()[0] == 1
    sacha = KioskClient(app.test_client())
    assert sacha.login(app, "Sacha Leroy").status_code == 302  # one account locked, not the terminal


def test_idle_session_ends(app, staff):
    assert staff.get("/tradeins").status_code == 200
    with staff.client.session_transaction() as session:
        session["seen"] = int(time.time()) - 12 * 60  # 10 min idle limit (+1 min of touch granularity)
    response = staff.get("/tradeins")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_from_another_terminal_is_refused(tmp_path):
    first = make_app(tmp_path / "one", SECRET_KEY="shared-by-mistake")
    second = make_app(tmp_path / "two", SECRET_KEY="shared-by-mistake")
    staff = KioskClient(first.test_client())
    staff.login(first)
    cookie = staff.client.get_cookie("session").value
    other = second.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/tradeins").status_code == 302


def test_offer_above_the_threshold_needs_a_manager(app, staff, db):
    iphone17 = db.execute("SELECT id FROM devices WHERE model = 'iPhone 17 Pro Max'").fetchone()[0]
    uuid = run_to_quote(staff, device_id=iphone17, storage_gb=256)
    page = staff.get(f"/tradeins/{uuid}/seller").get_data(as_text=True)
    assert "Manager approval: an offer above 500,00" in page
    refused = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    assert refused.status_code == 422 and "A manager must approve" in refused.get_data(as_text=True)
    wrong = staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "approver_id": staff_id(db, "Sacha Leroy"),
                                                     "approver_pin": "999999"})
    assert wrong.status_code == 422 and "Wrong PIN" in wrong.get_data(as_text=True)
    assert db["tradeins"].get(uuid)["state"] == "quoted"
    ok = staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "approver_id": staff_id(db, "Sacha Leroy"),
                                                  "approver_pin": PIN})
    assert ok.status_code == 303 and db["tradeins"].get(uuid)["accepted_at"]


def test_a_sellers_fourth_trade_in_of_the_day_needs_a_manager(app, staff, db):
    imeis = ["490154203237518", "352099001761481", "356938035643809", "353918057837425"]
    iphone12 = db.execute("SELECT id FROM devices WHERE model = 'iPhone 12'").fetchone()[0]
    for imei in imeis[:3]:
        uuid = run_to_quote(staff, imei=imei, device_id=iphone12, storage_gb=128)
        assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    uuid = run_to_quote(staff, imei=imeis[3], device_id=iphone12, storage_gb=128)
    refused = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    assert refused.status_code == 422 and "more than 3 trade-ins by the same seller today" in refused.get_data(
        as_text=True)


def test_price_override_needs_a_reason_and_a_manager(app, staff, db):
    uuid = run_to_quote(staff)
    manager = staff_id(db, "Sacha Leroy")
    no_reason = staff.post(f"/tradeins/{uuid}/override", {"new_total": "150", "approver_id": manager,
                                                          "approver_pin": PIN})
    assert no_reason.status_code == 422 and "Give the reason" in no_reason.get_data(as_text=True)
    staff.post(f"/tradeins/{uuid}/override", {"new_total": "150,50", "reason": "screen protector glued on",
                                              "approver_id": manager, "approver_pin": PIN})
    ti = db["tradeins"].get(uuid)
    assert ti["total_minor"] == 15050 and ti["override_reason"] == "screen protector glued on"
    staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    receipt = staff.get(f"/tradeins/{uuid}/receipt").get_data(as_text=True)
    assert "Prix fixé par un responsable : screen protector glued on" in receipt and "150,50" in receipt


def test_security_headers_on_every_page(client):
    for url in ("/login", "/healthz"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
    cookie = client.client.get_cookie("session")
    assert cookie is None or cookie.http_only


def test_staff_management_is_for_managers(app, staff, db):
    assert staff.get("/staff").status_code == 403  # Camille is a clerk
    manager = KioskClient(app.test_client())
    manager.login(app, "Sacha Leroy")
    assert "Staff of this store" in manager.get("/staff").get_data(as_text=True)
    short = manager.post("/staff", {"name": "Léa Petit", "role": "clerk", "pin": "12"})
    assert short.status_code == 422 and "6 to 12 digits" in short.get_data(as_text=True)
    assert manager.post("/staff", {"name": "Léa Petit", "role": "clerk", "pin": "482913"}).status_code == 303
    lea = staff_id(db, "Léa Petit")
    newcomer = KioskClient(app.test_client())
    assert newcomer.login(app, "Léa Petit", "482913").status_code == 302
    manager.post(f"/staff/{lea}/active", {"active": "0"})
    again = KioskClient(app.test_client())
    assert again.login(app, "Léa Petit", "482913").status_code == 401
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE action LIKE 'staff_%' ORDER BY id")]
    assert actions == ["staff_added", "staff_deactivated"]


def test_outside_the_tests_a_pin_is_hashed_with_argon2s_production_parameters():
    """The suite hashes PINs cheaply (tests/conftest.py); a terminal or HQ never does."""
    import subprocess
    import sys

    from argon2 import PasswordHasher

    from core.pins import hash_pin

    out = subprocess.run([sys.executable, "-c", "from core.pins import hash_pin; print(hash_pin('246810'))"],
                         capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent).stdout
    production = PasswordHasher()
    assert f"$m={production.memory_cost},t={production.time_cost},p={production.parallelism}$" in out
    assert "$m=64,t=1,p=1$" in hash_pin("246810")
