"""The hostile sweep's two apps as real processes on 127.0.0.1 (SQLite both): HQ with a supervisor and a store, the
kiosk's demo store with its manager, a quoted and an accepted trade-in and a customer's estimate, and both apps'
doors from their url_map (testing/route_doors.py) with a plausible value for each path argument. Used by
testing/hostile_sweep.run."""

from __future__ import annotations

import uuid
from pathlib import Path

from core.codes import TRADEIN
from testing.form_discovery import Visitor
from testing.hostile_sweep import BODY_FIELDS, HQ_PIN, KIOSK_PIN, PLAUSIBLE, UNLIMITED, Report, Store, sweep
from testing.route_doors import Routes, routes_for


def _prepare_hq(folder: Path):
    """HQ's app as the sweep's process will serve it (its url_map gives HQ's doors), a supervisor and a store."""
    from hq import create_app as create_hq_app
    from hq.services.staff import add_staff

    app = create_hq_app({"DATA_DIR": str(folder)})
    add_staff(app.extensions["hq.storage"], "Nadia Benali", "supervisor", HQ_PIN)
    return app, app.extensions["hq.storage"].add_store("Boutique Balayage")


def _kiosk_staff(visitor: Visitor) -> None:
    from testing.hostile import kiosk_staff

    signed = kiosk_staff(visitor.base, "Sacha Leroy", KIOSK_PIN)  # the manager: every staff page
    visitor.session, visitor.token = signed.session, signed.token


def _hq_supervisor(visitor: Visitor) -> None:
    from testing.hostile import hq_staff

    signed = hq_staff(visitor.base, "Nadia Benali", HQ_PIN)
    visitor.session, visitor.token = signed.session, signed.token


def _kiosk_visitors(base: str) -> list[tuple[Visitor, list[str]]]:
    """The manager, with a quoted trade-in (the seller's form, and the doors' plausible trade-in: the first seed
    naming one) and an accepted one (its receipt's forms); the customer totem, anonymous, with an estimate started;
    anyone at the sign-in page."""
    from testing.hostile import IMEIS, quoted_over_http
    from testing.samples import ADULT_SELLER

    staff = Visitor("kiosk staff", base, _kiosk_staff)
    _kiosk_staff(staff)
    from testing.hostile import Browser

    browser = Browser(base)
    browser.session, browser.token = staff.session, staff.token
    accepted = quoted_over_http(browser, IMEIS[1])
    browser.post(f"/tradeins/{accepted}/seller", {**ADULT_SELLER, "payout_method": "store_credit"})
    quoted = quoted_over_http(browser, IMEIS[2])
    customer = Visitor("kiosk customer", base)
    customer.get("/customer/")
    customer.session.post(base + "/customer/start", data={"csrf_token": customer.token, "kind": "phone"})
    return [
        (
            staff,
            [
                "/",
                "/tradeins",
                f"/tradeins/{quoted}/seller",
                f"/tradeins/{accepted}",
                "/pos",
                "/staff",
                "/sync",
                "/shipments",
                "/hardware",
                "/pos/reports",
                "/pos/returns",
            ],
        ),
        (customer, ["/customer/device", "/customer/questions/1", "/customer/"]),
        (Visitor("kiosk anonymous", base), ["/login"]),
    ]


def _routes(
    folder: Path, hq_app, kiosk: list[tuple[Visitor, list[str]]], hq: list[tuple[Visitor, list[str]]], store: Store
) -> Routes:
    """Both apps' doors (testing.route_doors; the kiosk's app made here only to read its url_map), with the plausible
    value of each path argument: the manager's quoted trade-in, the store's id, ids that name nothing."""
    from kiosk import create_app as create_kiosk_app

    (staff, seeds), (customer, _), _ = kiosk
    (supervisor, _), (anonymous, _) = hq
    quoted = next(seed.split("/")[2] for seed in seeds if seed.startswith("/tradeins/"))
    ids = {
        "sha256": "0" * 64,
        "digest": "0" * 64,
        "photo_uuid": str(uuid.uuid4()),
        "claim_uuid": str(uuid.uuid4()),
        "staff_id": str(uuid.uuid4()),
        "step": "1",
        "line_no": "1",
        "number": "1",
        "day": "2026-11-01",
    }
    plausible = {
        "kiosk": {**ids, "tradein_uuid": quoted, "key": "V-1", "code": TRADEIN.mint()},
        "hq": {
            **ids,
            "store_id": store.store_id,
            "identifier": PLAUSIBLE["identifier"],
            "kind": "grid",
            "version": "1",
            "part": "tradeins",
            "key": "1",
            "export_id": "1",
            "token": "t" * 22,
        },
    }
    visitors = {"staff": staff, "customer": customer, "supervisor": supervisor, "anyone": anonymous}
    return routes_for(
        create_kiosk_app({"DATA_DIR": str(folder / "routes")}), hq_app, visitors, store, BODY_FIELDS, plausible
    )


def run_against_processes(folder: Path, per_field: int = 4) -> Report:
    """The sweep against a kiosk and an HQ started here as real processes on 127.0.0.1 (SQLite both)."""
    from testing.processes import hq_process, kiosk_process

    hq_app, store = _prepare_hq(folder / "hq")
    limits = {"RATE_LIMIT_SIGN_IN": UNLIMITED}
    with (
        hq_process(
            folder / "hq",
            RATE_LIMIT_ENROL=UNLIMITED,
            RATE_LIMIT_TRACKING=UNLIMITED,
            RATE_LIMIT_DEVICE_TEST=UNLIMITED,
            RATE_LIMIT_SELLER_ANSWER=UNLIMITED,
            **limits,
        ) as (hq, _),
        kiosk_process(
            folder / "kiosk",
            DEMO="true",
            DEMO_PIN=KIOSK_PIN,
            PRINTER_DRIVER="dummy",
            RATE_LIMIT_CUSTOMER=UNLIMITED,
            **limits,
        ) as (base, _),
    ):
        supervisor = Visitor("hq supervisor", hq, _hq_supervisor)
        _hq_supervisor(supervisor)
        hq_visitors = [
            (
                supervisor,
                ["/hq/", "/hq/inbox", "/hq/checkin", "/hq/payouts", "/hq/publish", "/hq/stores", "/hq/shipments"],
            ),
            (Visitor("hq anonymous", hq), ["/hq/login"]),
        ]
        kiosk_visitors, signed = _kiosk_visitors(base), Store(hq, *store)
        routes = _routes(folder, hq_app, kiosk_visitors, hq_visitors, signed)
        return sweep(kiosk_visitors, hq_visitors, signed, per_field, routes)
