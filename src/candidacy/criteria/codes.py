"""The code systems criteria files may use, declared once, and the checks on the codes they carry.

A code's system must be one declared here, and its code must have the system's shape, so that a typing
slip is caught by ``validate`` instead of reaching a FHIR server: SNOMED CT concept ids are 6 to 18 digits
whose last is a Verhoeff check digit and whose partition digits say "concept"; LOINC codes are digits, a
dash and a mod-10 check digit; ATC codes have the seven characters of a chemical substance (M03BX01). No
code is looked up in a terminology server: a well-formed code of the wrong concept is the reviewer's to
catch, from the display and the source each code names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from candidacy.criteria.faults import Fault, criterion_paths
from candidacy.criteria.located import PathKey
from candidacy.criteria.models import (
    ChoiceAnswer,
    Code,
    CriteriaSet,
    Criterion,
    NumberAnswer,
    ScaleAnswer,
)

__all__ = [
    "ATC",
    "LOINC",
    "RXNORM",
    "SNOMED",
    "SYSTEMS",
    "UCUM",
    "UCUM_SYSTEM",
    "CodeSystem",
    "code_faults",
    "luhn_valid",
    "shape_problem",
    "verhoeff_valid",
]


SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM_SYSTEM = "http://unitsofmeasure.org"

#: UCUM codes of the units criteria files use; a unit missing here is shown by name only and cannot be
#: extracted as an Observation quantity.
UCUM = {
    "years": "a",
    "months": "mo",
    "weeks": "wk",
    "days": "d",
    "hours": "h",
    "kg": "kg",
    "cm": "cm",
    "kg/m2": "kg/m2",
    "mg/day": "mg/d",
    "mcg/day": "ug/d",
    "µg/day": "ug/d",
    "%": "%",
}


# Verhoeff's dihedral-group tables (multiplication and permutation).
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_valid(digits: str) -> bool:
    """Whether the last digit is the Verhoeff check digit of the others (SNOMED CT identifiers)."""
    check = 0
    for i, digit in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(digit)]]
    return check == 0


def luhn_valid(digits: str) -> bool:
    """Whether the last digit is the mod-10 (Luhn) check digit of the others, as LOINC defines it."""
    total = 0
    for i, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _snomed(code: str) -> str | None:
    if not re.fullmatch(r"[1-9][0-9]{5,17}", code):
        return "a SNOMED CT concept id is 6 to 18 digits, not starting with 0"
    if not verhoeff_valid(code):
        return "its last digit is not the Verhoeff check digit of the others (a typing slip?)"
    if code[-3:-1] not in ("00", "10"):
        return f"its partition digits '{code[-3:-1]}' do not mark a concept id (a description or relationship id?)"
    return None


def _loinc(code: str) -> str | None:
    if not re.fullmatch(r"[0-9]{1,7}-[0-9]", code):
        return "a LOINC code is digits, a dash and a check digit (29463-7)"
    if not luhn_valid(code.replace("-", "")):
        return "its check digit (after the dash) is not the mod-10 check digit of the digits before it"
    return None


def _atc(code: str) -> str | None:
    if not re.fullmatch(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", code):
        return "an ATC code of a substance has 7 characters: letter, 2 digits, 2 letters, 2 digits (M03BX01)"
    return None


def _rxnorm(code: str) -> str | None:
    return None if re.fullmatch(r"[1-9][0-9]{0,9}", code) else "an RxNorm concept id (RxCUI) is 1 to 10 digits"


def _ucum(code: str) -> str | None:
    return None if re.fullmatch(r"[!-~]{1,40}", code) else "a UCUM code is printable ASCII without spaces"


@dataclass(frozen=True)
class CodeSystem:
    uri: str
    name: str
    problem: Callable[[str], str | None]
    short: str  # as a provenance line names it, before the code ("SNOMED 387342009")


#: Every code system a criteria file may name, by URI.
SYSTEMS = {
    s.uri: s
    for s in (
        CodeSystem(SNOMED, "SNOMED CT", _snomed, "SNOMED"),
        CodeSystem(LOINC, "LOINC", _loinc, "LOINC"),
        CodeSystem(ATC, "WHO ATC", _atc, "ATC"),
        CodeSystem(RXNORM, "RxNorm", _rxnorm, "RxNorm"),
        CodeSystem(UCUM_SYSTEM, "UCUM", _ucum, "UCUM"),
    )
}


def shape_problem(system: str, code: str) -> str | None:
    """Why a code cannot be a code of its system (None when its shape is right)."""
    declared = SYSTEMS.get(system)
    if declared is None:
        return f"unknown code system '{system}' (declared: {', '.join(SYSTEMS)})"
    problem = declared.problem(code)
    return f"'{code}' is not a {declared.name} code: {problem}" if problem else None


def _code_list(codes: list[Code], path: PathKey, cset: CriteriaSet, crit: str | None) -> Iterator[Fault]:
    seen: set[tuple[str, str]] = set()
    for i, code in enumerate(codes):
        problem = shape_problem(code.system, code.code)
        if problem and code.system not in SYSTEMS:
            yield (*path, i, "system"), problem, crit
        elif problem:
            yield (*path, i, "code"), problem, crit
        if code.source not in cset.sources_by_id:
            yield (*path, i, "source"), f"unknown source '{code.source}' (not in the sources list)", crit
        if (code.system, code.code) in seen:
            yield (*path, i, "code"), f"code '{code.code}' is listed twice", crit
        seen.add((code.system, code.code))


def _observation(c: Criterion, path: PathKey) -> Iterator[Fault]:
    if not c.observation:
        return
    where = (*path, "observation")
    if not c.codes:
        yield where, "an observation needs a code (codes: LOINC or SNOMED CT) to be extracted", c.id
    if isinstance(c.answer, NumberAnswer) and c.answer.unit not in UCUM:
        yield where, f"unit '{c.answer.unit}' has no UCUM code, so it cannot be extracted as a quantity", c.id
    elif not isinstance(c.answer, (NumberAnswer, ScaleAnswer)):
        yield where, "only number and scale answers are extracted as Observations", c.id


def code_faults(cset: CriteriaSet) -> Iterator[Fault]:
    """Unknown systems, malformed codes, unknown sources, codes listed twice, and options of one
    criterion that share a code (an answer coded that way could not be read back)."""
    for path, c in criterion_paths(cset):
        yield from _code_list(c.codes, (*path, "codes"), cset, c.id)
        yield from _observation(c, path)
        if not isinstance(c.answer, ChoiceAnswer):
            continue
        first: dict[tuple[str, str], str] = {}
        for oi, option in enumerate(c.answer.options):
            opath = (*path, "answer", "options", oi, "codes")
            yield from _code_list(option.codes, opath, cset, c.id)
            if option.codes:
                key = (option.codes[0].system, option.codes[0].code)
                if key in first:
                    yield (*opath, 0, "code"), f"options '{first[key]}' and '{option.value}' share a code", c.id
                first.setdefault(key, option.value)
