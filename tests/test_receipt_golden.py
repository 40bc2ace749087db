"""Golden test: the ESC/POS bytes of a fixed receipt must not change unnoticed.

Regenerate after an intended change with: UPDATE_GOLDEN=1 bash scripts/test.sh -k golden
(then look at the diff of the hex dump in the test output before committing).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from core.receipts import ReceiptFacts, build_tradein_receipt
from hardware import escpos_render

GOLDEN = Path(__file__).parent / "golden" / "tradein_receipt_TM-T88V.bin"
ACCEPTED = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def fixed_receipt():
    tradein = {
        "code": "TI-7K4Q-2M9C", "imei": "490154203237518", "serial": None, "storage_gb": 128,
        "cosmetic_grade": "B", "functional_grade": 8, "spec_version": "2026.11-1", "grid_version": "DEMO-20261123",
        "currency": "EUR", "base_minor": 19200, "bonuses": [["Bonus Noël", 2000]], "total_minor": 21200,
        "accepted_at": ACCEPTED.isoformat(),
    }
    return build_tradein_receipt(ReceiptFacts(
        store_name="Boutique Démo Paris 11e", store_address="12 rue de la Roquette, 75011 Paris",
        terminal="Counter 1", clerk="Camille Martin", locale="fr_FR", timezone="Europe/Paris", tradein=tradein,
        device_name="Apple iPhone 13", checklist=(("Screen", "Light scratches"), ("Battery health", "82 %")),
        payout_label="Store credit (voucher)", seller_name="Élodie Dupont",
        cancel_until=ACCEPTED + timedelta(hours=24),
    ))


def test_receipt_bytes_match_the_golden_file():
    data = escpos_render.render(fixed_receipt(), "TM-T88V")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes(), "ESC/POS output changed: check it, then UPDATE_GOLDEN=1"


def test_receipt_bytes_carry_the_codes_and_accents():
    data = escpos_render.render(fixed_receipt(), "TM-T88V")
    assert b"\x1d(k" in data and b"TI-7K4Q-2M9C" in data  # native QR command with the trade-in code
    assert b"\x1dkI" in data and b"{B490154203237518" in data  # Code128, code set B, the IMEI
    # One code page a line, selected at its start: "ë", NBSP and "€" in CP1252 (ESC t 16: 0xEB, 0xA0, 0x80), the
    # amounts in ISO-8859-7 (ESC t 15: NBSP 0xA0, "€" 0xA4).
    assert b"\x1bt\x10Bonus: Bonus No\xebl" in data and b"20,00\xa0\x80\n" in data
    assert b"\x1bt\x0fBase value" in data and b"192,00\xa0\xa4\n" in data
    assert b"212,00" in data and data.endswith(b"\x1dV\x00")  # total, then the paper cut


@given(st.text(max_size=120), st.text(max_size=80), st.sampled_from([32, 42, 48]))
def test_rows_never_overflow_the_paper(label, value, columns):
    lines = escpos_render.fit_row(label.strip(), value.strip(), columns)
    assert all(len(line) <= columns for line in lines)
