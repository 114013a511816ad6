"""The room through AppTest: the summary's order, colours, links and progress; the Meeting agenda with
its dates, lines, navigation and pack; the projection page of a stored case and of the draft."""

from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from candidacy import load_criteria
from candidacy.draft import assess
from candidacy.identity import Identity
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader
from candidacy.reports.signoff import Decision
from candidacy.store import CaseStore

from .clock_support import day
from .conftest import ITB, ROOT
from .store_fixtures import app_store as store

APP = str(ROOT / "app.py")
DAY = day(2)  # the next meeting after the suite's today
LATER = day(9)


def k(role: str, name: str = "") -> str:
    return f"itb_pump-{role}-{name}"


def session() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    return app


DR_A = Identity(name="Dr A", role="Consultant", source="personal")
CSET = load_criteria(ITB)


def title(criterion: str) -> str:
    return CSET.criteria_by_id[criterion].title


def applicable(**values: str) -> int:
    """How many items apply to these answers, from the core (the criteria may grow)."""
    return assess(
        CSET, AnswerSet(criteria="itb_pump", answers={c: Answer(value=v) for c, v in values.items()})
    ).applicable


def stored(cases: CaseStore, label: str, day: dt.date | None, **values: str) -> int:
    case_id = cases.create_case("itb_pump", label, day, DR_A)
    answers = AnswerSet(
        criteria="itb_pump",
        case=CaseHeader(label=label, meeting_date=day),
        answers={c: Answer(value=v) for c, v in values.items()},
    )
    cases.save_all(case_id, cases.get(case_id).row.lock_version, answers, DR_A, "test")
    return case_id


# -- the summary -------------------------------------------------------------------------------------


def test_blocking_findings_come_first_in_red_and_say_what_they_are() -> None:
    app = session()
    app.button_group(key=k("answer", "distribution")).set_value("focal").run()  # factor against
    app.button_group(key=k("answer", "active_infection")).set_value("yes").run()  # contraindication
    app.button_group(key=k("answer", "test_risks_discussed")).set_value("no").run()  # prerequisite not met
    errors = [e.value for e in app.error]
    assert errors[0].startswith("**Contraindications (1): stands in the way")
    assert errors[1].startswith("**Prerequisites not met (1): stands in the way")
    assert "- **[Active infection](#q-active_infection)**: " in errors[0]
    warnings = [w.value.split("\n")[0] for w in app.warning]
    assert "**Factors against (1)**" in warnings
    assert any(m.value == ":red-badge[:material/block: 2 blocking finding(s)]" for m in app.markdown)
    # The blocking boxes come before the other findings on the page.
    order = [e.value.split("\n")[0] for e in app.main if hasattr(e, "value") and isinstance(e.value, str)]
    first = next(i for i, text in enumerate(order) if "Contraindications (1)" in text)
    assert first < next(i for i, text in enumerate(order) if "Factors against (1)" in text)


def test_empty_categories_share_one_line_and_gaps_are_links() -> None:
    app = session()
    app.button_group(key=k("answer", "seizures")).set_value("unknown").run()
    captions = [c.value for c in app.caption if c.value.startswith("Nothing recorded under:")]
    assert captions == [
        "Nothing recorded under: Contraindications (0), Prerequisites not met (0), Cautions (0), "
        "Factors against (0), Factors in favour (0)."
    ]
    missing = next(i.value for i in app.info if i.value.startswith("**Missing information (1)"))
    assert f"[{title('seizures')}](#q-seizures)" in missing
    open_items = applicable(seizures="unknown") - 1
    unanswered = next(m.value for m in app.markdown if m.value.startswith(f"##### Not yet answered ({open_items})"))
    assert unanswered.count("](#q-") == open_items and "[Cause of spasticity](#q-cause)" in unanswered


