"""App benchmark: the real assessment page against a bare Streamlit script with the same widgets and elements.

The bare script is generated from the criteria: the same sections, "none of these" buttons, answer
controls with the same options, note controls (closed), the page's script behind the links to
questions, header fields, the closed panels to resume a case and to propose answers from a FHIR
record, sidebar (the clinician's name and the closed form to change it), summary elements and
download buttons, but no logic at all. The
clinician has given a name, so a stored case's changes are saved (and timed) as in use. Each pair runs
A then B, pair after pair (A B A B), so that a busy machine slows both sides alike; the ratios are what
the targets are about.

1. Server rerun after one answer change (AppTest): the assessment page with an unsaved draft against
   the bare script (ratio, target <= 1.2); then the page with a stored case of 1,000 audit rows open
   against the same page with the draft (the same answers, no stored case): the stored case's rerun
   (target < 50 ms median) and its ratio to the draft page (target <= 1.1), over at least 20 pairs.
2. Chromium, click on an answer until the page shows the new finding: ratio real/bare (target <= 1.3).
3. Cold start, ``streamlit run`` until the checklist is visible in Chromium: ratio (target <= 1.15).
   The browser figures are over at least 10 interleaved pairs each.

The app's modules are compiled to bytecode first, as in any copy that has started once: an environment
with PYTHONDONTWRITEBYTECODE set (this development machine's) would otherwise compile them again at
every start, about 70 ms of processor time the bare script (no modules of its own) never pays.

Prints figures; not a timed test. Run: .venv/bin/python bench/app.py [--quick]
"""

from __future__ import annotations

import compileall
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from streamlit.testing.v1 import AppTest  # noqa: E402

from candidacy import load_criteria  # noqa: E402
from candidacy.criteria.models import UNKNOWN, CriteriaSet, NumberAnswer  # noqa: E402
from candidacy.criteria.values import choices  # noqa: E402
from candidacy.draft import absence_items, keep_draft, new_draft  # noqa: E402
from candidacy.identity.profile import save_profile  # noqa: E402
from candidacy.ui.summary import _QUESTION_LINKS  # noqa: E402
from tests.browser_support import CHROMIUM_ARGS, RUN_OBSERVER, chromium_path, streamlit_server  # noqa: E402

QUICK = "--quick" in sys.argv
PAIRS = 20 if QUICK else 30
CLICKS = 10 if QUICK else 20
STARTS = 10 if QUICK else 12
CRITERION = "active_infection"  # a yes/no item whose "yes" is a finding (a contraindication)


def bare_script(cset: CriteriaSet) -> str:
    """A script with the page's widgets and elements and nothing else."""
    draft = new_draft(cset)
    lines = [
        "import streamlit as st",
        "st.set_page_config(page_title='bare', layout='wide')",
        "with st.sidebar:",
        "    st.markdown('**Dr B** · Consultant')",
        "    with st.expander('Change name or role'), st.form('profile-form', border=False):",
        "        st.text_input('Your name', key='profile-name')",
        "        st.text_input('Your role', key='profile-role')",
        "        st.form_submit_button('Save name and role', key='profile-save')",
        "    st.caption('criteria')",
        "    st.caption('notice')",
        "st.html('<style></style>')",
        "t, n = st.columns([5, 1])",
        "t.title('Assess a case')",
        "n.button('New case', key='new-case')",
        "with st.expander('Resume a saved case'):",
        "    st.file_uploader('file', key='resume-upload')",
        "with st.expander('Propose answers from a FHIR record'):",
        "    st.file_uploader('record', accept_multiple_files=True, key='prefill-upload')",
        "    st.caption('Nothing from the record becomes an answer until you accept it.')",
        "with st.container(border=True):",
        "    st.markdown('**Unsaved draft**')",
        "    st.button('Save', key='case-save-new')",
        "cols = st.columns(5)",
    ]
    for i, name in enumerate(("label", "assessor", "role")):
        lines.append(f"cols[{i}].text_input('{name}', key='h-{name}')")
    for i, name in enumerate(("assessed_on", "meeting_date")):
        lines.append(f"cols[{3 + i}].date_input('{name}', value=None, key='h-{name}')")
    lines.append("left, right = st.columns([3, 2])")
    lines.append("with left:")
    for section in cset.sections:
        lines.append(f"    st.subheader({section.title!r})")
        if section.description:
            lines.append(f"    st.caption({section.description!r})")
        if len(absence_items(cset, section, draft)) >= 2:
            lines.append(f"    st.button('None of these', key='none-{section.id}', type='tertiary')")
        for criterion in section.criteria:
            label = f"**{criterion.title}** · {criterion.question}"
            options = choices(criterion, cset)
            if options is None:
                assert isinstance(criterion.answer, NumberAnswer)
                lines.append(f"    st.number_input({label!r}, value=None, key='a-{criterion.id}')")
                lines.append(f"    st.checkbox('not known', key='u-{criterion.id}')")
            else:
                values = [v for v, _ in options] + [UNKNOWN]
                labels = dict(options) | {UNKNOWN: "Unknown"}
                short = len(values) <= 4 and all(len(t) <= 24 for t in labels.values())
                control = "segmented_control" if short else "pills"
                lines.append(
                    f"    st.{control}({label!r}, {values!r}, key='a-{criterion.id}', format_func={labels!r}.get)"
                )
            lines.append(
                f"    st.expander('Note', key='n-{criterion.id}', on_change='rerun', icon=':material/edit_note:')"
            )
    lines += [
        "with right, st.container(key='summary'):",
        "    st.subheader('Summary')",
        "    st.info('notice')",
        "    st.progress(0.5, text='Answered')",
        "    for h in ['Contraindications', 'Cautions', 'Factors against', 'Factors in favour',",
        "              'Prerequisites not met', 'Missing information', 'Not yet answered']:",
        "        st.markdown('##### ' + h)",
        "        st.caption('None recorded.')",
        f"    if st.session_state.get('a-{CRITERION}') == 'yes':",
        f"        st.expander('**{cset.criteria_by_id[CRITERION].title}**: finding')",
        "    st.markdown('##### Next steps')",
        "    st.markdown('1. step')",
        "    for i in range(4):",
        "        st.download_button('Download ' + str(i), data='x', key='d' + str(i), on_click='ignore')",
        "st.caption('0 change(s)')",
        f"st.html({_QUESTION_LINKS!r}, unsafe_allow_javascript=True)",
    ]
    return "\n".join(lines) + "\n"


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def interleaved(a: Callable[[], float], b: Callable[[], float], pairs: int) -> tuple[list[float], list[float]]:
    first: list[float] = []
    second: list[float] = []
    for _ in range(pairs):
        first.append(a())
        second.append(b())
    return first, second


