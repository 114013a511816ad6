"""A referral entered from the patient's FHIR record in a real browser (Debian's Chromium, Playwright):
upload the record, accept one proposal, reject one, accept the rest, and read the provenance back in
the record (Markdown) and the PDF. The test also counts what a person does, to set beside entering
the same referral by hand (see the README's "Proposals from the patient's record")."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from candidacy.identity.profile import save_profile

from .browser_pages import TIMEOUT, change, chosen, item, use_timeouts
from .browser_support import (
    IDLE_NOW,
    ROOT,
    RUN_OBSERVER,
    chromium,
    chromium_path,
    rerun,
    streamlit_server,
)

pytestmark = pytest.mark.browser

RECORD = ROOT / "tests" / "data" / "fhir_records" / "referral-tbi-everything.json"
SCREEN = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chromium_path()
    folder = tmp_path_factory.mktemp("browser-prefill")
    save_profile(folder, "Dr B. Rowser", "Consultant")
    env = {"CANDIDACY_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}", "CANDIDACY_DATA_DIR": str(folder)}
    with streamlit_server(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    use_timeouts()
    with chromium() as launched:
        yield launched


def _button(page: Any, key: str) -> Any:
    return page.locator(f'.st-key-{key}:not([data-stale="true"]) button')


def test_a_referral_from_the_record_accept_reject_and_the_provenance_in_the_record_and_pdf(
    server: str, browser: Any
) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    context = browser.new_context(accept_downloads=True, viewport=SCREEN)
    page = context.new_page()
    page.add_init_script(RUN_OBSERVER)
    page.set_default_timeout(TIMEOUT)
    page.goto(server)
    page.wait_for_function(IDLE_NOW, timeout=60_000)
    clicks = 0

    page.get_by_text("Propose answers from a FHIR record").click()
    clicks += 1
    with rerun(page):  # "Browse files" and the file chosen in the dialog: two clicks for a person
        page.locator(".st-key-prefill-upload input[type=file]").set_input_files(str(RECORD))
    clicks += 2
    expect(_button(page, "prefill-accept-all")).to_have_accessible_name("Accept all 11 proposals")
    assert chosen(page, "cause") is None  # nothing is answered by the upload itself

    with change(page):
        _button(page, "prefill-accept-baclofen_hypersensitivity").click()
    clicks += 1
    assert chosen(page, "baclofen_hypersensitivity") == "Intolerance or side effects only (recorded as allergy)"
    with rerun(page):
        _button(page, "prefill-reject-spinal_fusion").click()
    clicks += 1
    expect(_button(page, "prefill-reject-spinal_fusion")).to_have_count(0)
    with change(page):
        _button(page, "prefill-accept-all").click()
    clicks += 1
    expect(_button(page, "prefill-accept-all")).to_have_count(0)
    assert chosen(page, "cause") == "Traumatic brain injury"
    assert chosen(page, "spinal_fusion") is None
    expect(item(page, "answer", "age_years").locator("input")).to_have_value("38")

    with page.expect_download() as markdown_download:
        page.get_by_role("button", name="Download the record (Markdown)").click()
    record = Path(markdown_download.value.path()).read_text(encoding="utf-8")
    assert "From record: AllergyIntolerance/allergy-baclofen (2025-09-03), SNOMED 387342009" in record
    assert "From record: Condition/cond-tbi (2025-02-10), SNOMED 127295002" in record
    assert "Procedure/proc-fusion" not in record  # the rejected proposal left nothing
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the record (PDF, to print and sign)").click()
    pages = PdfReader(io.BytesIO(Path(pdf_download.value.path()).read_bytes())).pages
    text = " ".join(" ".join(p.extract_text() or "" for p in pages).split())
    assert "From record: MedicationStatement/med-baclofen (2025-09-01), ATC M03BX01 baclofen" in text
    # 10 answers, each with its source in the note, in 6 clicks and no keystrokes (1 proposal rejected).
    assert clicks == 6
    context.close()
