"""Teaching vignettes: invented cases with reference answers, checked against the criteria.

A vignette file (``criteria/vignettes/<set id>/*.yaml``) holds the case as a clinician reads it, the
reference answer to every criterion it informs with the fact that justifies it, the findings and next
steps those answers produce, a teaching point and its sources. Loading checks every reference answer
and recomputes the expectations with the engine, so vignettes cannot drift from the criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from candidacy.criteria.kinds import KINDS
from candidacy.criteria.loader import problems_from_validation
from candidacy.criteria.located import Located
from candidacy.criteria.models import FINDING_KINDS, CriteriaSet
from candidacy.criteria.values import answer_label
from candidacy.criteria.yamlsource import read_file
from candidacy.errors import CandidacyError, CriteriaError, Problem
from candidacy.reasoning.answers import Answer, AnswerSet, GivenValue, check_answers
from candidacy.reasoning.assessment import SUMMARY_ORDER, Assessment
from candidacy.reasoning.engine import evaluate

__all__ = [
    "KIND_WEIGHTS",
    "Comparison",
    "ItemComparison",
    "QuizItem",
    "Vignette",
    "compare",
    "load_vignettes",
    "quiz_items",
    "vignette_folder",
]

#: Scoring weights by finding kind (declared in criteria/kinds.py): a missed contraindication counts most.
KIND_WEIGHTS = {kind.id: kind.weight for kind in KINDS}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ReferenceAnswer(_Strict):
    value: GivenValue
    because: StrictStr = Field(min_length=1)


class Expected(_Strict):
    contraindication: list[StrictStr]
    caution: list[StrictStr]
    unfavourable: list[StrictStr]
    favourable: list[StrictStr]
    prerequisite_unmet: list[StrictStr] = Field(alias="prerequisite-unmet")
    missing: list[StrictStr]
    next_steps: list[StrictStr]

    def by_kind(self, kind: str) -> list[str]:
        return list(getattr(self, kind.replace("-", "_")))


class Vignette(_Strict):
    id: StrictStr = Field(pattern=r"^[a-z0-9_]+$")
    title: StrictStr
    criteria: StrictStr
    causes: list[StrictStr]
    themes: list[StrictStr]
    case: StrictStr
    reference: dict[StrictStr, ReferenceAnswer]
    expected: Expected
    teaching_point: StrictStr
    sources: list[StrictStr] = Field(min_length=1)

    def reference_answers(self) -> AnswerSet:
        answers = {cid: Answer(value=ref.value) for cid, ref in self.reference.items()}
        return AnswerSet(criteria=self.criteria, answers=answers)


def vignette_folder(criteria_file: Path, cset: CriteriaSet) -> Path:
    return criteria_file.parent / "vignettes" / cset.id


def load_vignettes(folder: Path, cset: CriteriaSet) -> list[Vignette]:
    """Every vignette of the folder, checked; all problems of all files are raised together."""
    problems: list[Problem] = []
    loaded: list[Vignette] = []
    if not folder.is_dir():
        return loaded
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            located = read_file(path)
            vignette = Vignette.model_validate(located.data)
        except ValidationError as exc:
            problems += problems_from_validation(exc, located)
            continue
        except CandidacyError as error:
            problems += error.problems
            continue
        found = _check(vignette, cset, located)
        if vignette.id in seen:
            found.append(located.problem(("id",), f"vignette id '{vignette.id}' is also used by {seen[vignette.id]}"))
        seen[vignette.id] = path.name
        problems += found
        if not found:
            loaded.append(vignette)
    if problems:
        raise CriteriaError(problems)
    return loaded


def _check(vignette: Vignette, cset: CriteriaSet, located: Located) -> list[Problem]:
    if vignette.criteria != cset.id:
        return [located.problem(("criteria",), f"vignette is for criteria set '{vignette.criteria}', not '{cset.id}'")]
    problems = [
        located.problem(("sources", i), f"unknown source '{s}' (not in the criteria set's sources)")
        for i, s in enumerate(vignette.sources)
        if s not in cset.sources_by_id
    ]
    try:
        checked = check_answers(cset, vignette.reference_answers())
    except CandidacyError as error:
        for problem in error.problems:
            crit = problem.criterion or ""
            problems.append(located.problem(("reference", crit, "value"), problem.message, crit or None))
        return problems
    result = evaluate(cset, checked)
    for kind in FINDING_KINDS:
        got = sorted(f.criterion for f in result.by_kind(kind))
        if got != sorted(vignette.expected.by_kind(kind)):
            problems.append(
                located.problem(
                    ("expected", kind),
                    f"the engine finds {kind} for {got or 'nothing'}; the vignette expects "
                    f"{sorted(vignette.expected.by_kind(kind)) or 'nothing'}",
                )
            )
    steps = [s.id for s in result.next_steps]
    if steps != vignette.expected.next_steps:
        problems.append(
            located.problem(
                ("expected", "next_steps"),
                f"the engine suggests {steps}; the vignette expects {vignette.expected.next_steps}",
            )
        )
    return problems


# -- comparing a trainee's answers with the reference ---------------------------------------------


@dataclass(frozen=True)
class ItemComparison:
    criterion: str
    title: str
    trainee: str
    reference: str
    agrees: bool
    because: str
    rationale: str
    sources: str


@dataclass(frozen=True)
class Comparison:
    items: list[ItemComparison]
    missed: dict[str, list[str]]
    added: dict[str, list[str]]
    steps_agree: bool
    trainee_steps: list[str]
    reference_steps: list[str]
    score: int
    out_of: int
    by_kind: dict[str, tuple[int, int]]

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.out_of) if self.out_of else 100


def compare(cset: CriteriaSet, vignette: Vignette, trainee: AnswerSet) -> Comparison:
    """Per criterion, the trainee's answer beside the reference; findings missed or added; a score."""
    reference_result = evaluate(cset, check_answers(cset, vignette.reference_answers()))
    trainee_result = evaluate(cset, check_answers(cset, trainee))
    items = []
    for cid, ref in vignette.reference.items():
        criterion = cset.criteria_by_id[cid]
        given = trainee.answers.get(cid, Answer()).value
        items.append(
            ItemComparison(
                criterion=cid,
                title=criterion.title,
                trainee=_label(cset, cid, given),
                reference=_label(cset, cid, ref.value),
                agrees=_normal(cset, cid, given) == _normal(cset, cid, ref.value),
                because=ref.because,
                rationale=criterion.rationale,
                sources="; ".join(f"[{r.source}] {r.locator} ({r.strength})" for r in criterion.sources),
            )
        )
    missed: dict[str, list[str]] = {}
    added: dict[str, list[str]] = {}
    by_kind: dict[str, tuple[int, int]] = {}
    score = out_of = 0
    for kind, _heading in SUMMARY_ORDER:
        want = _titles(cset, reference_result, kind)
        got = _titles(cset, trainee_result, kind)
        missed[kind] = sorted(want - got)
        added[kind] = sorted(got - want)
        weight = KIND_WEIGHTS[kind]
        possible = weight * len(want | got)
        earned = weight * len(want & got)
        by_kind[kind] = (earned, possible)
        score += earned
        out_of += possible
    trainee_steps = [s.step for s in trainee_result.next_steps]
    reference_steps = [s.step for s in reference_result.next_steps]
    steps_agree = trainee_steps[:1] == reference_steps[:1]
    out_of += 2
    score += 2 if steps_agree else 0
    return Comparison(items, missed, added, steps_agree, trainee_steps, reference_steps, score, out_of, by_kind)


