"""Answers are checked against the criteria: every problem named with its criterion, all at once."""

from __future__ import annotations

import pytest

from candidacy import AnswersError, AnswerSet, CriteriaSet, check_answers, parse_answers
from candidacy.criteria.models import UNKNOWN


def _check(cset: CriteriaSet, answers: dict[str, object], **extra: object) -> dict[str, tuple[object, str]]:
    data = {"criteria": cset.id, "answers": answers, **extra}
    return check_answers(cset, AnswerSet.model_validate(data))  # type: ignore[return-value]


def _problems(cset: CriteriaSet, answers: dict[str, object], **extra: object) -> list[str]:
    with pytest.raises(AnswersError) as caught:
        _check(cset, answers, **extra)
    return [str(p) for p in caught.value.problems]


def test_valid_answers_are_normalised(minimal: CriteriaSet) -> None:
    checked = _check(
        minimal,
        {
            "walks": {"value": True, "note": "with a frame"},  # YAML 'yes' arrives as True
            "tone": {"value": 2},  # a scale level typed as a number
            "age": {"value": 40},
            "infection": {"value": UNKNOWN},
            "relies": {"note": "note only, no answer yet"},
        },
    )
    assert checked == {
        "walks": ("yes", "with a frame"),
        "tone": ("2", ""),
        "age": (40.0, ""),
        "infection": (UNKNOWN, ""),
        "relies": (None, "note only, no answer yet"),
    }


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            {"walkz": {"value": "yes"}},
            "answers.walkz [criterion 'walkz']: unknown criterion 'walkz' in criteria set 'mini'",
        ),
        (
            {"walks": {"value": "maybe"}},
            "answers.walks.value [criterion 'walks']: 'maybe' is not an answer of this item; expected one of: yes, no, unknown",
        ),
        (
            {"age": {"value": 130}},
            "answers.age.value [criterion 'age']: 130 is out of range: expected 0 to 120 years",
        ),
        ({"age": {"value": 4.5}}, "answers.age.value [criterion 'age']: expected a whole number of years, got 4.5"),
        (
            {"age": {"value": "forty"}},
            "answers.age.value [criterion 'age']: expected a number in years (or 'unknown'), got 'forty'",
        ),
        (
            {"age": {"value": True}},
            "answers.age.value [criterion 'age']: expected a number in years (or 'unknown'), got True",
        ),
        (
            {"tone": {"value": "5"}},
            "answers.tone.value [criterion 'tone']: '5' is not an answer of this item; expected one of: 0, 1, 1+, 2, unknown",
        ),
        (
            {"infection": {"value": False}},
            "answers.infection.value [criterion 'infection']: False is not an answer of this item; "
            "expected one of: present, absent, unknown",
        ),
    ],
)
def test_bad_answer_names_the_criterion(minimal: CriteriaSet, answers: dict[str, object], expected: str) -> None:
    assert _problems(minimal, answers) == [expected]


def test_every_problem_at_once(minimal: CriteriaSet) -> None:
    problems = _problems(minimal, {"walks": {"value": "x"}, "age": {"value": -1}, "nope": {"value": 1}})
    assert [p.split(" [")[0] for p in problems] == ["answers.walks.value", "answers.age.value", "answers.nope"]


def test_answers_for_another_set_are_refused(minimal: CriteriaSet) -> None:
    with pytest.raises(AnswersError) as caught:
        check_answers(minimal, AnswerSet(criteria="other_set"))
    assert str(caught.value) == "criteria: these answers are for criteria set 'other_set', not 'mini'"


def test_answers_for_another_version_are_refused(minimal: CriteriaSet) -> None:
    with pytest.raises(AnswersError, match=r"recorded against version 0.2 of 'mini'; the criteria file is version 0.1"):
        check_answers(minimal, AnswerSet(criteria="mini", version="0.2"))


def test_file_problems_point_at_the_line(minimal: CriteriaSet) -> None:
    raw = b"criteria: mini\nanswers:\n  walks: {value: yes}\n  age:\n    value: 300\n"
    answer_set, located = parse_answers(raw, "a.yaml")
    with pytest.raises(AnswersError) as caught:
        check_answers(minimal, answer_set, located)
    assert [str(p) for p in caught.value.problems] == [
        "a.yaml:5:12: answers.age.value [criterion 'age']: 300 is out of range: expected 0 to 120 years"
    ]


def test_unknown_keys_in_answers_file_are_refused() -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(b"criteria: mini\nanswers:\n  walks: {value: 'yes', comment: hi}\n", "a.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "a.yaml:3:34: answers.walks.comment [criterion 'walks']: unknown key 'comment' (not part of the schema; check the spelling)"
    ]


def test_note_length_is_capped() -> None:
    with pytest.raises(AnswersError, match="at most 20000 characters"):
        parse_answers(
            ('{"criteria": "mini", "answers": {"walks": {"note": "' + "x" * 20001 + '"}}}').encode(), "a.json"
        )


def test_answers_file_must_be_a_mapping() -> None:
    with pytest.raises(AnswersError, match="an answers file must be a mapping"):
        parse_answers(b"[1, 2]", "a.json")
