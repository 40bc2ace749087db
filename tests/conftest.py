"""Shared fixtures: a real SQLite file per test, the app factory, a signed-in client."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from core import pins
from kiosk import create_app
from kiosk.provisioning.setup import prepare_database
from kiosk.store.db import open_database
from testing.samples import IMEI_KNOWN_TAC, PERFECT_PHONE, PIN

pytest_plugins = ["tests.hq_fixtures"]

# CI replays the same generated cases every run (a landing must not hinge on a lucky draw);
# a developer's runs keep drawing new ones, which is how the fuzz tests found their bugs.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# PINs hashed cheaply in this process only (tests/test_security.py proves a terminal keeps argon2's defaults).
pins.use_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def staff_id(db, name: str) -> str:
    return db.execute("SELECT id FROM staff WHERE name = ?", [name]).fetchone()[0]


def model_id(app: Flask, model: str = "iPhone 12") -> int:
    """A catalog model's id (the iPhone 12 quotes below the manager-approval threshold)."""
    database = open_database(app.config["DATABASE"])
    try:
        return database.execute("SELECT id FROM devices WHERE model = ?", [model]).fetchone()[0]
    finally:
        database.close()


_SEEDED: dict[str, bytes] = {}


def _seeded_database() -> bytes:
    """The migrated demo store's database file, built once per test session (migrating and seeding every test's
    database from nothing was a good part of each test's set-up); each test gets its own copy of it."""
    if "demo" not in _SEEDED:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "kiosk.db")
            prepare_database(path, demo=True, demo_pin=PIN)
            database = open_database(path)
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.close()
            _SEEDED["demo"] = Path(path).read_bytes()
    return _SEEDED["demo"]


def make_app(data_dir: Path, **overrides) -> Flask:
    # English unless a test asks otherwise: most assertions read the English text (tests/test_i18n.py: French).
    if "DATABASE" not in overrides and not (data_dir / "kiosk.db").exists():
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        (data_dir / "kiosk.db").write_bytes(_seeded_database())
        (data_dir / "kiosk.db").chmod(0o600)
    app = create_app({"DATA_DIR": str(data_dir), "PRINTER_DRIVER": "file", "LANGUAGE": "en", **overrides})
    app.config["TESTING"] = True
    prepare_database(app.config["DATABASE"], demo=True, demo_pin=PIN)
    return app


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return make_app(tmp_path / "instance")


@pytest.fixture
def db_of() -> Iterator:
    """Open (and later close) a second connection to any app's database file."""
    opened = []

    def open_for(app: Flask):
        opened.append(open_database(app.config["DATABASE"]))
        return opened[-1]

    yield open_for
    for database in opened:
        database.close()


@pytest.fixture
def db(app: Flask) -> Iterator:
    database = open_database(app.config["DATABASE"])
    yield database
    database.close()


class KioskClient:
    """A test client that carries the CSRF token like the browser does."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.token = ""

    def get(self, url: str, **kw):
        response = self.client.get(url, **kw)
        if response.mimetype == "text/html" and (match := CSRF_FIELD.search(response.get_data(as_text=True))):
            self.token = match.group(1)
        return response

    def post(self, url: str, data: dict | None = None, **kw):
        if not self.token:
            self.get("/login")
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kw)

    def login(self, app: Flask, name: str = "Camille Martin", pin: str = PIN):
        with app.app_context():
            from kiosk.store.connection import get_db

            staff_id = get_db().execute("SELECT id FROM staff WHERE name = ?", [name]).fetchone()[0]
        response = self.post("/login", {"staff_id": staff_id, "pin": pin})
        self.get("/tradeins")  # signing in starts a new session, with a new CSRF token
        return response


@pytest.fixture
def client(app: Flask) -> KioskClient:
    return KioskClient(app.test_client())


@pytest.fixture
def staff(app: Flask, client: KioskClient) -> KioskClient:
    assert client.login(app).status_code == 302
    return client


def tradein_uuid_from(response) -> str:
    match = re.search(r"/tradeins/([0-9a-f-]{36})/", response.headers.get("Location", ""))
    assert match, f"no trade-in in redirect {response.headers.get('Location')!r}"
    return match.group(1)


def run_to_quote(staff: KioskClient, imei: str = IMEI_KNOWN_TAC, answers: dict | None = None,
                 device_id: int | None = None, storage_gb: int = 128, imei2: str = "") -> str:
    """Drive the flow through the HTTP routes up to the quote; returns the trade-in uuid."""
    uuid = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": imei}))
    form = {"storage_gb": storage_gb, "imei2": imei2}
    if device_id is not None:
        form["device_id"] = device_id
    else:
        page = staff.get(f"/tradeins/{uuid}/device").get_data(as_text=True)
        form["device_id"] = re.search(r'<option value="(\d+)" selected', page).group(1)
    assert staff.post(f"/tradeins/{uuid}/device", form).status_code == 303
    for step, (_, value) in enumerate((answers or PERFECT_PHONE).items(), start=1):
        response = staff.post(f"/tradeins/{uuid}/checklist/{step}", {"answer": value})
        assert response.status_code == 303, response.get_data(as_text=True)
    return uuid