def _titles(cset: CriteriaSet, result: Assessment, kind: str) -> set[str]:
    return {cset.criteria_by_id[f.criterion].title for f in result.by_kind(kind)}


def _normal(cset: CriteriaSet, cid: str, value: GivenValue) -> str | float | None:
    if value is None:
        return None
    checked = check_answers(cset, AnswerSet(criteria=cset.id, answers={cid: Answer(value=value)}))
    return checked[cid][0]


def _label(cset: CriteriaSet, cid: str, value: GivenValue) -> str:
    normal = _normal(cset, cid, value)
    return "not answered" if normal is None else answer_label(cset.criteria_by_id[cid], cset, normal)


# -- quick quiz -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizItem:
    vignette: str
    criterion: str
    prompt: str
    answer: str | float


def quiz_items(cset: CriteriaSet, vignettes: list[Vignette]) -> list[QuizItem]:
    """One question per informative reference answer: the fact from the case, and what it answers."""
    items = []
    for vignette in vignettes:
        for cid, ref in vignette.reference.items():
            if ref.because.startswith(("stated in", "not in")) or ref.value is None:
                continue
            checked = check_answers(cset, AnswerSet(criteria=cset.id, answers={cid: Answer(value=ref.value)}))
            value = checked[cid][0]
            assert value is not None
            items.append(QuizItem(vignette.id, cid, f"{vignette.title}: {ref.because}.", value))
    return items
