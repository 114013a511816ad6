"""Filling a screening worksheet in a real browser on a 1024x768 screen (tablet-sized ward use).

Debian's Chromium, driven by Playwright, against ``streamlit run``: choose the case, start a
worksheet, pick the definition, prepare the dose, type the baseline, mark the dose given, type a
later time point, read the result and the chart, confirm the outcome into the case's answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from candidacy.criteria.loader import load_criteria
from candidacy.identity import Identity
from candidacy.identity.profile import save_profile
from candidacy.store import CaseStore

from .browser_support import ARTIFACTS, CHROMIUM_ARGS, ROOT, RUN_OBSERVER, chromium_path, rerun, streamlit_server

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    chromium_path()
    folder = tmp_path_factory.mktemp("screening-browser")
    save_profile(folder, "Dr B. Rowser", "Consultant")
    url = f"sqlite:///{folder / 'cases.db'}"
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(url, {cset.id: cset})
    case_id = store.create_case(
        "itb_pump", "WARD-7", None, Identity(name="Dr B. Rowser", role="Consultant", source="personal")
    )
    store.close()
    yield url, folder, case_id


@pytest.fixture(scope="module")
def server(database: tuple[str, Path, int]) -> Iterator[str]:
    url, folder, _ = database
    with streamlit_server({"CANDIDACY_DATABASE_URL": url, "CANDIDACY_DATA_DIR": str(folder)}) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def fresh(page: object, key: str) -> object:
    """A keyed element; during a rerun Streamlit briefly keeps the stale copy beside the new one."""
    return page.locator(f'.st-key-{key}:not([data-stale="true"])')  # type: ignore[attr-defined]


def act(page: object, target: object) -> None:
    """Click ``target`` and return once the rerun that the click caused has finished."""
    with rerun(page):
        target.click()  # type: ignore[attr-defined]


def pick(page: object, key: str, option: str) -> None:
    """Open a selectbox by its key and choose an option by its exact text."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    choice = page.get_by_role("option", name=option, exact=True)  # type: ignore[attr-defined]
    for _ in range(6):  # a rerun still drawing the page may close the list just opened: open it again
        fresh(page, key).get_by_role("button", name="Open").click()  # type: ignore[attr-defined]
        try:
            choice.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    act(page, choice)


def test_fill_a_worksheet_on_a_tablet_sized_screen(
    server: str, browser: object, database: tuple[str, Path, int]
) -> None:
    from playwright.sync_api import expect

    url, _, case_id = database
    context = browser.new_context(viewport={"width": 1024, "height": 768})  # type: ignore[attr-defined]
    page = context.new_page()
    page.add_init_script(RUN_OBSERVER)
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{server}/screening")
    expect(page.get_by_role("heading", name="Screening test")).to_be_visible(timeout=TIMEOUT)

    pick(page, "screening-case", f"WARD-7 (case {case_id})")
    act(page, page.get_by_role("button", name="New worksheet"))
    prefix = "scr1"
    definition = fresh(page, f"{prefix}-definition")
    act(page, definition.get_by_text("Mean lower-limb Ashworth score falls by at least 1.0"))  # type: ignore[attr-defined]
    expect(page.get_by_text("Definition chosen by Dr B. Rowser (Consultant)")).to_be_visible(timeout=TIMEOUT)

    page.get_by_role("tab", name="Measurements").click()
    act(page, page.get_by_role("button", name="Prepare dose 1: 50 micrograms (measure the baseline first)"))
    for side in ("left", "right"):
        pick(page, f"{prefix}-d0-h0-tone-hip_adductors-{side}", "3")
    pick(page, f"{prefix}-d0-h0-function-transfers", "Transfers with help of one")
    act(page, page.get_by_role("button", name="Dose given now: 50 micrograms"))
    expect(page.get_by_text("Dose 1: 50 micrograms, given ", exact=False)).to_be_visible(timeout=TIMEOUT)
    act(page, fresh(page, f"{prefix}-d0-hour").get_by_text("2 h", exact=True))  # type: ignore[attr-defined]
    for side in ("left", "right"):
        pick(page, f"{prefix}-d0-h2-tone-hip_adductors-{side}", "1")
    pick(page, f"{prefix}-d0-h2-function-transfers", "Transfers with help of one")
    note = fresh(page, f"{prefix}-d0-h2-note").locator("input")  # type: ignore[attr-defined]
    with rerun(page):  # counted from before the typing, as the box may also commit when it loses focus
        note.fill("Comfortable; legs easier to move.")
        note.press("Enter")

    page.get_by_role("tab", name="Result and chart").click()
    expect(
        page.get_by_text("a fall of 2.0; the chosen definition asks for at least 1.0: met.", exact=False)
    ).to_be_visible(timeout=TIMEOUT)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=TIMEOUT)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1024, f"the page scrolls sideways at 1024 px ({width} px wide)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screening-1024x768.png"), full_page=True)

    page.get_by_role("button", name="Confirm the outcome and record it as the case's screening answer").click()
    expect(page.get_by_text("Confirmed by Dr B. Rowser (Consultant)", exact=False)).to_be_visible(timeout=TIMEOUT)

    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(url, {cset.id: cset})
    answers = store.get(case_id).answers.answers
    store.close()
    assert answers["screening_test"].value == "positive"
    assert "From screening worksheet 1" in answers["screening_test"].note
    context.close()
