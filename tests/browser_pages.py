"""What the browser tests do on the assessment page: choose, type a note, read back what is shown.

Every action that changes an answer, a note or the case header waits until the page's own count of
changes (its last element, drawn after everything else) has gone up and the page is idle: a
condition, never a quiet moment. The count is what the page drew, so it cannot be missed the way a
run can be (under load the browser may draw a whole run in one go, and the run-state attribute
never shows it as running).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .browser_support import IDLE_NOW, PAGE_IDLE

TIMEOUT = 30_000


def use_timeouts() -> None:
    """Playwright's assertions wait up to TIMEOUT for their condition (the machine is shared and loaded)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)


def item(page: Any, role: str, crit: str) -> Any:
    """An item's element; during a rerun Streamlit briefly keeps the stale copy beside the new one."""
    return page.locator(f'.st-key-itb_pump-{role}-{crit}:not([data-stale="true"])')


def option(page: Any, crit: str, label: str) -> Any:
    return item(page, "answer", crit).get_by_role("radio", name=label, exact=True)


def choose(page: Any, crit: str, label: str) -> None:
    from playwright.sync_api import expect

    target = option(page, crit, label)
    with change(page):
        target.click()
    expect(target).to_have_attribute("aria-checked", "true", timeout=TIMEOUT)


def chosen(page: Any, crit: str) -> str | None:
    """The label of the chosen option of an item, None when nothing is chosen."""
    checked = item(page, "answer", crit).locator('[role="radio"][aria-checked="true"]')
    return str(checked.inner_text()).strip() if checked.count() else None


def open_note(page: Any, crit: str, *, until_idle: bool = True) -> Any:
    """Open an item's note box; by default return once the run that built it has ended.

    The box is built by the run the click starts, so its being there is the sign that the run came
    (the expander reports its toggle late, and under load the page may never show that run as
    running). Typing into a box while that run is still going is a real user's pace too: the stress
    test does that (``until_idle=False``); tests that check one thing wait for the run to end.
    """
    box = item(page, "note", crit).locator("textarea")
    if not box.count():
        item(page, "notes", crit).locator("summary").click()
    box.wait_for(state="visible", timeout=TIMEOUT)
    if until_idle:
        page.wait_for_function(IDLE_NOW, timeout=TIMEOUT)
    return box


def write_note(page: Any, crit: str, text: str) -> None:
    box = open_note(page, crit)
    with change(page):  # counted from before the typing: the box commits when it loses focus, however that comes
        box.fill(text)
        box.press("Tab")


def type_number(page: Any, crit: str, value: str) -> None:
    box = item(page, "answer", crit).locator("input")
    with change(page):
        box.fill(value)
        box.press("Enter")


def answered_text(page: Any) -> str:
    return str(page.get_by_text("applicable items").first.inner_text())


def wait_for_changes(page: Any, count: int) -> None:
    """Wait until the page says it has applied at least ``count`` changes and its run has ended.

    The count is the page's last element, drawn after every answer and the summary: when it shows
    ``count``, the run that applied the last change has drawn everything above it.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_count(page, count)
    except PlaywrightTimeout:
        status = page.locator(".st-key-save-status").all_inner_texts()
        alerts = page.get_by_test_id("stAlert").all_inner_texts()
        raise AssertionError(
            f"the page shows {status}, expected at least {count} change(s); alerts: {alerts}"
        ) from None


def _wait_count(page: Any, count: int) -> None:
    page.wait_for_function(
        """(count) => {
          const status = document.querySelector('.st-key-save-status:not([data-stale="true"])');
          const shown = status ? parseInt(status.innerText.trim(), 10) : NaN;
          return shown >= count && """
        + PAGE_IDLE
        + "}",
        arg=count,
        timeout=60_000,
    )


def changes_shown(page: Any) -> int:
    """The page's count of changes, as drawn (the last element of the assessment page)."""
    text = page.locator('.st-key-save-status:not([data-stale="true"])').inner_text(timeout=TIMEOUT)
    return int(text.strip().split()[0])


@contextmanager
def change(page: Any) -> Iterator[None]:
    """``with change(page): <action>`` returns once the page has drawn the change the action made."""
    page.wait_for_function(IDLE_NOW, timeout=60_000)
    before = changes_shown(page)
    yield
    wait_for_changes(page, before + 1)
