"""The room in a real browser (Playwright driving Debian's Chromium against ``streamlit run``).

The summary as the chair sees it at 1280x720 (blocking findings in red with their names, links that
scroll to the question, no inner scroll box, the status strip in view); the projection page fitting
one screen at 1280x720 and 1920x1080; the Meeting page as an agenda with its pack; the Learn page's
letter staying beside the checklist. Screenshots go to tests/artifacts/. Every wait is for a
condition (Playwright's ``expect``), never for time.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from candidacy import load_criteria
from candidacy.draft import assess
from candidacy.identity import Identity
from candidacy.learning.vignettes import load_vignettes
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader
from candidacy.store import CaseStore

from .browser_support import ARTIFACTS, IDLE_NOW, ROOT, chromium, chromium_path, streamlit_server
from .clock_support import day

pytestmark = pytest.mark.browser

TIMEOUT = 30_000
DAY = day(2)  # the next meeting after the suite's today
LATER = day(9)
SMALL = {"width": 1280, "height": 720}
LARGE = {"width": 1920, "height": 1080}
CSET = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
#: A label and a note that Markdown would turn into maths, colour, bold, an icon, HTML and a link.
TYPED_LABEL = "Typed $x^2$ :red[alarm] **b** <i>i</i> :material/home:"
TYPED_NOTE = "urine $y_1$ :blue[calm] [link](http://example.org) _em_ ~~gone~~"
TYPED_DAY = day(23)
#: Elements that would show the text was rendered as Markdown, maths or HTML rather than as typed.
ACTIVE = ".katex, a[href^='http'], em, i, del, [data-testid='stIconMaterial'][title='home']"


def _heaviest() -> dict[str, Answer]:
    """For every choice item, the first answer that gives a blocking or adverse finding."""
    from candidacy.criteria.values import choices, finding_for

    adverse = {"contraindication", "prerequisite-unmet", "caution", "unfavourable"}
    answers = {}
    for cid, criterion in CSET.criteria_by_id.items():
        for value, _ in choices(criterion, CSET) or []:
            spec = finding_for(criterion, CSET, value)
            if spec is not None and spec.kind in adverse:
                answers[cid] = Answer(value=value)
                break
    return answers


def _seed(url: str) -> dict[str, int]:
    """Three cases on one meeting date, one on a later date: full, blocked, and barely started."""
    who = Identity(name="Dr A", role="Consultant", source="personal")
    vignettes = {v.id: v for v in load_vignettes(ROOT / "criteria" / "vignettes" / "itb_pump", CSET)}
    plans = {
        "MS-room-01": (vignettes["v01_ms_wheelchair"].reference_answers().answers, DAY),
        "Allergy-room-02": (vignettes["v09_true_allergy"].reference_answers().answers, DAY),
        "Stroke-room-03": ({"cause": Answer(value="stroke"), "seizures": Answer(value="unknown")}, DAY),
        "Later-room-04": ({}, LATER),
        "Heavy-room-05": (_heaviest(), day(16)),
        TYPED_LABEL: ({"active_infection": Answer(value="yes", note=TYPED_NOTE)}, TYPED_DAY),
    }
    store = CaseStore(url, {CSET.id: CSET})
    ids = {}
    for label, (answers, meeting) in plans.items():
        case_id = store.create_case(CSET.id, label, meeting, who)
        full = AnswerSet(criteria=CSET.id, case=CaseHeader(label=label, meeting_date=meeting), answers=dict(answers))
        store.save_all(case_id, store.get(case_id).row.lock_version, full, who, "seeded for the browser test")
        ids[label] = case_id
    store.close()
    return ids


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    chromium_path()  # skip (or fail in CI) before starting anything
    database = f"sqlite:///{tmp_path_factory.mktemp('room') / 'cases.db'}"
    ids = _seed(database)
    with streamlit_server({"CANDIDACY_DATABASE_URL": database}) as url:
        yield url, ids


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # every expect waits for its condition up to this long
    with chromium() as launched:
        yield launched


def _page(browser: object, viewport: dict[str, int]) -> object:
    context = browser.new_context(viewport=viewport, accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def _settled(page: object) -> None:
    """Wait until no run is under way, the page is connected and nothing of an earlier run is left."""
    page.wait_for_function(IDLE_NOW, timeout=TIMEOUT)  # type: ignore[attr-defined]


def _screenshot(page: object, name: str) -> None:
    """Save what the screen shows to tests/artifacts/, and check the file has the viewport's size."""
    path = ARTIFACTS / name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    width, height = struct.unpack(">II", path.read_bytes()[16:24])  # the PNG header's IHDR size
    viewport = page.viewport_size  # type: ignore[attr-defined]
    assert (width, height) == (viewport["width"], viewport["height"]), (name, width, height)
    assert name.endswith(f"-{width}x{height}.png"), name


