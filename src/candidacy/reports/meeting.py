"""What a referral meeting sees of a case: blocking findings first, progress per section, counts with
one meaning everywhere, the step for the meeting's question, and the case's line on the agenda.

The summary, the projection view, the Meeting page and the meeting PDF all read these, so that
"not yet answered" and "missing information" mean the same thing on every screen and on paper:
an item *not yet answered* has no answer; an item with *missing information* was answered "Unknown".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from candidacy.criteria.kinds import KINDS, SUMMARY_ORDER
from candidacy.criteria.models import CriteriaSet
from candidacy.reasoning.assessment import DecisiveUnknown, Finding, MissingItem, NextStepResult
from candidacy.reports.record import Record

__all__ = [
    "BLOCKING_KINDS",
    "AgendaEntry",
    "Counts",
    "SectionProgress",
    "agenda_entry",
    "count",
    "meeting_line",
    "meeting_step",
    "room_order",
    "section_progress",
    "step_headline",
    "team_decision",
    "to_settle",
]

#: Finding kinds that stand in the way of going ahead: shown first, in the alarm colour, on every screen.
BLOCKING_KINDS: frozenset[str] = frozenset(k.id for k in KINDS if k.blocks_by_default)

#: The words used for the two kinds of gap, wherever a count of them is shown.
UNANSWERED = "not yet answered"
NOT_KNOWN = "missing information"


class _Result(Protocol):
    """What an :class:`~candidacy.reasoning.assessment.Assessment` and a record both carry."""

    @property
    def findings(self) -> tuple[Finding, ...]: ...

    @property
    def missing(self) -> tuple[MissingItem, ...]: ...

    @property
    def next_steps(self) -> tuple[NextStepResult, ...]: ...

    @property
    def answered(self) -> int: ...

    @property
    def applicable(self) -> int: ...

    @property
    def current_stage(self) -> str: ...

    def decisive_for(self, stage: str) -> list[DecisiveUnknown]: ...


def room_order() -> list[tuple[str, str]]:
    """(kind, heading) of the summary order with the blocking kinds moved to the top."""
    blocking = [entry for entry in SUMMARY_ORDER if entry[0] in BLOCKING_KINDS]
    return blocking + [entry for entry in SUMMARY_ORDER if entry[0] not in BLOCKING_KINDS]


@dataclass(frozen=True, slots=True)
class Counts:
    """How many findings of each kind and how many gaps; one meaning on every screen and page."""

    by_kind: tuple[tuple[str, int], ...]
    unanswered: int
    answered: int
    applicable: int

    def of(self, kind: str) -> int:
        return dict(self.by_kind).get(kind, 0)

    @property
    def blocking(self) -> int:
        return sum(n for kind, n in self.by_kind if kind in BLOCKING_KINDS)

    def phrases(self) -> list[str]:
        """Non-zero counts as short phrases, blocking kinds first, e.g. ``Contraindications: 2``."""
        out = [f"{heading}: {self.of(kind)}" for kind, heading in room_order() if kind != "missing" and self.of(kind)]
        if self.unanswered:
            out.append(f"{UNANSWERED.capitalize()}: {self.unanswered}")
        if self.of("missing"):
            out.append(f"{NOT_KNOWN.capitalize()}: {self.of('missing')}")
        return out


def count(result: _Result) -> Counts:
    kinds = [kind for kind, _ in SUMMARY_ORDER]
    by_kind = tuple((kind, sum(1 for f in result.findings if f.kind == kind)) for kind in kinds)
    unanswered = sum(1 for m in result.missing if m.status == "unanswered")
    return Counts(by_kind, unanswered, result.answered, result.applicable)


def to_settle(result: _Result) -> list[MissingItem]:
    """The gaps the meeting must settle: answered "Unknown" first (someone must find out), then unanswered."""
    return [m for m in result.missing if m.status != "unanswered"] + [
        m for m in result.missing if m.status == "unanswered"
    ]


def meeting_step(result: _Result) -> NextStepResult | None:
    """The step that answers the meeting's question: the first step of the current stage, else the first."""
    current = [s for s in result.next_steps if s.stage == result.current_stage]
    steps = current or list(result.next_steps)
    return steps[0] if steps else None


