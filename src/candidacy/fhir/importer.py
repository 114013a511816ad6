"""A QuestionnaireResponse (from this project or any SDC form filler) back into answers, strictly.

Refused, each naming the linkId: a response for another questionnaire or version; an item that is not
in the questionnaire, sits outside its group or appears twice; an answer of the wrong type, outside
the range or not an option; an answer to an item that does not apply (its condition is decided and
false); a number given together with "Not known"; a date that is not a calendar date; a ``status``
that is not a QuestionnaireResponse status (``done``), or ``entered-in-error``. A response marked
``completed`` while an item the form shows (its enableWhen holds under FHIR's rules) has no answer is
imported, with a note naming those items (by title) as not yet answered: some fillers (LHC-Forms)
mark every export ``completed``, so refusing it gave advice the filler cannot follow. The release
comes from ``meta.profile`` (``http://hl7.org/fhir/5.0/...`` is R5, ``4.3`` or ``4.0`` is R4B) or from
the caller, never from the shape of the resource; when both are given they must agree.
"""

from __future__ import annotations

from typing import Any

from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.criteria.yamlsource import parse_bytes
from candidacy.errors import CandidacyError
from candidacy.fhir.checks import FhirError, check_response, enabled, parse_date, validate, walk_items
from candidacy.fhir.questionnaire import shared_questionnaire
from candidacy.fhir.terms import (
    HEADER_FIELDS,
    base_url,
    canonical_url,
    coding_for,
    note_id,
    release_from_profiles,
    unknown_id,
)
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, check_answers
from candidacy.reasoning.engine import evaluate

__all__ = ["answers_from_response", "read_response", "response_release"]

#: The codes of QuestionnaireResponse.status (the same in R4B and R5).
STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")


def response_release(data: dict[str, Any], release: str | None = None) -> str:
    """The release a response is in: its ``meta.profile`` claim, or ``release`` when it claims none."""
    meta = data.get("meta")
    profiles = meta.get("profile") if isinstance(meta, dict) else None
    profiles = profiles if isinstance(profiles, list) else []
    claimed = release_from_profiles(profiles, "QuestionnaireResponse")
    if len(claimed) > 1:
        raise FhirError(f"meta.profile claims more than one FHIR release ({', '.join(sorted(claimed))})")
    if claimed and release and claimed != {release}:
        raise FhirError(f"meta.profile says FHIR {claimed.pop()}, but {release} was asked for")
    if claimed:
        return claimed.pop()
    if release:
        return release
    raise FhirError(
        "the FHIR release is not stated: meta.profile names no http://hl7.org/fhir/<version>/"
        "StructureDefinition/QuestionnaireResponse; give the release (--release R5 or R4B)"
    )


def answers_from_response(
    cset: CriteriaSet, raw: bytes, name: str = "<response>", release: str | None = None, base: str | None = None
) -> AnswerSet:
    """Read a QuestionnaireResponse (JSON) into answers for ``cset``; raise FhirError naming each problem."""
    return read_response(cset, raw, name, release, base)[0]


def read_response(
    cset: CriteriaSet, raw: bytes, name: str = "<response>", release: str | None = None, base: str | None = None
) -> tuple[AnswerSet, tuple[str, ...]]:
    """Read a QuestionnaireResponse into answers, with the notes a person should read about the import
    (items a 'completed' response left blank); raise FhirError naming each problem."""
    data = parse_bytes(raw, name).data
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise FhirError("not a FHIR QuestionnaireResponse (resourceType is missing or different)", file=name)
    base = base or base_url()
    try:
        return _read(cset, data, response_release(data, release), base)
    except CandidacyError as error:
        raise FhirError([p.message for p in error.problems], file=name) from None


