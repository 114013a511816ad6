"""The live summary, made for the room: the answer first, what stops next, in colour and in words; gaps as links.

The step for the meeting's question opens the summary, with the decisive unknowns right under it:
that is what the meeting asks, so it is never three screens down. Then blocking findings
(contraindications, prerequisites not met) in red boxes that say what they are; cautions and factors
against in amber; empty categories share one line. Every finding, every item answered "Unknown" and
every item not yet answered links to its question on the page (see :func:`question_anchor`).
Progress is shown per section. The summary flows with the page (no inner scroll box); only a
one-line status strip stays in view, and on a narrow screen a one-line step (:func:`render_step_line`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from candidacy.criteria.kinds import GAP_CLASSES_BY_ID, KINDS_BY_ID
from candidacy.criteria.models import CriteriaSet
from candidacy.reasoning.assessment import Assessment, Finding, MissingItem, NextStepResult, StageSummary
from candidacy.reports.meeting import BLOCKING_KINDS, UNANSWERED, count, meeting_line, room_order, section_progress
from candidacy.reports.render import escape_markdown

__all__ = [
    "anchor_link",
    "question_anchor",
    "render_question_links",
    "render_step_line",
    "render_summary",
]

_BOXES: dict[str, Callable[..., object]] = {"error": st.error, "warning": st.warning, "info": st.info}


def question_anchor(criterion_id: str) -> str:
    """The page anchor of a question: the summary's links scroll to its answer control."""
    return f"q-{criterion_id}"


# One script for every link to a question, instead of an invisible anchor element above each of some 55
# questions (a tenth of a rerun's processor time, and as many elements for the browser to lay out): a
# click on a link to #q-<id> scrolls the question's answer control (its container carries the class
# st-key-<set>-answer-<id>) to below the header, puts #q-<id> in the address as a link would, and moves
# the keyboard focus to the control. Static text: nothing from a user or a criteria file is in it.
_QUESTION_LINKS = """<script>
(() => {
  if (window.candidacyQuestionLinks) return;
  window.candidacyQuestionLinks = true;
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#q-"]') : null;
    if (!link) return;
    const id = link.getAttribute("href").slice(3);
    if (!/^[a-z][a-z0-9_]*$/.test(id)) return;
    const name = new RegExp("^st-key-[a-z0-9_]+-answer-" + id + "$");
    const question = [...document.querySelectorAll('[class*="-answer-' + id + '"]')].find(
      (e) => [...e.classList].some((c) => name.test(c)));
    if (!question) return;
    event.preventDefault();
    question.style.scrollMarginTop = "7rem";
    question.scrollIntoView({block: "start"});
    history.pushState(history.state, "", "#q-" + id);
    const control = question.querySelector("button, input");
    if (control) control.focus({preventScroll: true});
  }, true);
})();
</script>"""


def render_question_links() -> None:
    """What makes the summary's links to questions work (see :func:`question_anchor`); once per page."""
    st.html(_QUESTION_LINKS, unsafe_allow_javascript=True)


def anchor_link(text: str, criterion_id: str) -> str:
    """A Markdown link to a question; ``text`` is escaped (criteria text is data, never markup)."""
    return f"[{escape_markdown(text)}](#{question_anchor(criterion_id)})"


def render_summary(result: Assessment, cset: CriteriaSet) -> None:
    counts = count(result)
    share = result.answered / result.applicable if result.applicable else 1.0
    _answer_first(result)
    with st.container(key="summary-strip"):
        st.progress(share, text=f"Answered {result.answered} of {result.applicable} applicable items")
        blocking = counts.blocking
        st.markdown(
            f":red-badge[:material/block: {blocking} blocking finding(s)]"
            if blocking
            else ":grey-badge[No blocking finding recorded]"
        )
    empty: list[str] = []
    for kind, heading in room_order():  # blocking kinds come first
        findings = result.by_kind(kind)
        # One place per kind, filled or not (an empty place takes no room): what follows keeps its place
        # in the page, so a new finding redraws its own box, not the long lists below it.
        place = st.empty()
        if findings:
            with place.container():
                _category(kind, heading, findings)
        else:
            empty.append(heading)
    if empty:
        st.caption("Nothing recorded under: " + ", ".join(f"{h} (0)" for h in empty) + ".")
    unanswered = [m for m in result.missing if m.status == "unanswered"]
    if unanswered:
        st.markdown(
            f"##### {UNANSWERED.capitalize()} ({len(unanswered)})\n\n" + " · ".join(_gap_links(unanswered)),
        )
    _sections(result, cset)
    st.info(result.notice, icon=":material/info:")
    st.markdown("##### Next steps the criteria point to")
    if not result.stages:
        st.markdown(_step_lines(result.next_steps, 1) or "None yet.")
        return
    number = 1
    for stage in result.stages_in_reading_order():  # the meeting's question first, then what comes after
        steps = result.steps_for(stage.id)
        st.caption(f"{escape_markdown(stage.label)}: {escape_markdown(stage.question)}")
        later = [m for m in result.missing if m.criterion in stage.open_items] if not stage.current else []
        if stage.current and steps:  # stated once, at the top of the summary
            st.markdown("The step for the meeting's question is at the top of the summary.")
            number += len(steps)
        elif steps:
            st.markdown(_step_lines(steps, number))
            number += len(steps)
        elif not later:
            st.markdown("None yet.")
        if stage.current:
            _routine(result, stage)
        if later:
            st.markdown(f"Also settle before this stage ({len(later)}): " + " · ".join(_gap_links(later)))