def _open_from_meeting(page: object, url: str, case_id: int) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/meeting")  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {DAY.isoformat()}")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    page.locator(f".st-key-agenda-open-{case_id} a").click()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Stored case #{case_id}")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)


def test_summary_for_the_room(seeded: tuple[str, dict[str, int]], browser: object) -> None:
    from playwright.sync_api import expect

    url, ids = seeded
    page = _page(browser, SMALL)
    _open_from_meeting(page, url, ids["Allergy-room-02"])
    summary = page.locator(".st-key-summary")  # type: ignore[attr-defined]

    # Blocking first, in red, and named in words.
    box = summary.get_by_test_id("stAlertContentError").first
    expect(box).to_contain_text("Contraindications (1): stands in the way")
    colour = box.evaluate("e => getComputedStyle(e.closest('[data-testid=stAlert]').firstElementChild).backgroundColor")
    red, green, blue = (float(x) for x in re.findall(r"[\d.]+", colour)[:3])
    assert red > green and red > blue, colour
    expect(summary.get_by_text("Nothing recorded under:")).to_be_visible()

    # No inner scroll box: nothing between the summary and the page clips or scrolls it.
    clipped = summary.evaluate(
        """e => { const out = []; for (let n = e; n && n.dataset.testid !== 'stMain'; n = n.parentElement) {
                   const s = getComputedStyle(n);
                   if (s.overflowY !== 'visible' || s.maxHeight !== 'none')
                     out.push([n.className, s.overflowY, s.maxHeight]); } return out; }"""
    )
    assert clipped == []

    # The screenshot the room sees: the summary at the top of the screen.
    heading = page.get_by_role("heading", name="Summary for clinician review")  # type: ignore[attr-defined]
    heading.evaluate("e => e.scrollIntoView({block: 'start'})")
    expect(box).to_be_in_viewport()
    expect(page.locator(".st-key-summary-strip [data-testid=stProgress]")).to_be_in_viewport()  # type: ignore[attr-defined]
    # The summary starts at the top of its column, beside the case panel: the step opens it.
    expect(page.locator(".st-key-summary-step")).to_be_in_viewport()  # type: ignore[attr-defined]
    expect(page.get_by_text("Stored case #")).to_be_in_viewport()  # type: ignore[attr-defined]
    _screenshot(page, "room-summary-1280x720.png")

    # A finding links to its question, and the page scrolls there.
    link = summary.locator("a[href='#q-baclofen_hypersensitivity']").first
    link.click()
    expect(page.locator(".st-key-itb_pump-answer-baclofen_hypersensitivity")).to_be_in_viewport()  # type: ignore[attr-defined]
    assert page.url.endswith("#q-baclofen_hypersensitivity")  # type: ignore[attr-defined]
    # Far down the checklist, the status strip is still in view; the summary's end is reachable.
    expect(page.locator(".st-key-summary-strip")).to_be_in_viewport()  # type: ignore[attr-defined]
    end = summary.get_by_text("Next steps the criteria point to")
    end.scroll_into_view_if_needed()
    expect(end).to_be_in_viewport()
    page.context.close()  # type: ignore[attr-defined]


