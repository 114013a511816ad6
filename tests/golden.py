"""The golden cases as answer sets, for every test that wants realistic cases (reports, FHIR, wording).

``tests/cases/baseline.yaml`` holds the shared baseline; the other files hold cases that change only the
answers making their scenario (see tests/test_golden_cases.py for the format).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from candidacy import AnswerSet
from candidacy.criteria.yamlsource import read_file

__all__ = ["BASELINE", "CASES", "GOLDEN", "GOLDEN_IDS", "answer_set", "answers_of"]

FOLDER = Path(__file__).parent / "cases"
BASELINE: dict[str, Any] = read_file(FOLDER / "baseline.yaml").data


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(FOLDER.glob("*.yaml")):
        if path.name != "baseline.yaml":
            cases += [(f"{path.stem}[{i}]", case) for i, case in enumerate(read_file(path).data)]
    return cases


#: (id, case) for every case other than the baseline, in file order.
CASES = _cases()


def answers_of(case: dict[str, Any]) -> dict[str, Any]:
    """The baseline changed by the case (``~`` removes an answer; ``only: true`` starts from nothing)."""
    answers = {} if case.get("only") else dict(BASELINE["answers"])
    for cid, value in (case.get("answers") or {}).items():
        if value is None:
            answers.pop(cid, None)
        else:
            answers[cid] = value
    return answers


def answer_set(answers: dict[str, Any]) -> AnswerSet:
    given = {cid: v if isinstance(v, dict) else {"value": v} for cid, v in answers.items()}
    return AnswerSet.model_validate({"criteria": "itb_pump", "answers": given})


#: Every golden case, the baseline first, as (id, answer set).
GOLDEN: list[tuple[str, AnswerSet]] = [("baseline", answer_set(BASELINE["answers"]))] + [
    (label, answer_set(answers_of(case))) for label, case in CASES
]
GOLDEN_IDS = [label for label, _ in GOLDEN]
