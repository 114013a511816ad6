"""The live summary: what the criteria say about the answers so far, in the fixed order."""

from __future__ import annotations

import streamlit as st

from candidacy.criteria.kinds import KINDS
from candidacy.reasoning.assessment import Assessment, Finding
from candidacy.reports.render import escape_markdown

__all__ = ["render_summary"]

_ICONS = {kind.id: f":material/{kind.icon}:" for kind in KINDS}


def render_summary(result: Assessment) -> None:
    st.info(result.notice, icon=":material/info:")
    share = result.answered / result.applicable if result.applicable else 1.0
    st.progress(share, text=f"Answered {result.answered} of {result.applicable} applicable items")
    for kind, heading, findings in result.summary():
        st.markdown(f"##### {heading} ({len(findings)})")
        if not findings:
            st.caption("None recorded.")
        for finding in findings:
            _finding(kind, finding)
    unanswered = [m for m in result.missing if m.status == "unanswered"]
    if unanswered:
        st.markdown(f"##### Not yet answered ({len(unanswered)})")
        st.caption(", ".join(escape_markdown(m.title) for m in unanswered))
    st.markdown("##### Next steps the criteria point to")
    lines = [
        f"{i}. {escape_markdown(s.step)}  \n   :grey[because {escape_markdown(s.basis)}]"
        for i, s in enumerate(result.next_steps, 1)
    ]
    st.markdown("\n".join(lines) if lines else "None yet.")


def _finding(kind: str, f: Finding) -> None:
    with st.expander(f"**{escape_markdown(f.title)}**: {escape_markdown(f.statement)}", icon=_ICONS[kind]):
        parts = [
            f"**Criterion:** `{f.criterion}` ({escape_markdown(f.section)})  \n"
            f"**Answer:** {escape_markdown(f.answer_label)}  \n"
            f"**Why it matters:** {escape_markdown(f.rationale)}"
        ]
        if f.note:
            parts.append("**Assessor's note:**\n\n" + "\n".join("> " + escape_markdown(x) for x in f.note.splitlines()))
        cites = [escape_markdown(f"[{s.id}] {s.citation} — {s.locator} ({s.strength})") for s in f.sources]
        parts.append("**Sources:**\n" + "\n".join(f"- {c}" for c in cites))
        st.markdown("\n\n".join(parts))
