"""Filling a screening worksheet in a real browser on a 1024x768 screen (tablet-sized ward use).

Debian's Chromium, driven by Playwright, against ``streamlit run``: choose the case, start a
worksheet, pick the definition, prepare the dose, type the baseline, mark the dose given, type a
later time point, read the result and the chart, confirm the outcome into the case's answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from candidacy.criteria.loader import load_criteria
from candidacy.identity import Identity
from candidacy.identity.profile import save_profile
from candidacy.store import CaseStore

from .browser_support import (
    ARTIFACTS,
    IDLE_NOW,
    ROOT,
    RUN_OBSERVER,
    chromium,
    chromium_path,
    cpu_hog,
    rerun,
    streamlit_server,
)

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
    with chromium() as launched:
        yield launched


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


# Every click and key press on the page, counted where the browser delivers them.
INPUT_COUNTER = """
(() => {
  window.__input = {clicks: 0, keys: 0};
  // pointerdown: the grid cancels it, which suppresses the mousedown a click would otherwise give
  document.addEventListener("pointerdown", () => { window.__input.clicks += 1; }, true);
  document.addEventListener("keydown", () => { window.__input.keys += 1; }, true);
})();
"""

GROUPS = ("hip_adductors", "knee_extensors")
# The dose typed on the grid: per row (time point), the value of each column, left to right. Columns:
# hip adductors L R, knee extensors L R, Penn spasms, standing, transfers.
COLUMNS = (
    "tone.hip_adductors.left",
    "tone.hip_adductors.right",
    "tone.knee_extensors.left",
    "tone.knee_extensors.right",
    "spasms",
    "function.standing",
    "function.transfers",
)
DOSE = {
    0: ("3", "3", "4", "3", "3", "with_help", "with_help"),
    1: ("2", "3", "3", "3", "2", "with_help", "with_help"),
    2: ("2", "2", "3", "2", "2", "with_help", "with_help"),
    4: ("1", "1+", "2", "2", "1", "with_help", "with_help"),
    6: ("1+", "2", "2", "2", "1", "with_help", "unable"),
    8: ("2", "3", "3", "3", "2", "with_help", "with_help"),
}


EDITOR = '#portal .gdg-style input[role="combobox"]'  # the grid's open cell editor


def _type_cell(page: object, text: str) -> None:
    """Type into the selected cell as a person does: the editor opens on the first key, the rest is typed
    into it, Tab (keep it, go right) once the text is there, the next key once the editor has closed."""
    from playwright.sync_api import expect

    keyboard = page.keyboard  # type: ignore[attr-defined]
    keyboard.type(text[0])
    editor = page.locator(EDITOR)  # type: ignore[attr-defined]
    expect(editor).to_be_visible(timeout=TIMEOUT)
    if len(text) > 1:
        editor.press_sequentially(text[1:])
    expect(editor).to_have_value(text, timeout=TIMEOUT)
    keyboard.press("Tab")
    expect(page.locator("#portal .gdg-style")).to_have_count(0, timeout=TIMEOUT)  # type: ignore[attr-defined]


def _select_cell(page: object, grid: object, row: int) -> None:
    """Click the row's time cell until the grid has the keyboard (its scroller takes focus on a click). A
    click that lands while a run redraws the grid can leave the focus elsewhere: the click is repeated
    then, each wait bounded, so a grid that never takes the keyboard fails the test instead of hanging it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(6):
        page.wait_for_function(IDLE_NOW)  # type: ignore[attr-defined]  # no run redrawing the grid under the click
        grid.click(position={"x": 20, "y": 35 * row + 52})  # type: ignore[attr-defined]
        try:
            page.wait_for_function(  # type: ignore[attr-defined]
                "el => el.contains(document.activeElement)",
                arg=grid.element_handle(),
                timeout=5_000,  # type: ignore[attr-defined]
            )
            return
        except PlaywrightTimeout:
            if attempt == 5:
                raise


