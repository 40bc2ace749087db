"""The one-screen checklist: every question of the device's kind answered in one form, saved in one transaction.

The form starts from each question's "fine" answer (core.grading.Question.fine_answer) or from what was said before
(the device's own test, kiosk.diagnostics, unless the clerk answered after it came; else the clerk's earlier answer,
else the customer's estimate), so the clerk only changes the exceptions; a percent question is always typed. What the
device said and what the clerk chose are both kept, in the audit log."""

from __future__ import annotations

from collections.abc import Mapping

from core.clock import utcnow
from core.grading import AnswerError, Grade, Question, Spec, grade
from core.messages import N_, Message
from kiosk.compliance.audit import Actor, record
from kiosk.store.db import write_transaction
from kiosk.tradein.tradeins import _editable, answers_of, move_to


class ChecklistErrors(ValueError):
    """Question id -> message, each shown beside its question; nothing was saved."""

    def __init__(self, errors: dict[str, Message]):
        super().__init__("; ".join(errors))
        self.errors = errors


def starting_answers(questions: list[Question], saved: Mapping[str, str], said: Mapping[str, str],
                     tested: Mapping[str, str] | None = None) -> dict[str, str]:
    """What each question shows selected before the clerk touches it."""
    start, tested = {}, tested or {}
    for question in questions:
        value = tested.get(question.id) or saved.get(question.id) or said.get(question.id) or question.fine_answer
        start[question.id] = value if value is not None else ""
    return start


def read_form(questions: list[Question], form: Mapping[str, str]) -> dict[str, str]:
    """Each question's answer from the form, validated against its question; ChecklistErrors lists every problem."""
    answers, errors = {}, {}
    for question in questions:
        value = str(form.get(question.id) or "").strip()[:16]
        try:
            if not value:
                raise AnswerError(N_("Answer this question."))
            question.effect_of(value)
        except AnswerError as err:
            errors[question.id] = err.message
        answers[question.id] = value
    if errors:
        raise ChecklistErrors(errors)
    return answers


def save_all(db, actor: Actor, spec: Spec, tradein_uuid: str, answers: Mapping[str, str],
             device_check: Mapping[str, dict] | None = None) -> Grade:
    """Every answer and the grade they give, committed together (answers of another kind's questions are not kept);
    `device_check`: per question the phone's own test spoke to, what it said and what the clerk chose (audit log)."""
    with write_transaction(db):
        if device_check:
            record(db, "device_test_checked", staff_id=actor.staff_id, tradein_uuid=tradein_uuid,
                   questions=dict(device_check))
        ti = _editable(db, tradein_uuid)
        now = utcnow()
        db.conn.executemany("INSERT INTO tradein_answers VALUES (?, ?, ?, ?) ON CONFLICT (tradein_uuid, question_id) "
                       "DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
                       [[tradein_uuid, qid, value, now] for qid, value in answers.items()])
        result = grade(answers_of(db, tradein_uuid), spec, ti["device_kind"])
        move_to(db, ti, "graded" if result.complete else "draft", actor, "answered", cosmetic_grade=result.cosmetic,
                functional_grade=result.functional, spec_version=spec.version)
    return result