def test_unanswered_items_are_links_to_their_questions(seeded: tuple[str, dict[str, int]], browser: object) -> None:
    from playwright.sync_api import expect

    url, ids = seeded
    page = _page(browser, SMALL)
    _open_from_meeting(page, url, ids["Stroke-room-03"])
    summary = page.locator(".st-key-summary")  # type: ignore[attr-defined]
    stroke = AnswerSet(criteria=CSET.id, answers={"cause": Answer(value="stroke"), "seizures": Answer(value="unknown")})
    last = [m.criterion for m in assess(CSET, stroke).missing if m.status == "unanswered"][-1]
    link = summary.locator(f"a[href='#q-{last}']").first  # the last open question of the page: the longest jump
    link.click()
    expect(page.locator(f".st-key-itb_pump-answer-{last}")).to_be_in_viewport()  # type: ignore[attr-defined]
    progress = summary.get_by_text("Progress by section")
    progress.scroll_into_view_if_needed()
    expect(summary.locator("table")).to_contain_text(CSET.sections[0].title)
    page.context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("viewport", [SMALL, LARGE], ids=["1280x720", "1920x1080"])
def test_projection_fits_one_screen(seeded: tuple[str, dict[str, int]], browser: object, viewport: dict) -> None:
    from playwright.sync_api import expect

    url, ids = seeded
    page = _page(browser, viewport)
    page.goto(f"{url}/projection?case={ids['Allergy-room-02']}")  # type: ignore[attr-defined]
    projection = page.locator(".st-key-projection")  # type: ignore[attr-defined]
    expect(projection.get_by_role("heading", name="Case Allergy-room-02")).to_be_visible()
    expect(projection.get_by_text("Step for the meeting's question:")).to_be_visible()
    expect(projection.get_by_test_id("stAlertContentError")).to_contain_text("Contraindications (1)")
    expect(projection.get_by_text("Team decision:")).to_be_visible()
    expect(projection.get_by_text("Decision support for clinician review")).to_be_in_viewport()
    _fits_one_screen(page, f"room-projection-{viewport['width']}x{viewport['height']}.png")
    # The chair moves to the next case of the meeting without leaving the projection.
    _settled(page)
    projection.get_by_role("button", name="Next").click()
    expect(projection.get_by_role("heading", name="Case Stroke-room-03")).to_be_visible()
    assert f"case={ids['Stroke-room-03']}" in page.url  # type: ignore[attr-defined]
    # A presentation clicker's "back" key (PageUp) goes to the previous case.
    _settled(page)
    page.keyboard.press("PageUp")  # type: ignore[attr-defined]
    expect(projection.get_by_role("heading", name="Case Allergy-room-02")).to_be_visible()
    page.context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("viewport", [SMALL, LARGE], ids=["1280x720", "1920x1080"])
def test_projection_of_the_heaviest_case_fits(
    seeded: tuple[str, dict[str, int]], browser: object, viewport: dict
) -> None:
    """Every item answered the way that gives a blocking or adverse finding: still one screen."""
    from playwright.sync_api import expect

    url, ids = seeded
    page = _page(browser, viewport)
    page.goto(f"{url}/projection?case={ids['Heavy-room-05']}")  # type: ignore[attr-defined]
    projection = page.locator(".st-key-projection")  # type: ignore[attr-defined]
    expect(projection.get_by_role("heading", name="Case Heavy-room-05")).to_be_visible()
    expect(projection.get_by_text("Contraindications (")).to_be_visible()
    expect(projection.get_by_text("Prerequisites not met (")).to_be_visible()
    _fits_one_screen(page, f"room-projection-heaviest-{viewport['width']}x{viewport['height']}.png")
    page.context.close()  # type: ignore[attr-defined]