def _type_row(page: object, grid: object, row: int, values: tuple[str, ...]) -> None:
    """Select the row's time cell with one click, then type each value moving right: keyboard only."""
    _select_cell(page, grid, row)
    page.keyboard.press("ArrowRight")  # type: ignore[attr-defined]
    for column, value in zip(COLUMNS, values, strict=True):
        text = value
        if column == "function.transfers":
            text = {"with_help": "help of one", "unable": "Needs two"}[value]
        elif column == "function.standing":
            text = {"with_help": "or an aid", "unable": "Cannot"}[value]
        _type_cell(page, text)


def _stored_cells(url: str, worksheet: int) -> dict[tuple[int, str], object]:
    from candidacy.screening.cells import read_cell
    from candidacy.store.screening import ScreeningStore

    from .screening_support import protocol

    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(url, {cset.id: cset})
    proto = protocol()
    try:
        ws = ScreeningStore(store, {proto.id: proto}).get(worksheet).worksheet
    finally:
        store.close()
    return {(point.hour, column): read_cell(point, column) for point in ws.doses[0].observations for column in COLUMNS}


def _wait_stored(url: str, worksheet: int, expected: dict[tuple[int, str], object], timeout: float = 120) -> None:
    """Poll the store until every typed cell is there (a condition, never a pause for quiet)."""
    import time

    end = time.monotonic() + timeout
    while True:
        stored = _stored_cells(url, worksheet)
        if all(stored.get(cell) == value for cell, value in expected.items()) or time.monotonic() > end:
            break
        time.sleep(0.2)
    wrong = {cell: (value, stored.get(cell)) for cell, value in expected.items() if stored.get(cell) != value}
    assert not wrong, f"cells typed (time, measure): (typed, stored): {wrong}"
    extra = {cell: value for cell, value in stored.items() if value is not None and cell not in expected}
    assert not extra, f"values stored where nothing was typed: {extra}"


def _worksheet_at_the_first_dose(page: Any, server: str, case_id: int) -> tuple[int, str]:
    """A new worksheet for the ward's case, its definition and muscle groups chosen, dose 1 prepared and its
    measurements open: the worksheet's number and its widget key prefix."""
    from playwright.sync_api import expect

    page.goto(f"{server}/screening")
    expect(page.get_by_role("heading", name="Screening test")).to_be_visible(timeout=TIMEOUT)
    pick(page, "screening-case", f"WARD-7 (case {case_id})")
    act(page, page.get_by_role("button", name="New worksheet"))
    worksheet = int(page.evaluate("() => new URLSearchParams(location.search).get('worksheet')") or 0)
    prefix = f"scr{worksheet}"
    definition = fresh(page, f"{prefix}-definition")
    act(page, definition.get_by_text("Mean lower-limb Ashworth score falls by at least 1.0"))  # type: ignore[attr-defined]
    groups = fresh(page, f"{prefix}-groups")
    for group in ("Hip adductors", "Knee extensors"):
        groups.get_by_role("combobox").click()  # type: ignore[attr-defined]
        page.keyboard.type(group)
        with rerun(page):
            page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="Measurements").click()
    act(page, page.get_by_role("button", name="Prepare dose 1: 50 micrograms (measure the baseline first)"))
    return worksheet, prefix