def test_progress_by_section_links_to_the_next_open_item() -> None:
    app = session()
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    table = next(m.value for m in app.markdown if m.value.startswith("##### Progress by section"))
    assert re.search(
        r"\| Indication and pattern of spasticity \| 1 of \d+ \| \[next open item\]\(#q-severity\) \|", table
    )
    assert "| Treatments tried | 0 of " in table


def test_every_link_to_a_question_finds_its_answer_control() -> None:
    """A link names #q-<id>; the page's one script scrolls to the control keyed <set>-answer-<id> (no
    anchor element per question: the browser test follows a link)."""
    app = session()
    scripts = [h.proto for h in app.get("html") if "candidacyQuestionLinks" in h.proto.body]
    assert len(scripts) == 1 and scripts[0].unsafe_allow_javascript
    texts = [e.value for kind in (app.markdown, app.error, app.warning, app.info, app.caption) for e in kind]
    targets = set(re.findall(r"\]\(#q-([a-z0-9_]+)\)", "\n".join(texts)))
    controls = {w.key for w in app.button_group} | {w.key for w in app.number_input}
    assert "cause" in targets and len(targets) > 20
    assert {f"itb_pump-answer-{t}" for t in targets} <= controls


# -- the Meeting page -------------------------------------------------------------------------------


def test_meeting_page_offers_the_dates_that_have_cases() -> None:
    cases = store()
    first = stored(cases, "MS-meeting-03", DAY, active_infection="yes")
    second = stored(cases, "SCI-meeting-04", DAY, seizures="unknown")
    stored(cases, "Later-01", LATER)
    stored(cases, "Undated-01", None)
    app = session()
    app.switch_page("views/meeting.py").run()
    assert not app.exception
    dates = app.selectbox(key="meeting-date")
    assert dates.options == [f"{LATER} (1 case)", f"{DAY} (2 cases)"]
    assert dates.value == DAY  # the next meeting to come, by the clock
    dates.set_value(DAY).run()
    lines = [m.value for m in app.markdown if m.value.startswith("**1. ") or m.value.startswith("**2. ")]
    assert len(lines) == 2
    assert (
        lines[0].startswith(f"**1. MS-meeting-03** `#{first}` ")
        and ":red-badge[:material/block: 1 blocking]" in lines[0]
    )
    total = applicable(active_infection="yes")
    assert "· **Status:** draft (revision 1) · **Decision:** not recorded  \n" in lines[0]
    assert f"**Answered:** 1 of {total} · **Findings:** Contraindications: 1, Not yet answered: {total - 1}" in lines[0]
    step = assess(CSET, AnswerSet(criteria="itb_pump", answers={"active_infection": Answer(value="yes")})).next_steps
    assert f"**Step for the meeting:** {step[0].step}" in lines[0]
    # "Missing information" counts only items answered Unknown, as in the summary.
    gaps = f"Not yet answered: {applicable(seizures='unknown') - 1}, Missing information: 1"
    assert gaps in lines[1] and f"`#{second}`" in lines[1]


def test_meeting_page_default_date_is_the_next_meeting() -> None:
    from candidacy.ui.meeting_page import default_date

    dates = [dt.date(2026, 12, 10), dt.date(2026, 12, 3), dt.date(2026, 11, 1)]
    assert default_date(dates, dt.date(2026, 12, 1)) == dt.date(2026, 12, 3)
    assert default_date(dates, dt.date(2026, 12, 3)) == dt.date(2026, 12, 3)
    assert default_date(dates, dt.date(2027, 1, 1)) == dt.date(2026, 12, 10)


def _now(app: AppTest) -> str:
    return next((m.value for m in app.markdown if m.value.startswith("**Now discussing:**")), "")


def _links(app: AppTest) -> dict[str, tuple[str, str]]:
    """Each agenda link's label and case -> (page address, query string), as the browser gets them."""
    out = {}
    for link in app.get("page_link"):
        out[f"{link.proto.label} {link.proto.query_string}"] = (link.proto.page, link.proto.query_string)
    return out