def meeting_line(result: _Result) -> str:
    """The answer to the meeting's question in one line (a phone's sticky line): the step, then how many
    decisive unknowns could still change it. Said the same way as the summary; never a verdict."""
    step = meeting_step(result)
    text = f"Step: {step.step}" if step else "No step for the meeting's question yet"
    decisive = len(result.decisive_for(result.current_stage))
    return text + (f" · {decisive} decisive unknown(s)" if decisive else "")


def step_headline(record: Record) -> str | None:
    """The step for the meeting's question as a headline for the room: a step still waiting on decisive
    unknowns ends with their count instead of their list (the list is what the room reads under the
    gaps), so a long list never pushes the findings off the screen. None when no step is given."""
    step = meeting_step(record)
    if step is None:
        return None
    if step.status != "pending" or not step.awaiting:
        return step.step
    titles = {i.criterion: i.title for i in record.items}
    listed = " " + "; ".join(titles.get(c, c) for c in step.awaiting) + "."
    if not step.step.endswith(listed):
        return step.step
    count = len(step.awaiting)
    items = f"{count} item{'s' if count != 1 else ''}"
    return f"{step.step[: -len(listed)]} {items}, named among the decisive unknowns under Gaps."


@dataclass(frozen=True, slots=True)
class SectionProgress:
    section_id: str
    title: str
    answered: int
    applicable: int
    first_open: str | None  # the first item still without an answer, to jump to

    @property
    def complete(self) -> bool:
        return self.answered == self.applicable


def section_progress(
    cset: CriteriaSet, applicable_ids: Sequence[str], missing: Sequence[MissingItem]
) -> list[SectionProgress]:
    """Answered of applicable items per section ("Unknown" counts as an answer, as in the total)."""
    applicable = set(applicable_ids)
    open_items = {m.criterion for m in missing if m.status == "unanswered"}
    out = []
    for section in cset.sections:
        ids = [c.id for c in section.criteria if c.id in applicable]
        still_open = [cid for cid in ids if cid in open_items]
        out.append(
            SectionProgress(
                section.id, section.title, len(ids) - len(still_open), len(ids), still_open[0] if still_open else None
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """One case on a meeting's agenda: who, where it stands, what the team decided, what the criteria say."""

    number: int
    case_id: int
    label: str
    status: str
    revision: int
    decision: str  # the team's recorded decision, "" while none is recorded
    counts: Counts
    step: str
    decisive: tuple[str, ...] = ()  # titles of the decisive unknowns for the meeting's question, ranked

    def facts(self) -> list[str]:
        """The parts of the agenda line after the label, in reading order."""
        findings = ", ".join(self.counts.phrases()) or "no findings yet"
        return [
            f"{self.status} (revision {self.revision})",
            f"decision: {self.decision or 'not recorded'}",
            f"answered {self.counts.answered} of {self.counts.applicable}",
            findings,
            *([f"decisive unknowns ({len(self.decisive)}): {'; '.join(self.decisive)}"] if self.decisive else []),
            f"next: {self.step or 'none yet'}",
        ]

    def line(self) -> str:
        """The whole entry as one plain-text line (command line, PDF agenda)."""
        return f"{self.number}. #{self.case_id} {self.label} · " + " · ".join(self.facts())


def agenda_entry(
    number: int, case_id: int, label: str, status: str, revision: int, result: _Result, decision: str = ""
) -> AgendaEntry:
    step = meeting_step(result)
    decisive = tuple(u.title for u in result.decisive_for(result.current_stage))
    return AgendaEntry(
        number, case_id, label, status, revision, decision, count(result), step.step if step else "", decisive
    )


def team_decision(record: Record) -> str:
    """The team's recorded decision as one line (outcome, date), "" while none is recorded."""
    decision = record.decision
    if decision is None:
        return ""
    return f"{decision.label()} ({decision.decided_on.isoformat()})"
