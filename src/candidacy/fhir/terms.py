"""Names the FHIR resources share: canonical URLs, linkIds, codes, units and release profiles.

The project's canonical URLs live under an https base (setting ``CANDIDACY_FHIR_BASE``). The project
defines no extension of its own: notes, "not known" for numbers and the case header are ordinary
Questionnaire items, so any SDC form filler can fill them. Codes:

- yes/no answers use HL7's ``v2-0136`` (Y/N); "unknown" is ``data-absent-reason#unknown`` everywhere;
- a choice option keeps its SNOMED CT code when the criteria give one, shown with the criteria's own label;
- other options use ``<base>/CodeSystem/<set>-<criterion>``, scale levels ``<base>/CodeSystem/<scale>``;
- each question carries the code ``<base>/CodeSystem/<set>#<criterion id>``, then the criterion's standard
  codes (SNOMED CT, LOINC, ATC) with their own displays; an item that is an observation is flagged for
  SDC observation-based extraction.
"""

from __future__ import annotations

from typing import Any

from candidacy.criteria.codes import UCUM, UCUM_SYSTEM
from candidacy.criteria.models import UNKNOWN, ChoiceAnswer, CriteriaSet, Criterion, ScaleAnswer, YesNoAnswer
from candidacy.criteria.values import choices
from candidacy.settings import load_settings

__all__ = [
    "HEADER",
    "HEADER_FIELDS",
    "OBSERVATION_EXTRACT",
    "RELEASES",
    "UCUM",
    "UCUM_SYSTEM",
    "base_url",
    "canonical_url",
    "coding_for",
    "core_profile",
    "group_id",
    "help_id",
    "item_codes",
    "note_id",
    "ordinal",
    "question_code",
    "release_from_profiles",
    "standard_codings",
    "unknown_id",
]

RELEASES = ("R5", "R4B")
#: The release each FHIR version in a version-specific profile URL belongs to (R4 and R4B share the
#: Questionnaire and QuestionnaireResponse definitions; LHC-Forms writes 4.0 for both).
_PROFILE_VERSIONS = {"5.0": "R5", "4.3": "R4B", "4.0": "R4B"}
_PROFILE_OF = {"R5": "5.0", "R4B": "4.3"}
#: SDC's observation-based extraction flag: an item whose answer becomes an Observation with the item's codes.
OBSERVATION_EXTRACT = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract"
SDC_PROFILES = {
    "Questionnaire": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire",
    "QuestionnaireResponse": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse",
}
YES_NO_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0136"
ABSENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

HEADER = "case-header"
#: The case header as items: (CaseHeader field, linkId, text, FHIR type).
HEADER_FIELDS = (
    ("label", f"{HEADER}.label", "Case label (pseudonymous: no name, no record number)", "string"),
    ("meeting_date", f"{HEADER}.meeting-date", "Meeting date", "date"),
    ("assessor", f"{HEADER}.assessor", "Assessor", "string"),
    ("role", f"{HEADER}.role", "Assessor's role", "string"),
    ("assessed_on", f"{HEADER}.assessed-on", "Date assessed", "date"),
)


def base_url() -> str:
    return load_settings().fhir_base.rstrip("/")


def canonical_url(cset: CriteriaSet, base: str | None = None) -> str:
    return f"{base or base_url()}/Questionnaire/{cset.id}"


def group_id(criterion: Criterion) -> str:
    return f"{criterion.id}.group"


def note_id(criterion: Criterion) -> str:
    return f"{criterion.id}.note"


def unknown_id(criterion: Criterion) -> str:
    return f"{criterion.id}.unknown"


def help_id(criterion: Criterion) -> str:
    return f"{criterion.id}.help"


def core_profile(resource_type: str, release: str) -> str:
    """The version-specific profile URL of a core resource, which says the release of a resource."""
    return f"http://hl7.org/fhir/{_PROFILE_OF[release]}/StructureDefinition/{resource_type}"


def release_from_profiles(profiles: list[Any], resource_type: str) -> set[str]:
    """The releases that ``meta.profile`` claims (empty when it names none)."""
    found = set()
    for profile in profiles:
        for version, release in _PROFILE_VERSIONS.items():
            if profile == f"http://hl7.org/fhir/{version}/StructureDefinition/{resource_type}":
                found.add(release)
    return found


def question_code(cset: CriteriaSet, criterion: Criterion, base: str) -> dict[str, str]:
    return {"system": f"{base}/CodeSystem/{cset.id}", "code": criterion.id, "display": criterion.title}


def standard_codings(criterion: Criterion) -> list[dict[str, str]]:
    """The criterion's standard codes (SNOMED CT, LOINC, ATC ...) as Codings, with their own displays."""
    return [{"system": c.system, "code": c.code, "display": c.display} for c in criterion.codes]


def item_codes(cset: CriteriaSet, criterion: Criterion, base: str) -> list[dict[str, str]]:
    """A question's ``item.code`` (and its Observation's code): the project's own code, then the standard ones."""
    return [question_code(cset, criterion, base), *standard_codings(criterion)]


def coding_for(cset: CriteriaSet, criterion: Criterion, value: str, base: str) -> dict[str, str]:
    """The Coding of a closed answer, displayed with the criteria's own label."""
    if value == UNKNOWN:
        return {"system": ABSENT_SYSTEM, "code": "unknown", "display": "Unknown"}
    labels = dict(choices(criterion, cset) or [])
    label = labels.get(value, value)
    answer = criterion.answer
    if isinstance(answer, YesNoAnswer):
        return {"system": YES_NO_SYSTEM, "code": "Y" if value == "yes" else "N", "display": label}
    if isinstance(answer, ChoiceAnswer):
        for option in answer.options:
            if option.value == value and option.codes:
                return {"system": option.codes[0].system, "code": option.codes[0].code, "display": label}
    if isinstance(answer, ScaleAnswer):
        return {"system": f"{base}/CodeSystem/{answer.scale}", "code": value, "display": label}
    return {"system": f"{base}/CodeSystem/{cset.id}-{criterion.id}", "code": value, "display": label}


def ordinal(cset: CriteriaSet, criterion: Criterion, value: str) -> float | None:
    """A scale level's score for form fillers (``itemWeight``/``ordinalValue``): the level's own number
    where it is one (Ashworth and Penn 0 to 4, with 1+ as 1.5, the usual convention), so a filler that
    shows the weight beside the label never shows a second, different score; its rank from 1 where the
    levels are not numbers (GMFCS I to V: 1 to 5)."""
    answer = criterion.answer
    if not isinstance(answer, ScaleAnswer):
        return None
    levels = [v for v, _ in choices(criterion, cset) or []]
    if value not in levels:
        return None
    if all(_number(level) is not None for level in levels):
        return _number(value)
    return float(1 + levels.index(value))


def _number(level: str) -> float | None:
    """'2' is 2, '1+' is 1.5; anything else is not a number."""
    if level.isdigit():
        return float(level)
    if level.endswith("+") and level[:-1].isdigit():
        return float(level[:-1]) + 0.5
    return None
