"""Run by tests/test_crash.py in a subprocess: takes trade-ins through the real routes, forever,
until the test SIGKILLs it. Prints "ready" once signed in, then one line per accepted trade-in."""

from __future__ import annotations

import random
import sys

from stdnum import luhn

from testing.samples import ADULT_SELLER
from tests.conftest import KioskClient, model_id, run_to_quote

DATA_DIR = sys.argv[1]


def random_imei(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(14))
    return body + luhn.calc_check_digit(body)


def main() -> None:
    from kiosk import create_app

    app = create_app({"DATA_DIR": DATA_DIR, "PRINTER_DRIVER": "file"})
    staff = KioskClient(app.test_client())
    staff.login(app)
    rng = random.Random()
    iphone12 = model_id(app)
    print("ready", flush=True)
    while True:
        uuid = run_to_quote(staff, imei=random_imei(rng), device_id=iphone12, storage_gb=128)
        # A new seller each time: the same seller's 4th trade-in of the day would need a manager.
        seller = {**ADULT_SELLER, "id_doc_number": f"X{rng.randrange(10**9):09d}"}
        response = staff.post(f"/tradeins/{uuid}/seller", seller)
        assert response.status_code == 303, response.get_data(as_text=True)
        print(uuid, flush=True)


if __name__ == "__main__":
    main()
