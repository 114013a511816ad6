"""The rules that turn a patient's FHIR record into proposed answers, read from YAML and checked.

A rules file (``criteria/fhir/<criteria stem>_prefill.yaml``) belongs to one criteria set. Each rule
names the criterion it proposes an answer for, the answer (an option of that criterion) or how a
number is derived, and the codes it matches with their code systems' URIs. The file is data: a new
mapping is an edit there. Loading checks the schema (unknown keys, missing fields, code shapes) and
then the rules against the criteria set (the criterion and option exist; a number is derived only
for a number item), and names the file, line and field of every problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, ValidationError, field_validator

from candidacy.criteria.codes import SYSTEMS, UCUM_SYSTEM, shape_problem
from candidacy.criteria.loader import problems_from_validation
from candidacy.criteria.located import Located, PathKey
from candidacy.criteria.models import CriteriaSet, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.criteria.yamlsource import read_file
from candidacy.errors import CriteriaError, Problem
from candidacy.fhir.units import UnitError, check_unit

__all__ = [
    "AgeRule",
    "CodedRule",
    "MatchCode",
    "OnsetRule",
    "PrefillRules",
    "QuantityRule",
    "Rule",
    "find_rules",
    "load_rules",
    "rules_path",
]

#: The code systems a rule may match: those criteria files may name (criteria/codes.py), units aside.
MATCHABLE = tuple(uri for uri in SYSTEMS if uri != UCUM_SYSTEM)

#: The resource types a coded rule may read.
ResourceType = Literal[
    "AllergyIntolerance", "Condition", "Procedure", "MedicationStatement", "MedicationRequest", "Observation"
]


VerificationStatus = Literal["confirmed", "unconfirmed", "provisional", "differential", "presumed"]
#: The resource types that carry each filter a coded rule may set.
FILTERED_TYPES = {
    "allergy_type": ("AllergyIntolerance",),
    "clinical_status": ("Condition", "AllergyIntolerance"),
    "verification_status": ("Condition", "AllergyIntolerance"),
    "status": ("MedicationStatement", "MedicationRequest", "Procedure", "Observation"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MatchCode(_Strict):
    """A code a rule matches, in a system named by its URI, with the display the system gives it."""

    system: StrictStr
    code: StrictStr
    display: StrictStr

    @field_validator("code")
    @classmethod
    def _shape(cls, code: str, info: Any) -> str:
        system = info.data.get("system")
        if system not in MATCHABLE:
            raise ValueError(f"system '{system}' is not one a rule may match (one of {', '.join(MATCHABLE)})")
        problem = shape_problem(system, code)
        if problem:
            raise ValueError(problem)
        return code

    @property
    def system_name(self) -> str:
        return SYSTEMS[self.system].short


class _Rule(_Strict):
    id: Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9-]{0,63}$")]
    criterion: StrictStr
    description: Annotated[StrictStr, Field(min_length=1, max_length=300)]
    #: What the answer assumes that the codes do not say: shown with the proposal, checked before accepting.
    check: Annotated[StrictStr, Field(min_length=1, max_length=300)] | None = None


class _Matching(_Rule):
    codes: Annotated[list[MatchCode], Field(min_length=1)]
    #: Data older than this many months before the assessment date is flagged, not proposed.
    look_back_months: Annotated[StrictInt, Field(ge=1, le=1200)] | None = None

    def resource_types(self) -> tuple[str, ...]:
        """The resource types the rule reads."""
        raise NotImplementedError

    #: Condition / AllergyIntolerance verificationStatus read; absent: any but those short of confirmed
    #: (unconfirmed, provisional, differential, presumed).
    verification_status: list[VerificationStatus] = Field(default_factory=list)


class AgeRule(_Rule):
    """Whole years from Patient.birthDate to the assessment date."""

    kind: Literal["age"]

    def resource_types(self) -> tuple[str, ...]:
        return ("Patient",)


class OnsetRule(_Matching):
    """Whole months from a Condition's onset to the assessment date."""

    kind: Literal["months_since_onset"]

    def resource_types(self) -> tuple[str, ...]:
        return ("Condition",)


class CodedRule(_Matching):
    """A resource with one of the codes gives the answer; optional filters narrow what counts."""

    kind: Literal["coded"]
    resource: Annotated[list[ResourceType], Field(min_length=1)]
    answer: StrictStr
    #: AllergyIntolerance.type (allergy or intolerance); absent: either.
    allergy_type: Literal["allergy", "intolerance"] | None = None
    #: MedicationStatement / MedicationRequest status; absent: any status.
    status: list[StrictStr] = Field(default_factory=list)
    #: Condition / AllergyIntolerance clinicalStatus; absent: any (refuted or entered-in-error never count).
    clinical_status: list[StrictStr] = Field(default_factory=list)

    def resource_types(self) -> tuple[str, ...]:
        return tuple(self.resource)