def test_previous_and_next_walk_the_agenda() -> None:
    cases = store()
    for n in range(3):
        stored(cases, f"Case-{n}", DAY)
    app = session()
    app.switch_page("views/meeting.py").run()
    app.selectbox(key="meeting-date").set_value(DAY).run()

    assert _now(app) == ""
    app.button(key="meeting-next").click().run()
    assert _now(app) == "**Now discussing:** case 1 of 3"
    app.button(key="meeting-next").click().run()
    app.button(key="meeting-next").click().run()
    app.button(key="meeting-next").click().run()  # stays on the last case
    assert _now(app) == "**Now discussing:** case 3 of 3"
    app.button(key="meeting-previous").click().run()
    assert _now(app) == "**Now discussing:** case 2 of 3"
    line = next(m.value for m in app.markdown if m.value.startswith("**2. Case-1**"))
    assert ":blue-badge[:material/record_voice_over: now]" in line
    app.button(key="meeting-previous").click().run()
    app.button(key="meeting-previous").click().run()  # stays on the first case
    assert _now(app) == "**Now discussing:** case 1 of 3"


def test_each_agenda_line_links_to_the_case_and_its_projection() -> None:
    """Open and Project are links with the case's address (no callback), so a new tab, a copy or a
    bookmark work as a click does; the case opened becomes the one the meeting is discussing."""
    cases = store()
    ids = [stored(cases, f"Case-{n}", DAY) for n in range(3)]
    app = session()
    app.switch_page("views/meeting.py").run()
    app.selectbox(key="meeting-date").set_value(DAY).run()
    links = _links(app)
    for case_id in ids:
        assert links[f"Open case={case_id}"] == ("", f"case={case_id}")  # the assessment page: /?case=N
        assert links[f"Project case={case_id}"] == ("projection", f"case={case_id}")
    assert len(links) == 2 * len(ids)
    assert not [b for b in app.button if b.key and b.key.startswith("agenda-")]  # links, not buttons

    # Following the link (what the browser does): the assessment page opens the case it names.
    app.query_params.clear()
    app.query_params["case"] = str(ids[1])
    app.switch_page("views/assess.py").run()
    assert not app.exception
    assert app.title[0].value == "Assess a case"
    assert app.text_input(key=k("case", "label")).value == "Case-1"
    assert any(m.value.startswith(f"**Stored case #{ids[1]}") for m in app.markdown)

    # Back on the agenda, the case just opened is the one being discussed; Next moves on from it.
    app.query_params.clear()
    app.switch_page("views/meeting.py").run()
    assert app.selectbox(key="meeting-date").value == DAY
    assert _now(app) == "**Now discussing:** case 2 of 3"
    app.button(key="meeting-next").click().run()
    assert _now(app) == "**Now discussing:** case 3 of 3"
    app.run()  # the open case has not changed: the chair's choice stays
    assert _now(app) == "**Now discussing:** case 3 of 3"


def test_meeting_address_with_a_case_opens_that_case() -> None:
    """Streamlit writes the Open link as the relative ``?case=N``; opened in a new tab from the
    Meeting page, that is ``/meeting?case=N``, which must land on the case too."""
    cases = store()
    case_id = stored(cases, "Forwarded-01", DAY)
    app = session()
    app.query_params.clear()
    app.query_params["case"] = str(case_id)
    app.switch_page("views/meeting.py").run()
    assert not app.exception
    assert app.title[0].value == "Assess a case"
    assert app.text_input(key=k("case", "label")).value == "Forwarded-01"
    assert app.query_params["case"] in (str(case_id), [str(case_id)])