def rerun_timer(
    app: AppTest, widget_key: str, values: list[str], cpu: list[float] | None = None
) -> Callable[[], float]:
    """One rerun after an answer change: its wall time; its processor time (this process, every thread) is
    added to ``cpu`` when given: on a busy shared machine it moves less than the wall time."""
    state = {"i": 0}

    def one() -> float:
        state["i"] += 1
        widget = app.button_group(key=widget_key).set_value(values[state["i"] % len(values)])
        start, start_cpu = time.perf_counter(), time.process_time()
        widget.run()
        elapsed = time.perf_counter() - start
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
        assert not app.exception, app.exception
        return elapsed

    return one


def server_reruns(cset: CriteriaSet, bare_path: Path) -> None:
    real = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    bare = AppTest.from_file(str(bare_path), default_timeout=60).run()
    ours, theirs = interleaved(
        rerun_timer(real, f"itb_pump-answer-{CRITERION}", ["yes", "no"]),
        rerun_timer(bare, f"a-{CRITERION}", ["yes", "no"]),
        PAIRS,
    )
    print(f"server rerun after one answer (AppTest, median of {PAIRS} interleaved pairs):")
    print(f"  assessment page (unsaved draft)  {_median_ms(ours):7.1f} ms")
    print(f"  bare script, same elements       {_median_ms(theirs):7.1f} ms")
    print(f"  ratio                            {_median_ms(ours) / _median_ms(theirs):7.2f}   (target <= 1.2)")

    from candidacy.identity import Identity
    from tests.store_fixtures import app_store, case_with_notes

    store = app_store()
    case_id = case_with_notes(store, cset, "bench-1000", 1000, Identity(name="Dr B", role="", source="cli"))
    stored = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    stored.query_params["case"] = str(case_id)
    stored.run()
    # The draft page holds the same answers (kept on this machine, opened by its address), with no case;
    # its note differs by one word, so that the two pages never share an evaluation of the same answers.
    answers = store.get(case_id).answers
    note = answers.answers["cause"].model_copy(update={"note": "note 999 (draft)"})
    draft = answers.model_copy(update={"answers": answers.answers | {"cause": note}})
    keep_draft(Path(os.environ["CANDIDACY_DATA_DIR"]) / "drafts" / "personal", "same-answers", draft)
    same = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    same.query_params["draft"] = "same-answers"
    same.run()
    assert same.session_state["drafts"][cset.id].answers == draft.answers
    pairs = max(PAIRS, 20)
    cpu_case: list[float] = []
    cpu_draft: list[float] = []
    with_case, draft_page = interleaved(
        rerun_timer(stored, f"itb_pump-answer-{CRITERION}", ["yes", "no"], cpu_case),
        rerun_timer(same, f"itb_pump-answer-{CRITERION}", ["yes", "no"], cpu_draft),
        pairs,
    )
    saved = len(store.audit_trail(case_id)) - 1001
    assert saved >= pairs, f"only {saved} of the {pairs} timed changes were saved"
    print(f"stored case against the draft page, same answers (median of {pairs} interleaved pairs):")
    print(f"  stored case, 1001 audit rows     {_median_ms(with_case):7.1f} ms   (target < 50 ms)")
    print(f"  draft page, no stored case       {_median_ms(draft_page):7.1f} ms")
    print(f"  ratio                            {_median_ms(with_case) / _median_ms(draft_page):7.2f}   (target <= 1.1)")
    print(
        f"  processor time per rerun: stored {_median_ms(cpu_case):.1f} ms, draft {_median_ms(cpu_draft):.1f} ms,"
        f" ratio {_median_ms(cpu_case) / _median_ms(cpu_draft):.2f}"
    )


