"""App benchmark: server-side rerun time after one answer change, and time to first checklist in Chromium.

Prints figures; not a timed test. Targets: rerun median under 50 ms and at most 1.5x a bare Streamlit
script with the same widgets. Run: .venv/bin/python bench/app.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.browser_support import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402

RUNS = 50

BARE = """
import streamlit as st
for i in range(44):
    st.radio(f"Question {i}", ["a", "b", "c", "unknown"], index=None, key=f"r{i}")
    st.text_area(f"Note {i}", key=f"n{i}")
for i in range(2):
    st.number_input(f"Number {i}", value=None, key=f"x{i}")
    st.checkbox(f"Unknown {i}", key=f"u{i}")
    st.text_area(f"Note x{i}", key=f"nx{i}")
for i in range(3):
    st.text_input(f"Header {i}", key=f"h{i}")
for i in range(2):
    st.date_input(f"Date {i}", value=None, key=f"d{i}")
"""


def rerun_median(app: AppTest, widget_key: str, values: list[str]) -> float:
    times = []
    for i in range(RUNS):
        widget = app.radio(key=widget_key).set_value(values[i % len(values)])
        start = time.perf_counter()
        widget.run()
        times.append(time.perf_counter() - start)
    assert not app.exception
    return statistics.median(times)


def main() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    ours = rerun_median(app, "itb_pump-answer-ambulatory", ["yes", "no"])
    bare_app = AppTest.from_string(BARE, default_timeout=60).run()
    bare = rerun_median(bare_app, "r0", ["a", "b"])
    print(f"rerun after one answer change (AppTest, median of {RUNS}):")
    print(f"  candidacy assess page   {ours * 1e3:7.1f} ms")
    print(f"  bare script, same widgets {bare * 1e3:5.1f} ms")
    print(f"  ratio                   {ours / bare:7.2f}")
    try:
        executable = chromium_path()
    except BaseException as skipped:  # pytest.skip outside pytest raises its own exception type
        print(f"time to checklist in Chromium: not measured ({skipped})")
        return
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.locator(".st-key-itb_pump-answer-screening_reaction").wait_for(timeout=60_000)
        elapsed = time.perf_counter() - start
        browser.close()
    print(f"streamlit run -> whole checklist visible in Chromium: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
