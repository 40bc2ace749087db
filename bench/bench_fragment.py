"""An htmx fragment round trip over real HTTP (waitress, keep-alive) vs the floor: a bare Flask route
returning a short string, served the same way in the same run."""

from __future__ import annotations

import http.client
import re
import threading
from urllib.parse import urlencode

import waitress
from flask import Flask

from bench.common import report, sample_side_by_side, scratch_folder, summary
from kiosk import create_app
from kiosk.provisioning.setup import prepare_database
from testing.samples import IMEI_KNOWN_TAC

RUNS = 1000
PIN = "123456"


def serve(app: Flask) -> int:
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    return server.effective_port


class Session:
    """One keep-alive HTTP connection with a cookie jar of one cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> str:
        headers = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";")[0]
        assert response.status < 400, (response.status, text[:300])
        return response.getheader("Location") or text


def signed_in_session(port: int) -> tuple[Session, str]:
    s = Session(port)
    page = s.request("GET", "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    staff_id = re.search(r'name="staff_id" value="([^"]+)"', page).group(1)
    s.request("POST", "/login", urlencode({"csrf_token": token, "staff_id": staff_id, "pin": PIN}))
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.request("GET", "/tradeins")).group(1)
    location = s.request("POST", "/tradeins", urlencode(
        {"csrf_token": token, "device_kind": "phone", "identifier": IMEI_KNOWN_TAC}))
    return s, location.rsplit("/", 1)[0] if location.endswith("/device") else location


def main() -> list[dict]:
    folder = scratch_folder("bench-fragment-")
    kiosk = create_app({"DATA_DIR": str(folder), "PRINTER_DRIVER": "dummy"})
    prepare_database(kiosk.config["DATABASE"], demo=True, demo_pin=PIN)
    bare = Flask("bare")
    bare.add_url_rule("/", "bare", lambda: "<p>ok</p>")
    bare_session = Session(serve(bare))
    kiosk_session, tradein_path = signed_in_session(serve(kiosk))
    fragment_headers = {"HX-Request": "true", "HX-Target": "storage-choice"}
    storage_path = f"{tradein_path}/device?device_id=5"
    html = kiosk_session.request("GET", storage_path, headers=fragment_headers)
    assert html.startswith('<fieldset id="storage-choice"'), html[:200]

    times = sample_side_by_side({
        "floor": lambda: bare_session.request("GET", "/"),
        "storage": lambda: kiosk_session.request("GET", storage_path, headers=fragment_headers),
        "search": lambda: kiosk_session.request(
            "GET", "/tradeins?q=49015420", headers={"HX-Request": "true", "HX-Target": "tradein-rows"})}, RUNS)
    floor = summary("bare Flask route over HTTP", times["floor"])
    storage = summary("fragment: storage choice (session, DB, template)", times["storage"])
    search = summary("fragment: trade-in search rows", times["search"])
    return [report("htmx fragment round trip vs bare Flask route", storage, floor, limit=3.0),
            report("htmx search fragment vs bare Flask route", search, floor, limit=3.0)]


if __name__ == "__main__":
    main()