def test_meeting_date_is_kept_in_the_address() -> None:
    cases = store()
    stored(cases, "Early-01", DAY)
    later = LATER
    stored(cases, "Later-01", later)
    app = session()
    app.query_params.clear()
    app.query_params["date"] = later.isoformat()  # a bookmark or a reload of /meeting?date=<later>
    app.switch_page("views/meeting.py").run()
    assert app.selectbox(key="meeting-date").value == later
    assert any(s.value.startswith(f"Agenda, {LATER}: 1 case") for s in app.subheader)
    app.selectbox(key="meeting-date").set_value(DAY).run()  # picking a date writes it to the address
    assert app.query_params["date"] in (DAY.isoformat(), [DAY.isoformat()])
    assert app.selectbox(key="meeting-date").value == DAY
    # Another page and back through the bare page address: the date shown last stays.
    app.query_params.clear()
    app.switch_page("views/cases.py").run()
    app.query_params.clear()
    app.switch_page("views/meeting.py").run()
    assert app.selectbox(key="meeting-date").value == DAY
    assert "date" not in app.query_params  # a bare address stays bare: no second history entry
    # Back/forward: the address changes alone, and the page follows it.
    app.query_params["date"] = later.isoformat()
    app.run()
    assert app.selectbox(key="meeting-date").value == later


def test_a_meeting_address_naming_no_meeting_says_so() -> None:
    stored(store(), "Early-01", DAY)
    for raw, said in (
        ("2026-13-40", "is not a date"),
        ("2031-01-01", "No stored case has the meeting date 2031-01-01"),
    ):
        app = session()
        app.query_params.clear()
        app.query_params["date"] = raw
        app.switch_page("views/meeting.py").run()
        assert not app.exception
        assert any(said in e.value for e in app.error), [e.value for e in app.error]
        assert app.selectbox(key="meeting-date").value == DAY
        assert app.query_params["date"] in (DAY.isoformat(), [DAY.isoformat()])


def test_meeting_pack_from_the_page_has_cover_and_every_record() -> None:
    cases = store()
    for label in ("MS-meeting-03", "SCI-meeting-04"):
        stored(cases, label, DAY)
    from candidacy.reports.pdf import render_meeting_pdf
    from candidacy.ui.meeting_page import agenda

    entries = agenda(cases, DAY)
    data = render_meeting_pdf([r for _, r in entries], "Referral meeting", [e for e, _ in entries])
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]
    assert "1. MS-meeting-03" in pages[0] and "2. SCI-meeting-04" in pages[0]
    assert "draft (revision 1)" in pages[0]
    assert sum("Reasoning record" in p for p in pages) == 2
    app = session()
    app.switch_page("views/meeting.py").run()
    assert [b.key for b in app.get("download_button")] == ["download-meeting-pdf"]


def test_meeting_page_without_dated_cases_says_where_to_add_them() -> None:
    stored(store(), "Undated-01", None)
    app = session()
    app.switch_page("views/meeting.py").run()
    assert any("No stored case has a meeting date yet" in i.value for i in app.info)


# -- the projection page ----------------------------------------------------------------------------


def test_projection_of_a_stored_case() -> None:
    cases = store()
    first = stored(cases, "MS-meeting-03", DAY, active_infection="yes", distribution="focal")
    second = stored(cases, "SCI-meeting-04", DAY)
    app = session()
    app.query_params["case"] = str(first)
    app.switch_page("views/projection.py").run()
    assert not app.exception
    texts = [m.value for m in app.markdown]
    assert "# Case MS-meeting-03" in texts
    assert any(t.startswith(f"case #{first} · meeting {DAY} · draft (revision 1) · answered 2 of ") for t in texts)
    step = assess(CSET, AnswerSet(criteria="itb_pump", answers={"active_infection": Answer(value="yes")})).next_steps
    assert any(i.value.startswith(f"Step for the meeting's question: {step[0].step[:40]}") for i in app.info)
    assert app.error[0].value.startswith("**Contraindications (1)**")
    assert app.warning[0].value.startswith("**Factors against (1)**")
    assert ":grey[**Team decision:** not yet recorded]" in texts
    assert not [b for b in app.button if b.key == "projection-previous"]
    app.button(key="projection-next").click().run()
    assert "# Case SCI-meeting-04" in [m.value for m in app.markdown]
    assert app.query_params["case"] in (str(second), [str(second)])


