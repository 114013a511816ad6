"""One checklist item: its answer control, its note behind a small control, and its basis one click away.

Fast hands: a closed answer is a segmented control (short options) or pills (long ones). Both are
one Tab stop; arrow keys move between options without choosing, and Space or a click chooses, so
each choice is a settled change (one save, one audit entry), never one per option passed.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.draft import set_answer, set_note
from candidacy.reasoning.answers import MAX_NOTE, Answer, AnswerSet, GivenValue
from candidacy.reasoning.assessment import NotApplicable
from candidacy.reports.render import escape_markdown
from candidacy.ui import edits, state
from candidacy.ui.callbacks import callback
from candidacy.ui.state import key, seed

__all__ = ["criterion_basis", "render_item"]

SHORT_LABEL = 24  # options up to this length (and at most four) sit in one segmented control


def _commit(
    cset: CriteriaSet, kind: edits.Kind, crit_id: str, value: Any, scope: str, practice: AnswerSet | None
) -> None:
    """The assessment's changes take the one path (draft, then store or kept draft); practice stays local."""
    if not scope:
        edits.change(cset, kind, crit_id, value)
    elif practice is not None:
        (set_answer if kind == "answer" else set_note)(practice, crit_id, value)


@callback
def _copy_choice(cset: CriteriaSet, crit_id: str, scope: str, practice: AnswerSet | None) -> None:
    _commit(cset, "answer", crit_id, state.widget_value(key(cset, "answer", crit_id, scope)), scope, practice)


@callback
def _copy_number(cset: CriteriaSet, crit_id: str, scope: str, practice: AnswerSet | None) -> None:
    value: GivenValue = UNKNOWN
    if not state.widget_value(key(cset, "unknown", crit_id, scope)):
        value = state.widget_value(key(cset, "answer", crit_id, scope))
    _commit(cset, "answer", crit_id, value, scope, practice)


@callback
def _copy_note(cset: CriteriaSet, crit_id: str, scope: str, practice: AnswerSet | None) -> None:
    note_key = key(cset, "note", crit_id, scope)
    _commit(cset, "note", crit_id, state.widget_value(note_key) or "", scope, practice)


def render_item(
    cset: CriteriaSet,
    criterion: Criterion,
    draft: AnswerSet,
    not_applicable: NotApplicable | None,
    frozen: bool = False,
    scope: str = "",
) -> None:
    """One checklist item. ``scope`` prefixes widget keys and keeps changes in ``draft`` (practice)."""
    answer = draft.answers.get(criterion.id, Answer())
    if not_applicable is not None:
        kept = f" Earlier answer kept: {not_applicable.answer_label}." if not_applicable.answer_label else ""
        st.markdown(f"**{escape_markdown(criterion.title)}** · :grey[not applicable]")
        st.caption(escape_markdown(not_applicable.reason + kept))
        return
    practice = draft if scope else None
    # Title and question share the widget's label: one element less per item keeps reruns fast.
    label = f"**{escape_markdown(criterion.title)}** · {escape_markdown(criterion.question)}"
    _answer_widget(cset, criterion, answer, label, frozen, scope, practice)
    note_key = key(cset, "note", criterion.id, scope)
    refused = state.refused_text(note_key) if not scope else None
    if refused:
        _refused(note_key, refused)
    title = escape_markdown(criterion.title.lower())
    notes_key = key(cset, "notes", criterion.id, scope)
    # Open by itself when a note exists. The open state is seeded, not passed as ``expanded``: that
    # argument is part of the expander's identity, so a note emptied while open would close its box.
    seed(notes_key, bool(answer.note))
    notes = st.expander(
        "Note · how to assess, sources",
        key=notes_key,
        on_change="rerun",
        icon=":material/edit_note:",
    )
    with notes:
        if notes.open is False:
            return  # closed: its widgets are not built (fewer keyed widgets, faster reruns)
        seed(note_key, answer.note)
        st.text_area(
            f"Note on {title}: evidence or reasoning",
            key=note_key,
            max_chars=MAX_NOTE,
            height=68,
            on_change=_copy_note,
            args=(cset, criterion.id, scope, practice),
            placeholder="What the answer rests on (examination, letters, discussion)",
            disabled=frozen,
        )
        criterion_basis(cset, criterion)


def _refused(note_key: str, text: str) -> None:
    """Text that lost a conflict, shown to copy or merge; it stays until dismissed."""
    st.warning(
        "Your note was not saved, because the case changed in the meantime (the stored note is shown below). "
        "Your text, to copy or merge:",
        icon=":material/content_copy:",
    )
    st.code(text, language=None, wrap_lines=True)
    st.button("Dismiss my unsaved text", key=f"dismiss-{note_key}", on_click=state.drop_refused, args=(note_key,))


def _answer_widget(
    cset: CriteriaSet,
    criterion: Criterion,
    answer: Answer,
    label: str,
    frozen: bool,
    scope: str,
    practice: AnswerSet | None,
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
            args=(cset, criterion.id, scope, practice),
        )
        st.checkbox(
            f"{escape_markdown(criterion.title)} not known",
            key=unknown_key,
            disabled=frozen,
            on_change=_copy_number,
            args=(cset, criterion.id, scope, practice),
        )
        return
    values = [value for value, _ in options] + [UNKNOWN]
    labels = dict(options) | {UNKNOWN: "Unknown"}
    seed(answer_key, answer.value if answer.value in values else None)
    short = len(values) <= 4 and all(len(text) <= SHORT_LABEL for text in labels.values())
    control = st.segmented_control if short else st.pills
    control(
        label,
        values,
        key=answer_key,
        format_func=labels.__getitem__,
        disabled=frozen,
        on_change=_copy_choice,
        args=(cset, criterion.id, scope, practice),
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
