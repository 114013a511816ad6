"""Learn: practise the criteria on teaching vignettes, compare with the reference reasoning, quick quiz.

The case is shown as a referral letter that stays in view beside the checklist. The checklist is the
assessment page's own component, in a separate scope (its own draft and widget keys, no autosave).
No reference answer is shown before the trainee submits; submitting with many items unanswered asks
for confirmation first. The quiz is graded by :mod:`candidacy.learning.quiz` and keeps a running score.

The tab, the vignette and the teaching worksheet are kept in the address (``/learn?vignette=v09_true_allergy``,
``/learn?tab=screening&teaching=t02_tone_reduced_function_lost``; each left out at its default, the
first), so reload, back/forward, a link and a bookmark open the same one. What the address names
wrongly is said so, and the first is shown.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from candidacy.criteria.models import UNKNOWN, CriteriaSet, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.draft import assess, new_draft
from candidacy.errors import CandidacyError
from candidacy.learning.letter import referral_letter
from candidacy.learning.practice import submit_warning
from candidacy.learning.quiz import grade, question_at, score
from candidacy.learning.vignettes import QuizItem, Vignette, compare, load_vignettes, quiz_items
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.render import escape_markdown
from candidacy.ui import address
from candidacy.ui.layout import require_set
from candidacy.ui.learn_screening import render_screening_practice
from candidacy.ui.resources import criteria_dir
from candidacy.ui.state import (
    LEARN_ADDRESS,
    LEARN_CAUSE,
    LEARN_CONFIRM,
    LEARN_DRAFTS,
    LEARN_PROGRESS,
    LEARN_SUBMITTED,
    LEARN_TAB,
    LEARN_THEME,
    LEARN_VIGNETTE,
    QUIZ_ANSWER,
    QUIZ_CHECKED,
    QUIZ_INDEX,
    QUIZ_RESULTS,
    TAB_PARAM,
    TEACHING_PARAM,
    VIGNETTE_PARAM,
)
from candidacy.ui.widgets import render_item

__all__ = ["render"]

PRACTISE, QUIZ, SCREENING = "practise", "quiz", "screening"  # the tabs as the address names them
TABS = {PRACTISE: "Practise on a vignette", QUIZ: "Quick quiz", SCREENING: "Judge a screening worksheet"}
PARAMS = (TAB_PARAM, VIGNETTE_PARAM, TEACHING_PARAM)
ANY = "any"


@st.cache_resource(show_spinner=False)
def _vignettes(folder: str, cset_sha: str, _cset: CriteriaSet) -> list[Vignette]:
    return load_vignettes(Path(folder), _cset)


def _scope(vignette: Vignette) -> str:
    return f"learn-{vignette.id}-"


def _draft(cset: CriteriaSet, vignette: Vignette) -> AnswerSet:
    drafts: dict[str, AnswerSet] = st.session_state.setdefault(LEARN_DRAFTS, {})
    return drafts.setdefault(vignette.id, new_draft(cset))


def _request_submit(cset: CriteriaSet, vignette: Vignette) -> None:
    """Compare now, or first ask for confirmation when many items are still unanswered."""
    if submit_warning(assess(cset, _draft(cset, vignette))):
        st.session_state[LEARN_CONFIRM] = vignette.id
    else:
        _submit(cset, vignette)


def _keep_answering() -> None:
    st.session_state.pop(LEARN_CONFIRM, None)


def _submit(cset: CriteriaSet, vignette: Vignette) -> None:
    st.session_state.pop(LEARN_CONFIRM, None)
    result = compare(cset, vignette, _draft(cset, vignette))
    st.session_state.setdefault(LEARN_SUBMITTED, {})[vignette.id] = True
    progress: dict[str, list[int]] = st.session_state.setdefault(LEARN_PROGRESS, {})
    progress.setdefault(vignette.id, []).append(result.percent)


def _retry(cset: CriteriaSet, vignette: Vignette) -> None:
    st.session_state.setdefault(LEARN_SUBMITTED, {}).pop(vignette.id, None)
    st.session_state.setdefault(LEARN_DRAFTS, {})[vignette.id] = new_draft(cset)
    prefix = _scope(vignette)
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[name]


def render() -> None:
    cset = require_set()
    st.title("Learn")
    folder = str(Path(criteria_dir()) / "vignettes" / cset.id)
    try:
        vignettes = _vignettes(folder, cset.sha256, cset)
    except CandidacyError as error:
        st.error("The vignettes are not valid:\n\n" + "\n".join(f"- {escape_markdown(str(p))}" for p in error.problems))
        return
    if not vignettes:
        st.info("There are no teaching vignettes for this criteria set yet.")
        return
    notices = st.container()
    arrival = address.arrived(LEARN_ADDRESS, PARAMS, LEARN_TAB)
    unusable: list[str] = []  # what the address names that cannot be shown
    if arrival is not None:
        _tab_from_address(arrival, unusable)
        _vignette_from_address(cset, arrival, vignettes, unusable)
    practise, quiz, screening = st.tabs(list(TABS.values()), key=LEARN_TAB, on_change="rerun")
    with practise:
        vignette_id = _practise(cset, vignettes)
    with quiz:
        _quiz(cset, vignettes)
    with screening:
        shown = render_screening_practice(cset, arrival, unusable)
    with notices:
        address.warn(unusable)
    tab = next((name for name, label in TABS.items() if label == st.session_state.get(LEARN_TAB)), PRACTISE)
    if tab != PRACTISE:
        shown[TAB_PARAM] = tab
    if vignette_id is None:  # no vignette matches the filters: the address keeps the one it named
        shown |= address.current((VIGNETTE_PARAM,))
    elif vignette_id != vignettes[0].id:
        shown[VIGNETTE_PARAM] = vignette_id
    address.settle(LEARN_ADDRESS, PARAMS, shown)


def _tab_from_address(arrival: dict[str, str], unusable: list[str]) -> None:
    raw = arrival.get(TAB_PARAM, PRACTISE)
    if raw not in TABS:
        unusable.append(
            f"The address names the tab {address.echo(raw)}, which the Learn page does not have: "
            "the first tab is shown."
        )
    st.session_state[LEARN_TAB] = TABS.get(raw, TABS[PRACTISE])


def _vignette_from_address(
    cset: CriteriaSet, arrival: dict[str, str], vignettes: list[Vignette], unusable: list[str]
) -> None:
    """Show the vignette the address names (the first without one), clearing a filter that hides it."""
    by_id = {v.id: v for v in vignettes}
    raw = arrival.get(VIGNETTE_PARAM)
    if raw is not None and raw not in by_id:
        unusable.append(
            f"The address names the vignette {address.echo(raw)}, which is not a teaching vignette of "
            f"{cset.title}: the first vignette is shown."
        )
    vignette = by_id.get(raw or "", vignettes[0])
    st.session_state[LEARN_VIGNETTE] = vignette.id
    if st.session_state.get(LEARN_CAUSE, ANY) not in (ANY, *vignette.causes):
        st.session_state[LEARN_CAUSE] = ANY
    if st.session_state.get(LEARN_THEME, ANY) not in (ANY, *vignette.themes):
        st.session_state[LEARN_THEME] = ANY


def _practise(cset: CriteriaSet, vignettes: list[Vignette]) -> str | None:
    """The vignette, its letter beside the checklist; returns the vignette shown (None when none matches)."""
    progress: dict[str, list[int]] = st.session_state.get(LEARN_PROGRESS, {})
    done = ", ".join(f"{vid} (best {max(scores)}%)" for vid, scores in progress.items())
    st.caption(f"Done in this session: {len(progress)} of {len(vignettes)}" + (f" — {done}" if done else ""))
    causes = sorted({c for v in vignettes for c in v.causes})
    themes = sorted({t for v in vignettes for t in v.themes})
    left, right = st.columns(2)
    cause = left.selectbox("Filter by cause", [ANY, *causes], key=LEARN_CAUSE)
    theme = right.selectbox("Filter by teaching theme", [ANY, *themes], key=LEARN_THEME)
    shown = [v for v in vignettes if cause in (ANY, *v.causes) and theme in (ANY, *v.themes)]
    if not shown:
        st.info("No vignette matches both filters.")
        return None
    by_id = {v.id: v for v in shown}
    chosen = st.selectbox("Vignette", list(by_id), key=LEARN_VIGNETTE, format_func=lambda i: by_id[i].title)
    vignette = by_id[chosen or shown[0].id]
    letter_column, checklist = st.columns([2, 3], gap="large")
    with letter_column, st.container(key="learn-letter"):
        _letter(vignette)
    draft = _draft(cset, vignette)
    with checklist:
        if st.session_state.get(LEARN_SUBMITTED, {}).get(vignette.id):
            _comparison(cset, vignette, draft)
        else:
            _checklist(cset, vignette, draft)
    return vignette.id


def _letter(vignette: Vignette) -> None:
    """The case as a referral letter; a checklist paragraph becomes the letter's enclosure."""
    letter = referral_letter(vignette.case)
    st.subheader(vignette.title)
    st.caption("Referral letter (an invented teaching case)")
    closing = [f"Enclosed: {escape_markdown(heading.lower())}." for heading, _ in letter.enclosures]
    st.markdown(
        "\n\n".join(
            [
                "Dear colleagues,",
                *(escape_markdown(p) for p in letter.paragraphs),
                *closing,
                "With thanks,  \nthe referring team",
            ]
        )
    )
    for heading, items in letter.enclosures:
        with st.container(border=True, key=f"learn-enclosure-{vignette.id}"):
            st.markdown(
                f"**Enclosure: {escape_markdown(heading)}**\n\n" + "\n".join(f"- {escape_markdown(i)}" for i in items)
            )


