"""Properties of the engine over random valid answers to the full ITB set (hypothesis, derandomised)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidacy import CriteriaSet, evaluate, load_criteria
from candidacy.criteria.models import UNKNOWN, NumberAnswer
from candidacy.criteria.values import choices

from .conftest import ITB

CSET = load_criteria(ITB)
SUPPORTING_STEPS = {"support_screening", "after_positive_screening"}
PROFILE = settings(derandomize=True, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Answers = dict[str, tuple[Any, str]]


def _value(cset: CriteriaSet, crit_id: str) -> st.SearchStrategy[Any]:
    criterion = cset.criteria_by_id[crit_id]
    options = choices(criterion, cset)
    if options is None:
        assert isinstance(criterion.answer, NumberAnswer)
        a = criterion.answer
        number = st.integers(int(a.min), int(a.max)).map(float)
        return st.one_of(st.just(UNKNOWN), number)
    return st.sampled_from([UNKNOWN, *(v for v, _ in options)])


def answers_for(cset: CriteriaSet) -> st.SearchStrategy[Answers]:
    ids = sorted(cset.criteria_by_id)
    entries = {i: st.tuples(_value(cset, i), st.text(max_size=20)) for i in ids}
    return st.fixed_dictionaries({}, optional=entries)  # type: ignore[arg-type]


@PROFILE
@given(answers_for(CSET))
def test_deterministic_and_independent_of_answer_order(answers: Answers) -> None:
    first = evaluate(CSET, answers)
    again = evaluate(CSET, dict(reversed(list(answers.items()))))
    assert first == again
    assert first.to_dict() == again.to_dict()


@PROFILE
@given(answers_for(CSET))
def test_every_finding_cites_a_source_of_the_set(answers: Answers) -> None:
    result = evaluate(CSET, answers)
    for finding in result.findings:
        assert finding.sources, finding.criterion
        for source in finding.sources:
            assert source.id in CSET.sources_by_id
            assert source.citation == CSET.sources_by_id[source.id].citation
            assert source.locator and source.strength


@PROFILE
@given(answers_for(CSET))
def test_unknown_never_produces_a_favourable_finding_or_supports_a_step(answers: Answers) -> None:
    result = evaluate(CSET, answers)
    for finding in result.findings:
        if finding.answer == UNKNOWN:
            assert finding.kind == "missing"
    unknowns = [i for i in result.applicable_ids if answers.get(i, (None,))[0] == UNKNOWN]
    if unknowns:
        assert not SUPPORTING_STEPS & {s.id for s in result.next_steps}


@PROFILE
@given(answers_for(CSET), st.data())
def test_adding_an_answer_never_hides_a_contraindication(answers: Answers, data: st.DataObject) -> None:
    unanswered = sorted(set(CSET.criteria_by_id) - set(answers))
    if not unanswered:
        return
    added = data.draw(st.sampled_from(unanswered))
    value = data.draw(_value(CSET, added))
    before = evaluate(CSET, answers)
    after = evaluate(CSET, {**answers, added: (value, "")})
    still = {f.criterion for f in after.by_kind("contraindication")}
    kept_aside = {n.criterion: n for n in after.not_applicable}
    for finding in before.by_kind("contraindication"):
        if finding.criterion in still:
            continue
        # Only a change of applicability may take it off the list, and the answer stays on record.
        assert finding.criterion in kept_aside, finding.criterion
        assert kept_aside[finding.criterion].answer == finding.answer


@PROFILE
@given(answers_for(CSET))
def test_counts_and_lists_agree(answers: Answers) -> None:
    result = evaluate(CSET, answers)
    assert result.applicable + len(result.not_applicable) == len(CSET.criteria_by_id)
    answered = [i for i in result.applicable_ids if answers.get(i, (None,))[0] is not None]
    assert result.answered == len(answered)
    unanswered = {m.criterion for m in result.missing if m.status == "unanswered"}
    assert unanswered == set(result.applicable_ids) - set(answered)
    if "contraindication" in {f.kind for f in result.findings}:
        assert "contraindication_recorded" in {s.id for s in result.next_steps}
        assert not SUPPORTING_STEPS & {s.id for s in result.next_steps}
