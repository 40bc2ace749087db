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
# Paid in store credit: two outbox records per trade-in, the trade-in and its voucher.
ADULT_SELLER = {
    "surname": "Dupont", "first_names": "Élodie Marie", "birth_date": "1990-04-12",
    "address": "3 place de la République, 75003 Paris", "id_doc_type": "national_id",
    "id_doc_number": "X4RTBPFW4", "id_doc_issuer": "Préfecture de Paris", "id_doc_issued_on": "2021-06-01",
    "payout_method": "store_credit",
}
# Paid by bank transfer, which HQ makes (the terminal must be enrolled with HQ): the trade-in and the payout.
SELLER_IBAN = "FR7630006000011234567890189"
BANK_SELLER = {**ADULT_SELLER, "payout_method": "bank_transfer", "iban": "FR76 3000 6000 0112 3456 7890 189",
               "account_holder": "Élodie Dupont"}
# Answers that give each other kind of device a flawless grade (cosmetic A, functional 9), in checklist order.
PERFECT_TABLET = {**PERFECT_PHONE, "accessory_connector": "works", "radio": "yes"}
PERFECT_WATCH = {
    "powers_on": "yes", "factory_reset": "yes", "watch_unpaired": "yes", "screen": "flawless", "display_works": "yes",
    "liquid_damage": "no", "battery_health": "95", "watch_case": "like_new", "sensor_glass": "yes",
    "heart_rate": "yes", "crown_buttons": "yes",
}
PERFECT_CONSOLE = {
    "powers_on": "yes", "account_signed_out": "yes", "console_shell": "like_new", "hdmi_output": "yes",
    "controllers": "yes", "disc_drive": "yes", "storage_test": "yes", "fan_noise": "quiet",
}


def french_iban(number: int) -> str:
    """A valid French IBAN (RIB key and mod-97 check digits) for account `number`: sellers with accounts of their
    own, where one account paid twice in 30 days is held at HQ (hq.services.payout_limits)."""
    bank, branch, account = "30006", "00001", f"{number:011d}"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    return f"FR{98 - int(bban + '152700') % 97:02d}{bban}"  # F = 15, R = 27