def _checklist(cset: CriteriaSet, vignette: Vignette, draft: AnswerSet) -> None:
    result = assess(cset, draft)
    skipped = {n.criterion: n for n in result.not_applicable}
    for section in cset.sections:
        st.markdown(f"#### {escape_markdown(section.title)}")
        for criterion in section.criteria:
            render_item(cset, criterion, draft, skipped.get(criterion.id), scope=_scope(vignette))
    st.caption(f"Answered {result.answered} of {result.applicable} applicable items.")
    warning = submit_warning(result)
    if st.session_state.get(LEARN_CONFIRM) == vignette.id and warning:
        st.warning(warning, icon=":material/warning:")
        left, right = st.columns(2)
        left.button("Keep answering", key=f"learn-keep-{vignette.id}", on_click=_keep_answering)
        right.button(
            "Compare anyway", key=f"learn-submit-anyway-{vignette.id}", on_click=_submit, args=(cset, vignette)
        )
        return
    st.button(
        "Compare with the reference reasoning",
        key=f"learn-submit-{vignette.id}",
        type="primary",
        on_click=_request_submit,
        args=(cset, vignette),
    )


def _comparison(cset: CriteriaSet, vignette: Vignette, draft: AnswerSet) -> None:
    result = compare(cset, vignette, draft)
    st.metric(
        "Score",
        f"{result.percent}%",
        help="Findings matched, weighted by kind (contraindications x3), plus the next step",
    )
    st.markdown(
        "**By finding kind:** "
        + "; ".join(f"{kind} {earned}/{possible}" for kind, (earned, possible) in result.by_kind.items() if possible)
    )
    agree = "agrees" if result.steps_agree else "differs"
    yours = result.trainee_steps[0] if result.trainee_steps else "none"
    reference = result.reference_steps[0] if result.reference_steps else "none"
    st.markdown(f"**Next step ({agree}):** yours: {escape_markdown(yours)}  \nreference: {escape_markdown(reference)}")
    for label, table in (("Findings you missed", result.missed), ("Findings you added", result.added)):
        lines = [f"- {kind}: {escape_markdown(', '.join(items))}" for kind, items in table.items() if items]
        st.markdown(f"**{label}:**\n" + ("\n".join(lines) if lines else "none"))
    st.markdown("**Answer by answer**")
    rows = ["| | Criterion | Your answer | Reference | Why (from the case) |", "|---|---|---|---|---|"]
    for item in result.items:
        mark = "✓" if item.agrees else "✗"
        rows.append(
            f"| {mark} | {escape_markdown(item.title)} | {escape_markdown(item.trainee)} | "
            f"{escape_markdown(item.reference)} | {escape_markdown(item.because)} |"
        )
    st.markdown("\n".join(rows))
    with st.expander("Rationale and sources for each criterion"):
        st.markdown(
            "\n".join(
                f"- **{escape_markdown(i.title)}:** {escape_markdown(i.rationale)} ({escape_markdown(i.sources)})"
                for i in result.items
            )
        )
    st.success(f"Teaching point: {escape_markdown(vignette.teaching_point)}", icon=":material/school:")
    st.button("Try this vignette again", key=f"learn-retry-{vignette.id}", on_click=_retry, args=(cset, vignette))


