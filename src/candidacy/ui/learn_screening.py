"""Learn: judge a teaching screening worksheet from its numbers, then see the reference and the basis.

Nothing computed is shown before the trainee submits: only the plan, the chart and the table of
measurements. Grading is :func:`candidacy.learning.screening.judge`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError
from candidacy.learning.screening import TeachingWorksheet, judge, load_teaching, teaching_folder
from candidacy.reports.render import escape_markdown
from candidacy.screening.chart import table
from candidacy.screening.protocol import OUTCOMES, Protocol
from candidacy.ui import address, screening_state
from candidacy.ui.resources import criteria_dir
from candidacy.ui.screening_sheet import dose_chart
from candidacy.ui.state import LEARN_SCREENING_CHOSEN, LEARN_SCREENING_SUBMITTED, TEACHING_PARAM

__all__ = ["render_screening_practice"]


@st.cache_resource(show_spinner=False)
def _teaching(folder: str, protocol_sha: str, _protocol: Protocol) -> list[TeachingWorksheet]:
    return load_teaching(Path(folder), _protocol)


def _submit(teaching_id: str) -> None:
    st.session_state.setdefault(LEARN_SCREENING_SUBMITTED, {})[teaching_id] = True


def _retry(teaching_id: str) -> None:
    st.session_state.setdefault(LEARN_SCREENING_SUBMITTED, {}).pop(teaching_id, None)
    for suffix in ("outcome", "lost"):
        st.session_state.pop(f"learn-screening-{teaching_id}-{suffix}", None)


def render_screening_practice(cset: CriteriaSet, arrival: dict[str, str] | None, unusable: list[str]) -> dict[str, str]:
    """The practice; returns the address of the worksheet shown (empty for the first).

    ``arrival`` is the page's address when the page follows it (see :mod:`candidacy.ui.address`);
    what it names that cannot be shown is added to ``unusable``.
    """
    protocols = [p for p in screening_state.protocols()[0].values() if p.criteria == cset.id]
    if not protocols:
        st.info("There is no screening protocol for this criteria set.")
        return {}
    protocol = protocols[0]
    try:
        worksheets = _teaching(str(teaching_folder(criteria_dir())), protocol.sha256, protocol)
    except CandidacyError as error:
        st.error(
            "The teaching worksheets are not valid:\n\n"
            + "\n".join(f"- {escape_markdown(str(p))}" for p in error.problems)
        )
        return {}
    if not worksheets:
        st.info("There are no teaching screening worksheets yet.")
        return {}
    by_id = {t.id: t for t in worksheets}
    if arrival is not None:
        raw = arrival.get(TEACHING_PARAM)
        if raw is not None and raw not in by_id:
            unusable.append(
                f"The address names the teaching worksheet {address.echo(raw)}, which does not exist: "
                "the first worksheet is shown."
            )
        st.session_state[LEARN_SCREENING_CHOSEN] = raw if raw in by_id else worksheets[0].id
    chosen = st.selectbox("Worksheet", list(by_id), key=LEARN_SCREENING_CHOSEN, format_func=lambda i: by_id[i].title)
    teaching = by_id[str(chosen)]
    _practise(protocol, teaching)
    return {TEACHING_PARAM: teaching.id} if teaching.id != worksheets[0].id else {}


def _practise(protocol: Protocol, teaching: TeachingWorksheet) -> None:
    """The worksheet's story, plan and measurements; the trainee's reading; after submitting, the reference."""
    ws = teaching.worksheet
    st.markdown(escape_markdown(teaching.story.strip()))
    definition = protocol.definition(ws.plan.definition or "")
    st.markdown(f"**Definition chosen before the dose:** {escape_markdown(definition.label)}")
    st.caption(escape_markdown(definition.description.strip()))
    for index, dose in enumerate(ws.doses):
        st.markdown(f"**Dose {index + 1}: {dose.micrograms} micrograms**")
        header, rows = table(protocol, dose)
        st.table({name: [row[i] for row in rows] for i, name in enumerate(header)})
        dose_chart(protocol, dose, height=220)
    outcome_key, lost_key = f"learn-screening-{teaching.id}-outcome", f"learn-screening-{teaching.id}-lost"
    submitted = st.session_state.get(LEARN_SCREENING_SUBMITTED, {}).get(teaching.id, False)
    labels = {o.id: o.label for o in protocol.outcomes}
    st.radio(
        "Your reading of the outcome",
        list(OUTCOMES),
        index=None,
        key=outcome_key,
        format_func=labels.__getitem__,
        disabled=submitted,
    )
    st.radio(
        "Was function lost during the test?",
        ["yes", "no"],
        index=None,
        key=lost_key,
        horizontal=True,
        disabled=submitted,
    )
    if not submitted:
        ready = st.session_state.get(outcome_key) is not None and st.session_state.get(lost_key) is not None
        st.button(
            "Compare with the reference",
            key=f"learn-screening-{teaching.id}-submit",
            on_click=_submit,
            args=(teaching.id,),
            disabled=not ready,
            type="primary",
        )
        return
    judgement = judge(protocol, teaching, str(st.session_state[outcome_key]), st.session_state[lost_key] == "yes")
    got, out_of = judgement.score
    st.subheader(f"Your reading: {got} of {out_of} agree with the reference", anchor=False)
    mark = ":material/check_circle:" if judgement.outcome_agrees else ":material/cancel:"
    yours, reference = escape_markdown(judgement.trainee_outcome), escape_markdown(judgement.reference_outcome)
    st.markdown(f"{mark} Outcome: you read **{yours}**; the reference reads **{reference}**.")
    mark = ":material/check_circle:" if judgement.function_agrees else ":material/cancel:"
    lost = any(d.function_lost for d in judgement.result.doses)
    st.markdown(f"{mark} Function lost: the worksheet shows {'a loss' if lost else 'no loss'}.")
    st.info(escape_markdown(judgement.because))
    for read in judgement.result.doses:
        st.markdown(f"- {escape_markdown(read.sentence)}")
        for loss in read.function_lost:
            st.markdown(f"  - Function lost: {escape_markdown(loss.sentence())}")
    st.success(escape_markdown(judgement.teaching_point))
    st.button("Try again", key=f"learn-screening-{teaching.id}-retry", on_click=_retry, args=(teaching.id,))
