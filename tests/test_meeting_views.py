"""What the room sees, in the core: blocking first, counts with one meaning, progress per section, the
agenda line, the meeting pack's cover; and the Learn page's letter, quiz grading and submit warning."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from candidacy import CriteriaSet
from candidacy.draft import assess
from candidacy.learning.letter import referral_letter, split_items
from candidacy.learning.practice import WARN_AT, submit_warning
from candidacy.learning.quiz import answer_meaning, grade, question_at, score
from candidacy.learning.vignettes import QuizItem, load_vignettes, quiz_items
from candidacy.reasoning.answers import Answer, AnswerSet
from candidacy.reports.meeting import (
    BLOCKING_KINDS,
    agenda_entry,
    count,
    meeting_step,
    room_order,
    section_progress,
)
from candidacy.reports.pdf import render_meeting_pdf
from candidacy.reports.record import build_record

from .conftest import ROOT


def answers(**values: str | float) -> AnswerSet:
    return AnswerSet(criteria="itb_pump", answers={k: Answer(value=v) for k, v in values.items()})


def test_blocking_kinds_come_first_and_every_kind_once() -> None:
    order = [kind for kind, _ in room_order()]
    assert set(order[: len(BLOCKING_KINDS)]) == BLOCKING_KINDS
    assert order[0] == "contraindication"
    assert sorted(order) == sorted(set(order)) and "missing" in order


def test_counts_keep_unanswered_and_unknown_apart(itb: CriteriaSet) -> None:
    result = assess(itb, answers(active_infection="yes", seizures="unknown", age_years="unknown"))
    counts = count(result)
    assert counts.of("contraindication") == 1 and counts.blocking == 1
    assert counts.of("missing") == 2  # answered Unknown: missing information
    assert counts.unanswered == result.applicable - 3  # no answer at all: not yet answered
    phrases = counts.phrases()
    assert phrases[0] == "Contraindications: 1"
    assert f"Not yet answered: {counts.unanswered}" in phrases and "Missing information: 2" in phrases


def test_counts_of_a_record_equal_those_of_its_assessment(itb: CriteriaSet) -> None:
    draft = answers(active_infection="yes", distribution="focal", seizures="unknown")
    assert count(build_record(itb, draft)) == count(assess(itb, draft))


def test_section_progress_adds_up_and_points_to_the_first_open_item(itb: CriteriaSet) -> None:
    result = assess(itb, answers(cause="stroke", severity="unknown"))
    progress = section_progress(itb, result.applicable_ids, result.missing)
    assert [p.title for p in progress] == [s.title for s in itb.sections]
    assert sum(p.applicable for p in progress) == result.applicable
    assert sum(p.answered for p in progress) == result.answered
    first = progress[0]
    assert first.answered == 2 and not first.complete
    assert first.first_open == next(c.id for c in itb.sections[0].criteria if c.id not in ("cause", "severity"))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_section_progress_matches_the_total_for_any_answers(itb: CriteriaSet, data: st.DataObject) -> None:
    chosen = data.draw(
        st.lists(st.sampled_from([c.id for c in itb.criteria_by_id.values() if c.answer.type == "yes_no"]), max_size=15)
    )
    values = {cid: data.draw(st.sampled_from(["yes", "no", "unknown"])) for cid in chosen}
    result = assess(itb, answers(**values))
    progress = section_progress(itb, result.applicable_ids, result.missing)
    assert sum(p.answered for p in progress) == result.answered
    assert all((p.first_open is None) == p.complete for p in progress)


def test_agenda_entry_says_status_decision_counts_and_step(itb: CriteriaSet) -> None:
    record = build_record(itb, answers(active_infection="yes"))
    entry = agenda_entry(2, 7, "SCI-04", "ready", 1, record)
    step = meeting_step(record)
    assert step is not None and entry.step == step.step
    line = entry.line()
    assert line.startswith("2. #7 SCI-04 · ready (revision 1) · decision: not recorded · answered 1 of ")
    assert "Contraindications: 1" in line and f"next: {step.step}" in line


def test_meeting_pack_opens_with_a_cover_and_the_agenda(itb: CriteriaSet) -> None:
    first = build_record(itb, answers(active_infection="yes").model_copy(update={"case": _case("MS-03")}))
    second = build_record(itb, answers(cause="stroke").model_copy(update={"case": _case("SCI-11")}))
    agenda = [
        agenda_entry(1, 4, "MS-03", "ready", 2, first, "offer a screening test once the infection has cleared"),
        agenda_entry(2, 9, "SCI-11", "draft", 1, second),
    ]
    data = render_meeting_pdf([first, second], "Referral meeting 2026-12-03", agenda)
    pages = [(p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages]
    cover = pages[0]
    assert "Referral meeting 2026-12-03" in cover and "2 cases · meeting pack" in cover
    assert cover.index("1. MS-03") < cover.index("2. SCI-11")
    assert "(case #4)" in cover and "ready (revision 2)" in cover
    assert "offer a screening test once the infection has cleared" in cover and "not recorded" in cover
    assert "Contraindications: 1" in cover and "Not yet answered:" in cover
    assert "Reasoning record" not in cover
    assert "Case MS-03" in pages[1] and "Reasoning record" in pages[1]
    assert any("Case SCI-11" in p for p in pages[2:])


def test_meeting_pack_without_stored_cases_still_has_an_agenda(itb: CriteriaSet) -> None:
    record = build_record(itb, answers().model_copy(update={"case": _case("Draft-01")}))
    cover = (PdfReader(io.BytesIO(render_meeting_pdf([record], "Pack"))).pages[0].extract_text()) or ""
    assert "1. Draft-01" in cover and "not stored" in cover and "#0" not in cover


def _case(label: str) -> object:
    from candidacy.reasoning.answers import CaseHeader

    return CaseHeader(label=label)


# -- Learn ------------------------------------------------------------------------------------------


def test_split_items_keeps_parentheses_whole() -> None:
    assert split_items("a (b, c), d, e.") == ["a (b, c)", "d", "e"]


def test_letter_keeps_narrative_and_encloses_the_checklist() -> None:
    case = "A man walks with a stick: stiff legs, spasms, falls.\n\nChecklist, done: a, b (c, d), e, f, g, h."
    letter = referral_letter(case)
    assert letter.paragraphs == ("A man walks with a stick: stiff legs, spasms, falls.",)
    assert letter.enclosures == (("Checklist, done", ("a", "b (c, d)", "e", "f", "g", "h")),)


def test_every_word_of_every_vignette_is_shown(itb: CriteriaSet) -> None:
    for vignette in load_vignettes(ROOT / "criteria" / "vignettes" / "itb_pump", itb):
        letter = referral_letter(vignette.case)
        shown = " ".join([*letter.paragraphs, *(h + " " + " ".join(items) for h, items in letter.enclosures)])
        words = [w.strip(".,:;()") for w in vignette.case.split()]
        assert all(w in shown for w in words), vignette.id
        assert letter.paragraphs, vignette.id


@pytest.fixture(scope="module")
def items(itb: CriteriaSet) -> list[QuizItem]:
    return quiz_items(itb, load_vignettes(ROOT / "criteria" / "vignettes" / "itb_pump", itb))


def test_quiz_grades_in_the_core(itb: CriteriaSet, items: list[QuizItem]) -> None:
    item = next(i for i in items if i.criterion == "relies_on_tone" and i.answer == "yes")
    assert grade(itb, item, None) is None  # nothing chosen: not graded, not "not quite"
    right = grade(itb, item, "yes")
    wrong = grade(itb, item, "no")
    assert right is not None and right.correct and right.reference_label == "Yes"
    assert wrong is not None and not wrong.correct and wrong.given_label == "No"
    assert right.meaning == answer_meaning(itb.criteria_by_id["relies_on_tone"], itb, "yes")
    assert right.meaning.startswith("a finding under 'Factors against': ")


def test_quiz_grades_numbers_after_normalising(itb: CriteriaSet, items: list[QuizItem]) -> None:
    number = next((i for i in items if isinstance(i.answer, float)), None)
    if number is None:
        pytest.skip("no number question in the vignettes")
    graded = grade(itb, number, int(number.answer) if number.answer.is_integer() else number.answer)
    assert graded is not None and graded.correct
    outside = grade(itb, number, -12345)
    assert outside is not None and not outside.correct


@pytest.mark.parametrize("size", [1, 2, 37, 74, 296, 300])
def test_every_quiz_question_comes_up_once_a_round(items: list[QuizItem], size: int) -> None:
    pool = (items * 2)[:size]
    assert sorted(id(question_at(pool, n)) for n in range(size)) == sorted(id(i) for i in pool)


def test_quiz_order_and_score(items: list[QuizItem]) -> None:
    assert question_at(items, 0) == items[0]
    assert score({}).text() == "No question checked yet"
    assert score({0: True, 1: False, 2: True}).text() == "2 of 3 correct (67%)"


def test_submit_warning_from_a_threshold(itb: CriteriaSet) -> None:
    nearly = {c.id: "unknown" for c in itb.criteria_by_id.values() if c.answer.type == "yes_no"}
    result = assess(itb, answers(**nearly))
    unanswered = sum(1 for m in result.missing if m.status == "unanswered")
    assert (submit_warning(result) is None) == (unanswered < WARN_AT)
    empty = assess(itb, answers())
    warning = submit_warning(empty)
    assert warning is not None and warning.startswith(f"{empty.applicable} of {empty.applicable} applicable items")


def test_the_case_list_line_names_both_kinds_of_gap(itb: CriteriaSet, tmp_path: object) -> None:
    import datetime as dt

    from candidacy.identity import Identity
    from candidacy.store import CaseStore
    from candidacy.store.summary import summary_line

    store = CaseStore(f"sqlite:///{tmp_path}/cases.db", {itb.id: itb})
    who = Identity(name="Dr A", role="", source="personal")
    case_id = store.create_case(itb.id, "Gaps-01", dt.date(2026, 12, 3), who)
    draft = answers(seizures="unknown")
    store.save_all(case_id, store.get(case_id).row.lock_version, draft, who, "test")
    result = assess(itb, draft)
    line = summary_line(store.get(case_id).row)
    assert f"{len(result.missing)} not yet answered or unknown" in line
    store.close()
