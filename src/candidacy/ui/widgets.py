"""One checklist item: its widget (by answer type), its note, and its basis one click away."""

from __future__ import annotations

import streamlit as st

from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.draft import set_answer, set_note
from candidacy.reasoning.answers import MAX_NOTE, Answer, AnswerSet, GivenValue
from candidacy.reasoning.assessment import NotApplicable
from candidacy.reports.render import escape_markdown
from candidacy.ui.cases_state import autosave
from candidacy.ui.state import key, seed
from candidacy.ui.summary import render_question_anchor

__all__ = ["criterion_basis", "render_item"]


def _copy_choice(cset: CriteriaSet, draft: AnswerSet, crit_id: str, scope: str) -> None:
    value = st.session_state[key(cset, "answer", crit_id, scope)]
    set_answer(draft, crit_id, value)
    if not scope:
        autosave(cset, "answer", crit_id, value)


def _copy_number(cset: CriteriaSet, draft: AnswerSet, crit_id: str, scope: str) -> None:
    value: GivenValue = UNKNOWN
    if not st.session_state.get(key(cset, "unknown", crit_id, scope)):
        value = st.session_state.get(key(cset, "answer", crit_id, scope))
    set_answer(draft, crit_id, value)
    if not scope:
        autosave(cset, "answer", crit_id, value)


def _copy_note(cset: CriteriaSet, draft: AnswerSet, crit_id: str, scope: str) -> None:
    note = st.session_state[key(cset, "note", crit_id, scope)] or ""
    set_note(draft, crit_id, note)
    if not scope:
        autosave(cset, "note", crit_id, note)


def render_item(
    cset: CriteriaSet,
    criterion: Criterion,
    draft: AnswerSet,
    not_applicable: NotApplicable | None,
    frozen: bool = False,
    scope: str = "",
) -> None:
    """One checklist item. ``scope`` prefixes widget keys and, when set, turns autosave off."""
    answer = draft.answers.get(criterion.id, Answer())
    if not_applicable is not None:
        kept = f" Earlier answer kept: {not_applicable.answer_label}." if not_applicable.answer_label else ""
        st.markdown(f"**{escape_markdown(criterion.title)}** · :grey[not applicable]")
        st.caption(escape_markdown(not_applicable.reason + kept))
        return
    if not scope:
        render_question_anchor(criterion.id)  # the summary's links scroll here
    # Title and question share the widget's label: one element less per item keeps reruns fast.
    label = f"**{escape_markdown(criterion.title)}** · {escape_markdown(criterion.question)}"
    _answer_widget(cset, criterion, draft, answer, label, frozen, scope)
    note_key = key(cset, "note", criterion.id, scope)
    seed(note_key, answer.note)
    st.text_area(
        f"Note on {escape_markdown(criterion.title.lower())}: evidence or reasoning",
        key=note_key,
        max_chars=MAX_NOTE,
        height=68,
        on_change=_copy_note,
        args=(cset, draft, criterion.id, scope),
        placeholder="What the answer rests on (examination, letters, discussion)",
        disabled=frozen,
    )
    with st.expander("How to assess, why it matters, sources"):
        criterion_basis(cset, criterion)


def _answer_widget(
    cset: CriteriaSet, criterion: Criterion, draft: AnswerSet, answer: Answer, label: str, frozen: bool, scope: str
) -> None:
    answer_key = key(cset, "answer", criterion.id, scope)
    options = choices(criterion, cset)
    if options is None:
        assert isinstance(criterion.answer, NumberAnswer)
        spec = criterion.answer
        unknown_key = key(cset, "unknown", criterion.id, scope)
        is_unknown = answer.value == UNKNOWN
        seed(unknown_key, is_unknown)
        seed(answer_key, None if is_unknown or answer.value is None else answer.value)
        whole = spec.integer
        st.number_input(
            f"{label} ({spec.unit})",
            key=answer_key,
            value=None,
            min_value=int(spec.min) if whole else spec.min,
            max_value=int(spec.max) if whole else spec.max,
            step=1 if whole else 0.1,
            placeholder=f"{spec.unit}, {spec.min:g} to {spec.max:g}",
            disabled=frozen or bool(st.session_state.get(unknown_key)),
            on_change=_copy_number,
            args=(cset, draft, criterion.id, scope),
        )
        st.checkbox(
            f"{escape_markdown(criterion.title)} not known",
            key=unknown_key,
            disabled=frozen,
            on_change=_copy_number,
            args=(cset, draft, criterion.id, scope),
        )
        return
    values = [value for value, _ in options] + [UNKNOWN]
    labels = dict(options) | {UNKNOWN: "Unknown"}
    seed(answer_key, answer.value if answer.value in values else None)
    st.radio(
        label,
        values,
        index=None,
        key=answer_key,
        format_func=labels.__getitem__,
        horizontal=len(values) <= 4 and all(len(label) <= 24 for label in labels.values()),
        disabled=frozen,
        on_change=_copy_choice,
        args=(cset, draft, criterion.id, scope),
    )


def criterion_basis(cset: CriteriaSet, criterion: Criterion) -> None:
    """How to assess, the rationale and the sources of one criterion (one element: reruns stay fast)."""
    st.markdown(
        f"**How to assess:** {escape_markdown(criterion.help)}\n\n"
        f"**Why it matters:** {escape_markdown(criterion.rationale)}\n\n"
        "**Sources:**\n" + "\n".join(_source_lines(cset, criterion))
    )


def _source_lines(cset: CriteriaSet, criterion: Criterion) -> list[str]:
    lines = []
    for ref in criterion.sources:
        citation = cset.sources_by_id[ref.source].citation
        cite = escape_markdown(f"[{ref.source}] {citation} — {ref.locator} ({ref.strength})")
        lines.append(f"- {cite}")
    return lines