def _next_question() -> None:
    st.session_state[QUIZ_INDEX] = st.session_state.get(QUIZ_INDEX, 0) + 1
    st.session_state.pop(QUIZ_CHECKED, None)
    st.session_state.pop(QUIZ_ANSWER, None)


def _check_question(cset: CriteriaSet, item: QuizItem, index: int) -> None:
    result = grade(cset, item, st.session_state.get(QUIZ_ANSWER))
    if result is None:
        return  # nothing chosen: nothing to grade
    st.session_state[QUIZ_CHECKED] = True
    st.session_state.setdefault(QUIZ_RESULTS, {}).setdefault(index, result.correct)  # the first check counts


def _quiz(cset: CriteriaSet, vignettes: list[Vignette]) -> None:
    items = quiz_items(cset, vignettes)
    index = st.session_state.get(QUIZ_INDEX, 0)
    item = question_at(items, index)
    results: dict[int, bool] = st.session_state.setdefault(QUIZ_RESULTS, {})
    st.markdown(f"**Score so far:** {score(results).text()}")
    criterion = cset.criteria_by_id[item.criterion]
    st.markdown(f"**Question {index + 1}.** {escape_markdown(item.prompt)}")
    options = choices(criterion, cset)
    if options is None:
        assert isinstance(criterion.answer, NumberAnswer)
        st.number_input(f"{escape_markdown(criterion.question)} ({criterion.answer.unit})", key=QUIZ_ANSWER, value=None)
    else:
        values = [v for v, _ in options] + [UNKNOWN]
        labels = dict(options) | {UNKNOWN: "Unknown"}
        st.radio(
            escape_markdown(criterion.question), values, index=None, key=QUIZ_ANSWER, format_func=labels.__getitem__
        )
    given = st.session_state.get(QUIZ_ANSWER)
    st.button("Check", key="quiz-check", on_click=_check_question, args=(cset, item, index), disabled=given is None)
    if given is None:
        st.caption("Choose an answer, then check it.")
    result = grade(cset, item, given) if st.session_state.get(QUIZ_CHECKED) else None
    if result is not None:
        text = (
            f"The reference answer is **{escape_markdown(result.reference_label)}**. "
            f"What it means: {escape_markdown(result.meaning)}  \nWhy it matters: {escape_markdown(result.rationale)}"
        )
        if result.correct:
            st.success("Correct. " + text)
        else:
            st.error(f"Not quite: you chose {escape_markdown(result.given_label)}. " + text)
    st.button("Next question", key="quiz-next", on_click=_next_question)
