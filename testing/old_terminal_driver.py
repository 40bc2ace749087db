"""Run inside the last release's source tree, on its own Python path (testing/old_terminal.py starts it): that
release's kiosk enrols with today's HQ, takes a trade-in, and syncs from its /sync page, first with an HQ that no
longer reads its protocol, then with one that does. Prints one JSON line: what its pages said.

Only modules of the old tree are imported here: nothing of today's code may run on the old terminal's side."""

from __future__ import annotations

import html
import json
import re
import sys

ARGS = json.loads(sys.argv[1])  # {"folder", "hq_url", "code", "refusing_url"}


def page_text(response) -> str:
    """The page's visible text, tags out, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def sync_page_after_sync_now(app) -> str:
    from tests.conftest import KioskClient

    staff = KioskClient(app.test_client())
    staff.login(app, "Nadia Benali", "482913")
    staff.get("/sync")
    staff.post("/sync/now")
    return page_text(staff.get("/sync"))


def main() -> None:
    import kiosk
    from kiosk import create_app
    from kiosk.settings import read_hq_link
    from testing.samples import ADULT_SELLER
    from tests.test_golive import enrol_by_cli, first_manager, fresh_terminal, to_quote

    result, app = enrol_by_cli(fresh_terminal(ARGS["folder"]), ARGS["hq_url"], ARGS["code"])
    staff = first_manager(app)
    tradein = to_quote(staff, app)
    accepted = staff.post(f"/tradeins/{tradein}/seller", ADULT_SELLER).status_code
    link = read_hq_link(app.config["DATA_DIR"])
    refusing = create_app({"DATA_DIR": app.config["DATA_DIR"], "PRINTER_DRIVER": "file", "LANGUAGE": "en",
                           "SYNC_URL": ARGS["refusing_url"], "SYNC_STORE_ID": link["store_id"],
                           "SYNC_SECRET": link["secret"]})
    refusing.config["TESTING"] = True
    print(json.dumps({"kiosk_module": kiosk.__file__, "enrolled": result.exit_code, "accepted": accepted,
                      "tradein": tradein, "refused_page": sync_page_after_sync_now(refusing),
                      "synced_page": sync_page_after_sync_now(app)}))


if __name__ == "__main__":
    main()
