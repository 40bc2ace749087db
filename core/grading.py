"""Condition grading from the declarative checklist spec. Pure: no Flask, no SQL.

Output is kept apart, as HQ and refurbishers read it: a cosmetic grade A-D, a functional
grade 0-9 (CTIA-style, 9 = fully functional) and eligibility gates with their reasons.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core.messages import N_, Message, UserError

COSMETIC_GRADES = "ABCD"  # best first
FUNCTIONAL_MAX = 9
ADULT_AGE = 18
DEFAULT_SPEC = Path(__file__).parent / "data" / "checklist.toml"


class AnswerError(UserError):
    """An answer that does not fit its question; str(err) is shown to the clerk."""


@dataclass(frozen=True)
class Effect:
    label: str = ""
    cosmetic: str = "A"
    functional: int = FUNCTIONAL_MAX
    gate: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    applies_to: tuple[str, ...]
    kind: str = "choice"  # choice | percent
    short: str = ""  # receipt label
    help: str = ""
    customer_text: str = ""  # the same question put to a customer (self-service kiosk)
    customer_help: str = ""
    answers: dict[str, Effect] = field(default_factory=dict)  # value -> effect (choice)
    bands: tuple[tuple[int, Effect], ...] = ()  # (min, effect), highest min first (percent)

    def effect_of(self, value: str) -> Effect:
        """The effect of a stored answer; raises AnswerError when it does not fit."""
        if self.kind == "percent":
            percent = parse_percent(value)
            return next(effect for minimum, effect in self.bands if percent >= minimum)
        if value not in self.answers:
            raise AnswerError(N_("Choose one of the answers to the question."))
        return self.answers[value]

    def label_of(self, value: str) -> str:
        return f"{value} %" if self.kind == "percent" else self.answers[value].label

    @property
    def fine_answer(self) -> str | None:
        """The answer that changes nothing (no cap, no gate): what the one-screen checklist starts from, so the clerk
        ticks only the exceptions. None for a percent question, which is always read from the device."""
        return next((value for value, effect in self.answers.items()
                     if (effect.cosmetic, effect.functional, effect.gate) == ("A", FUNCTIONAL_MAX, "")), None)


@dataclass(frozen=True)
class Spec:
    version: str
    questions: tuple[Question, ...]

    def questions_for(self, device_kind: str) -> list[Question]:
        return [q for q in self.questions if device_kind in q.applies_to]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True)
class Grade:
    cosmetic: str
    functional: int
    gates: tuple[str, ...]
    missing: tuple[str, ...]  # question ids not answered yet

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def eligible(self) -> bool:
        return self.complete and not self.gates


def parse_percent(value: str) -> int:
    text = str(value).strip().rstrip("%").strip()
    # Only ASCII digits: "²" or "٣" are digits to str.isdigit() but not to a clerk or to int().
    if not (text.isascii() and text.isdecimal()) or len(text) > 3 or not 0 <= int(text) <= 100:
        raise AnswerError(N_("Battery health is a whole number from 0 to 100 (enter 0 when unknown)."))
    return int(text)


def _effect(raw: dict) -> Effect:
    cosmetic = raw.get("cosmetic", "A")
    if cosmetic not in COSMETIC_GRADES:
        raise ValueError(f"cosmetic grade {cosmetic!r} is not one of {COSMETIC_GRADES}")
    return Effect(raw.get("label", ""), cosmetic, int(raw.get("functional", FUNCTIONAL_MAX)), raw.get("gate", ""))


def _question(raw: dict) -> Question:
    bands = tuple(sorted(((int(b["min"]), _effect(b)) for b in raw.get("bands", [])), reverse=True))
    if raw.get("kind") == "percent" and (not bands or bands[-1][0] != 0):
        raise ValueError(f"question {raw['id']}: percent bands must reach down to min = 0")
    return Question(
        id=raw["id"],
        text=raw["text"],
        applies_to=tuple(raw["applies_to"]),
        kind=raw.get("kind", "choice"),
        short=raw.get("short", raw["text"]),
        help=raw.get("help", ""),
        customer_text=raw.get("customer_text", raw["text"]),
        customer_help=raw.get("customer_help", raw.get("help", "")),
        answers={a["value"]: _effect(a) for a in raw.get("answers", [])},
        bands=bands,
    )


def load_spec(path: Path | str = DEFAULT_SPEC) -> Spec:
    """Read and check a checklist spec file (TOML)."""
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return Spec(version=str(raw["version"]), questions=tuple(_question(q) for q in raw["questions"]))


def grade(answers: dict[str, str], spec: Spec, device_kind: str) -> Grade:
    """Grade a device from its answers: worst cosmetic cap, lowest functional cap, every gate."""
    cosmetic, functional, gates, missing = "A", FUNCTIONAL_MAX, [], []
    for question in spec.questions_for(device_kind):
        if question.id not in answers:
            missing.append(question.id)
            continue
        effect = question.effect_of(answers[question.id])
        cosmetic = max(cosmetic, effect.cosmetic)  # "D" > "A": later letters are worse
        functional = min(functional, effect.functional)
        if effect.gate:
            gates.append(effect.gate)
    return Grade(cosmetic, functional, tuple(gates), tuple(missing))


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def seller_age_gate(birth: date, today: date, adult_age: int = ADULT_AGE) -> str:
    """The reason a seller cannot trade in because of age, or "" when old enough (`adult_age`: the store's
    jurisdiction pack's minimum, core.jurisdiction)."""
    if birth > today:
        return Message(N_("The date of birth is in the future: check the ID document."))
    if age_on(birth, today) < adult_age:
        return Message(N_("The seller must be %(adult)s or older to sell a device (age on the ID: %(age)s)."),
                       adult=adult_age, age=age_on(birth, today))
    return ""
