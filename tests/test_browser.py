"""The main paths in a real browser: Debian's Chromium, driven by Playwright, against ``streamlit run``.

A clinician fills a whole case with mouse and keyboard, reads the summary and next step, downloads
the records, and resumes from the JSON; stored and unsaved cases keep their address through reload,
back/forward and a server restart, and so do the Learn vignette and the Cases filters through reload
and back; a note that loses a conflict stays on screen to copy.
Every action waits for the rerun it caused (see browser_support.rerun), never for a quiet moment.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from candidacy import load_criteria
from candidacy.criteria.yamlsource import read_file
from candidacy.identity import Identity
from candidacy.identity.profile import save_profile
from candidacy.store import CaseStore

from .browser_pages import (
    TIMEOUT,
    change,
    choose,
    chosen,
    item,
    open_note,
    option,
    type_number,
    use_timeouts,
    write_note,
)
from .browser_support import (
    ARTIFACTS,
    FIRST_RUN_DONE,
    IDLE_NOW,
    ROOT,
    RUN_OBSERVER,
    chromium,
    chromium_path,
    rerun,
    streamlit_server,
)

pytestmark = pytest.mark.browser

EXAMPLE = read_file(ROOT / "examples" / "ms_wheelchair_user.yaml").data
SCREEN = {"width": 1280, "height": 720}


def _env(folder: Path) -> dict[str, str]:
    save_profile(folder, "Dr B. Rowser", "Consultant")  # personal mode: the name asked once is kept here
    return {"CANDIDACY_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}", "CANDIDACY_DATA_DIR": str(folder)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's data folder and database (the tests read the store behind the screen)."""
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    chromium_path()  # skip (or fail in CI) before starting anything
    with streamlit_server(_env(folder)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    use_timeouts()
    with chromium() as launched:
        yield launched


def new_page(context: Any) -> Any:
    page = context.new_page()
    page.add_init_script(RUN_OBSERVER)
    page.set_default_timeout(TIMEOUT)
    return page


def goto(page: Any, url: str) -> None:
    """Open an address and wait for its first run to finish."""
    page.goto(url)
    page.wait_for_function(FIRST_RUN_DONE)


def here(page: Any) -> str:
    """The address as the browser shows it (Streamlit changes it with the history API)."""
    return str(page.evaluate("() => document.location.href"))


def query(page: Any) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlparse(here(page)).query).items()}


def test_fill_a_case_download_and_resume(server: str, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from candidacy import load_criteria
    from candidacy.criteria.values import answer_label

    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    context = browser.new_context(accept_downloads=True, viewport=SCREEN)
    page = new_page(context)
    goto(page, server)
    expect(page.get_by_role("heading", name="Assess a case")).to_be_visible()

    # Case header, typed with the keyboard.
    label_box = page.get_by_label("Case label (pseudonym)")
    label_box.click()
    page.keyboard.type("MS-meeting-03")
    with change(page):
        page.keyboard.press("Tab")

    # Every answer of the example case, by mouse; the number with the keyboard.
    for crit_id, answer in EXAMPLE["answers"].items():
        value = answer["value"]
        criterion = cset.criteria_by_id[crit_id]
        if criterion.answer.type == "number":
            type_number(page, crit_id, str(value))
        else:
            choose(page, crit_id, answer_label(criterion, cset, value))
    write_note(page, "oral_baclofen", "Baclofen to 80 mg/day: drowsy, little effect.")

    expect(page.get_by_text("Answered 50 of 50 applicable items")).to_be_visible()
    expect(page.locator(".st-key-summary").get_by_text("Factors in favour (").first).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "assess-filled-1280x720.png"))
    page.screenshot(path=str(ARTIFACTS / "assess-filled-full.png"), full_page=True)

    with page.expect_download() as markdown_download:
        page.get_by_role("button", name="Download the record (Markdown)").click()
    record = Path(markdown_download.value.path()).read_text(encoding="utf-8")
    assert markdown_download.value.suggested_filename == "itb_pump-MS-meeting-03.md"
    assert "MS-meeting-03" in record
    assert "Baclofen to 80 mg/day: drowsy, little effect." in record

    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the record (PDF, to print and sign)").click()
    pdf_bytes = Path(pdf_download.value.path()).read_bytes()
    assert pdf_download.value.suggested_filename == "itb_pump-MS-meeting-03.pdf"
    from pypdf import PdfReader

    first_page = PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    assert "MS-meeting-03" in first_page

    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download the answers (JSON, to resume later)").click()
    saved = tmp_path / "case.json"
    json_download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["case"]["label"] == "MS-meeting-03"
    assert {k: v["value"] for k, v in data["answers"].items()} == {k: v["value"] for k, v in EXAMPLE["answers"].items()}
    # The downloads did not rerun or clear the page.
    expect(page.get_by_text("Answered 50 of 50 applicable items")).to_be_visible()

    # A fresh session (no address) starts empty and resumes from the JSON.
    fresh = new_page(context)
    goto(fresh, server)
    expect(fresh.get_by_text("Answered 0 of 55 applicable items")).to_be_visible()
    fresh.get_by_text("Resume a saved case").click()
    fresh.locator(".st-key-resume-upload input[type=file]").set_input_files(
        str(saved)
    )  # what it loads is checked below
    expect(fresh.get_by_text("Loaded 50 answers from case.json")).to_be_visible()
    expect(fresh.get_by_text("Answered 50 of 50 applicable items")).to_be_visible()
    expect(option(fresh, "ambulatory", "No")).to_have_attribute("aria-checked", "true")
    context.close()


