"""Quick renderings of an assessment for the command line (text, JSON) and Markdown escaping.

The full record (Markdown, PDF, canonical JSON) is built in :mod:`candidacy.reports.record` and rendered by
:mod:`candidacy.reports`. Clinician notes are untrusted text: escaped, never interpreted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from candidacy.criteria.models import CriteriaSet
from candidacy.reasoning.answers import CaseHeader
from candidacy.reasoning.assessment import (
    Assessment,
    DecisiveUnknown,
    MissingItem,
    NextStepResult,
    RoutineItem,
    StageSummary,
)
from candidacy.text import screen_literal


@dataclass(frozen=True)
class StepGroup:
    """The steps of one stage as every report prints them: the meeting's question first."""

    label: str  # "" for a set without stages
    question: str
    current: bool
    steps: list[NextStepResult]
    decisive: list[DecisiveUnknown]  # could change this stage's steps, ranked (listed for the current stage)
    to_settle: list[MissingItem]  # open items of a later stage
    routine: list[RoutineItem]  # routine checks to document before this stage (listed for the current stage)
    blocked: bool = False  # something recorded stands in the way of this stage

    def settled_note(self) -> str:
        """What to say when something stands in the way and no unknown could change the step."""
        if self.current and self.blocked and not self.decisive:
            return "No unknown item could change this step: what stands in the way is recorded."
        return ""


def step_groups(
    stages: Sequence[StageSummary],
    next_steps: Sequence[NextStepResult],
    decisive: Sequence[DecisiveUnknown],
    missing: Sequence[MissingItem],
    routine: Sequence[RoutineItem] = (),
) -> list[StepGroup]:
    if not stages:
        return [StepGroup("", "", True, list(next_steps), list(decisive), [], list(routine))]
    at = next((i for i, s in enumerate(stages) if s.current), 0)
    groups = []
    for stage in [*stages[at:], *stages[:at]]:
        groups.append(
            StepGroup(
                label=stage.label,
                question=stage.question,
                current=stage.current,
                steps=[s for s in next_steps if s.stage == stage.id],
                decisive=[u for u in decisive if u.criterion in stage.decisive] if stage.current else [],
                to_settle=[m for m in missing if m.criterion in stage.open_items] if not stage.current else [],
                routine=[r for r in routine if r.criterion in stage.routine] if stage.current else [],
                blocked=bool(stage.blocking),
            )
        )
    return groups


__all__ = ["StepGroup", "case_lines", "escape_markdown", "render_text", "routine_heading", "step_groups"]


def routine_heading(group: StepGroup) -> str:
    """ "Before a screening test, document" for the screening stage: routine work, not an open question."""
    label = group.label or "Before this stage"
    return f"{label}, document (routine work that does not hold the step)"


def escape_markdown(text: str) -> str:
    """Untrusted text for the app's Markdown (labels, captions, messages), shown exactly as typed.

    No formatting, maths, colours, icons, emoji, links or HTML; control and bidirectional characters
    are made visible (:func:`candidacy.text.screen_literal`).
    """
    return screen_literal(text)


def case_lines(case: CaseHeader | None) -> list[tuple[str, str]]:
    """The case header as (label, value) rows, leaving out empty fields."""
    if case is None:
        return []
    rows = [
        ("Case", case.label),
        ("Assessor", f"{case.assessor} ({case.role})" if case.role else case.assessor),
        ("Date of assessment", case.assessed_on.isoformat() if case.assessed_on else ""),
        ("Meeting date", case.meeting_date.isoformat() if case.meeting_date else ""),
    ]
    return [(k, v) for k, v in rows if v]


def render_text(cset: CriteriaSet, assessment: Assessment, case: CaseHeader | None = None) -> str:
    ref = assessment.criteria
    out = [ref.title, "=" * len(ref.title), assessment.notice, ""]
    out += [f"{k}: {v}" for k, v in case_lines(case)]
    out += [
        f"Criteria: {ref.id} {ref.version} (reviewed {ref.review_date}) sha256 {ref.sha256}",
        f"Answered {assessment.answered} of {assessment.applicable} applicable items",
        "",
    ]
    for _, heading, findings in assessment.summary():
        out.append(f"{heading}:")
        out += [f"  - {f.title}: {f.statement} [{f.criterion}; answer: {f.answer_label}]" for f in findings] or [
            "  (none)"
        ]
    unanswered = [m for m in assessment.missing if m.status == "unanswered"]
    if unanswered:
        out.append("Not yet answered:")
        out += [f"  - {m.title} [{m.criterion}]" for m in unanswered]
    out.append("Next steps suggested by the criteria:")
    number = 1
    groups = step_groups(
        assessment.stages, assessment.next_steps, assessment.decisive_unknowns, assessment.missing, assessment.routine
    )
    for group in groups:
        if group.label:
            out.append(f"  {group.label}{' (now)' if group.current else ''}:")
        for step in group.steps:
            out.append(f"  {number}. {step.step}")
            out.append(f"     because {step.basis}")
            number += 1
        if group.decisive:
            out.append(f"     Decisive unknowns ({len(group.decisive)}), most decisive first:")
            out += [f"       - {u.title}: {u.why}" for u in group.decisive]
        if group.settled_note():
            out.append(f"     {group.settled_note()}")
        if group.routine:
            out.append(f"     {routine_heading(group)} ({len(group.routine)}):")
            out += [f"       - {r.title} (expected: {r.expected}): {r.obtain}" for r in group.routine]
        if group.to_settle:
            out.append("     Also settle before this stage: " + "; ".join(m.title for m in group.to_settle))
    if assessment.not_applicable:
        out.append("Not applicable:")
        out += [f"  - {n.title} [{n.criterion}]: {n.reason}" for n in assessment.not_applicable]
    return "\n".join(out) + "\n"
