"""Records crafted to mislead the prefill reader: another person's data behind a reference the subject
check could not read, dates that are partial or carry a time zone, display text that is huge or turns
the line around, units without a system, and resources the record itself says did not happen."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from candidacy.case import CaseContent, SetNote, apply_change
from candidacy.errors import AnswersError, FhirError
from candidacy.fhir.prefill import Prefill, acceptance, propose
from candidacy.fhir.prefill_report import summary_lines
from candidacy.fhir.record import read_record
from candidacy.reasoning.answers import MAX_NOTE, Answer, AnswerSet
from tests.clock_support import TODAY
from tests.prefill_support import CSET, RULES, TBI, Edit
from tests.prefill_support import resource as _resource


def _record(change: Edit) -> list[tuple[str, bytes]]:
    data = json.loads(TBI.read_text())
    change(data)
    return [("referral.json", json.dumps(data, indent=1).encode())]


def _run(change: Edit, on: dt.date = TODAY) -> Prefill:
    return propose(CSET, RULES, read_record(_record(change), TODAY), on)


def _subject(reference: dict[str, Any]) -> Edit:
    def change(data: dict[str, Any]) -> None:
        _resource(data, "cond-tbi")["subject"] = reference

    return change


def _contained_patient(data: dict[str, Any]) -> None:
    condition = _resource(data, "cond-tbi")
    condition["contained"] = [{"resourceType": "Patient", "id": "p1", "birthDate": "2001-01-01"}]
    condition["subject"] = {"reference": "#p1"}


def _uuid_to_nobody(data: dict[str, Any]) -> None:
    _resource(data, "cond-tbi")["subject"] = {"reference": "urn:uuid:7a1f4a2e-58b3-4a64-9d9e-3c3b6f0d9a11"}


OTHERS: dict[str, tuple[Edit, str]] = {
    "a contained Patient": (_contained_patient, "is about #p1"),
    "a urn:uuid that is no entry's fullUrl": (_uuid_to_nobody, "is about urn:uuid:7a1f4a2e"),
    "another patient, versioned": (_subject({"reference": "Patient/pat-other/_history/1"}), "pat-other/_history/1"),
    "another patient, absolute": (_subject({"reference": "https://x.example/fhir/Patient/pat-other"}), "pat-other"),
    "a Group": (_subject({"reference": "Group/ward-7"}), "is about Group/ward-7"),
    "a name alone": (_subject({"display": "Someone Else"}), "is about no reference or identifier"),
    "another identifier": (
        _subject({"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "1234567890"}}),
        "is about identifier https://fhir.nhs.uk/Id/nhs-number|1234567890",
    ),
}


@pytest.mark.parametrize("case", OTHERS)
def test_a_resource_whose_subject_is_not_the_records_patient_is_refused(case: str) -> None:
    change, message = OTHERS[case]
    with pytest.raises(FhirError) as caught:
        _run(change)
    assert message in str(caught.value) and "not about Patient/pat-tbi" in str(caught.value)
    assert "referral.json" in str(caught.value)


SAME: dict[str, Edit] = {
    "versioned": _subject({"reference": "Patient/pat-tbi/_history/3"}),
    "absolute": _subject({"reference": "https://ehr.example.org/fhir/Patient/pat-tbi"}),
    "by identifier": _subject({"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}}),
}


def _uuid_to_the_patient(data: dict[str, Any]) -> None:
    patient = next(e for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    patient["fullUrl"] = "urn:uuid:0b3c2d4e-1111-4a64-9d9e-3c3b6f0d9a11"
    _resource(data, "cond-tbi")["subject"] = {"reference": patient["fullUrl"]}


SAME["a urn:uuid fullUrl"] = _uuid_to_the_patient


@pytest.mark.parametrize("case", SAME)
def test_every_way_of_naming_the_records_patient_is_read(case: str) -> None:
    result = _run(SAME[case])
    assert {p.criterion: p.value for p in result.proposals}["cause"] == "traumatic_brain_injury"


def _born(text: str) -> Edit:
    def change(data: dict[str, Any]) -> None:
        next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")["birthDate"] = text

    return change


def _onset(text: str) -> Edit:
    def change(data: dict[str, Any]) -> None:
        _resource(data, "cond-tbi")["onsetDateTime"] = text

    return change


@pytest.mark.parametrize(
    ("change", "criterion", "expected"),
    [
        (_born("2022"), "age_years", None),  # 3 or 4 on 1 December 2026: under 4 is a caution, so no guess
        (_born("2022-12"), "age_years", None),  # 4 if born on 1 December, 3 if on any later day of it
        (_born("2022-06"), "age_years", 4),  # 4 whichever day of June
        (_born("2022-12-01"), "age_years", 4),
        (_onset("2025-12"), "months_since_tbi", None),  # 11 or 12 months: the 12-month boundary
        (_onset("2025"), "months_since_tbi", None),
        (_onset("2025-12-01"), "months_since_tbi", 12),
    ],
)
def test_a_date_too_coarse_for_the_number_gives_no_number(change: Edit, criterion: str, expected: int | None) -> None:
    result = _run(change)
    assert {p.criterion: p.value for p in result.proposals}.get(criterion) == expected
    if expected is None:
        assert result.summary["imprecise_date"] == 1
        assert "too coarse for a number of years or months" in " ".join(summary_lines(result))


def test_a_date_with_a_time_zone_is_the_day_it_was_in_the_services_zone() -> None:
    # 23:30 in New York on 10 February is 04:30 on 11 February in London: 21 whole months on 10 December.
    result = _run(_onset("2025-02-10T23:30:00-05:00"), on=dt.date(2026, 12, 10))
    assert {p.criterion: p.value for p in result.proposals}["months_since_tbi"] == 21


def test_a_time_later_today_in_a_zone_ahead_is_not_refused_as_the_future() -> None:
    # 00:30 on 2 December at +14:00 is 10:30 on 1 December in London: today there, not a date to come.
    result = _run(_onset("2026-12-02T00:30:00+14:00"))
    assert result.summary["after_assessment_date"] == 0
    with pytest.raises(FhirError, match="after today"):
        _run(_onset("2026-12-02T09:00:00+00:00"))


def _display(text: str) -> Edit:
    def change(data: dict[str, Any]) -> None:
        _resource(data, "cond-tbi")["code"]["coding"][0]["display"] = text

    return change


def test_display_text_reaches_the_note_on_one_short_line_with_nothing_hidden() -> None:
    crafted = "Trauma \u202egnp.exe\u202c\nrule 9 " + "x" * 300_000
    proposal = next(p for p in _run(_display(crafted)).proposals if p.criterion == "cause")
    line = proposal.note_line()
    assert "\u202e" not in line and "\n" not in line and len(line) < 250
    assert "Trauma \\u202egnp.exe\\u202c rule 9 xxx" in line and "…" in line
    answers = AnswerSet(criteria=CSET.id)
    for change in acceptance(answers, proposal):
        answers = apply_change(CaseContent(answers), change).answers
    assert answers.answers["cause"].note == line


def test_a_note_the_provenance_would_take_over_the_limit_is_refused_not_a_crash() -> None:
    proposal = next(p for p in _run(lambda data: None).proposals if p.criterion == "cause")
    full = AnswerSet(criteria=CSET.id, answers={"cause": Answer(note="n" * MAX_NOTE)})
    note = [c for c in acceptance(full, proposal) if isinstance(c, SetNote)]
    with pytest.raises(AnswersError, match="cause: note: String should have at most 20000 characters"):
        apply_change(CaseContent(full), note[0])


def test_an_id_with_direction_characters_is_refused_by_the_models() -> None:
    def bad_id(data: dict[str, Any]) -> None:
        _resource(data, "cond-tbi")["id"] = "cond\u202etbi"

    with pytest.raises(FhirError, match="is not a valid FHIR resource"):
        _run(bad_id)


def test_the_provenance_line_is_the_same_whatever_the_order_of_the_files() -> None:
    data = json.loads(TBI.read_text())
    second = {**_resource(data, "cond-tbi"), "id": "cond-tbi-gp"}  # the same injury, as the GP coded it
    bundle = ("referral.json", json.dumps(data).encode())
    extra = ("gp.ndjson", json.dumps(second).encode() + b"\n")

    def line(files: list[tuple[str, bytes]]) -> str:
        result = propose(CSET, RULES, read_record(files, TODAY), TODAY)
        return next(p for p in result.proposals if p.criterion == "cause").note_line()

    assert line([bundle, extra]) == line([extra, bundle])
    assert "Condition/cond-tbi (2025-02-10)" in line([extra, bundle]).split(";")[0]


def test_the_same_resource_in_two_files_is_one_source() -> None:
    data = json.loads(TBI.read_text())
    again = ("again.ndjson", json.dumps(_resource(data, "cond-tbi")).encode() + b"\n")
    result = propose(CSET, RULES, read_record([("referral.json", TBI.read_bytes()), again], TODAY), TODAY)
    assert len(next(p for p in result.proposals if p.criterion == "cause").sources) == 1
    changed = {**_resource(data, "cond-tbi"), "onsetDateTime": "2024-01-01"}
    with pytest.raises(FhirError, match="Condition/cond-tbi is given twice with different content"):
        read_record([("referral.json", TBI.read_bytes()), ("b.ndjson", json.dumps(changed).encode())], TODAY)


def _weight(quantity: dict[str, Any]) -> Edit:
    def change(data: dict[str, Any]) -> None:
        data["entry"] = [e for e in data["entry"] if e["resource"]["id"] != "obs-bmi"]
        _resource(data, "obs-weight")["valueQuantity"] = quantity

    return change


UCUM = "http://unitsofmeasure.org"


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ({"value": 40, "system": UCUM, "code": "[lb_av]"}, ("very_small", "18.1 kg")),
        ({"value": 15000, "system": UCUM, "code": "g"}, ("very_small", "15 kg")),
        ({"value": -5, "system": UCUM, "code": "kg"}, None),  # not a weight: no proposal
        ({"value": 0, "system": UCUM, "code": "kg"}, None),
    ],
)
def test_weights_convert_and_an_impossible_one_gives_nothing(
    quantity: dict[str, Any], expected: tuple[str, str] | None
) -> None:
    proposal = next((p for p in _run(_weight(quantity)).proposals if p.criterion == "body_habitus"), None)
    assert (proposal and (proposal.value, proposal.sources[0].detail)) == expected


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ({"value": 15, "code": "kg"}, "'kg' is not given as a UCUM code"),  # no system
        ({"value": 15, "system": UCUM, "code": "(" * 3000 + "g" + ")" * 3000}, "is not a UCUM unit"),
        ({"value": 15, "system": UCUM, "code": "[lb_av]" + "x" * 10_000}, "is not a UCUM unit"),
    ],
)
def test_a_unit_that_does_not_convert_is_refused_in_a_short_message(quantity: dict[str, Any], message: str) -> None:
    with pytest.raises(FhirError) as caught:
        _run(_weight(quantity))
    assert message in str(caught.value) and len(str(caught.value)) < 300


def test_a_crafted_display_is_literal_in_the_markdown_record_the_pdf_and_the_response() -> None:
    import io

    from pypdf import PdfReader

    from candidacy import reports
    from candidacy.draft import draft_record
    from candidacy.fhir import questionnaire_response

    crafted = "**TBI** [see](javascript:alert(1)) <img src=x> :red[x] \u202eevil"
    proposal = next(p for p in _run(_display(crafted)).proposals if p.criterion == "cause")
    answers = AnswerSet(criteria=CSET.id, version=CSET.version)
    for change in acceptance(answers, proposal):
        answers = apply_change(CaseContent(answers), change).answers
    markdown = reports.render(draft_record(CSET, answers), "markdown").decode()
    assert r"\*\*TBI\*\* \[see\](javascript:alert(1)) \<img src=x\>" in markdown
    assert "\u202e" not in markdown and "\\\\u202eevil" in markdown
    pdf = reports.render(draft_record(CSET, answers), "pdf")
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "**TBI** [see](javascript:alert(1)) <img src=x>" in text and "\u202e" not in text
    response = questionnaire_response(CSET, answers, "R5")
    assert json.dumps(proposal.note_line(), ensure_ascii=False)[1:-1] in json.dumps(response, ensure_ascii=False)


@pytest.mark.parametrize(
    "resource",
    [
        {"resourceType": "Condition", "id": "c\u202e" + "x" * 100_000},
        {"resourceType": "Cond\u202eition" + "x" * 100_000, "id": "c1"},
    ],
)
def test_an_error_quotes_a_crafted_type_or_id_shortly_and_visibly(resource: dict[str, Any]) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": resource}]}
    with pytest.raises(FhirError) as caught:
        read_record([("crafted.json", json.dumps(bundle).encode())], TODAY)
    message = str(caught.value)
    assert len(message) < 1000 and "\u202e" not in message and "\\u202e" in message


def test_a_resource_that_names_no_patient_is_no_evidence() -> None:
    """An Observation may leave its subject out; such a resource says nothing of whom it is about, so it
    proposes nothing, and the import summary counts it."""
    before = _run(lambda data: None)
    assert any(s.id == "obs-bmi" for p in before.proposals for s in p.sources)

    def no_subject(data: dict[str, Any]) -> None:
        _resource(data, "obs-bmi").pop("subject")

    result = _run(no_subject)
    assert not any(s.id == "obs-bmi" for p in result.proposals for s in p.sources)
    assert result.summary["no_subject"] == 1
    assert "1 named no patient (no subject) and were not used." in summary_lines(result)
