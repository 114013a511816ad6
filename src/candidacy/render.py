"""Plain-text and Markdown renderings of an assessment: the record a second clinician reads.

Both follow the summary order of :data:`candidacy.assessment.SUMMARY_ORDER`, then the detail of every
finding (answer, note, rationale, sources), then items not applicable, then the sources list.
Clinician notes are untrusted text: they are quoted and escaped, never interpreted.
"""

from __future__ import annotations

import html
import json
from typing import Any

from candidacy.answers import CaseHeader
from candidacy.assessment import Assessment, CitedSource, Finding
from candidacy.models import CriteriaSet

__all__ = ["record_dict", "render_json", "render_markdown", "render_text"]


def record_dict(assessment: Assessment, case: CaseHeader | None = None) -> dict[str, Any]:
    """The assessment as JSON-ready data, with the case header when there is one."""
    data = assessment.to_dict()
    if case is not None:
        data = {"case": case.model_dump(mode="json"), **data}
    return data


def render_json(assessment: Assessment, case: CaseHeader | None = None) -> str:
    return json.dumps(record_dict(assessment, case), indent=2, ensure_ascii=False) + "\n"


def _cites(sources: tuple[CitedSource, ...]) -> str:
    return "; ".join(f"[{s.id}] {s.locator} ({s.strength})" for s in sources)


def escape_markdown(text: str) -> str:
    """Escape untrusted text for Markdown: no HTML, no accidental headings, links or emphasis."""
    text = html.escape(text, quote=False)
    for char in "\\`*_[]#|":
        text = text.replace(char, "\\" + char)
    return text


_md = escape_markdown


def _quote(text: str) -> list[str]:
    return ["> " + _md(line) if line else ">" for line in text.splitlines()]


def _case_lines(case: CaseHeader | None) -> list[tuple[str, str]]:
    if case is None:
        return []
    rows = [
        ("Case", case.label),
        ("Assessor", f"{case.assessor} ({case.role})" if case.role else case.assessor),
        ("Date of assessment", case.assessed_on.isoformat() if case.assessed_on else ""),
        ("Meeting date", case.meeting_date.isoformat() if case.meeting_date else ""),
    ]
    return [(k, v) for k, v in rows if v]


def render_markdown(cset: CriteriaSet, assessment: Assessment, case: CaseHeader | None = None) -> str:
    ref = assessment.criteria
    out = [f"# Reasoning record: {_md(ref.title)}", "", f"> **{_md(assessment.notice)}**", ""]
    for key, value in _case_lines(case):
        out.append(f"- **{key}:** {_md(value)}")
    out += [
        f"- **Criteria set:** `{ref.id}` version {ref.version}, reviewed {ref.review_date}",
        f"- **Criteria sha256:** `{ref.sha256}`",
        f"- **Answered:** {assessment.answered} of {assessment.applicable} applicable items",
        "",
        "## Summary",
        "",
    ]
    for _, heading, findings in assessment.summary():
        out.append(f"### {heading}")
        out.append("")
        out += [f"- **{_md(f.title)}** — {_md(f.statement)} _(criterion `{f.criterion}`)_" for f in findings] or [
            "- None recorded."
        ]
        out.append("")
    unanswered = [m for m in assessment.missing if m.status == "unanswered"]
    if unanswered:
        out += ["### Not yet answered", ""]
        out += [f"- **{_md(m.title)}** — to obtain: {_md(m.obtain)}" for m in unanswered]
        out.append("")
    out += ["### Next steps suggested by the criteria", ""]
    out += [f"{i}. {_md(s.step)} _(because {_md(s.basis)})_" for i, s in enumerate(assessment.next_steps, 1)]
    out += ["", "## Findings in detail", ""]
    for finding in assessment.findings:
        out += _finding_md(finding)
    if assessment.not_applicable:
        out += ["## Not applicable", ""]
        out += [f"- **{_md(n.title)}** (`{n.criterion}`): {_md(n.reason)}" for n in assessment.not_applicable]
        out.append("")
    out += ["## Sources", ""]
    out += [f"- **[{s.id}]** {_md(s.citation)}" for s in cset.sources]
    out.append("")
    return "\n".join(out)


def _finding_md(f: Finding) -> list[str]:
    lines = [
        f"### {_md(f.title)} (`{f.criterion}`): {f.kind}",
        "",
        f"- **Answer:** {_md(f.answer_label)}",
        f"- **Finding:** {_md(f.statement)}",
        f"- **Rationale:** {_md(f.rationale)}",
        f"- **Sources:** {_md(_cites(f.sources))}",
    ]
    if f.note:
        lines += ["- **Assessor's note:**", "", *_quote(f.note)]
    return [*lines, ""]


def render_text(cset: CriteriaSet, assessment: Assessment, case: CaseHeader | None = None) -> str:
    ref = assessment.criteria
    out = [ref.title, "=" * len(ref.title), assessment.notice, ""]
    out += [f"{k}: {v}" for k, v in _case_lines(case)]
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
