"""A customer's estimate and the clerk's check of it. Pure: no Flask, no SQL.

Customers complain most when the final price differs from the estimate without explanation, so
both sides are priced by one function (`PriceOf`, the real grid through core.pricing) and every
difference is put down to what caused it: another device or storage, an answer the clerk changed,
or a newer price grid.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from core.grading import Question, Spec

# The offer for a device (opaque key, e.g. (device_id, storage_gb)) with these answers;
# None when the answers make it not eligible.
PriceOf = Callable[[Hashable, Mapping[str, str]], "int | None"]


@dataclass(frozen=True)
class Sensitivity:
    """What the offer would be if the clerk found this answer one step worse."""

    question_id: str
    answer: str
    worse: str
    total_minor: int | None  # None: that answer would stop the trade-in
    appearance: bool  # only the cosmetic grade moves: a matter of judgement, where estimates differ most


@dataclass(frozen=True)
class Estimate:
    high_minor: int | None  # the offer with the customer's answers, if the check confirms them all
    low_minor: int | None  # if the clerk judges the wear one step worse on one point
    sensitivities: tuple[Sensitivity, ...]  # appearance first, then function, then what stops the trade-in


@dataclass(frozen=True)
class Change:
    """One difference between the customer's estimate and the clerk's check, and what it alone is worth."""

    question_id: str  # "device" for another model or storage
    customer: str
    clerk: str
    impact_minor: int | None  # None when one side is not eligible


def worse_answer(question: Question, value: str) -> str | None:
    """The next answer down the spec's order (answers are listed best first), or None at the bottom."""
    if question.kind == "percent":
        current = next(i for i, (minimum, _) in enumerate(question.bands) if int(value) >= minimum)
        return str(question.bands[current][0] - 1) if current + 1 < len(question.bands) else None
    values = list(question.answers)
    index = values.index(value)
    return values[index + 1] if index + 1 < len(values) else None


def estimate(spec: Spec, kind: str, device: Hashable, answers: Mapping[str, str], price_of: PriceOf) -> Estimate:
    high = price_of(device, answers)
    found = []
    for question in spec.questions_for(kind):
        worse = worse_answer(question, answers[question.id]) if question.id in answers else None
        if worse is None:
            continue
        total = price_of(device, {**answers, question.id: worse})
        if total != high:
            found.append(Sensitivity(question.id, answers[question.id], worse, total,
                                     _appearance_only(question, answers[question.id], worse)))
    found.sort(key=lambda s: (s.total_minor is None, not s.appearance, -(s.total_minor or 0)))
    judged = [s.total_minor for s in found if s.appearance and s.total_minor is not None]
    low = min(judged) if judged and high is not None else high
    return Estimate(high, low, tuple(found))


def _appearance_only(question: Question, answer: str, worse: str) -> bool:
    before, after = question.effect_of(answer), question.effect_of(worse)
    return after.functional == before.functional and not after.gate and after.cosmetic != before.cosmetic


def _impact(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before


def compare(spec: Spec, kind: str, customer: tuple[Hashable, Mapping[str, str]],
            clerk: tuple[Hashable, Mapping[str, str]], price_of: PriceOf) -> tuple[Change, ...]:
    """Each difference (device first, then answers in checklist order), priced alone against the
    customer's answers on the clerk's device, so a clerk can say what each finding cost."""
    (customer_device, customer_answers), (clerk_device, clerk_answers) = customer, clerk
    changes = []
    if customer_device != clerk_device:
        impact = _impact(price_of(customer_device, customer_answers), price_of(clerk_device, customer_answers))
        changes.append(Change("device", str(customer_device), str(clerk_device), impact))
    baseline = price_of(clerk_device, customer_answers)
    for question in spec.questions_for(kind):
        said, found = customer_answers.get(question.id), clerk_answers.get(question.id)
        if said is None or found is None or said == found:
            continue
        after = price_of(clerk_device, {**customer_answers, question.id: found})
        changes.append(Change(question.id, said, found, _impact(baseline, after)))
    return tuple(changes)