def render_step_line(place: DeltaGenerator, result: Assessment) -> None:
    """One line with the step for the meeting's question, for narrow screens, where the summary sits below
    the whole checklist: at the top of the page and in view while answering (hidden on wide screens).
    ``place`` is the container with key ``step-line`` that the page opened at its top."""
    with place:
        st.markdown(escape_markdown(meeting_line(result)))


def _answer_first(result: Assessment) -> None:
    """The top of the summary: the step for the meeting's question, and right under it the decisive unknowns."""
    with st.container(key="summary-step"):
        current = next((s for s in result.stages if s.current), None)
        steps = result.steps_for(current.id) if current else list(result.next_steps)
        stage = f" · {escape_markdown(current.label.lower())}" if current is not None else ""
        st.markdown(f"**Step for the meeting's question**{stage}")
        st.markdown(_step_lines(steps, 1) if steps else "None yet: the criteria point to no step.")
        _decisive(result)


def _step_lines(steps: Sequence[NextStepResult], start: int) -> str:
    """Numbered steps, each with its basis in words; the full rule is one click away on the Criteria page."""
    return "\n".join(
        f"{i}. {escape_markdown(s.step)}  \n   :grey[because {escape_markdown(s.basis)}]"
        for i, s in enumerate(steps, start)
    )


def _category(kind: str, heading: str, findings: Sequence[Finding]) -> None:
    """One category: a box in the kind's colour, its name and count, each finding linking to its question."""
    box = KINDS_BY_ID[kind].box  # the heading always names the kind: nothing is said by colour alone
    icon = f":material/{KINDS_BY_ID[kind].icon}:"
    title = f"{heading} ({len(findings)})"
    if kind in BLOCKING_KINDS:
        title += ": stands in the way until the team has discussed it"
    if kind == "missing":
        title = f"{heading} ({len(findings)}): answered Unknown, to find out"
    lines = [f"- **{anchor_link(f.title, f.criterion)}**: {escape_markdown(f.statement)}" for f in findings]
    body = f"**{title}**\n\n" + "\n".join(lines)
    if box == "plain":
        st.markdown(f"**{icon} :green[{escape_markdown(heading)} ({len(findings)})]**\n\n" + "\n".join(lines))
    else:
        _BOXES[box](body, icon=icon)
    with st.expander(f"Basis of each: {heading.lower()}", icon=":material/menu_book:"):
        st.markdown("\n\n---\n\n".join(_basis(f) for f in findings))


def _decisive(result: Assessment) -> None:
    """The unknowns whose answer could change the step for the meeting's question: ranked links, each
    with the answer that would change what; or, once something stands in the way, that none could."""
    decisive = result.decisive_for(result.current_stage)
    if not decisive:
        blocked = any(s.current and s.blocking for s in result.stages)
        if blocked:
            st.caption(
                "No unknown item could change the step for the meeting's question: what stands in the way is recorded."
            )
        return
    lines = [
        f"{i}. **{anchor_link(u.title, u.criterion)}** "
        f"({'answered Unknown' if u.status == 'unknown' else UNANSWERED}): {escape_markdown(u.why)}"
        for i, u in enumerate(decisive, 1)
    ]
    st.warning(
        f"**Decisive unknowns ({len(decisive)}): an answer could change the step for the meeting's question**\n\n"
        + "\n".join(lines),
        icon=":material/priority_high:",
    )


def _routine(result: Assessment, stage: StageSummary) -> None:
    """Routine checks of the current stage not yet documented: work to do before it, not open questions."""
    routine = result.routine_for(stage.id)
    if routine:
        links = " · ".join(anchor_link(f"{r.title} (expected: {r.expected})", r.criterion) for r in routine)
        heading = GAP_CLASSES_BY_ID["routine"].heading
        st.markdown(
            f"**{heading} ({len(routine)})**: {escape_markdown(stage.label)}, document (routine work that does "
            f"not hold the step): {links}"
        )


def _basis(f: Finding) -> str:
    parts = [
        f"**{escape_markdown(f.title)}**  \n"
        f"**Criterion:** `{f.criterion}` ({escape_markdown(f.section)})  \n"
        f"**Answer:** {escape_markdown(f.answer_label)}  \n"
        f"**Why it matters:** {escape_markdown(f.rationale)}"
    ]
    if f.note:
        parts.append("**Assessor's note:**\n\n" + "\n".join("> " + escape_markdown(x) for x in f.note.splitlines()))
    cites = [escape_markdown(f"[{s.id}] {s.citation} — {s.locator} ({s.strength})") for s in f.sources]
    parts.append("**Sources:**\n" + "\n".join(f"- {c}" for c in cites))
    return "\n\n".join(parts)


def _gap_links(items: Sequence[MissingItem]) -> list[str]:
    return [anchor_link(m.title, m.criterion) for m in items]


def _sections(result: Assessment, cset: CriteriaSet) -> None:
    """Answered of applicable per section; an open section links to its first unanswered item."""
    rows = ["| Section | Answered | |", "|---|---|---|"]
    for p in section_progress(cset, result.applicable_ids, result.missing):
        if not p.applicable:
            continue
        mark = ":green[:material/check_circle: complete]" if p.complete else ""
        if p.first_open is not None:
            mark = anchor_link("next open item", p.first_open)
        rows.append(f"| {escape_markdown(p.title)} | {p.answered} of {p.applicable} | {mark} |")
    st.markdown("##### Progress by section\n\n" + "\n".join(rows))