def _fits_one_screen(page: object, screenshot: str) -> None:
    """Once the projection's own styles have arrived (large type), nothing scrolls and all is on screen."""
    page.wait_for_function(  # type: ignore[attr-defined]
        """() => { const line = document.querySelector('.st-key-projection-step p');
                   return line && parseFloat(getComputedStyle(line).fontSize) >= 28; }""",
        timeout=TIMEOUT,
    )
    _settled(page)
    # Readable from the back of the room: every line of the step, findings, gaps and decision is at
    # least 28 px (the case's identifying line and the standing notice may be smaller).
    smallest = page.evaluate(  # type: ignore[attr-defined]
        """() => { const body = [...document.querySelectorAll('.st-key-projection p, .st-key-projection li')]
                     .filter(e => !e.closest('.st-key-projection-meta, .st-key-projection-notice, button'));
                   return [body.length, Math.min(...body.map(e => parseFloat(getComputedStyle(e).fontSize)))]; }"""
    )
    assert smallest[0] >= 4 and smallest[1] >= 28, smallest
    sizes = page.evaluate(  # type: ignore[attr-defined]
        """() => { const main = document.querySelector('[data-testid=stMain]');
                   const box = document.querySelector('.st-key-projection').getBoundingClientRect();
                   return [main.scrollHeight, main.clientHeight, box.bottom, window.innerHeight]; }"""
    )
    _screenshot(page, screenshot)
    scroll_height, client_height, bottom, height = sizes
    assert scroll_height <= client_height + 1 and bottom <= height, sizes


