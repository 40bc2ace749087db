"""Accepted trade-ins made straight through kiosk.tradein.tradeins (the same code the routes call), for the
sync fault suite and the benchmarks, where driving HTTP for each would only add time."""

from __future__ import annotations

from datetime import date

from cryptography.fernet import Fernet
from stdnum import luhn

from core.grading import load_spec
from core.imei import Imei
from core.seller import parse_seller
from kiosk.compliance.audit import Actor
from kiosk.compliance.crypto import DataCipher
from kiosk.tradein import acceptance, tradeins
from testing.samples import ADULT_SELLER, PERFECT_PHONE

SPEC = load_spec()


def actor_of(db) -> Actor:
    store, terminal, staff = (db.execute(f"SELECT id FROM {table} LIMIT 1").fetchone()[0]
                              for table in ("stores", "terminals", "staff"))
    return Actor(staff, store, terminal)


def imei_number(n: int) -> Imei:
    body = f"35{n:012d}"
    return Imei(body + luhn.calc_check_digit(body))


def quoted_tradeins(db, count: int, first: int = 0) -> list[str]:
    actor, today, uuids = actor_of(db), date.today(), []
    for n in range(first, first + count):
        ti = tradeins.create_draft(db, actor, "phone", imei=imei_number(n))
        tradeins.set_device(db, actor, ti["uuid"], 1, 256)
        for question, answer in PERFECT_PHONE.items():
            tradeins.save_answer(db, actor, SPEC, ti["uuid"], question, answer)
        tradeins.prepare_quote(db, actor, SPEC, ti["uuid"], today)
        uuids.append(ti["uuid"])
    return uuids


TEST_CIPHER = DataCipher([Fernet.generate_key().decode()])


def accept_all(db, uuids: list[str], cipher: DataCipher = TEST_CIPHER) -> None:
    actor, seller = actor_of(db), parse_seller(ADULT_SELLER, date.today())
    for uuid in uuids:
        acceptance.accept(db, actor, uuid, seller, date.today(), cipher)


def accepted_tradeins(db, count: int, first: int = 0, cipher: DataCipher = TEST_CIPHER) -> list[str]:
    uuids = quoted_tradeins(db, count, first)
    accept_all(db, uuids, cipher)
    return uuids
