"""App-level guarantees: settings precedence, staff-only routes, a console taken on its serial number."""

from __future__ import annotations

import re

import pytest

from kiosk.settings import load_settings
from testing.samples import ADULT_SELLER, PERFECT_CONSOLE
from tests.conftest import tradein_uuid_from

# Routes anyone may reach; every other route must send an anonymous visitor to the sign-in page.
PUBLIC = {"static", "assets.static", "auth.login", "auth.logout", "health.healthz", "today.home", "lang.switch",
          "setup.enrolment", "setup.first_manager"}  # set-up pages: only until done (tests/test_golive.py)


def test_settings_precedence_file_then_env_then_arguments(tmp_path):
    (tmp_path / "kiosk.toml").write_text('LOCALE = "en_GB"\nCANCEL_WINDOW_HOURS = 48\nPRINTER_DRIVER = "dummy"\n')
    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_CANCEL_WINDOW_HOURS": "12"}
    settings = load_settings({"PRINTER_DRIVER": "network"}, environ=env)
    assert settings["LOCALE"] == "en_GB" and settings["CANCEL_WINDOW_HOURS"] == 12
    assert settings["PRINTER_DRIVER"] == "network" and settings["DATABASE"] == str(tmp_path / "kiosk.db")


def test_bad_settings_are_named(tmp_path):
    (tmp_path / "kiosk.toml").write_text('PRINTR_DRIVER = "dummy"\n')
    with pytest.raises(ValueError, match="unknown setting PRINTR_DRIVER in .*did you mean PRINTER_DRIVER"):
        load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    with pytest.raises(ValueError, match="CANCEL_WINDOW_HOURS must be a whole number"):
        load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path / "x"), "KIOSK_CANCEL_WINDOW_HOURS": "a day"})
    with pytest.raises(ValueError, match="TRUSTED_PROXIES must be at least 0, got -1"):
        load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path / "x"), "KIOSK_TRUSTED_PROXIES": "-1"})


def test_every_route_but_the_public_ones_needs_a_signed_in_clerk(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint.startswith("customer."):  # tests/test_customer.py
            continue
        url = re.sub(r"<[^>]+>", "00000000-0000-0000-0000-000000000000", re.sub(r"<int:[^>]+>", "1", rule.rule))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.post(url) if method == "POST" else client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
            checked += 1
    assert checked >= 12


def test_a_console_is_taken_on_its_serial_number(app, staff, db):
    uuid = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "console", "identifier": "s/n cr-7123 4567 a"}))
    ps5 = db.execute("SELECT id FROM devices WHERE model = 'PlayStation 5 Slim'").fetchone()[0]
    iphone = db.execute("SELECT id FROM devices WHERE model = 'iPhone 13'").fetchone()[0]
    response = staff.post(f"/tradeins/{uuid}/device", {"device_id": iphone, "storage_gb": 128})
    assert response.status_code == 422 and "identified by an IMEI" in response.get_data(as_text=True)
    assert staff.post(f"/tradeins/{uuid}/device", {"device_id": ps5, "storage_gb": 1024}).status_code == 303
    for step, answer in enumerate(PERFECT_CONSOLE.values(), start=1):  # the console's own checklist
        assert staff.post(f"/tradeins/{uuid}/checklist/{step}", {"answer": answer}).status_code == 303
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    ti = db["tradeins"].get(uuid)
    assert ti["serial"] == "CR71234567A" and ti["imei"] is None and ti["state"] == "printed"
    grid_value = db.execute("SELECT base_minor FROM price_grid_values WHERE device_id = ? AND storage_gb = 1024 "
                            "AND cosmetic = 'A' AND functional_band = 'F1'", [ps5]).fetchone()[0]
    assert ti["total_minor"] == grid_value > 0  # the console's own row of the grid, grade A/9


def test_one_settings_mechanism_parses_booleans_and_refuses_what_it_cannot_read(tmp_path):
    from hq.settings import load_settings as hq_settings

    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_SESSION_COOKIE_SECURE": "false"}
    assert load_settings(environ=env)["SESSION_COOKIE_SECURE"] is False  # "false" is not True
    assert load_settings(environ={**env, "KIOSK_SESSION_COOKIE_SECURE": "on"})["SESSION_COOKIE_SECURE"] is True
    for bad in ({"KIOSK_SESSION_COOKIE_SECURE": "sometimes"}, {"KIOSK_TERMINAL_MODE": "kiosk"},
                {"KIOSK_PRINTER_DRIVER": "laser"}):
        with pytest.raises(ValueError, match="must be"):
            load_settings(environ={**env, **bad})
    assert hq_settings(environ={"HQ_MAX_BODY_BYTES": "1024"})["MAX_BODY_BYTES"] == 1024
    with pytest.raises(ValueError, match="whole number"):
        hq_settings(environ={"HQ_MAX_BODY_BYTES": "a lot"})


def test_each_printer_driver_says_whether_it_can_be_used_here():
    from hardware.printer import DRIVERS

    assert set(DRIVERS) == {"dummy", "file", "network", "usb", "serial", "cups"}
    assert DRIVERS["file"].usable() == (True, "")
    for driver in DRIVERS.values():
        usable, missing = driver.usable()
        assert usable or missing  # a driver that cannot run says what it lacks


def test_templates_see_a_global_added_after_they_were_loaded_and_their_own_globals_first(app):
    """The kiosk's templates build their context from a flat copy of their globals (kiosk.templating): the copy is
    made at each render, so it keeps Jinja's layering (a template's own globals before the environment's) and sees
    a global the environment gained after the template was compiled."""
    env = app.jinja_env
    env.globals["greeting"] = "bonjour"
    plain = env.from_string("{{ greeting }} {{ name | default('nobody') }}")
    own = env.from_string("{{ greeting }}", globals={"greeting": "salut"})
    assert plain.render() == "bonjour nobody" and own.render() == "salut"
    env.globals["name"] = "Léa"  # after both templates were compiled
    assert plain.render() == "bonjour Léa" and own.render() == "salut"
    assert plain.render(greeting="hello") == "hello Léa"  # the render's own variables come first