def test_meeting_page_is_an_agenda(seeded: tuple[str, dict[str, int]], browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    url, ids = seeded
    page = _page(browser, SMALL)
    page.goto(f"{url}/meeting")  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {DAY}: 3 cases")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    dates = page.locator(".st-key-meeting-date")  # type: ignore[attr-defined]
    expect(dates.get_by_role("combobox")).to_have_value(f"{DAY} (3 cases)")  # the next meeting, not today
    for number, label in enumerate(("MS-room-01", "Allergy-room-02", "Stroke-room-03"), 1):
        line = page.locator(f".st-key-agenda-{ids[label]}")  # type: ignore[attr-defined]
        expect(line).to_contain_text(f"{number}. {label}")
        expect(line).to_contain_text("Status: draft (revision 1)")
        expect(line).to_contain_text("Decision: not recorded")
    expect(page.locator(f".st-key-agenda-{ids['Allergy-room-02']}")).to_contain_text("1 blocking")  # type: ignore[attr-defined]
    expect(page.locator(f".st-key-agenda-{ids['Stroke-room-03']}")).to_contain_text("Missing information: 1")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Next case").click()  # type: ignore[attr-defined]
    expect(page.get_by_text("Now discussing: case 1 of 3")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    _screenshot(page, "room-meeting-1280x720.png")

    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download the meeting pack").click()  # type: ignore[attr-defined]
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    cover = pdf.pages[0].extract_text() or ""
    assert f"Referral meeting {DAY}" in cover and "Agenda" in cover
    assert cover.index("1. MS-room-01") < cover.index("2. Allergy-room-02") < cover.index("3. Stroke-room-03")
    assert sum("Reasoning record" in (p.extract_text() or "") for p in pdf.pages) == 3

    # Another date shows its own agenda.
    dates.get_by_role("combobox").click()  # chosen with the keyboard: type to filter, Enter to pick
    page.keyboard.type(LATER.isoformat())  # type: ignore[attr-defined]
    expect(page.get_by_role("option", name=f"{LATER} (1 case)")).to_be_visible()  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {LATER}: 1 case")).to_be_visible()  # type: ignore[attr-defined]
    expect(page).to_have_url(f"{url}/meeting?date={LATER}")  # type: ignore[call-overload]
    _settled(page)
    page.locator(f".st-key-agenda-project-{ids['Later-room-04']} a").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Case Later-room-04")).to_be_visible()  # type: ignore[attr-defined]
    expect(page).to_have_url(f"{url}/projection?case={ids['Later-room-04']}")  # type: ignore[call-overload]
    # Back returns to the agenda of the date that was shown (it is in the address).
    page.go_back()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {LATER}: 1 case")).to_be_visible()  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def test_agenda_links_are_real_addresses(seeded: tuple[str, dict[str, int]], browser: object) -> None:
    """Open and Project are links: a new tab, a copied address, the keyboard and a click all land on the case."""
    from playwright.sync_api import expect

    url, ids = seeded
    case_id = ids["Stroke-room-03"]
    page = _page(browser, SMALL)
    page.goto(f"{url}/meeting?date={DAY.isoformat()}")  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {DAY.isoformat()}")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    open_link = page.locator(f".st-key-agenda-open-{case_id} a")  # type: ignore[attr-defined]
    project_link = page.locator(f".st-key-agenda-project-{case_id} a")  # type: ignore[attr-defined]
    expect(open_link).to_have_accessible_name(re.compile("Open"))
    # The address a new tab, a copy or a bookmark gets (the browser resolves the link's href).
    opened_at = open_link.evaluate("a => a.href")
    projected_at = project_link.evaluate("a => a.href")
    assert projected_at == f"{url}/projection?case={case_id}"
    assert opened_at.startswith(f"{url}/") and opened_at.endswith(f"?case={case_id}"), opened_at

    # That address, in a new tab (a new session), shows the case, under the case's own address.
    tab = page.context.new_page()  # type: ignore[attr-defined]
    tab.goto(opened_at)
    expect(tab.get_by_text(f"Stored case #{case_id}")).to_be_visible()
    expect(tab.get_by_role("textbox", name="Case label")).to_have_value("Stroke-room-03")
    expect(tab).to_have_url(f"{url}/?case={case_id}")
    tab.goto(projected_at)
    expect(tab.locator(".st-key-projection").get_by_role("heading", name="Case Stroke-room-03")).to_be_visible()
    tab.close()

    # A middle click opens a new tab and leaves the agenda where it is.
    with page.context.expect_page() as new_tab:  # type: ignore[attr-defined]
        open_link.click(button="middle")
    expect(new_tab.value.get_by_text(f"Stored case #{case_id}")).to_be_visible()
    new_tab.value.close()
    expect(page.get_by_text(f"Agenda, {DAY.isoformat()}")).to_be_visible()  # type: ignore[attr-defined]

    # The keyboard: the link takes focus and Enter follows it, in the same tab and session.
    open_link.focus()
    expect(open_link).to_be_focused()
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Stored case #{case_id}")).to_be_visible()  # type: ignore[attr-defined]
    expect(page).to_have_url(f"{url}/?case={case_id}")  # type: ignore[call-overload]
    _settled(page)
    # Back on the agenda, the case opened is the one being discussed, and Next moves on from it.
    page.go_back()  # type: ignore[attr-defined]
    expect(page.get_by_text("Now discussing: case 3 of 3")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator(f".st-key-agenda-{case_id}")).to_contain_text("now")  # type: ignore[attr-defined]
    _settled(page)
    page.get_by_role("button", name="Previous case").click()  # type: ignore[attr-defined]
    expect(page.get_by_text("Now discussing: case 2 of 3")).to_be_visible()  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def _as_typed(locator: object) -> str:
    """The text as the reader sees it (word joiners that break autolinks left out, spaces collapsed)."""
    return " ".join(locator.inner_text().replace("\u2060", "").split())  # type: ignore[attr-defined]


def test_label_and_note_are_shown_as_typed_to_the_room(seeded: tuple[str, dict[str, int]], browser: object) -> None:
    """The real pages (agenda, projection, summary) show a label and a note as typed, nothing rendered."""
    from playwright.sync_api import expect

    url, ids = seeded
    case_id = ids[TYPED_LABEL]
    page = _page(browser, SMALL)
    page.goto(f"{url}/meeting?date={TYPED_DAY.isoformat()}")  # type: ignore[attr-defined]
    line = page.locator(f".st-key-agenda-{case_id}")  # type: ignore[attr-defined]
    expect(line).to_contain_text("1 blocking")
    assert f"1. {TYPED_LABEL} #{case_id}" in _as_typed(line)
    assert line.locator(ACTIVE).count() == 0, line.inner_html()

    page.goto(f"{url}/projection?case={case_id}")  # type: ignore[attr-defined]
    projection = page.locator(".st-key-projection")  # type: ignore[attr-defined]
    heading = projection.get_by_role("heading").first
    expect(heading).to_contain_text("Case Typed")
    assert _as_typed(heading) == f"Case {TYPED_LABEL}"
    _settled(page)
    assert projection.locator(ACTIVE).count() == 0, projection.inner_html()

    page.goto(f"{url}/?case={case_id}")  # type: ignore[attr-defined]
    summary = page.locator(".st-key-summary")  # type: ignore[attr-defined]
    basis = summary.get_by_test_id("stExpander").filter(has_text="Basis of each: contraindications")
    expect(basis).to_be_visible()
    _settled(page)
    basis.locator("summary").click()
    note = basis.get_by_test_id("stExpanderDetails")
    expect(note).to_contain_text("Assessor's note:")
    assert TYPED_NOTE in _as_typed(note)
    assert note.locator(ACTIVE).count() == 0, note.inner_html()
    page.context.close()  # type: ignore[attr-defined]


def test_learn_letter_stays_beside_the_checklist(seeded: tuple[str, dict[str, int]], browser: object) -> None:
    from playwright.sync_api import expect

    url, _ = seeded
    page = _page(browser, SMALL)
    page.goto(f"{url}/learn")  # type: ignore[attr-defined]
    letter = page.locator(".st-key-learn-letter")  # type: ignore[attr-defined]
    expect(letter.get_by_text("Dear colleagues,")).to_be_visible()
    expect(letter.get_by_text("Enclosure: Pre-meeting checklist")).to_be_visible()
    bottom = page.get_by_role("button", name="Compare with the reference reasoning")  # type: ignore[attr-defined]
    _settled(page)  # the run has drawn everything above the button: scrolling now is not undone by a late layout
    bottom.scroll_into_view_if_needed()
    expect(bottom).to_be_in_viewport()
    expect(letter.get_by_text("Dear colleagues,")).to_be_in_viewport()  # the letter stayed in view
    _screenshot(page, "room-learn-1280x720.png")
    _settled(page)
    bottom.click()
    expect(page.get_by_text("applicable items are not answered yet")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_role("button", name="Compare anyway")).to_be_visible()  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def test_back_and_forward_between_stored_cases(seeded: tuple[str, dict[str, int]], browser: object) -> None:
    """Within one session, back and forward land on each case (and the agenda) as they were left."""
    from playwright.sync_api import expect

    url, ids = seeded
    first, second = ids["MS-room-01"], ids["Allergy-room-02"]
    page = _page(browser, SMALL)
    page.goto(f"{url}/?case={first}")  # type: ignore[attr-defined]
    label = page.get_by_role("textbox", name="Case label")  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Stored case #{first}")).to_be_visible()  # type: ignore[attr-defined]
    expect(label).to_have_value("MS-room-01")
    _settled(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Meeting").click()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {DAY.isoformat()}")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    page.locator(f".st-key-agenda-open-{second} a").click()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Stored case #{second}")).to_be_visible()  # type: ignore[attr-defined]
    expect(label).to_have_value("Allergy-room-02")
    _settled(page)
    page.go_back()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {DAY.isoformat()}")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_text("Now discussing: case 2 of 3")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    page.go_back()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Stored case #{first}")).to_be_visible()  # type: ignore[attr-defined]
    expect(label).to_have_value("MS-room-01")
    expect(page).to_have_url(f"{url}/?case={first}")  # type: ignore[call-overload]
    _settled(page)
    page.go_forward()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Agenda, {DAY.isoformat()}")).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    page.go_forward()  # type: ignore[attr-defined]
    expect(page.get_by_text(f"Stored case #{second}")).to_be_visible()  # type: ignore[attr-defined]
    expect(label).to_have_value("Allergy-room-02")
    page.context.close()  # type: ignore[attr-defined]


