"""Teaching screening worksheets: the trainee judges the result before seeing the reference.

A teaching file (``criteria/screening/teaching/*.yaml``) holds a worksheet, the vignette it belongs
to, the reference outcome with the reasoning behind it, and a teaching point. Loading checks the
worksheet against the protocol and recomputes the outcome, so a reference can never disagree with
what the worksheet shows. :func:`judge` compares the trainee's reading (the outcome, and whether
function was lost) with the reference and returns the computed basis to show after submitting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from candidacy.criteria.loader import problems_from_validation
from candidacy.criteria.yamlsource import read_file
from candidacy.errors import CandidacyError, CriteriaError, Problem
from candidacy.screening.checks import worksheet_faults
from candidacy.screening.protocol import OutcomeId, Protocol
from candidacy.screening.result import ScreeningResult, compute_result
from candidacy.screening.worksheet import Worksheet

__all__ = ["Judgement", "TeachingWorksheet", "judge", "load_teaching", "teaching_folder"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Reference(_Strict):
    outcome: OutcomeId
    because: StrictStr = Field(min_length=1)


class TeachingWorksheet(_Strict):
    id: StrictStr = Field(pattern=r"^[a-z0-9_]+$")
    vignette: StrictStr = Field(pattern=r"^[a-z0-9_]+$")
    title: StrictStr = Field(min_length=1)
    story: StrictStr = Field(min_length=1)
    reference: Reference
    teaching_point: StrictStr = Field(min_length=1)
    sources: list[StrictStr] = Field(min_length=1)
    worksheet: Worksheet


def teaching_folder(criteria_dir: Path | str) -> Path:
    return Path(criteria_dir) / "screening" / "teaching"


def load_teaching(folder: Path | str, protocol: Protocol, vignettes: set[str] | None = None) -> list[TeachingWorksheet]:
    """Every teaching worksheet of the folder, checked; all problems of all files raised together."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    loaded: list[TeachingWorksheet] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            located = read_file(path)
            teaching = TeachingWorksheet.model_validate(located.data)
        except ValidationError as exc:
            problems += problems_from_validation(exc, located)
            continue
        except CandidacyError as error:
            problems += error.problems
            continue
        found = [
            located.problem(("worksheet", *where), message)
            for where, message in worksheet_faults(protocol, teaching.worksheet)
        ]
        known = {s.id for s in protocol.sources}
        found += [
            located.problem(("sources", i), f"unknown source '{s}' (not in the protocol's sources)")
            for i, s in enumerate(teaching.sources)
            if s not in known
        ]
        if vignettes is not None and teaching.vignette not in vignettes:
            found.append(located.problem(("vignette",), f"no teaching vignette '{teaching.vignette}'"))
        if not found:
            computed = compute_result(protocol, teaching.worksheet).computed
            if computed != teaching.reference.outcome:
                found.append(
                    located.problem(
                        ("reference", "outcome"),
                        f"the worksheet computes '{computed}'; the reference says '{teaching.reference.outcome}'",
                    )
                )
        problems += found
        if not found:
            loaded.append(teaching)
    if problems:
        raise CriteriaError(problems)
    return loaded


@dataclass(frozen=True)
class Judgement:
    outcome_agrees: bool
    function_agrees: bool
    trainee_outcome: str
    reference_outcome: str
    because: str
    teaching_point: str
    result: ScreeningResult

    @property
    def score(self) -> tuple[int, int]:
        return int(self.outcome_agrees) + int(self.function_agrees), 2


def judge(protocol: Protocol, teaching: TeachingWorksheet, outcome: str, function_lost: bool) -> Judgement:
    """The trainee's reading beside the reference: the outcome, and whether function was lost."""
    result = compute_result(protocol, teaching.worksheet)
    lost = any(d.function_lost for d in result.doses)
    labels: dict[str, str] = {o.id: o.label for o in protocol.outcomes}
    return Judgement(
        outcome_agrees=outcome == teaching.reference.outcome,
        function_agrees=function_lost == lost,
        trainee_outcome=labels.get(outcome, outcome),
        reference_outcome=labels[teaching.reference.outcome],
        because=teaching.reference.because.strip(),
        teaching_point=teaching.teaching_point.strip(),
        result=result,
    )
