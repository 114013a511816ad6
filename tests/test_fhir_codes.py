"""Standard codes as data: validate checks each code's system and shape with a located message, and the
Questionnaire carries the codes on its items and options."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from candidacy import CriteriaError, CriteriaSet, load_criteria_text
from candidacy.cli import main
from candidacy.criteria.codes import ATC, LOINC, SNOMED, SYSTEMS, luhn_valid, shape_problem, verhoeff_valid
from candidacy.criteria.models import ChoiceAnswer
from candidacy.fhir import questionnaire
from candidacy.fhir.terms import OBSERVATION_EXTRACT

from .conftest import ITB

OBS = Path(__file__).resolve().parent / "data" / "observations.yaml"
SNOMED_IDS = ["24700007", "90584004", "127295002", "230690007", "128188000", "84757009", "128613002", "387342009"]
LOINC_CODES = ["29463-7", "39156-5", "30525-0", "9268-4"]
EPILEPSY = '{system: "http://snomed.info/sct", code: "84757009"'
WHERE = "sections.0.criteria.4.codes.0"

# (name, text in tests/data/observations.yaml, replacement, the one expected problem)
CASES = [
    (
        "SNOMED CT id with a wrong check digit",
        'code: "84757009"',
        'code: "84757008"',
        f"obs.yaml:87:58: {WHERE}.code [criterion 'epilepsy']: '84757008' is not a SNOMED CT code: its last digit "
        "is not the Verhoeff check digit of the others (a typing slip?)",
    ),
    (
        "SNOMED CT description id where a concept id belongs",
        'code: "84757009"',
        'code: "847570017"',
        f"obs.yaml:87:58: {WHERE}.code [criterion 'epilepsy']: '847570017' is not a SNOMED CT code: its partition "
        "digits '01' do not mark a concept id (a description or relationship id?)",
    ),
    (
        "unknown code system",
        'system: "http://snomed.info/sct"',
        'system: "http://snomed.info/id"',
        f"obs.yaml:87:26: {WHERE}.system [criterion 'epilepsy']: unknown code system 'http://snomed.info/id' "
        f"(declared: {', '.join(SYSTEMS)})",
    ),
    (
        "LOINC code with a wrong check digit",
        'code: "29463-7"',
        'code: "29463-8"',
        "obs.yaml:43:52: sections.0.criteria.1.codes.0.code [criterion 'body_weight']: '29463-8' is not a LOINC "
        "code: its check digit (after the dash) is not the mod-10 check digit of the digits before it",
    ),
    (
        "ATC code of the wrong shape",
        EPILEPSY,
        '{system: "http://www.whocc.no/atc", code: "M03BX1"',
        f"obs.yaml:87:59: {WHERE}.code [criterion 'epilepsy']: 'M03BX1' is not a WHO ATC code: an ATC code of a "
        "substance has 7 characters: letter, 2 digits, 2 letters, 2 digits (M03BX01)",
    ),
    (
        "code source not in the sources list",
        "source: SNOMED-CT}",
        "source: SNOMEDCT}",
        f"obs.yaml:87:99: {WHERE}.source [criterion 'epilepsy']: unknown source 'SNOMEDCT' (not in the sources list)",
    ),
    (
        "code without its source",
        ", source: SNOMED-CT}",
        "}",
        f"obs.yaml:87:17: {WHERE}.source [criterion 'epilepsy']: required key 'source' is missing",
    ),
    (
        "code listed twice",
        EPILEPSY + ', display: "Epilepsy", source: SNOMED-CT}]',
        EPILEPSY + ', display: "Epilepsy", source: SNOMED-CT}, ' + EPILEPSY + ', display: "E", source: SNOMED-CT}]',
        "obs.yaml:87:152: sections.0.criteria.4.codes.1.code [criterion 'epilepsy']: code '84757009' is listed twice",
    ),
    (
        "observation without a code",
        '        codes: [{system: "http://loinc.org", code: "9268-4", display: "Glasgow coma score motor", '
        "source: LOINC}]\n",
        "",
        "obs.yaml:74:22: sections.0.criteria.3.observation [criterion 'motor']: an observation needs a code "
        "(codes: LOINC or SNOMED CT) to be extracted",
    ),
    (
        "yes/no item marked as an observation",
        "        sources: [{source: SRC, locator: p5, strength: OPINION}]",
        "        observation: true\n        sources: [{source: SRC, locator: p5, strength: OPINION}]",
        "obs.yaml:88:22: sections.0.criteria.4.observation [criterion 'epilepsy']: only number and scale answers "
        "are extracted as Observations",
    ),
    (
        "observation whose unit has no UCUM code",
        "          unit: kg/m2\n",
        "          unit: stone\n",
        "obs.yaml:60:22: sections.0.criteria.2.observation [criterion 'bmi']: unit 'stone' has no UCUM code, so it "
        "cannot be extracted as a quantity",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_code_is_named_with_file_line_and_field(name: str, old: str, new: str, expected: str) -> None:
    text = OBS.read_text(encoding="utf-8")
    assert old in text, name
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text.replace(old, new, 1), "obs.yaml")
    assert [str(p) for p in caught.value.problems] == [expected]


def test_two_options_sharing_a_code_are_refused(minimal_text: str) -> None:
    """An answer coded the same as another could not be read back from a form filler."""
    code = '[{system: "http://snomed.info/sct", code: "40733004", display: "Infectious disease", source: SRC}]'
    text = minimal_text.replace("label: Present,", f"label: Present, codes: {code},").replace(
        "label: Absent,", f"label: Absent, codes: {code},"
    )
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text, "mini.yaml")
    [problem] = caught.value.problems
    assert str(problem).endswith(
        "sections.0.criteria.4.answer.options.1.codes.0.code [criterion 'infection']: options 'present' and "
        "'absent' share a code"
    )


def test_validate_names_the_line_of_a_wrong_check_digit_in_the_criteria_file(tmp_path: Path) -> None:
    broken = tmp_path / "itb.yaml"
    text = ITB.read_text(encoding="utf-8").replace('code: "30525-0"', 'code: "30525-1"')
    broken.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"30525-1"' in row)
    done = CliRunner().invoke(main, ["validate", str(broken)])
    assert done.exit_code == 1
    assert done.stderr.startswith(f"{broken}:{line}:")
    assert "codes.0.code [criterion 'age_years']: '30525-1' is not a LOINC code" in done.stderr


@pytest.mark.parametrize("code", SNOMED_IDS)
def test_real_snomed_ids_pass(code: str) -> None:
    assert shape_problem(SNOMED, code) is None


@pytest.mark.parametrize("code", LOINC_CODES)
def test_real_loinc_codes_pass(code: str) -> None:
    assert shape_problem(LOINC, code) is None


def test_atc_substance_codes_pass() -> None:
    assert [shape_problem(ATC, c) for c in ("M03BX01", "M03AX01", "N03AX12")] == [None, None, None]
    assert shape_problem(ATC, "M03BX") is not None  # a group, not a substance


@given(st.sampled_from(SNOMED_IDS), st.data())
def test_verhoeff_catches_every_single_digit_slip_and_adjacent_swap(code: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(code) - 1))
    digit = data.draw(st.sampled_from([d for d in string.digits if d != code[i]]))
    assert not verhoeff_valid(code[:i] + digit + code[i + 1 :])
    j = data.draw(st.integers(0, len(code) - 2))
    if code[j] != code[j + 1]:
        assert not verhoeff_valid(code[:j] + code[j + 1] + code[j] + code[j + 2 :])


@given(st.sampled_from(LOINC_CODES), st.data())
def test_the_loinc_check_digit_catches_every_single_digit_slip(code: str, data: st.DataObject) -> None:
    digits = code.replace("-", "")
    i = data.draw(st.integers(0, len(digits) - 1))
    digit = data.draw(st.sampled_from([d for d in string.digits if d != digits[i]]))
    assert not luhn_valid(digits[:i] + digit + digits[i + 1 :])


def _items(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    stack = list(resource["item"])
    while stack:
        item = stack.pop()
        found[item["linkId"]] = item
        stack += item.get("item", [])
    return found


@pytest.mark.parametrize("release", ["R5", "R4B"])
def test_questionnaire_items_carry_the_criteria_codes(itb: CriteriaSet, release: str) -> None:
    items = _items(questionnaire(itb, release))
    coded = [c for c in itb.iter_criteria() if c.codes]
    assert len(coded) >= 10
    for criterion in itb.iter_criteria():
        codes = items[criterion.id]["code"]
        assert codes[0]["code"] == criterion.id  # the project's own code stays first
        assert codes[1:] == [{"system": c.system, "code": c.code, "display": c.display} for c in criterion.codes]
    assert {"system": LOINC, "code": "30525-0", "display": "Age"} in items["age_years"]["code"]
    assert {"system": "http://www.whocc.no/atc", "code": "M03BX01", "display": "baclofen"} in items["oral_baclofen"][
        "code"
    ]
    options = [o["valueCoding"] for o in items["cause"]["answerOption"]]
    cause = itb.criteria_by_id["cause"].answer
    assert isinstance(cause, ChoiceAnswer)
    for option in cause.options:
        if option.codes:
            assert {"system": SNOMED, "code": option.codes[0].code, "display": option.label} in options


def test_only_observation_items_are_flagged_for_extraction(itb: CriteriaSet) -> None:
    items = _items(questionnaire(itb))
    flagged = {
        link
        for link, item in items.items()
        if {"url": OBSERVATION_EXTRACT, "valueBoolean": True} in item.get("extension", [])
    }
    assert flagged == {c.id for c in itb.iter_criteria() if c.observation} == {"age_years"}