PHONE = {"width": 390, "height": 844}


def _drawn(page: object, box: dict[str, float], screenshot: str) -> None:
    """The screenshot shows something drawn (dark pixels: text) inside ``box``: seen, not only in the DOM."""
    from PIL import Image

    path = ARTIFACTS / screenshot
    image = Image.open(path).convert("L")
    crop = image.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    assert crop.height > 0 and crop.getextrema()[0] < 100, (screenshot, box)


def test_the_step_for_the_meetings_question_is_in_the_first_viewport(
    seeded: tuple[str, dict[str, int]], browser: object
) -> None:
    """At 1280x720, without scrolling: the summary opens with the step, the decisive unknowns under it."""
    from playwright.sync_api import expect

    from candidacy.reports.meeting import meeting_step

    url, ids = seeded
    stroke = AnswerSet(criteria=CSET.id, answers={"cause": Answer(value="stroke"), "seizures": Answer(value="unknown")})
    result = assess(CSET, stroke)
    step = meeting_step(result)
    assert step is not None and result.decisive_for(result.current_stage)
    page = _page(browser, SMALL)
    page.goto(f"{url}/?case={ids['Stroke-room-03']}")  # type: ignore[attr-defined]
    top = page.locator(".st-key-summary-step")  # type: ignore[attr-defined]
    first = top.locator("li").first
    expect(first).to_contain_text(step.step[:50])
    expect(top.get_by_test_id("stAlertContentWarning")).to_contain_text("Decisive unknowns")
    expect(page.locator(".st-key-step-line")).to_be_hidden()  # type: ignore[attr-defined]  # wide: the summary says it
    _settled(page)
    assert page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop") == 0  # type: ignore[attr-defined]
    expect(first).to_be_in_viewport()
    heading = top.get_by_text("Step for the meeting's question", exact=True)
    box = heading.bounding_box()
    line = first.bounding_box()
    assert box["y"] >= 0 and line["y"] + 20 <= SMALL["height"], (box, line)  # the step's first line is on screen
    # The step comes before the summary's findings and counts.
    strip = page.locator(".st-key-summary-strip").bounding_box()  # type: ignore[attr-defined]
    assert box["y"] < strip["y"]
    _screenshot(page, "answer-first-1280x720.png")
    _drawn(page, {**line, "height": 20}, "answer-first-1280x720.png")
    page.context.close()  # type: ignore[attr-defined]


