"""The main path in a real browser: Debian's Chromium, driven by Playwright, against ``streamlit run``.

A clinician fills a whole case with mouse and keyboard, reads the summary and next step, downloads
the Markdown record and the JSON answers, and resumes the case from the JSON in a fresh page.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from candidacy.criteria.yamlsource import read_file
from candidacy.identity.profile import save_profile

from .browser_support import ARTIFACTS, CHROMIUM_ARGS, ROOT, chromium_path, streamlit_server

pytestmark = pytest.mark.browser

EXAMPLE = read_file(ROOT / "examples" / "ms_wheelchair_user.yaml").data
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chromium_path()  # skip (or fail in CI) before starting anything
    folder = tmp_path_factory.mktemp("browser")
    save_profile(folder, "Dr B. Rowser", "Consultant")  # personal mode: the name asked once is kept here
    env = {"CANDIDACY_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}", "CANDIDACY_DATA_DIR": str(folder)}
    with streamlit_server(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def item(page: object, role: str, crit: str) -> object:
    return page.locator(f".st-key-itb_pump-{role}-{crit}")  # type: ignore[attr-defined]


def wait_idle(page: object) -> None:
    """Wait until Streamlit has finished the rerun the last action started."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"] button')", timeout=TIMEOUT
    )


def choose(page: object, crit: str, label: str) -> None:
    from playwright.sync_api import expect

    option = radio_option(page, crit, label)
    option.click()  # type: ignore[attr-defined]
    expect(option.locator("input")).to_be_checked(timeout=TIMEOUT)  # type: ignore[attr-defined]


def radio_option(page: object, crit: str, label: str) -> object:
    options = item(page, "answer", crit).locator('[data-testid="stRadioOption"]')  # type: ignore[attr-defined]
    return options.filter(has=page.get_by_text(label, exact=True))  # type: ignore[attr-defined]


def test_fill_a_case_download_and_resume(server: str, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from candidacy import load_criteria
    from candidacy.criteria.values import answer_label

    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server)
    expect(page.get_by_role("heading", name="Assess a case")).to_be_visible()

    # Case header, typed with the keyboard.
    label_box = page.get_by_label("Case label (pseudonym)")
    label_box.click()
    page.keyboard.type("MS-meeting-03")
    page.keyboard.press("Tab")
    wait_idle(page)

    # Every answer of the example case, by mouse; the number with the keyboard.
    for crit_id, answer in EXAMPLE["answers"].items():
        value = answer["value"]
        criterion = cset.criteria_by_id[crit_id]
        if criterion.answer.type == "number":
            box = item(page, "answer", crit_id).locator("input")
            box.click()
            page.keyboard.type(str(value))
            page.keyboard.press("Enter")
            wait_idle(page)
        else:
            choose(page, crit_id, answer_label(criterion, cset, value))
    note = item(page, "note", "oral_agents").locator("textarea")
    note.click()
    page.keyboard.type("Baclofen to 80 mg/day: drowsy, little effect.")
    page.keyboard.press("Tab")
    wait_idle(page)

    expect(page.get_by_text("Answered 45 of 45 applicable items")).to_be_visible()
    expect(page.get_by_text("Factors in favour (12)")).to_be_visible()
    expect(page.get_by_text("Contraindications (0)")).to_be_visible()
    expect(page.get_by_text("The criteria support proceeding to an intrathecal screening test")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "assess-filled.png"), full_page=True)

    with page.expect_download() as markdown_download:
        page.get_by_role("button", name="Download the record (Markdown)").click()
    record = Path(markdown_download.value.path()).read_text(encoding="utf-8")
    assert markdown_download.value.suggested_filename == "itb_pump-MS-meeting-03.md"
    assert "- **Case:** MS-meeting-03" in record
    assert "The criteria support proceeding to an intrathecal screening test" in record
    assert "> Baclofen to 80 mg/day: drowsy, little effect." in record

    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the record (PDF, to print and sign)").click()
    pdf_bytes = Path(pdf_download.value.path()).read_bytes()
    assert pdf_download.value.suggested_filename == "itb_pump-MS-meeting-03.pdf"
    assert pdf_bytes.startswith(b"%PDF-")
    from pypdf import PdfReader

    first_page = PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    assert "Case MS-meeting-03" in first_page and "Reasoning record" in first_page

    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download the answers (JSON, to resume later)").click()
    saved = tmp_path / "case.json"
    json_download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["criteria"] == "itb_pump"
    assert data["case"]["label"] == "MS-meeting-03"
    assert {k: v["value"] for k, v in data["answers"].items()} == {k: v["value"] for k, v in EXAMPLE["answers"].items()}
    # The downloads did not rerun or clear the page.
    expect(page.get_by_text("Answered 45 of 45 applicable items")).to_be_visible()

    # A fresh session resumes from the JSON.
    fresh = context.new_page()
    fresh.goto(server)
    expect(fresh.get_by_text("Answered 0 of 52 applicable items")).to_be_visible()
    fresh.get_by_text("Resume a saved case").click()
    fresh.locator("input[type=file]").set_input_files(str(saved))
    expect(fresh.get_by_text("Loaded 45 answers from case.json")).to_be_visible()
    expect(fresh.get_by_text("Answered 45 of 45 applicable items")).to_be_visible()
    expect(radio_option(fresh, "ambulatory", "No").locator("input")).to_be_checked()  # type: ignore[attr-defined]
    fresh.screenshot(path=str(ARTIFACTS / "assess-resumed.png"), full_page=False)
    context.close()