def _read(cset: CriteriaSet, data: dict[str, Any], release: str, base: str) -> tuple[AnswerSet, tuple[str, ...]]:
    status = data.get("status")
    if status not in STATUSES:
        raise FhirError(
            f"status {status!r} is not a QuestionnaireResponse status (one of {', '.join(STATUSES)}); "
            "nothing was imported"
        )
    if status == "entered-in-error":
        raise FhirError("the response is marked 'entered-in-error' (recorded by mistake); nothing was imported")
    expected = f"{canonical_url(cset, base)}|{cset.version}"
    given = data.get("questionnaire")
    if given != expected:
        raise FhirError(
            f"this response is for questionnaire '{given}', not '{expected}' (criteria set '{cset.id}' "
            f"version {cset.version})"
        )
    validate(data, release)
    q = shared_questionnaire(cset, release, base)
    problems = check_response(data, q)
    if problems:
        raise FhirError(problems)
    items = {str(item.get("linkId")): item for _, item in walk_items(data.get("item"))}
    answers: dict[str, Answer] = {}
    for criterion in cset.iter_criteria():
        value = _value(cset, criterion, items, base)
        note = _first(items.get(note_id(criterion)), "valueString") or ""
        if value is not None or note:
            answers[criterion.id] = Answer(value=value, note=note)
    answer_set = AnswerSet(criteria=cset.id, version=cset.version, case=_case(items), answers=answers)
    result = evaluate(cset, check_answers(cset, answer_set))
    skipped = {n.criterion: n.reason for n in result.not_applicable}
    problems = [f"'{c}' is answered but does not apply ({skipped[c]})" for c in answers if c in skipped]
    if problems:
        raise FhirError(problems)
    notes: tuple[str, ...] = ()
    if status == "completed":
        specs = {str(i.get("linkId")): i for _, i in walk_items(q.get("item"))}
        given = {link: item.get("answer") or [] for link, item in items.items()}
        blank = [
            m.title
            for m in result.missing
            if m.status == "unanswered" and enabled(specs[f"{m.criterion}.group"], given)
        ]
        if blank:
            notes = (
                f"The response is marked 'completed' but {len(blank)} applicable item(s) the form showed have "
                f"no answer; they are imported as not yet answered: {'; '.join(blank)}.",
            )
    return answer_set, notes


def _first(item: dict[str, Any] | None, key: str) -> Any:
    answers = (item or {}).get("answer") or []
    return answers[0].get(key) if answers else None


def _value(
    cset: CriteriaSet, criterion: Criterion, items: dict[str, dict[str, Any]], base: str
) -> str | int | float | None:
    item = items.get(criterion.id)
    if isinstance(criterion.answer, NumberAnswer):
        number = _first(item, "valueInteger" if criterion.answer.integer else "valueDecimal")
        not_known = _first(items.get(unknown_id(criterion)), "valueBoolean") is True
        if not_known and number is not None:
            raise FhirError(f"'{criterion.id}' has both a number ({number}) and 'not known'")
        return UNKNOWN if not_known else number
    coding = _first(item, "valueCoding")
    if coding is None:
        return None
    for value in [v for v, _ in choices(criterion, cset) or []] + [UNKNOWN]:
        expected = coding_for(cset, criterion, value, base)
        if (expected["system"], expected["code"]) == (coding.get("system"), coding.get("code")):
            return value
    raise FhirError(f"'{criterion.id}': code '{coding.get('code')}' is not an answer of this criterion")


def _case(items: dict[str, dict[str, Any]]) -> CaseHeader:
    fields: dict[str, Any] = {}
    for field, link, _, kind in HEADER_FIELDS:
        value = _first(items.get(link), "valueDate" if kind == "date" else "valueString")
        if value is None:
            continue
        if kind == "date":
            value = parse_date(value)
            if value is None:  # check_response has named it already; kept for direct callers
                raise FhirError(f"'{link}': not a calendar date")
        elif len(value) > 120:
            raise FhirError(f"'{link}': at most 120 characters, got {len(value)}")
        fields[field] = value
    return CaseHeader(**fields)
