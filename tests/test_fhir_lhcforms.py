"""The generated Questionnaire in a real form filler: LHC-Forms (npm ``lforms``) in headless Chromium.

The page tests/lhcforms/form.html loads LHC-Forms from its ``dist/lforms`` folder, served with the
Questionnaire by a local HTTP server on 127.0.0.1 (nothing comes from the network). The test fills a
case through the form as a person would (radio buttons, drop-downs, number and text boxes, dates, the
"not known" box and notes), exports the response with LHC-Forms' own ``getFormFHIRData`` and imports
it: answers, notes and the case header are kept, the findings equal those of the same case given to
the core directly, and the PDF of the imported case shows the header and the notes.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from candidacy import AnswerSet, CriteriaSet
from candidacy.criteria.models import UNKNOWN, NumberAnswer
from candidacy.criteria.values import answer_label, choices
from candidacy.criteria.yamlsource import read_file
from candidacy.fhir import answers_from_response, questionnaire
from candidacy.reasoning.answers import check_answers
from candidacy.reasoning.engine import evaluate
from candidacy.reports import render
from candidacy.reports.record import build_record

from .browser_support import chromium
from .conftest import ROOT
from .fhir_tools import LFORMS, TOOLS, npm_tools

pytestmark = pytest.mark.browser
EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"


def _case() -> AnswerSet:
    """The example case, with the age not known (a number answered 'unknown') and a note on it."""
    data = read_file(EXAMPLE).data
    answers = {**data["answers"], "age_years": {"value": UNKNOWN, "note": "Date of birth not in the referral."}}
    return AnswerSet.model_validate({"criteria": "itb_pump", "answers": answers, "case": data["case"]})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    npm_tools()
    root = tmp_path_factory.mktemp("lhcforms-site")
    (root / "lforms").symlink_to(LFORMS, target_is_directory=True)
    (root / "form.html").write_text((TOOLS / "form.html").read_text())
    yield root


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _fill(page: Any, cset: CriteriaSet, case: AnswerSet, q: dict[str, Any]) -> None:
    """Fill the form in its own order, as a person would; items appear as their conditions are met."""
    header = case.case
    for link, value in (
        ("case-header.label", header.label),
        ("case-header.assessor", header.assessor),
        ("case-header.role", header.role),
    ):
        page.locator(f'[id^="{link}/"]').fill(value)
    for link, date in (
        ("case-header.meeting-date", header.meeting_date),
        ("case-header.assessed-on", header.assessed_on),
    ):
        assert date is not None
        box = page.locator(f'[id^="item-{link}/"] input')
        box.fill(date.strftime("%m/%d/%Y"))
        box.press("Enter")
    controls = {
        i["linkId"]: i["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
        for section in q["item"][1:]
        for block in section["item"]
        for i in block["item"][:1]
        if "answerOption" in i
    }
    for criterion in cset.iter_criteria():
        answer = case.answers.get(criterion.id)
        if answer is None:
            continue
        if isinstance(criterion.answer, NumberAnswer):
            if answer.value == UNKNOWN:
                page.locator(f'[id^="{criterion.id}.unknown/"][id$="|true"]').click()
            else:
                page.locator(f'input[id^="{criterion.id}/"]').fill(str(answer.value))
        else:
            label = answer_label(criterion, cset, str(answer.value))
            assert label in [lbl for _, lbl in choices(criterion, cset) or []] + ["Unknown"]
            # LHC-Forms shows a scale level's score after its label ("3 — ... - 4"); lists number entries.
            scored = rf"{re.escape(label)}( - [0-9.]+)?$"
            if controls[criterion.id] == "radio-button":
                group = page.locator(f'[role="radiogroup"][aria-labelledby^="label-{criterion.id}/"]')
                group.locator("label").filter(has_text=re.compile(rf"^\s*{scored}")).click()
            else:
                page.locator(f'input[id^="{criterion.id}/"]').click()
                listed = re.compile(rf"^\d+:\s+{scored}")
                page.locator("#lhc-tools-searchResults li").filter(has_text=listed).click()
        if answer.note:
            page.locator(f'textarea[id^="{criterion.id}.note/"]').fill(answer.note)


@pytest.mark.parametrize("release", ["R5", "R4B"])
def test_a_case_filled_in_lhc_forms_imports_with_everything_kept(
    itb: CriteriaSet, site: Path, server: str, browser: Any, release: str
) -> None:
    q = questionnaire(itb, release)
    (site / "questionnaire.json").write_text(json.dumps(q))
    case = _case()
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{server}/form.html?release={release}")
        page.wait_for_selector("body[data-ready], body[data-error]", timeout=120_000)
        assert page.evaluate("document.body.dataset.error") is None
        _fill(page, itb, case, q)
        exported = page.evaluate(f"LForms.Util.getFormFHIRData('QuestionnaireResponse', '{release}')")
    finally:
        page.close()
    assert errors == []
    assert exported["questionnaire"] == f"{q['url']}|{q['version']}"
    imported = answers_from_response(itb, json.dumps(exported).encode(), "lhc-forms.json")
    given = {k: (v.value, v.note) for k, v in case.answers.items()}
    assert {k: (v.value, v.note) for k, v in imported.answers.items()} == given
    assert imported.case == case.case
    core = evaluate(itb, check_answers(itb, case))
    filled = evaluate(itb, check_answers(itb, imported))
    assert filled.to_dict() == core.to_dict()
    assert [m.criterion for m in filled.missing if m.status == "unknown"] == ["age_years"]
    pages = PdfReader(io.BytesIO(render(build_record(itb, imported), "pdf"))).pages
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
    header = case.case
    assert header.meeting_date is not None and header.assessed_on is not None
    for shown in (
        header.label,
        header.role,
        header.meeting_date.isoformat(),
        header.assessed_on.isoformat(),
        "Date of birth not in the referral.",
        "Wheelchair user for 6 years",
    ):
        assert shown in text, shown
