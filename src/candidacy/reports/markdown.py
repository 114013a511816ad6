"""Markdown rendering of the record: readable as plain text, printable from any viewer.

Clinician notes are untrusted text: they are escaped and quoted, never interpreted.
"""

from __future__ import annotations

from candidacy.reasoning.assessment import CitedSource
from candidacy.reports.departure import departure
from candidacy.reports.record import ItemEntry, Record
from candidacy.reports.render import case_lines, routine_heading, step_groups
from candidacy.text import markdown_literal as _md

__all__ = ["MarkdownRenderer", "render_markdown"]


class MarkdownRenderer:
    name = "markdown"
    suffix = "md"
    media_type = "text/markdown"

    def render(self, record: Record) -> bytes:
        return render_markdown(record).encode("utf-8")


def _cites(sources: tuple[CitedSource, ...]) -> str:
    return "; ".join(f"[{s.id}] {s.locator} ({s.strength})" for s in sources)


def _quote(text: str) -> list[str]:
    return ["> " + _md(line) if line else ">" for line in text.splitlines()]


def render_markdown(record: Record) -> str:
    ref = record.criteria
    out = [f"# Reasoning record: {_md(ref.title)}", "", f"> **{_md(record.notice)}**", ""]
    out += [f"- **{key}:** {_md(value)}" for key, value in case_lines(record.case)]
    out += [
        f"- **Criteria set:** `{ref.id}` version {ref.version}, reviewed {ref.review_date}",
        f"- **Criteria sha256:** `{ref.sha256}`",
        f"- **Answered:** {record.answered} of {record.applicable} applicable items",
        "",
        "## Summary",
        "",
    ]
    for _, heading, findings in record.summary():
        out += [f"### {heading}", ""]
        lines = [f"- **{_md(f.title)}** — {_md(f.statement)} _(criterion `{f.criterion}`)_" for f in findings]
        out += [*(lines or ["- None recorded."]), ""]
    unanswered = [m for m in record.missing if m.status == "unanswered"]
    if unanswered:
        out += ["### Not yet answered", ""]
        out += [f"- **{_md(m.title)}** — to obtain: {_md(m.obtain)}" for m in unanswered]
        out.append("")
    out += ["### Next steps suggested by the criteria", ""]
    number = 1
    for group in step_groups(
        record.stages, record.next_steps, record.decisive_unknowns, record.missing, record.routine
    ):
        if group.label:
            out += [f"**{_md(group.label)}**{' (now)' if group.current else ''}: {_md(group.question)}", ""]
        for step in group.steps:
            out.append(f"{number}. {_md(step.step)} _(because {_md(step.basis)})_")
            number += 1
        if group.decisive:
            out.append(f"- Decisive unknowns ({len(group.decisive)}), most decisive first:")
            out += [f"  {i}. **{_md(u.title)}**: {_md(u.why)}" for i, u in enumerate(group.decisive, 1)]
        if group.settled_note():
            out.append(f"- {_md(group.settled_note())}")
        if group.routine:
            out.append(f"- {_md(routine_heading(group))} ({len(group.routine)}):")
            out += [f"  - **{_md(r.title)}** (expected: {_md(r.expected)}): {_md(r.obtain)}" for r in group.routine]
        if group.to_settle:
            out.append("- Also settle before this stage: " + "; ".join(_md(m.title) for m in group.to_settle))
        out.append("")
    out += ["", "## Every applicable item", ""]
    for item in record.items:
        if item.applicable:
            out += _item(item)
    skipped = [i for i in record.items if not i.applicable]
    if skipped:
        out += ["## Not applicable", ""]
        out += [f"- **{_md(i.title)}** (`{i.criterion}`): {_md(i.reason)}" for i in skipped]
        out.append("")
    out += ["## Sources", ""]
    out += [f"- **[{s.id}]** {_md(s.citation)}" for s in record.sources]
    out += ["", *_decision(record), *_sign_off(record)]
    return "\n".join(out)


def _decision(record: Record) -> list[str]:
    out = ["## Team decision", ""]
    decision = record.decision
    if decision is None:
        return [*out, "Not recorded. Outcome: ______________________  Reasons: ______________________", ""]
    out += [
        f"- **Outcome:** {_md(decision.label())}",
        f"- **Date:** {decision.decided_on.isoformat()}",
        f"- **Present:** {_md(', '.join(decision.present)) if decision.present else '_not recorded_'}",
    ]
    why = departure(record, decision)
    if why:
        out.append(f"- **Departs from what the criteria point to:** {_md(why)}")
    if decision.reasons:
        out += ["- **Reasons:**", "", *_quote(decision.reasons)]
    return [*out, ""]


def _sign_off(record: Record) -> list[str]:
    sign = record.sign_off
    out = ["## Reviewer sign-off", ""]
    if sign is None:
        return [*out, "Reviewed by: ______________________  Role: ______________  Date: __________", "",
                "Signature: ______________________", ""]  # fmt: skip
    out += [
        f"- **Reviewer:** {_md(sign.reviewer)}",
        f"- **Role:** {_md(sign.role)}",
        f"- **Identity:** {_md(sign.source_label())}",
        f"- **Signed:** {sign.signed_at:%Y-%m-%d %H:%M:%S} UTC ({_md(sign.signed_at_local)} local)",
        f"- **Revision:** {sign.revision}",
        f"- **Revision hash (sha256 of this record):** `{record.sha256()}`",
    ]
    if sign.acknowledged_gaps:
        out.append(f"- **Signed with {len(sign.acknowledged_gaps)} item(s) unanswered, acknowledged:**")
        out += [f"  - {_md(g.title)} (`{g.criterion}`)" for g in sign.acknowledged_gaps]
    else:
        out.append("- **Unanswered items:** none")
    if sign.comment:
        out += ["- **Comment:**", "", *_quote(sign.comment)]
    return [*out, ""]


def _item(item: ItemEntry) -> list[str]:
    kind = f": {item.finding_kind}" if item.finding_kind else ""
    lines = [
        f"### {_md(item.title)} (`{item.criterion}`){kind}",
        "",
        f"- **Question:** {_md(item.question)}",
        f"- **Answer:** {_md(item.answer_label) if item.answer_label else '_not answered_'}",
        f"- **Finding:** {_md(item.finding) if item.finding else 'none by itself'}",
        f"- **Rationale:** {_md(item.rationale)}",
        f"- **Sources:** {_md(_cites(item.sources))}",
    ]
    if item.note:
        lines += ["- **Assessor's note:**", "", *_quote(item.note)]
    return [*lines, ""]
