"""The whole criteria set to read: the trainees' reference and the basis of every finding."""

from __future__ import annotations

from functools import partial

import streamlit as st

from candidacy.criteria.kinds import GAP_CLASSES
from candidacy.criteria.models import (
    ChoiceAnswer,
    CriteriaSet,
    Criterion,
    FindingSpec,
    NumberAnswer,
    ScaleAnswer,
    YesNoAnswer,
)
from candidacy.criteria.values import answer_label, blocked_stage, format_number
from candidacy.fhir import RELEASES, questionnaire
from candidacy.fhir.response import dumps
from candidacy.reasoning.engine import describe
from candidacy.reasoning.pathway import HOW_IT_WORKS
from candidacy.reports.render import escape_markdown
from candidacy.ui.layout import require_set
from candidacy.ui.widgets import criterion_basis

__all__ = ["render"]


def render() -> None:
    cset = require_set()
    st.title("Criteria")
    st.markdown(f"**{escape_markdown(cset.title)}**")
    st.markdown(
        f"Set `{cset.id}` · version {cset.version} · reviewed {cset.review_date} · "
        f"{len(cset.criteria_by_id)} criteria  \nsha256 `{cset.sha256}`"
    )
    if cset.description:
        st.caption(escape_markdown(cset.description))
    st.info(cset.notice, icon=":material/info:")
    for column, release in zip(st.columns(2), RELEASES, strict=True):
        with column:
            st.download_button(
                f"Download as FHIR {release} Questionnaire",
                data=partial(_questionnaire_json, cset, release),
                file_name=f"{cset.id}-{cset.version}-questionnaire-{release}.json",
                mime="application/fhir+json",
                on_click="ignore",
                key=f"download-questionnaire-{release}",
                icon=":material/share:",
            )
    if cset.stages:
        st.subheader("Stages and decisive unknowns")
        st.markdown(escape_markdown(HOW_IT_WORKS))
        st.markdown(
            "\n".join(
                f"{i}. **{escape_markdown(stage.label)}** (`{stage.id}`): {escape_markdown(stage.question)}"
                + (
                    f"  \n   :grey[behind the case when {escape_markdown(describe(stage.done_when, cset))}]"
                    if stage.done_when
                    else ""
                )
                for i, stage in enumerate(cset.stages, 1)
            )
        )
        st.markdown("**Three kinds of missing information**, which a meeting keeps apart:")
        st.markdown("\n".join(f"- **{escape_markdown(g.heading)}**: {escape_markdown(g.meaning)}" for g in GAP_CLASSES))
    for section in cset.sections:
        st.subheader(section.title)
        if section.description:
            st.caption(escape_markdown(section.description))
        for criterion in section.criteria:
            stage = cset.stages_by_id.get(criterion.stage or "")
            settled = f" · {escape_markdown(stage.label.lower())}" if stage else ""
            with st.expander(f"**{escape_markdown(criterion.title)}** (`{criterion.id}`){settled}"):
                _criterion(cset, criterion)
    st.subheader("Next steps the criteria can point to")
    groups: list[tuple[str, str | None]] = [(s.label, s.id) for s in cset.stages] or [("", None)]
    for label, stage_id in groups:
        if label:
            st.markdown(f"##### {escape_markdown(label)}")
        for step in (s for s in cset.next_steps if s.stage == stage_id):
            pending = (
                f"  \n  :grey[while it turns on unknowns: {escape_markdown(step.while_unknown)} …]"
                if step.while_unknown
                else ""
            )
            st.markdown(
                f"- {escape_markdown(step.step)}  \n  :grey[when {escape_markdown(describe(step.when, cset))}]"
                + pending
            )
    st.subheader("Sources")
    for source in cset.sources:
        note = f" _({escape_markdown(source.note)})_" if source.note else ""
        st.markdown(f"- **{escape_markdown(f'[{source.id}]')}** {escape_markdown(source.citation)}{note}")


def _questionnaire_json(cset: CriteriaSet, release: str) -> str:
    return dumps(questionnaire(cset, release))


def _criterion(cset: CriteriaSet, criterion: Criterion) -> None:
    st.markdown(f"**Question:** {escape_markdown(criterion.question)}")
    stage = cset.stages_by_id.get(criterion.stage or "")
    if stage is not None:
        st.markdown(f"**Settled:** {escape_markdown(stage.label.lower())} (`{stage.id}`)")
    if criterion.applies_when is not None:
        st.markdown(f"**Applies only when** {escape_markdown(describe(criterion.applies_when, cset))}.")
    if criterion.routine_answer is not None:
        expected = answer_label(criterion, cset, criterion.routine_answer)
        st.markdown(
            f"**Routine check:** while unanswered it is work before the stage (expected: "
            f"{escape_markdown(expected)}), not a decisive unknown; answered Unknown, it is an open question."
        )
    else:
        st.markdown("**Unanswered:** a decisive unknown whenever an answer could change a step.")
    rows = [*_meanings(cset, criterion), ("Unknown", f"missing information: obtain {criterion.obtain}")]
    rows = [(answer, meaning + _blocks(cset, criterion, answer)) for answer, meaning in rows]
    st.markdown(
        "| Answer | What it means |\n|---|---|\n"
        + "\n".join(f"| {escape_markdown(a)} | {escape_markdown(m)} |" for a, m in rows)
    )
    criterion_basis(cset, criterion)


def _blocks(cset: CriteriaSet, criterion: Criterion, answer_label: str) -> str:
    spec = next((sp for label, sp in _specs(cset, criterion) if label == answer_label), None)
    stage = blocked_stage(cset, criterion, spec) if spec else None
    return f" (stands in the way: {stage.label.lower()})" if stage else ""


def _specs(cset: CriteriaSet, criterion: Criterion) -> list[tuple[str, FindingSpec | None]]:
    answer = criterion.answer
    if isinstance(answer, YesNoAnswer):
        return [("Yes", answer.yes), ("No", answer.no)]
    if isinstance(answer, ChoiceAnswer):
        return [(o.label, o.finding) for o in answer.options]
    if isinstance(answer, ScaleAnswer):
        title = cset.scales_by_id[answer.scale].title
        return [(f"{title} {b.from_} to {b.to}", b.finding) for b in answer.bands]
    assert isinstance(answer, NumberAnswer)
    return [(_range(b.at_least, b.below, answer.unit), b.finding) for b in answer.bands]


def _meaning(spec: FindingSpec | None) -> str:
    return f"{spec.kind}: {spec.statement}" if spec else "no finding by itself"


def _meanings(cset: CriteriaSet, criterion: Criterion) -> list[tuple[str, str]]:
    return [(label, _meaning(spec)) for label, spec in _specs(cset, criterion)]


def _range(low: float | None, high: float | None, unit: str) -> str:
    if low is None and high is not None:
        return f"below {format_number(high)} {unit}"
    if high is None and low is not None:
        return f"{format_number(low)} {unit} or more"
    return f"{format_number(low or 0)} to below {format_number(high or 0)} {unit}"