def test_a_whole_dose_typed_on_the_grid_under_load_is_stored_where_it_was_typed(
    server: str, browser: object, database: tuple[str, Path, int]
) -> None:
    from playwright.sync_api import expect

    url, _, case_id = database
    context = browser.new_context(viewport={"width": 1024, "height": 768})  # type: ignore[attr-defined]
    page = context.new_page()
    page.add_init_script(RUN_OBSERVER)
    page.add_init_script(INPUT_COUNTER)
    page.set_default_timeout(TIMEOUT)
    with cpu_hog():
        worksheet, prefix = _worksheet_at_the_first_dose(page, server, case_id)
        before = page.evaluate("() => ({...window.__input})")
        baseline = fresh(page, f"{prefix}-d0-reading-r1-v0")
        _type_row(page, baseline, 0, DOSE[0])
        expected = {(0, column): value for column, value in zip(COLUMNS, DOSE[0], strict=True)}
        _wait_stored(url, worksheet, expected)
        act(page, page.get_by_role("button", name="Dose given now: 50 micrograms"))
        grid = fresh(page, f"{prefix}-d0-reading-r6-v0")
        for row, hour in enumerate((0, 1, 2, 4, 6, 8)):
            if hour:
                _type_row(page, grid, row, DOSE[hour])
                expected |= {(hour, column): value for column, value in zip(COLUMNS, DOSE[hour], strict=True)}
        _wait_stored(url, worksheet, expected)
        used = page.evaluate(
            "(before) => ({clicks: window.__input.clicks - before.clicks, keys: window.__input.keys - before.keys})",
            before,
        )
        # the widget-per-value page took about 114 clicks for one dose; the grid must take at most a third
        assert used["clicks"] <= 38, used
        page.get_by_role("tab", name="Result and chart").click()
        expect(page.get_by_text("Function lost: Transfers", exact=False).first).to_be_visible(timeout=TIMEOUT)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1024, f"the page scrolls sideways at 1024 px ({width} px wide)"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screening-grid-1024x768.png"), full_page=True)
        page.get_by_role("button", name="Confirm the outcome and record it as the case's screening answer").click()
        expect(page.get_by_text("Confirmed by Dr B. Rowser (Consultant)", exact=False)).to_be_visible(timeout=TIMEOUT)
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(url, {cset.id: cset})
    answers = store.get(case_id).answers.answers
    store.close()
    assert answers["screening_test"].value == "tone_only"  # transfers lost at 6 h: function lost
    assert f"From screening worksheet {worksheet}" in answers["screening_test"].note
    assert answers["baclofen_hypersensitivity"].value == "none"  # a tolerated dose, left open before
    Path(ARTIFACTS / "screening-grid-input.txt").write_text(f"one dose on the grid: {used}\n")
    context.close()


# A whole baseline row typed at a quick typist's pace, one cell after another with nothing waited for between
# them, while the run of each value before is under way: levels with their '+', and the function levels
# chosen by typing a few words of their text.
QUICK_ROW = ("1+", "1+", "2", "1+", "3", "or an aid", "help of one")
QUICK_STORED = ("1+", "1+", "2", "1+", "3", "with_help", "with_help")
KEY_GAP_MS = 60  # between two keys: about 16 a second, a quick typist's pace, not a wait for anything


@pytest.mark.skipif(
    os.environ.get("CANDIDACY_GRID_TYPING") != "1",
    reason="reproduces the open grid-typing fault (about one run in two on a busy box): CANDIDACY_GRID_TYPING=1",
)
def test_a_row_typed_quickly_from_cell_to_cell_arrives_whole(
    server: str, browser: object, database: tuple[str, Path, int]
) -> None:
    """No key of any value may be lost or land in another cell ('1+' stored as '+', or as nothing).

    Not yet true: typed this way, one level cell of the row is now and then left empty, on the screen as
    in the store, at 1024 px as at 1800 px (no sideways scrolling involved). The likely cause, read in
    Streamlit 1.67's frontend, not proven: the select-box cell editor hands the picked level to the grid one
    animation frame after the pick, and a Tab before that frame closes the cell empty. Kept out of the
    suite until the grid is fixed (README, the screening-test day)."""

    url, _, case_id = database
    context = browser.new_context(viewport={"width": 1024, "height": 768})  # type: ignore[attr-defined]
    page = context.new_page()
    page.add_init_script(RUN_OBSERVER)
    page.set_default_timeout(TIMEOUT)
    worksheet, prefix = _worksheet_at_the_first_dose(page, server, case_id)
    grid = fresh(page, f"{prefix}-d0-reading-r1-v0")
    _select_cell(page, grid, 0)  # the baseline row's time cell
    page.keyboard.press("ArrowRight")
    for text in QUICK_ROW:
        page.keyboard.type(text, delay=KEY_GAP_MS)
        page.keyboard.press("Tab", delay=KEY_GAP_MS)
    _wait_stored(url, worksheet, {(0, column): value for column, value in zip(COLUMNS, QUICK_STORED, strict=True)})
    context.close()