def test_a_phone_keeps_a_one_line_step_in_view_while_answering(
    seeded: tuple[str, dict[str, int]], browser: object
) -> None:
    """At 390 px the summary sits below the whole checklist: one sticky line says the step, at load and far down."""
    from playwright.sync_api import expect

    from candidacy.reports.meeting import meeting_line

    url, ids = seeded
    stroke = AnswerSet(criteria=CSET.id, answers={"cause": Answer(value="stroke"), "seizures": Answer(value="unknown")})
    expected = meeting_line(assess(CSET, stroke))
    page = _page(browser, PHONE)
    page.goto(f"{url}/?case={ids['Stroke-room-03']}")  # type: ignore[attr-defined]
    line = page.locator(".st-key-step-line")  # type: ignore[attr-defined]
    expect(line).to_have_text(expected)
    expect(line).to_be_in_viewport()
    _settled(page)
    page.wait_for_function(  # the page's own styles have arrived: the line is held at the top
        "() => getComputedStyle(document.querySelector('.st-key-step-line').parentElement).position === 'sticky'"
    )
    height = line.evaluate("e => e.getBoundingClientRect().height")
    assert height < 40, height  # one line
    last = page.locator("[class*='st-key-itb_pump-answer-']").last  # type: ignore[attr-defined]
    last.scroll_into_view_if_needed()  # the last question of the checklist, far down the page
    expect(last).to_be_in_viewport()
    expect(page.locator(".st-key-summary-step")).not_to_be_in_viewport()  # type: ignore[attr-defined]
    expect(line).to_be_in_viewport()
    box = line.bounding_box()
    assert 0 <= box["y"] <= 100, box  # held just under the app's header
    _screenshot(page, "answer-first-390x844.png")
    _drawn(page, box, "answer-first-390x844.png")
    page.context.close()  # type: ignore[attr-defined]


