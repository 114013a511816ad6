"""Screen and store agree under load: a few hundred quick random actions in Chromium, then an exact check.

A CPU hog runs beside ``streamlit run``. The test answers, clears, writes notes, types numbers and
reloads or leaves the page, quickly (answers and notes do not wait for the rerun they cause; only
actions that change which items apply, and navigation, wait). It keeps its own model of what it did.
At the end, once the page shows it has applied every change and its last run has ended, every
widget on screen, the summary's count and the stored case must equal that model exactly.

What it found: changes lost between widget and draft. Streamlit checks for a newer rerun request at
every ``st.session_state`` access, also inside widget callbacks, and ends a callback there as if it
had called ``st.rerun()``. A quick second action arriving while the first one's callback ran could
cut that callback off before the draft or the store were updated; the widget's value was already
recorded, so no later run called back: the screen showed the answer, the summary and the store did
not. ``candidacy.ui.state.callback`` defers the request to the end of the callback.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from candidacy import load_criteria
from candidacy.criteria.models import UNKNOWN, CriteriaSet, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.draft import assess, new_draft, set_answer, set_note
from candidacy.identity import Identity
from candidacy.identity.profile import save_profile
from candidacy.reasoning.answers import Answer, AnswerSet
from candidacy.store import CaseStore

from .browser_pages import TIMEOUT, item, open_note, option, use_timeouts, wait_for_changes
from .browser_support import (
    CHROMIUM_ARGS,
    ROOT,
    RUN_OBSERVER,
    chromium_path,
    cpu_hog,
    streamlit_server,
)

pytestmark = pytest.mark.browser

ACTIONS = int(os.environ.get("STRESS_ACTIONS", "200"))
SEED = int(os.environ.get("STRESS_SEED", "20261127"))
WORDS = ("spasms", "at", "night", "wheelchair", "transfers", "letter", "clinic", "reviewed", "baclofen", "tone")

# One read of the whole screen: every answer control, number box, "not known" box and open note.
SCREEN_STATE = """() => {
  const out = {};
  for (const el of document.querySelectorAll('[class*="st-key-itb_pump-"]')) {
    const key = [...el.classList].find((c) => c.startsWith("st-key-itb_pump-")).slice("st-key-".length);
    const checked = el.querySelector('[role="radio"][aria-checked="true"]');
    const radios = el.querySelector('[role="radio"]');
    const number = el.querySelector('input[type="number"], input[inputmode="decimal"], input[inputmode="numeric"]');
    const box = el.querySelector('input[type="checkbox"]');
    const area = el.querySelector("textarea");
    if (radios) out[key] = checked ? checked.innerText.trim() : null;
    else if (area) out[key] = area.value;
    else if (box) out[key] = box.checked;
    else if (number) out[key] = number.value;
  }
  return out;
}"""


def _gating(cset: CriteriaSet) -> set[str]:
    """Items whose answer decides whether other items apply (the screen changes shape after them)."""
    from candidacy.criteria.conditions import AnswerIs, iter_leaves

    found: set[str] = set()
    for criterion in cset.criteria_by_id.values():
        if criterion.applies_when is not None:
            for _, leaf in iter_leaves(criterion.applies_when):
                if isinstance(leaf, AnswerIs):
                    found.add(leaf.criterion)
    return found


class Model:
    """What the test did, applied with the same core functions the app uses."""

    def __init__(self, cset: CriteriaSet) -> None:
        self.cset = cset
        self.answers: AnswerSet = new_draft(cset)
        self.boxes: dict[str, float | None] = {}  # what each number box holds (it keeps a number while "not known")
        self.open_notes: set[str] = set()

    def value(self, crit: str) -> Any:
        return self.answers.answers.get(crit, Answer()).value

    def note(self, crit: str) -> str:
        return self.answers.answers.get(crit, Answer()).note

    def applicable(self) -> list[str]:
        skipped = {n.criterion for n in assess(self.cset, self.answers).not_applicable}
        return [c for c in self.cset.criteria_by_id if c not in skipped]

    def after_reload(self) -> None:
        """A new page: number boxes are seeded from the answers; notes show open only when written."""
        self.boxes = {c: v for c in self.boxes if isinstance(v := self.value(c), int | float)}
        self.open_notes = {c for c in self.cset.criteria_by_id if self.note(c)}


@pytest.fixture(scope="module")
def stress_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    chromium_path()
    folder = tmp_path_factory.mktemp("stress")
    save_profile(folder, "Dr S. Tress", "Consultant")
    env = {"CANDIDACY_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}", "CANDIDACY_DATA_DIR": str(folder)}
    with streamlit_server(env) as url:
        yield url, folder


def test_screen_summary_and_store_agree_after_quick_random_actions(stress_server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, folder = stress_server
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    database = f"sqlite:///{folder / 'cases.db'}"
    store = CaseStore(database, {cset.id: cset})
    case_id = store.create_case(cset.id, "stress-01", None, Identity(name="Dr S", role="", source="cli"))
    model = Model(cset)
    gating = _gating(cset)
    rng = random.Random(SEED)
    use_timeouts()
    with sync_playwright() as playwright, cpu_hog():
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(RUN_OBSERVER)
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{url}/?case={case_id}")
        expect(page.get_by_text(f"Stored case #{case_id}")).to_be_visible()
        actions: list[str] = []
        applied = 0  # changes this page's session has made (the page shows its own count)
        for _ in range(ACTIONS):
            roll = rng.random()
            applicable = model.applicable()
            if roll < 0.04:  # leave the page and come back, or reload: wait for the last change first
                wait_for_changes(page, applied)
                if rng.random() < 0.5:
                    page.reload()  # a new session: its count starts again
                    applied = 0
                else:
                    page.get_by_role("link", name="Cases").click()
                    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
                    page.get_by_role("link", name="Assess a case").click()
                expect(page.get_by_text(f"Stored case #{case_id}")).to_be_visible()
                wait_for_changes(page, applied)
                model.after_reload()
                continue
            crit = rng.choice(applicable)
            criterion = cset.criteria_by_id[crit]
            if os.environ.get("STRESS_TRACE"):
                print("action", applied + 1, crit, roll, flush=True)
            if roll < 0.22:  # a note: open its control (waits: the box appears after a rerun), type, leave
                box = (
                    open_note(page, crit)
                    if crit not in model.open_notes
                    else item(page, "note", crit).locator("textarea")
                )
                model.open_notes.add(crit)
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6))) or (
                    "" if model.note(crit) else "x"
                )
                box.fill(text)
                box.press("Tab")
                set_note(model.answers, crit, text)
            elif isinstance(criterion.answer, NumberAnswer):
                spec = criterion.answer
                if model.value(crit) == UNKNOWN or rng.random() < 0.3:  # tick or untick "not known"
                    item(page, "unknown", crit).locator("label").click()
                    known = model.value(crit) == UNKNOWN
                    set_answer(model.answers, crit, model.boxes.get(crit) if known else UNKNOWN)
                else:
                    number = rng.choice(
                        [n for n in range(int(spec.min), int(min(spec.max, 90))) if n != model.boxes.get(crit)]
                    )
                    entry = item(page, "answer", crit).locator("input")
                    entry.fill(str(number))
                    entry.press("Enter")
                    model.boxes[crit] = number
                    set_answer(model.answers, crit, number)
            else:
                options = dict(choices(criterion, cset) or []) | {UNKNOWN: "Unknown"}
                value = rng.choice(list(options))
                target = option(page, crit, options[value])
                target.focus()  # by keyboard: a click lands where the element was, and the page may have moved
                target.press("Space")
                set_answer(model.answers, crit, None if model.value(crit) == value else value)  # again = clear
            applied += 1
            actions.append(f"{applied}: {crit} {'note' if roll < 0.22 else 'answer'} -> {model.value(crit)!r}")
            if os.environ.get("STRESS_TRACE"):
                print(actions[-1], flush=True)
            if crit in gating:  # the items shown change: wait before acting on them
                wait_for_changes(page, applied)
        wait_for_changes(page, applied)
        shown = page.evaluate(SCREEN_STATE)
        progress = str(page.get_by_text("applicable items").first.inner_text())
        browser.close()

    expected = assess(cset, model.answers)
    problems: list[str] = []
    for crit in model.applicable():
        criterion = cset.criteria_by_id[crit]
        value = model.value(crit)
        if isinstance(criterion.answer, NumberAnswer):
            unknown = shown.get(f"itb_pump-unknown-{crit}")
            if unknown != (value == UNKNOWN):
                problems.append(f"{crit}: 'not known' box shows {unknown}, model {value!r}")
            if value != UNKNOWN:
                box = shown.get(f"itb_pump-answer-{crit}")
                if (box or None) != (None if value is None else str(value)):
                    problems.append(f"{crit}: number box shows {box!r}, model {value!r}")
        else:
            labels = dict(choices(criterion, cset) or []) | {UNKNOWN: "Unknown"}
            want = labels.get(value) if value is not None else None
            if shown.get(f"itb_pump-answer-{crit}") != want:
                problems.append(f"{crit}: screen shows {shown.get(f'itb_pump-answer-{crit}')!r}, model {want!r}")
        note_key = f"itb_pump-note-{crit}"
        if model.note(crit) and shown.get(note_key) != model.note(crit):
            problems.append(f"{crit}: note shows {shown.get(note_key)!r}, model {model.note(crit)!r}")
    want_progress = f"Answered {expected.answered} of {expected.applicable} applicable items"
    if progress.strip() != want_progress:
        problems.append(f"summary says {progress.strip()!r}, model {want_progress!r}")
    stored = store.get(case_id).answers.answers
    for crit in cset.criteria_by_id:
        got = stored.get(crit, Answer())
        if (got.value, got.note) != (model.value(crit), model.note(crit)):
            problems.append(
                f"{crit}: store holds {(got.value, got.note)!r}, model {(model.value(crit), model.note(crit))!r}"
            )
    assert not problems, f"seed {SEED}, {ACTIONS} actions:\n" + "\n".join(problems)
