"""The filed PDF record says who and what: page 1 carries the case header with the assessor, the step
for the meeting's question, the team decision and the sign-off status; the decision and signature
block stay together on one page; the running header never overprints; no character is dropped."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader

from candidacy import CriteriaSet
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader
from candidacy.reports.pdf import render_pdf
from candidacy.reports.pdf_layout import FAMILY, RUNNING_NOTE, Document
from candidacy.reports.record import Record, build_record
from candidacy.reports.signoff import Decision, SignOff

from .golden import GOLDEN

HEADER = CaseHeader(label="MS-meeting-03", assessor="Dr A. Example", role="Consultant neurologist")


def _record(itb: CriteriaSet, case: CaseHeader = HEADER, **answers: Answer) -> Record:
    return build_record(itb, AnswerSet(criteria=itb.id, version=itb.version, case=case, answers=dict(answers)))


def _signed(record: Record) -> Record:
    sign = SignOff(
        reviewer="Dr R. Reviewer",
        role="Consultant in rehabilitation",
        source="personal",
        signed_at=dt.datetime(2026, 12, 3, 10, 15, 0, tzinfo=dt.UTC),
        signed_at_local="2026-12-03T10:15:00+00:00",
        revision=2,
    )
    return record.model_copy(update={"sign_off": sign})


def _pages(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_page_one_of_an_unsigned_record_names_the_assessor_the_step_and_says_not_signed(itb: CriteriaSet) -> None:
    record = build_record(itb, GOLDEN[0][1].model_copy(update={"case": HEADER}))
    first = _pages(render_pdf(record))[0]
    assert "Assessor: Dr A. Example (Consultant neurologist)" in first
    step = next(s for s in record.next_steps if s.stage == record.current_stage)
    assert "Step for the meeting's question" in first and " ".join(step.step.split())[:60] in first
    assert "Team decision: not recorded" in first
    assert "Sign-off: not signed" in first


def test_a_record_without_an_assessor_says_so_on_page_one(itb: CriteriaSet) -> None:
    first = _pages(render_pdf(_record(itb, CaseHeader(label="X-1"))))[0]
    assert "Assessor: not recorded" in first


def test_page_one_of_a_signed_record_differs_and_names_decision_signer_time_and_hash(itb: CriteriaSet) -> None:
    decision = Decision(outcome="deferred", until="tone reassessed", decided_on=dt.date(2026, 12, 3))
    unsigned = _record(itb).model_copy(update={"decision": decision})
    signed = _signed(unsigned)
    first_unsigned, first_signed = _pages(render_pdf(unsigned))[0], _pages(render_pdf(signed))[0]
    assert first_signed != first_unsigned
    assert "Team decision: Deferred until tone reassessed (2026-12-03)" in first_signed
    assert "signed by Dr R. Reviewer (Consultant in rehabilitation" in first_signed
    assert "2026-12-03 10:15:00 UTC, revision 2" in first_signed
    assert f"Revision hash: {signed.sha256()}" in first_signed
    assert "The revision hash is the SHA-256 of this record's canonical JSON" in first_signed  # what it covers
    last = _pages(render_pdf(signed))[-1]
    assert "team decision and this sign-off" in last  # said beside the hash in the sign-off block too


@pytest.mark.parametrize("signed", [False, True])
def test_the_decision_and_signature_block_share_one_page_wherever_the_text_before_ends(
    itb: CriteriaSet, signed: bool
) -> None:
    """A note one line longer each time moves the end of the text before the block down the last page
    by one line, through every position: the block is never split, never alone on the last page."""
    seen_last_pages = set()
    for lines in range(0, 48, 3):
        note = " ".join(
            f"line {n} of the note, written to fill exactly one printed line of the record." for n in range(lines)
        )
        record = _record(itb, ambulatory=Answer(value="no", note=note))
        pages = _pages(render_pdf(_signed(record) if signed else record))
        seen_last_pages.add(len(pages))
        last = pages[-1]
        assert "Team decision" in last and "Reviewer sign-off" in last, (lines, last[:200])
        if signed:
            assert "Reviewer: Dr R. Reviewer" in last and "Revision hash" in last
        else:
            assert all(f"{label}:" in last for label in ("Outcome", "Name", "Role", "Signature"))
            assert not any("Signature:" in page for page in pages[:-1])
    assert len(seen_last_pages) >= 2  # the block did cross a page boundary in the run


def _header_runs(data: bytes, page_number: int) -> list[tuple[str, float, float]]:
    """(text, x, font size) of what is drawn in the top 24 mm of a page (the running header)."""
    page = PdfReader(io.BytesIO(data)).pages[page_number]
    top = float(page.mediabox.top)
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        y = tm[5] * cm[3] + cm[5]
        if text.strip() and y > top - 24 / 25.4 * 72:
            runs.append((text, tm[4] * cm[0] + cm[4], size * tm[0]))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("label", ["W" * 120, "MS-" + "lengthy label words " * 6 + "end"])
def test_a_label_of_120_characters_is_shortened_in_the_running_header_and_whole_on_page_one(
    itb: CriteriaSet, label: str
) -> None:
    label = label[:120]
    data = render_pdf(_record(itb, CaseHeader(label=label, assessor="Dr A")))
    pages = _pages(data)
    assert label in pages[0].replace(" ", "") or label in pages[0]  # whole on page 1 (wrapped)
    runs = _header_runs(data, 1)
    left = next(r for r in runs if r[0].startswith("Case "))
    right = next(r for r in runs if RUNNING_NOTE in r[0])
    assert "…" in left[0] and label not in left[0]
    probe = Document(_record(itb))
    probe.add_page()
    probe.set_font(FAMILY, "", 8)
    pt_per_mm = 72 / 25.4
    left_end = left[1] + probe.get_string_width(left[0]) * pt_per_mm
    assert left_end < right[1], "the label overprints the running header's right-hand text"
    assert right[1] + probe.get_string_width(RUNNING_NOTE) * pt_per_mm <= (probe.w - probe.r_margin) * pt_per_mm + 1


def test_characters_the_font_cannot_draw_are_printed_as_code_points_never_dropped(itb: CriteriaSet) -> None:
    full_width = _pages(render_pdf(_record(itb, CaseHeader(label="ＭＳ-03 🙂", assessor="Dr A"))))
    plain = _pages(render_pdf(_record(itb, CaseHeader(label="MS-03 🙂", assessor="Dr A"))))
    assert "Case: [U+FF2D][U+FF33]-03 [U+1F642]" in full_width[0]
    assert "Case: MS-03 [U+1F642]" in plain[0]
    assert full_width[0] != plain[0]  # two different labels never print alike
    assert "[U+FF2D][U+FF33]-03" in full_width[1]  # the running header too