class Band(_Strict):
    """A range of the converted value and the answer it proposes (``below`` is exclusive)."""

    below: StrictInt | StrictFloat | None = None
    above: StrictInt | StrictFloat | None = None
    answer: StrictStr


class QuantityRule(_Matching):
    """An Observation's valueQuantity, converted to ``unit`` (UCUM); the band it falls in gives the answer."""

    kind: Literal["quantity"]
    unit: StrictStr
    bands: Annotated[list[Band], Field(min_length=1)]

    def resource_types(self) -> tuple[str, ...]:
        return ("Observation",)

    @field_validator("unit")
    @classmethod
    def _ucum(cls, unit: str) -> str:
        try:
            check_unit(unit)
        except UnitError as exc:
            raise ValueError(str(exc)) from None
        return unit


Rule = Annotated[AgeRule | OnsetRule | CodedRule | QuantityRule, Field(discriminator="kind")]


class PrefillRules(_Strict):
    id: StrictStr
    criteria: StrictStr
    description: StrictStr = ""
    rules: Annotated[list[Rule], Field(min_length=1)]


def rules_path(criteria_path: Path) -> Path:
    """Where the rules of a criteria file live: ``<folder>/fhir/<stem>_prefill.yaml``."""
    return criteria_path.parent / "fhir" / f"{criteria_path.stem}_prefill.yaml"


def find_rules(criteria_folder: Path | str, cset: CriteriaSet) -> PrefillRules | None:
    """The rules of a criteria set in the app's criteria folder (``fhir/<set id>_prefill.yaml``), if any."""
    path = Path(criteria_folder) / "fhir" / f"{cset.id}_prefill.yaml"
    return load_rules(path, cset) if path.is_file() else None


def load_rules(path: Path | str, cset: CriteriaSet, display_name: str | None = None) -> PrefillRules:
    """Read and check a rules file against ``cset``; raise CriteriaError naming every problem."""
    located = read_file(path, display_name)
    if not isinstance(located.data, dict):
        raise CriteriaError(located.problem((), "a prefill rules file must be a mapping (id, criteria, rules)"))
    try:
        rules = PrefillRules.model_validate(located.data)
    except ValidationError as exc:
        raise CriteriaError(problems_from_validation(exc, located)) from None
    problems = _cross_check(rules, cset, located)
    if problems:
        raise CriteriaError(problems)
    return rules


def _cross_check(rules: PrefillRules, cset: CriteriaSet, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    if rules.criteria != cset.id:
        problems.append(located.problem(("criteria",), f"rules are for '{rules.criteria}', not for '{cset.id}'"))
    seen: set[str] = set()
    for i, rule in enumerate(rules.rules):
        at: PathKey = ("rules", i)
        if rule.id in seen:
            problems.append(located.problem((*at, "id"), f"rule id '{rule.id}' is used twice"))
        seen.add(rule.id)
        criterion = cset.criteria_by_id.get(rule.criterion)
        if criterion is None:
            problems.append(located.problem((*at, "criterion"), f"no criterion '{rule.criterion}' in '{cset.id}'"))
            continue
        numeric = isinstance(criterion.answer, NumberAnswer)
        if isinstance(rule, AgeRule | OnsetRule):
            if not numeric:
                problems.append(located.problem((*at, "kind"), f"'{rule.criterion}' is not a number item"))
            continue
        if numeric:
            problems.append(located.problem((*at, "criterion"), f"'{rule.criterion}' is a number item"))
            continue
        if isinstance(rule, _Matching):
            for name, carried in FILTERED_TYPES.items():
                lacking = [t for t in rule.resource_types() if t not in carried]
                if getattr(rule, name, None) and lacking:
                    problems.append(
                        located.problem(
                            (*at, name), f"{', '.join(lacking)} has no {name}: the rule could never match it"
                        )
                    )
        values = [v for v, _ in choices(criterion, cset) or []]
        answers = [((*at, "answer"), rule.answer)] if isinstance(rule, CodedRule) else []
        if isinstance(rule, QuantityRule):
            answers = [((*at, "bands", j, "answer"), b.answer) for j, b in enumerate(rule.bands)]
        for place, value in answers:
            if value not in values:
                problems.append(
                    located.problem(place, f"'{value}' is not an answer of '{rule.criterion}' ({', '.join(values)})")
                )
    return problems
