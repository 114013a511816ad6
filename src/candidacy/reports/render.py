"""Quick renderings of an assessment for the command line (text, JSON) and Markdown escaping.

The full record (Markdown, PDF, canonical JSON) is built in :mod:`candidacy.reports.record` and rendered by
:mod:`candidacy.reports`. Clinician notes are untrusted text: escaped, never interpreted.
"""

from __future__ import annotations

import json
from typing import Any

from candidacy.criteria.models import CriteriaSet
from candidacy.reasoning.answers import CaseHeader
from candidacy.reasoning.assessment import Assessment
from candidacy.text import screen_literal

__all__ = ["case_lines", "escape_markdown", "record_dict", "render_json", "render_text"]


def record_dict(assessment: Assessment, case: CaseHeader | None = None) -> dict[str, Any]:
    """The assessment as JSON-ready data, with the case header when there is one."""
    data = assessment.to_dict()
    if case is not None:
        data = {"case": case.model_dump(mode="json"), **data}
    return data


def render_json(assessment: Assessment, case: CaseHeader | None = None) -> str:
    return json.dumps(record_dict(assessment, case), indent=2, ensure_ascii=False) + "\n"


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
    out += [f"  {i}. {s.step}" for i, s in enumerate(assessment.next_steps, 1)]
    if assessment.not_applicable:
        out.append("Not applicable:")
        out += [f"  - {n.title} [{n.criterion}]: {n.reason}" for n in assessment.not_applicable]
    return "\n".join(out) + "\n"
