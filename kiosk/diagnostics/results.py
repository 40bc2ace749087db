"""What a trade-in's phone test said, read back: each test's result judged again by core.device_tests from the report
kept (never a verdict stored by someone else), the checklist questions it pre-answers, and the receipt's lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from core import device_tests
from core.device_tests import Evidence, Result
from core.messages import N_
from kiosk.store.db import fetch_one

Row = tuple[str, str]


@dataclass(frozen=True)
class DeviceResults:
    tested_at: str  # when the phone sent its report (HQ's clock)
    received_at: str  # when it reached this terminal
    results: dict[str, Result]
    evidence: dict[str, Evidence]  # question id -> what the test says about it

    def rows(self) -> list[dict]:
        """The results table: each test's name, outcome and measured values in words (Messages to translate)."""
        spec = device_tests.load_spec()
        return [{"id": test.id, "name": test.name, "outcome": self.results[test.id].outcome,
                 "outcome_label": device_tests.OUTCOMES[self.results[test.id].outcome],
                 "details": device_tests.described(test.id, self.results[test.id]), "kind": test.kind}
                for test in spec.tests if test.id in self.results]

    def counts(self) -> dict[str, int]:
        outcomes = [result.outcome for result in self.results.values()]
        return {outcome: outcomes.count(outcome) for outcome in device_tests.OUTCOMES}


def of_tradein(db: sqlite_utils.Database, tradein_uuid: str) -> DeviceResults | None:
    """The newest report that reached this terminal for the trade-in; None before any."""
    row = fetch_one(db, "SELECT * FROM device_tests WHERE tradein_uuid = ? AND hq_status = 'used' "
                        "ORDER BY received_at DESC, rowid DESC LIMIT 1", [tradein_uuid])
    if row is None:
        return None
    try:
        report = json.loads(row["report"] or "{}")
    except ValueError:
        report = {}
    results = device_tests.judge(report, int(row["tone_hz"]))
    return DeviceResults(row["tested_at"] or "", row["received_at"] or "", results, device_tests.evidence(results))


def pre_answers(db: sqlite_utils.Database, tradein_uuid: str, tested: DeviceResults | None) -> dict[str, str]:
    """Question id -> the answer the test pre-selects on the checklist; a question the clerk answered after the
    report arrived keeps the clerk's answer (it was given knowing the result; both clocks are this terminal's, to the
    second: an answer in the second the report came counts as after it)."""
    if tested is None:
        return {}
    later = {question for (question,) in db.execute(
        "SELECT question_id FROM tradein_answers WHERE tradein_uuid = ? AND answered_at >= ?",
        [tradein_uuid, tested.received_at])}
    return {question: found.answer for question, found in tested.evidence.items()
            if found.answer and question not in later}


def receipt_rows(db: sqlite_utils.Database, tradein_uuid: str, translate: Callable[[str], str]) -> tuple[Row, ...]:
    """"Tested on the device: screen, touch, …" and, when any failed, "Failed on the device: …"; none without a
    test (the receipt is then as it always was)."""
    tested = of_tradein(db, tradein_uuid)
    if tested is None:
        return ()
    passed, failed = device_tests.receipt_functions(tested.results)
    rows = [(translate(label), ", ".join(translate(word) for word in words))
            for label, words in ((N_("Tested on the device"), passed), (N_("Failed on the device"), failed)) if words]
    return tuple(rows)


def audit_detail(evidence: dict[str, Evidence], chosen: dict[str, str]) -> dict[str, dict]:
    """What the device said and what the clerk chose, per question the test spoke to (kept in the audit log)."""
    return {question: {"device": found.outcome, "pre_answer": found.answer, "clerk": chosen.get(question, "")}
            for question, found in evidence.items()}