def _launch() -> tuple[object, object]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    return playwright, browser


def _idle(page: object) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => window.__runs && window.__runs.finished > 0 && document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        timeout=120_000,
    )


def click_to_finding(bare_path: Path, env: dict[str, str]) -> None:
    playwright, browser = _launch()
    title = "Active infection"
    try:
        with streamlit_server(env) as real_url, streamlit_server(env, script=bare_path) as bare_url:
            pages = []
            for url, key in ((real_url, f"itb_pump-answer-{CRITERION}"), (bare_url, f"a-{CRITERION}")):
                page = browser.new_page(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
                page.add_init_script(RUN_OBSERVER)
                page.goto(url)
                _idle(page)
                pages.append((page, key))

            def clicker(page: object, key: str) -> Callable[[], float]:
                def one() -> float:
                    group = page.locator(f".st-key-{key}")  # type: ignore[attr-defined]
                    # Visible only: the narrow screens' step line is on the page, hidden, on a wide one.
                    finding = page.get_by_text(f"{title}:", exact=False).filter(visible=True).first  # type: ignore[attr-defined]
                    group.get_by_role("radio", name="No", exact=True).click()
                    finding.wait_for(state="detached", timeout=60_000)
                    _idle(page)
                    start = time.perf_counter()
                    group.get_by_role("radio", name="Yes", exact=True).click()
                    finding.wait_for(state="visible", timeout=60_000)
                    return time.perf_counter() - start

                return one

            ours, theirs = interleaved(clicker(*pages[0]), clicker(*pages[1]), CLICKS)
    finally:
        browser.close()  # type: ignore[attr-defined]
        playwright.stop()  # type: ignore[attr-defined]
    print(f"Chromium, click 'Yes' until the finding shows (median of {CLICKS} interleaved pairs):")
    print(f"  assessment page   {_median_ms(ours):7.1f} ms")
    print(f"  bare script       {_median_ms(theirs):7.1f} ms")
    print(f"  ratio             {_median_ms(ours) / _median_ms(theirs):7.2f}   (target <= 1.3)")


def cold_starts(bare_path: Path, env: dict[str, str]) -> None:
    playwright, browser = _launch()

    def start(script: Path | None, selector: str) -> Callable[[], float]:
        def one() -> float:
            began = time.perf_counter()
            with streamlit_server(env, script=script) as url:
                page = browser.new_page()  # type: ignore[attr-defined]
                page.goto(url)
                page.locator(selector).wait_for(timeout=120_000)
                elapsed = time.perf_counter() - began
                page.close()
            return elapsed

        return one

    try:
        cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
        last = [c.id for c in cset.iter_criteria() if c.applies_when is None][-1]  # always drawn
        ours, theirs = interleaved(
            start(None, f".st-key-itb_pump-answer-{last}"), start(bare_path, f".st-key-a-{last}"), STARTS
        )
    finally:
        browser.close()  # type: ignore[attr-defined]
        playwright.stop()  # type: ignore[attr-defined]
    print(f"cold start, until the last unconditional item is visible (median of {STARTS} interleaved pairs):")
    print(f"  assessment page   {statistics.median(ours):6.2f} s")
    print(f"  bare script       {statistics.median(theirs):6.2f} s")
    print(f"  ratio             {statistics.median(ours) / statistics.median(theirs):6.2f}   (target <= 1.15)")


def main() -> None:
    compileall.compile_dir(ROOT / "src", quiet=1)  # as after a first start (see the module's docstring)
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    with tempfile.TemporaryDirectory() as folder:
        env = {"CANDIDACY_DATABASE_URL": f"sqlite:///{folder}/bench.db", "CANDIDACY_DATA_DIR": folder}
        os.environ.update(env)
        save_profile(Path(folder), "Dr B", "Consultant")  # as in use: a stored case's changes are saved
        bare_path = Path(folder) / "bare.py"
        bare_path.write_text(bare_script(cset), encoding="utf-8")
        server_reruns(cset, bare_path)
        try:
            chromium_path()
        except BaseException as skipped:  # pytest.skip outside pytest raises its own exception type
            print(f"Chromium figures not measured ({skipped})")
            return
        click_to_finding(bare_path, env)
        cold_starts(bare_path, env)


if __name__ == "__main__":
    main()
