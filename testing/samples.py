"""Sample data the tests and the benchmarks share: a PIN, valid IMEIs, a flawless phone's answers, an
adult seller."""

from __future__ import annotations

PIN = "246810"
# Valid IMEIs (Luhn-checked): one whose TAC is in the demo table (iPhone 13), one unknown.
IMEI_KNOWN_TAC = "490154203237518"
IMEI_UNKNOWN_TAC = "352099001761481"

# Answers that give a flawless phone (cosmetic A, functional 9).
PERFECT_PHONE = {
    "powers_on": "yes", "activation_lock": "off", "factory_reset": "yes", "screen": "flawless",
    "display_works": "yes", "body": "like_new", "camera_lens": "yes", "buttons_ports": "yes",
    "liquid_damage": "no", "battery_health": "92",
}
# Paid by bank transfer: one outbox record per trade-in. (Store credit also issues a voucher: tests/test_pos.py.)
ADULT_SELLER = {
    "surname": "Dupont", "first_names": "Élodie Marie", "birth_date": "1990-04-12",
    "address": "3 place de la République, 75003 Paris", "id_doc_type": "national_id",
    "id_doc_number": "X4RTBPFW4", "id_doc_issuer": "Préfecture de Paris", "id_doc_issued_on": "2021-06-01",
    "payout_method": "bank_transfer",
}