def test_projection_of_the_unsaved_draft() -> None:
    app = session()
    app.text_input(key=k("case", "label")).input("Draft-07").run()
    app.button_group(key=k("answer", "seizures")).set_value("unknown").run()
    app.switch_page("views/projection.py").run()
    assert not app.exception
    texts = [m.value for m in app.markdown]
    assert "# Case Draft-07" in texts
    total = applicable(seizures="unknown")
    assert any(t.startswith(f"meeting no meeting date · unsaved draft · answered 1 of {total}") for t in texts)
    gaps = next(t for t in texts if t.startswith("**:orange[:material/help: Gaps]**"))
    assert f"**{total - 1}** not yet answered" in gaps
    assert f"**1** missing information (answered Unknown): {title('seizures')}" in gaps


def test_projection_of_a_missing_case_is_a_clear_message() -> None:
    app = session()
    app.query_params["case"] = "999"
    app.switch_page("views/projection.py").run()
    assert not app.exception
    assert any(e.value.startswith("This case cannot be shown:") for e in app.error)


def test_a_recorded_team_decision_shows_on_the_agenda_and_the_projection() -> None:
    cases = store()
    case_id = stored(cases, "Decided-01", DAY, active_infection="yes")
    decision = Decision(
        outcome="deferred", until="the infection has cleared", reasons="infection first", decided_on=DAY
    )
    cases.save_decision(case_id, cases.get(case_id).row.lock_version, decision, DR_A)
    app = session()
    app.switch_page("views/meeting.py").run()
    app.selectbox(key="meeting-date").set_value(DAY).run()
    line = next(m.value for m in app.markdown if m.value.startswith("**1. Decided-01**"))
    assert f"**Decision:** Deferred until the infection has cleared ({DAY})" in line
    app.query_params["case"] = str(case_id)
    app.switch_page("views/projection.py").run()
    assert not app.exception
    assert [s.value for s in app.success] == [f"**Team decision:** Deferred until the infection has cleared ({DAY})"]


def test_counts_mean_the_same_on_every_screen() -> None:
    """One case's answered, not-yet-answered, Unknown and blocking counts: the same on the summary, the
    agenda line, the projection and the Cases list (which names both kinds of gap together)."""
    cases = store()
    values = {"cause": "stroke", "active_infection": "yes", "seizures": "unknown", "coagulation": "unknown"}
    case_id = stored(cases, "Counts-01", DAY, **values)
    total = applicable(**values)
    answered, unknown, open_items = len(values), 2, total - len(values)
    app = session()
    app.query_params.clear()
    app.query_params["case"] = str(case_id)
    app.switch_page("views/assess.py").run()
    assert f"Answered {answered} of {total} applicable items" in [p.proto.text for p in app.get("progress")]
    assert any(m.value.startswith(f"##### Not yet answered ({open_items})") for m in app.markdown)
    assert any(i.value.startswith(f"**Missing information ({unknown})") for i in app.info)
    assert app.error[0].value.startswith("**Contraindications (1)")

    app.query_params.clear()
    app.switch_page("views/meeting.py").run()
    line = next(m.value for m in app.markdown if m.value.startswith("**1. Counts-01**"))
    assert f"**Answered:** {answered} of {total}" in line
    assert f"Not yet answered: {open_items}" in line and f"Missing information: {unknown}" in line, line
    assert ":red-badge[:material/block: 1 blocking]" in line

    app.query_params["case"] = str(case_id)
    app.switch_page("views/projection.py").run()
    texts = [m.value for m in app.markdown]
    assert any(f"answered {answered} of {total} applicable items" in t for t in texts)
    gaps = next(t for t in texts if t.startswith("**:orange[:material/help: Gaps]**"))
    assert f"**{open_items}** not yet answered" in gaps and f"**{unknown}** missing information" in gaps
    assert app.error[0].value.startswith("**Contraindications (1)**")

    app.query_params.clear()
    app.switch_page("views/cases.py").run()
    row = next(m.value for m in app.markdown if "Counts-01" in m.value and "contraindication(s)" in m.value)
    assert f"1 contraindication(s), 0 factor(s) against, {open_items + unknown} not yet answered or unknown" in row