def test_criteria_page_in_the_browser(server: str, browser: object) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server)
    page.get_by_role("link", name="Criteria").click()
    expect(page.get_by_role("heading", name="Criteria", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("sha256")).to_be_visible(timeout=TIMEOUT)
    page.close()


def test_stored_case_survives_closing_the_page(server: str, browser: object) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server)
    page.get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    page.get_by_label("Case label (pseudonym)").fill("Browser-case-01")
    page.get_by_role("button", name="Create and open").click()
    expect(page.get_by_text("Stored case #1")).to_be_visible()
    choose(page, "seizures", "Seizures not controlled")
    note = item(page, "note", "seizures").locator("textarea")
    note.click()
    page.keyboard.type("two in October")
    page.keyboard.press("Tab")
    wait_idle(page)
    page.close()  # the browser tab goes away

    reopened = context.new_page()
    reopened.set_default_timeout(TIMEOUT)
    reopened.goto(server)
    reopened.get_by_role("link", name="Cases").click()
    expect(reopened.get_by_text("Browser-case-01")).to_be_visible()
    reopened.locator(".st-key-case-row-1").get_by_role("button", name="Open").click()
    expect(reopened.get_by_text("Stored case #1")).to_be_visible()
    expect(radio_option(reopened, "seizures", "Seizures not controlled").locator("input")).to_be_checked()  # type: ignore[attr-defined]
    expect(item(reopened, "note", "seizures").locator("textarea")).to_have_value("two in October")
    reopened.screenshot(path=str(ARTIFACTS / "stored-case-reopened.png"))
    context.close()


def test_learn_one_vignette_end_to_end(server: str, browser: object) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.set_default_timeout(TIMEOUT)
    page.goto(server)
    page.get_by_role("link", name="Learn").click()
    expect(page.get_by_role("heading", name="Learn", exact=True)).to_be_visible()
    page.locator(".st-key-learn-vignette").click()
    page.get_by_role("option", name="Documented anaphylaxis to baclofen").click()
    expect(page.get_by_text("throat swelling and a rash")).to_be_visible()
    scope = "learn-v09_true_allergy-itb_pump"
    option = page.locator(f".st-key-{scope}-answer-baclofen_hypersensitivity [data-testid='stRadioOption']").filter(
        has=page.get_by_text("True hypersensitivity documented", exact=True)
    )
    option.click()
    expect(option.locator("input")).to_be_checked()
    wait_idle(page)
    page.get_by_role("button", name="Compare with the reference reasoning").click()
    expect(page.get_by_text("Teaching point: True hypersensitivity to baclofen")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "learn-compared.png"))
    page.close()
