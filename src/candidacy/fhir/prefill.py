"""Proposed answers from a patient's FHIR record, each with the resources and the rule behind it.

:func:`propose` applies the rules (:mod:`candidacy.fhir.prefill_rules`) to a record
(:mod:`candidacy.fhir.record`) at an assessment date. For each criterion the matches are sorted:

- one answer from every match within its look-back: a **proposal**, naming every source;
- different answers (two causes, an allergy beside an intolerance): a **conflict**, no proposal;
- matches only older than the look-back: an **out-of-date** item, shown and not proposed.

Nothing here is an answer. :func:`acceptance` turns an accepted proposal into the ordinary changes
(:class:`~candidacy.reasoning.changes.SetAnswer` and a :class:`~candidacy.reasoning.changes.SetNote`
that adds the provenance line), so an accepted answer takes the one change path every answer takes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from candidacy.criteria.codes import UCUM_SYSTEM
from candidacy.criteria.models import CriteriaSet, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.errors import FhirError, Problem
from candidacy.fhir import sources as read
from candidacy.fhir.prefill_rules import AgeRule, CodedRule, OnsetRule, PrefillRules, QuantityRule
from candidacy.fhir.record import Entry, Record, fhir_span, names_subject
from candidacy.fhir.sources import Source
from candidacy.fhir.units import UnitError, convert
from candidacy.reasoning.answers import AnswerSet
from candidacy.reasoning.changes import AnswerChange, SetAnswer, SetNote

__all__ = [
    "NOTE_PREFIX",
    "Candidate",
    "Conflict",
    "Prefill",
    "Proposal",
    "Stale",
    "acceptance",
    "accepted",
    "propose",
]

NOTE_PREFIX = "From record:"


@dataclass(frozen=True)
class Candidate:
    """An answer one rule found for a criterion, with the resources behind it."""

    criterion: str
    value: str | int
    rule: str
    sources: tuple[Source, ...]
    when: dt.date | None = None


@dataclass(frozen=True)
class Proposal:
    criterion: str
    title: str
    value: str | int
    label: str
    rule: str
    description: str
    sources: tuple[Source, ...]
    #: What the answer assumes that the record's codes do not say ('' when nothing): shown with it.
    check: str = ""

    def note_line(self) -> str:
        """The provenance a note keeps: every source and the rule, on one short, stable line."""
        return f"{NOTE_PREFIX} {'; '.join(s.line() for s in self.sources)} (rule {self.rule})"


@dataclass(frozen=True)
class Conflict:
    criterion: str
    title: str
    candidates: tuple[tuple[str, Candidate], ...]  # (label, candidate)


@dataclass(frozen=True)
class Stale:
    criterion: str
    title: str
    label: str
    rule: str
    look_back_months: int
    sources: tuple[Source, ...]


@dataclass
class Prefill:
    on: dt.date
    patient: str
    proposals: list[Proposal] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    stale: list[Stale] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def propose(cset: CriteriaSet, rules: PrefillRules, record: Record, on: dt.date) -> Prefill:
    """Every proposal, conflict and out-of-date item the record gives at the assessment date ``on``."""
    result = Prefill(on=on, patient=record.patient.ref)
    by_rule = {r.id: r for r in rules.rules}
    found: dict[str, list[Candidate]] = {}
    used: set[str] = set()
    tally = _Tally()
    for rule in rules.rules:
        for candidate in _candidates(rule, record, on, tally):
            found.setdefault(candidate.criterion, []).append(candidate)
            used.update(f"{s.resource}/{s.id}" for s in candidate.sources)
    out_of_range = 0
    for criterion in cset.iter_criteria():
        candidates = found.get(criterion.id)
        if not candidates:
            continue
        labels = dict(choices(criterion, cset) or [])

        def label(value: str | int, labels: dict[str, str] = labels) -> str:
            return labels.get(str(value), str(value))

        if isinstance(criterion.answer, NumberAnswer):
            low, high = criterion.answer.min, criterion.answer.max
            outside = [c for c in candidates if not low <= float(c.value) <= high]
            out_of_range += len(outside)
            candidates = [c for c in candidates if c not in outside]
            if not candidates:
                continue
        fresh = [c for c in candidates if not _too_old(c, by_rule, on)]
        if not fresh:
            newest = max(candidates, key=lambda c: c.when or dt.date.min)
            look_back = by_rule[newest.rule].look_back_months  # type: ignore[union-attr]
            result.stale.append(
                Stale(criterion.id, criterion.title, label(newest.value), newest.rule, look_back or 0, newest.sources)
            )
            continue
        values = {c.value for c in fresh}
        if len(values) > 1:
            pairs = tuple((label(c.value), c) for c in fresh)
            result.conflicts.append(Conflict(criterion.id, criterion.title, pairs))
            continue
        first = fresh[0]
        # In a stable order, whatever the order of the files: a record read again gives the same line.
        merged = tuple(sorted(dict.fromkeys(s for c in fresh for s in c.sources), key=lambda s: (s.resource, s.id)))
        rule_ids = ", ".join(dict.fromkeys(c.rule for c in fresh))
        description = " ".join(dict.fromkeys(by_rule[c.rule].description for c in fresh))
        check = " ".join(dict.fromkeys(text for c in fresh if (text := by_rule[c.rule].check)))
        result.proposals.append(
            Proposal(
                criterion.id, criterion.title, first.value, label(first.value), rule_ids, description, merged, check
            )
        )
    result.summary = _summary(rules, record, used, tally) | {"out_of_range": out_of_range}
    return result


def _too_old(candidate: Candidate, by_rule: dict[str, Any], on: dt.date) -> bool:
    months = getattr(by_rule[candidate.rule], "look_back_months", None)
    return months is not None and candidate.when is not None and _months(candidate.when, on) >= months


def _months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (a month is complete on the same day of the month)."""
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def _years(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _count(text: object, on: dt.date, unit: Callable[[dt.date, dt.date], int]) -> int | None:
    """Whole years or months from a FHIR date to ``on``; None when the date is too coarse to say (a year
    or a month alone, read from its first and its last day, gives two counts): such a date is
    1 January or the 1st to nobody, so no number is made up from it."""
    span = fhir_span(text)
    if span is None:
        return None
    counts = {unit(day, on) for day in span}
    return counts.pop() if len(counts) == 1 else None


@dataclass
class _Tally:
    """Resources set aside while matching, for the import summary."""

    later: set[str] = field(default_factory=set)  # dated after the assessment date
    matched: set[str] = field(default_factory=set)  # matched a rule's codes
    imprecise: set[str] = field(default_factory=set)  # a date too coarse for the number a rule derives
    no_subject: set[str] = field(default_factory=set)  # names no subject or patient


def _candidates(rule: Any, record: Record, on: dt.date, tally: _Tally) -> list[Candidate]:
    if isinstance(rule, AgeRule):
        patient = record.patient
        born = patient.data.get("birthDate")
        span = fhir_span(born)
        if span is None or span[0] > on:
            return []
        years = _count(born, on, _years)
        if years is None:
            tally.imprecise.add(patient.ref)
            return []
        source = Source("Patient", patient.id, str(born), "", "", "birth date")
        return [Candidate(rule.criterion, years, rule.id, (source,))]
    kinds = rule.resource_types()
    out: list[Candidate] = []
    for entry in record.entries:
        if entry.type not in kinds or read.refuted(entry):
            continue
        match = read.matching(entry, record, rule.codes)
        if match is None:
            continue
        tally.matched.add(entry.ref)
        if not names_subject(entry):
            tally.no_subject.add(entry.ref)  # says nothing of whom it is about: not evidence about this one
            continue
        if not read.verified(entry, rule.verification_status):
            continue
        when, written = read.entry_date(entry)
        if when is not None and when > on:
            tally.later.add(entry.ref)  # after the assessment date: not evidence for it
            continue
        coding, code = match
        display = str(coding.get("display") or code.display)
        found = _value(rule, entry, on)
        if found is None:
            if isinstance(rule, OnsetRule) and _onset(entry) is not None:
                tally.imprecise.add(entry.ref)
            continue
        source = Source(
            entry.type, entry.id, written, code.system, code.code, read.quoted(display), read.quoted(found[1])
        )
        out.append(Candidate(rule.criterion, found[0], rule.id, (source,), when))
    return out


def _onset(entry: Entry) -> object:
    return entry.data.get("onsetDateTime") or (entry.data.get("onsetPeriod") or {}).get("start")


def _value(rule: Any, entry: Entry, on: dt.date) -> tuple[str | int, str] | None:
    if isinstance(rule, OnsetRule):
        months = _count(_onset(entry), on, _months)
        return None if months is None else (months, "onset")
    if isinstance(rule, CodedRule):
        if rule.allergy_type and read.allergy_type(entry) != rule.allergy_type:
            return None
        if rule.status and read.status(entry) not in rule.status:
            return None
        if rule.clinical_status and read.clinical_status(entry) not in rule.clinical_status:
            return None
        detail = (read.allergy_type(entry) or "") if entry.type == "AllergyIntolerance" else ""
        if entry.type.startswith("Medication"):
            reason = read.reason_text(entry)
            detail = f"{read.status(entry)}" + (f": {reason}" if reason else "")
        return rule.answer, detail
    assert isinstance(rule, QuantityRule)
    quantity = entry.data.get("valueQuantity")
    if not isinstance(quantity, dict) or not isinstance(quantity.get("value"), int | float):
        return None
    given = read.quoted(str(quantity.get("code") or quantity.get("unit") or "no unit"), 40)
    try:
        if quantity.get("system") != UCUM_SYSTEM or not quantity.get("code"):
            raise UnitError(f"'{given}' is not given as a UCUM code")
        number = convert(float(quantity["value"]), str(quantity["code"]), rule.unit)
    except UnitError as error:
        raise FhirError(
            Problem(
                f"{entry.ref}: the unit does not convert to {rule.unit} ({error}); nothing was read",
                file=entry.file,
                line=entry.line,
                path="valueQuantity",
            )
        ) from None
    shown = f"{round(number, 1):g} {rule.unit}"
    for band in rule.bands:
        if (band.below is None or number < band.below) and (band.above is None or number > band.above):
            return band.answer, shown
    return None


def _summary(rules: PrefillRules, record: Record, used: set[str], tally: _Tally) -> dict[str, Any]:
    """What the import read: resources by type, how many gave an answer, how many had codes no rule
    knows (ignored), and the types no rule reads."""
    read_types = {t for r in rules.rules for t in r.resource_types()} - {"Patient"}
    unknown = [e for e in record.entries if e.type in read_types and e.ref not in used | tally.matched]
    unread = Counter(e.type for e in record.entries if e.type not in read_types and e.type != "Patient")
    return {
        "files": list(record.files),
        "resources": sum(record.counts().values()),
        "by_type": dict(sorted(record.counts().items())),
        "used": len(used),
        "matched_without_answer": len(tally.matched - used - tally.later - tally.imprecise - tally.no_subject),
        "no_subject": len(tally.no_subject),
        "unknown_codes": len(unknown),
        "after_assessment_date": len(tally.later),
        "imprecise_date": len(tally.imprecise),
        "not_read": dict(sorted(unread.items())),
    }


def acceptance(answers: AnswerSet, proposal: Proposal) -> list[AnswerChange]:
    """The changes that accept ``proposal``: its answer, and its provenance added to the item's note."""
    changes: list[AnswerChange] = [SetAnswer(proposal.criterion, proposal.value)]
    note = answers.answers[proposal.criterion].note if proposal.criterion in answers.answers else ""
    line = proposal.note_line()
    if line not in note:
        changes.append(SetNote(proposal.criterion, f"{note}\n{line}" if note else line))
    return changes


def accepted(answers: AnswerSet, proposal: Proposal) -> bool:
    """Whether the answers hold the proposal's answer with its provenance (what the store took)."""
    held = answers.answers.get(proposal.criterion)
    return held is not None and held.value == proposal.value and proposal.note_line() in held.note
