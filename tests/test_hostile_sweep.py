"""Issue 29's generated hostile sweep: every form of the kiosk and HQ (found by crawling them as their users), every
field of HQ's signed store API, and (issue 31) every route of both apps' url_map, its path's parts and its body, fed
with hostile strings against real processes: no 5xx anywhere, and no route left out but the reasoned skips."""

from __future__ import annotations

from hq import create_app as create_hq_app
from kiosk import create_app as create_kiosk_app
from testing import hostile_sweep, route_doors

# What the sweep found on this code (forms, fields): a floor well under it, so that a crawl that silently stops
# finding pages fails here instead of passing on a handful of fields.
MIN_FORMS = 35  # found 46
MIN_KIOSK_FIELDS, MIN_HQ_FIELDS, MIN_API_FIELDS = 40, 35, 150  # found 48, 44, 193
MIN_ROUTES = 150  # every method of every route of both apps, but the skipped: 162 on this code
# Routes no page links to, that the crawl alone never swept (issue 31): the diagnostics, the photos, HQ's photo
# channel and the phone's test, each a door of the derived list.
UNLINKED = (
    "POST /tradeins/<tradein_uuid>/device-test",
    "GET /tradeins/<tradein_uuid>/device-test",
    "POST /tradeins/<tradein_uuid>/photos",
    "GET /photos/<sha256>",
    "HEAD /api/v1/stores/<store_id>/photos/<sha256>",
    "PUT /api/v1/stores/<store_id>/photos/<sha256>",
    "GET /hq/photos/<sha256>",
    "GET /device-test/<token>",
    "POST /device-test/<token>/results",
    "POST /api/v1/stores/<store_id>/device-tests",
    "GET /api/v1/stores/<store_id>/device-tests/<digest>",
)


def test_done_when_a_generated_sweep_of_every_form_and_signed_api_field_with_hostile_strings_gets_no_5xx(tmp_path):
    report = hostile_sweep.run(tmp_path)
    hostile_sweep.write_report(report, tmp_path / "sweep.txt")
    failed = [line for line in report.lines() if line.startswith("FAILED")]
    assert not failed, report.summary() + "\n" + "\n".join(failed)
    assert report.forms >= MIN_FORMS, report.summary()
    assert report.fields("kiosk") >= MIN_KIOSK_FIELDS, report.summary()
    assert report.fields("hq ") >= MIN_HQ_FIELDS, report.summary()
    assert report.fields("hq-api") >= MIN_API_FIELDS, report.summary()
    # Its time is in the summary and in bench/hostile.py's report: speed is a benchmark's, not a test's.
    assert report.unswept() == [] and len(report.doors) >= MIN_ROUTES, report.summary()
    knocked = {o.route for o in report.outcomes if o.app.startswith("route ")}
    assert set(UNLINKED) <= knocked, set(UNLINKED) - knocked


def test_every_route_of_both_apps_is_a_door_unless_skipped_for_a_reason_that_still_names_a_route(tmp_path):
    apps = [create_kiosk_app({"DATA_DIR": str(tmp_path / "kiosk")}), create_hq_app({"DATA_DIR": str(tmp_path / "hq")})]
    assert route_doors.stale_skips(apps) == [] and all(len(why) > 20 for why in route_doors.SKIPPED.values())
    doors = {(door.app, door.route) for door in route_doors.doors("kiosk", apps[0]) + route_doors.doors("hq", apps[1])}
    for app, flask_app in zip(("kiosk", "hq"), apps, strict=True):
        for rule in flask_app.url_map.iter_rules():  # a route added tomorrow is a door without editing a list
            methods = (rule.methods or set()) - {"OPTIONS", "HEAD" if "GET" in (rule.methods or ()) else ""}
            assert rule.rule in route_doors.SKIPPED or {(app, f"{m} {rule.rule}") for m in methods} <= doors, rule