def test_criteria_page_in_the_browser(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = new_page(browser)
    goto(page, server)
    page.get_by_role("link", name="Criteria").click()
    expect(page.get_by_role("heading", name="Criteria", exact=True)).to_be_visible()
    expect(page.get_by_text("sha256")).to_be_visible()
    page.close()


def test_stored_case_keeps_its_address(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, server)
    page.get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    page.get_by_label("Case label (pseudonym)").fill("Browser-case-01")
    page.get_by_role("button", name="Create and open").click()
    expect(page.get_by_text("Browser-case-01 · revision 1")).to_be_visible()
    case_id = query(page)["case"]
    choose(page, "active_infection", "Yes")
    write_note(page, "active_infection", "urinary infection, on antibiotics")
    page.close()  # the browser tab goes away

    reopened = new_page(context)
    goto(reopened, f"{server}/?case={case_id}")  # a link or a bookmark
    expect(reopened.get_by_text(f"Stored case #{case_id}")).to_be_visible()
    expect(option(reopened, "active_infection", "Yes")).to_have_attribute("aria-checked", "true")
    expect(item(reopened, "note", "active_infection").locator("textarea")).to_have_value(
        "urinary infection, on antibiotics"
    )
    reopened.reload()  # a reload lands on the same case
    expect(reopened.get_by_text(f"Stored case #{case_id}")).to_be_visible()
    expect(option(reopened, "active_infection", "Yes")).to_have_attribute("aria-checked", "true")
    reopened.screenshot(path=str(ARTIFACTS / "stored-case-reopened-1280x720.png"))
    context.close()


def test_unsaved_draft_survives_reload_back_forward_and_new_case(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, server)
    choose(page, "cause", "Stroke")
    first = query(page)["draft"]
    page.reload()
    expect(page.get_by_text("Your unsaved draft was kept on this machine and is back")).to_be_visible()
    expect(option(page, "cause", "Stroke")).to_have_attribute("aria-checked", "true")

    page.get_by_role("button", name="New case").click()
    expect(page.get_by_text("Answered 0 of 55 applicable items")).to_be_visible()
    second = query(page)["draft"]
    assert second != first
    choose(page, "cause", "Cerebral palsy")

    page.go_back()  # the previous case, as it was
    expect(option(page, "cause", "Stroke")).to_have_attribute("aria-checked", "true")
    assert query(page)["draft"] == first
    page.go_forward()
    expect(option(page, "cause", "Cerebral palsy")).to_have_attribute("aria-checked", "true")
    assert query(page)["draft"] == second
    context.close()


def test_learn_vignette_and_cases_filter_survive_reload_and_back(server: str, browser: Any) -> None:
    """The vignette chosen on Learn and a filter chosen on Cases are in the address: a reload shows
    them again, and back returns through the unfiltered list to the vignette."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, f"{server}/learn")
    vignette = page.locator(".st-key-learn-vignette").get_by_role("combobox")
    vignette.click()  # chosen with the keyboard: type to filter, Enter to pick
    page.keyboard.type("Documented anaphylaxis")
    # Each step waits for what it shows and for the address: a reload or back may load a new document,
    # whose runs are counted afresh, so a count of runs cannot say that the step is done.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/learn\?vignette=v09_true_allergy$"))
    page.reload()
    expect(page.get_by_role("heading", name="Documented anaphylaxis to baclofen")).to_be_visible()
    expect(vignette).to_have_value("Documented anaphylaxis to baclofen")

    page.wait_for_function(IDLE_NOW)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Cases").click()
    status = page.locator(".st-key-filter-status").get_by_role("combobox")
    expect(status).to_have_value("any")
    page.wait_for_function(IDLE_NOW)
    status.click()
    page.keyboard.type("reviewed")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases\?status=reviewed$"))
    page.reload()
    expect(status).to_have_value("reviewed")
    assert query(page) == {"status": "reviewed"}

    page.wait_for_function(IDLE_NOW)
    page.go_back()  # the list before the filter
    expect(status).to_have_value("any")
    expect(page).to_have_url(re.compile(r"/cases$"))
    page.wait_for_function(IDLE_NOW)
    page.go_back()  # the vignette, as chosen
    expect(vignette).to_have_value("Documented anaphylaxis to baclofen")
    assert query(page) == {"vignette": "v09_true_allergy"}
    context.close()


def test_unsaved_draft_survives_a_server_restart(browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=SCREEN)
    with streamlit_server(_env(tmp_path)) as url:
        page = new_page(context)
        goto(page, url)
        choose(page, "distribution", "Focal (one or a few muscle groups)")
        write_note(page, "distribution", "adductors mainly")
        address = urlparse(here(page))
        page.close()
    with streamlit_server(_env(tmp_path)) as url:  # another process (and port): nothing in memory
        page = new_page(context)
        goto(page, f"{url}{address.path}?{address.query}")
        expect(page.get_by_text("Your unsaved draft was kept on this machine and is back")).to_be_visible()
        expect(option(page, "distribution", "Focal (one or a few muscle groups)")).to_have_attribute(
            "aria-checked", "true"
        )
        expect(item(page, "note", "distribution").locator("textarea")).to_have_value("adductors mainly")
    context.close()


def test_a_note_that_loses_a_conflict_stays_to_copy(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, server)
    with rerun(page):
        page.get_by_role("button", name="Save as a stored case (autosaves from then on)").click()
    expect(page.get_by_text("Stored case #")).to_be_visible()
    case_url = here(page)
    other = new_page(context)
    goto(other, case_url)  # the same case in a second tab
    write_note(page, "seizures", "two in October")
    write_note(other, "seizures", "one generalised seizure in 2024")
    expect(other.get_by_text("changed by someone else since you opened it").first).to_be_visible()
    expect(item(other, "note", "seizures").locator("textarea")).to_have_value("two in October")
    expect(other.get_by_test_id("stCode")).to_contain_text("one generalised seizure in 2024")
    context.close()


def test_one_tab_stop_per_answer_and_space_chooses(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, server)
    first = option(page, "functional_impact", "Yes")
    first.focus()
    page.keyboard.press("ArrowRight")  # arrows move between options without choosing
    assert chosen(page, "functional_impact") is None
    with change(page):
        page.keyboard.press("Space")
    expect(option(page, "functional_impact", "No")).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Tab")  # one stop for the answer, one for its note control, then the next item
    expect(item(page, "notes", "functional_impact").locator("summary")).to_be_focused()
    page.keyboard.press("Tab")
    focused_in_next = item(page, "answer", "tone_is_spasticity").locator(":focus")
    expect(focused_in_next).to_have_count(1)
    context.close()


def test_arrow_keys_write_no_audit_entry_the_chosen_answer_writes_one(server: str, browser: Any, folder: Path) -> None:
    """Arrows pass over options of a stored case without saving; Space saves once, as one audit entry."""
    from playwright.sync_api import expect

    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(f"sqlite:///{folder / 'cases.db'}", {cset.id: cset})
    who = Identity(name="Dr B. Rowser", role="Consultant", source="personal")
    case_id = store.create_case(cset.id, "Arrow-keys-01", None, who)
    # The case names its assessor already, so the first answer adds no header entry (see the README).
    store.save_header(case_id, store.get(case_id).row.lock_version, "assessor", who.name, who)
    before = len(store.audit_trail(case_id))
    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, f"{server}/?case={case_id}")
    expect(page.get_by_text(f"Stored case #{case_id}")).to_be_visible()
    option(page, "seizures", "No seizures or epilepsy").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # two options passed over
    expect(option(page, "seizures", "Seizures not controlled")).to_be_focused()
    assert chosen(page, "seizures") is None
    with change(page):
        page.keyboard.press("Space")
    expect(option(page, "seizures", "Seizures not controlled")).to_have_attribute("aria-checked", "true")
    trail = store.audit_trail(case_id)
    assert len(trail) == before + 1, [(e.action, e.item, e.new) for e in trail[before:]]
    assert trail[-1].item == "seizures" and "uncontrolled" in (trail[-1].new or "")
    assert store.get(case_id).answers.answers["seizures"].value == "uncontrolled"
    store.close()
    context.close()


def test_assess_page_screenshot_at_1280x720(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, server)
    choose(page, "active_infection", "Yes")
    open_note(page, "active_infection")
    expect(page.get_by_text("Contraindications (1)")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "assess-1280x720.png"))
    context.close()


def test_the_team_decision_form_keeps_its_place_and_refusals_name_titles(
    server: str, browser: Any, folder: Path
) -> None:
    """Opened once, the form stays open through a choice, a refusal, an answer elsewhere and a decision
    recorded; the refusal names the item by its title, never its internal id."""
    from playwright.sync_api import expect

    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(f"sqlite:///{folder / 'cases.db'}", {cset.id: cset})
    who = Identity(name="Dr B. Rowser", role="Consultant", source="personal")
    case_id = store.create_case(cset.id, "Decision-form-01", None, who)
    store.save_answer(case_id, store.get(case_id).row.lock_version, "active_infection", "yes", who)
    context = browser.new_context(viewport=SCREEN)
    page = new_page(context)
    goto(page, f"{server}/?case={case_id}")
    form = page.locator("[data-testid=stExpander]").filter(has_text=re.compile("team's decision")).first
    outcome = form.get_by_text("Outcome", exact=True)
    with rerun(page):
        form.locator("summary").click()
    expect(outcome).to_be_visible()

    for choice in ("Not offered", "Screening test offered"):  # each choice in the form reruns the page
        with rerun(page):
            form.locator("[data-testid=stSelectbox]").first.click()
            page.get_by_role("option", name=choice).click()
        expect(outcome).to_be_visible()

    with rerun(page):  # a departure without reasons is refused, said inside the open form
        form.get_by_role("button", name="Record the decision").click()
    refusal = form.get_by_text("hold back a screening test")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Active infection")
    expect(refusal).not_to_contain_text("active_infection")
    expect(outcome).to_be_visible()

    choose(page, "seizures", "No seizures or epilepsy")  # a change elsewhere on the page
    expect(outcome).to_be_visible()

    reasons = form.locator("textarea").first
    with rerun(page):
        reasons.fill("Infection treated since the referral")
        reasons.press("Control+Enter")
    with rerun(page):
        form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Team decision: Screening test offered")).to_be_visible()
    expect(outcome).to_be_visible()  # still open where the person left it
    decision = store.get(case_id).decision
    assert decision is not None and decision.outcome == "screening_offered"
    store.close()
    context.close()