def test_decisive_unknowns_are_links_to_their_questions() -> None:
    """The items whose answer could change the step for the meeting's question: each a link to its question."""
    app = session()
    app.button_group(key=k("answer", "active_infection")).set_value("unknown").run()
    result = assess(CSET, AnswerSet(criteria="itb_pump", answers={"active_infection": Answer(value="unknown")}))
    decisive = result.decisive_for(result.current_stage) if result.current_stage else list(result.decisive_unknowns)
    assert decisive
    box = next(w.value for w in app.warning if w.value.startswith(f"**Decisive unknowns ({len(decisive)})"))
    lines = box.split("\n\n", 1)[1].split("\n")
    assert len(lines) == len(decisive) == box.count("](#q-")
    for number, (line, unknown) in enumerate(zip(lines, decisive, strict=True), 1):  # ranked as the engine ranks
        how = "answered Unknown" if unknown.status == "unknown" else "not yet answered"
        assert line == f"{number}. **[{title(unknown.criterion)}](#q-{unknown.criterion})** ({how}): {unknown.why}"
    assert lines[0].startswith("1. **[Active infection](#q-active_infection)** (answered Unknown): 'Yes' would stand")


def test_a_link_from_the_agenda_opens_its_case_after_another_was_opened_by_address() -> None:
    """A case opened by its address leaves no move pending that would reopen it over the next link."""
    cases = store()
    first, second = stored(cases, "First-01", DAY), stored(cases, "Second-01", DAY)
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["case"] = str(first)
    app.run()
    assert app.text_input(key=k("case", "label")).value == "First-01"
    app.query_params.clear()
    app.switch_page("views/meeting.py").run()
    assert "case" not in app.query_params  # a session with a case open is not forwarded
    assert app.title[0].value == "Meeting"
    app.query_params.clear()
    app.query_params["case"] = str(second)  # the agenda's Open link
    app.switch_page("views/assess.py").run()
    assert app.text_input(key=k("case", "label")).value == "Second-01"
    assert app.query_params["case"] in (str(second), [str(second)])


def test_projection_with_no_case_open_asks_which_case_and_shows_no_empty_draft() -> None:
    cases = store()
    first = stored(cases, "MS-meeting-03", DAY, active_infection="yes")
    app = session()
    app.switch_page("views/projection.py").run()
    assert not app.exception
    texts = [m.value for m in app.markdown]
    assert not [t for t in texts if t.startswith("# Case")]  # no empty draft projected
    assert not [t for t in texts if "No contraindication" in t]  # and no reassuring tick
    chooser = app.selectbox(key="projection-choose")
    assert chooser.value is None and any("MS-meeting-03" in option for option in chooser.options)
    chooser.set_value(first).run()
    assert not app.exception
    assert "# Case MS-meeting-03" in [m.value for m in app.markdown]
    assert app.query_params["case"] in (str(first), [str(first)])


def test_projection_gives_no_tick_while_items_are_open_and_counts_the_decisive_unknowns() -> None:
    app = session()
    app.text_input(key=k("case", "label")).input("Draft-08").run()
    app.switch_page("views/projection.py").run()
    texts = [m.value for m in app.markdown]
    assert not [t for t in texts if ":green-badge" in t]
    assert any(t.startswith("No contraindication or unmet prerequisite recorded so far; ") for t in texts)
    result = assess(CSET, AnswerSet(criteria="itb_pump"))
    waiting = next(s for s in result.next_steps if s.status == "pending").awaiting
    step = next(i.value for i in app.info if i.value.startswith("Step for the meeting's question:"))
    assert step.endswith(f"once these are known: {len(waiting)} items, named among the decisive unknowns under Gaps.")