#: For every answer item on the page: how far its option row scrolls sideways, and which options are cut
#: or stand outside the row (by the option's label). A row that wraps has none of either.
OPTION_ROWS = """() => [...document.querySelectorAll("[class*='st-key-itb_pump-answer-'] [role=radiogroup]")].map(g => {
  const row = g.getBoundingClientRect();
  const out = [...g.querySelectorAll('[role=radio]')].filter(o => {
    const r = o.getBoundingClientRect();
    return r.left < row.left - 1 || r.right > row.right + 1 || o.scrollWidth > o.clientWidth + 1
      || r.right > window.innerWidth;
  }).map(o => o.innerText);
  return [g.closest("[class*='st-key-itb_pump-answer-']").className.match(/answer-(\\w+)/)[1],
          g.scrollWidth - g.clientWidth, out];
})"""


@pytest.mark.parametrize("viewport", [SMALL, PHONE], ids=["1280x720", "390x844"])
def test_every_answer_option_is_in_sight_without_scrolling_sideways(
    seeded: tuple[str, dict[str, int]], browser: object, viewport: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    url, ids = seeded
    page = _page(browser, viewport)
    page.goto(f"{url}/?case={ids['Later-room-04']}")  # type: ignore[attr-defined]  # nothing answered: every option shown
    expect(page.locator(".st-key-itb_pump-answer-cause [role=radio]").first).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    page.wait_for_function(  # type: ignore[attr-defined]  # the page's own styles have arrived
        "() => getComputedStyle(document.querySelector('[role=radiogroup]')).flexWrap === 'wrap'"
    )
    rows = page.evaluate(OPTION_ROWS)  # type: ignore[attr-defined]
    assert len(rows) >= 30
    assert [r for r in rows if r[1] > 1 or r[2]] == []
    page.locator(".st-key-itb_pump-answer-cause").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    _screenshot(page, f"options-{viewport['width']}x{viewport['height']}.png")
    page.context.close()  # type: ignore[attr-defined]


AXE_PAGES = [
    "/?case={heavy}",
    "/?case={allergy}",
    "/",
    "/cases",
    "/meeting",
    "/projection?case={heavy}",
    "/projection",
    "/screening?case={allergy}",
    "/criteria",
    "/learn",
]


@pytest.mark.parametrize(
    "address",
    AXE_PAGES,
    ids=[
        "assess-heavy",
        "assess-blocked",
        "assess-draft",
        "cases",
        "meeting",
        "projection",
        "projection-choose",
        "screening",
        "criteria",
        "learn",
    ],
)
def test_axe_core_finds_no_serious_or_critical_violation(
    seeded: tuple[str, dict[str, int]], browser: object, address: str
) -> None:
    """axe-core (npm, pinned in tests/lhcforms) on each page, with red and amber boxes on screen."""
    from playwright.sync_api import expect

    from .fhir_tools import npm_tools

    axe = (npm_tools() / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    url, ids = seeded
    page = _page(browser, SMALL)
    page.goto(url + address.format(heavy=ids["Heavy-room-05"], allergy=ids["Allergy-room-02"]))  # type: ignore[attr-defined]
    expect(page.locator("h1").first).to_be_visible()  # type: ignore[attr-defined]
    _settled(page)
    page.wait_for_function(  # type: ignore[attr-defined]  # the page's own styles have arrived
        "() => [...document.querySelectorAll('style')].some(s => s.textContent.includes('stCaptionContainer'))"
    )
    page.add_script_tag(content=axe)  # type: ignore[attr-defined]
    found = page.evaluate(  # type: ignore[attr-defined]
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => [v.id, v.impact, v.nodes.length, v.nodes.slice(0, 3).map(n => n.target.join(" ").slice(-120) + " :: " + n.html.slice(0, 120) + " :: " + n.failureSummary.slice(60, 160))])"""
    )
    assert found == [], found
    page.context.close()  # type: ignore[attr-defined]
