"""The reasoning record: canonical JSON round trip, PDF content and layout, atomic writes, CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from candidacy import AnswerSet, CriteriaSet
from candidacy.cli import main
from candidacy.criteria.models import Departure
from candidacy.criteria.yamlsource import read_file
from candidacy.reports import ReportError, render, write_atomic
from candidacy.reports.departure import departure
from candidacy.reports.markdown import render_markdown
from candidacy.reports.record import build_record, parse_record
from candidacy.reports.signoff import Decision

from .conftest import ITB, ROOT
from .golden import GOLDEN, GOLDEN_IDS, answer_set

EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"
LONG_NOTE = "Crème brûlée test: dose 50 µg, MAS ≥ 3 — naïve **not bold** <b>no html</b>. " + " ".join(
    f"sentence {i} of a long note about gait, transfers and spasms." for i in range(120)
)


def _answers(path: Path | AnswerSet) -> AnswerSet:
    if isinstance(path, AnswerSet):
        return path  # a golden case (tests/golden.py)
    data = read_file(path).data
    return AnswerSet.model_validate({"criteria": "itb_pump", "answers": data["answers"], "case": data.get("case", {})})


def _pdf_text(data: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    # The running header and footer interrupt text that flows across a page break: leave them out.
    body = [
        "\n".join(line for line in page.splitlines() if not line.startswith(("Case MS-", "Case (no case label)")))
        for page in pages
    ]
    return "\n".join(body), pages


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", [a for _, a in GOLDEN], ids=GOLDEN_IDS)
def test_json_record_round_trip_is_identical(itb: CriteriaSet, path: Path) -> None:
    record = build_record(itb, _answers(path))
    text = record.to_json()
    assert parse_record(text) == record
    assert parse_record(text).to_json() == text
    assert record.format_version == "5"
    assert record.criteria.sha256 == itb.sha256


def test_pdf_holds_every_finding_note_and_source(itb: CriteriaSet) -> None:
    answer_set = _answers(EXAMPLE)
    answer_set.answers["oral_baclofen"].note = LONG_NOTE
    record = build_record(itb, answer_set)
    data = render(record, "pdf")
    assert data.startswith(b"%PDF-")
    text, pages = _pdf_text(data)
    flat = _squash(text)
    for finding in record.findings:
        assert _squash(finding.statement) in flat, finding.criterion
    for item in record.items:
        if item.applicable:
            assert _squash(item.rationale) in flat, item.criterion
    assert _squash(LONG_NOTE) in flat
    assert "Wheelchair user for 6 years; transfers with a hoist." in flat
    for source in record.sources:
        assert _squash(source.citation) in flat, source.id
    assert "Decision support for clinician review" in flat
    assert itb.sha256 in flat
    assert "Reviewer sign-off" in flat and "Signature:" in flat
    assert len(pages) > 3
    for number, page in enumerate(pages, 1):
        assert "Case MS-meeting-03" in page
        assert f"Page {number} of {len(pages)}" in page


def test_pdf_is_reproducible_byte_for_byte(itb: CriteriaSet) -> None:
    record = build_record(itb, _answers(EXAMPLE))
    assert render(record, "pdf") == render(record, "pdf")


def test_pdf_lists_items_not_applicable_with_reason(itb: CriteriaSet) -> None:
    text, _ = _pdf_text(render(build_record(itb, _answers(EXAMPLE)), "pdf"))
    assert (
        "GMFCS level (cerebral palsy) [gmfcs_level]: Applies only when 'Cause of spasticity' is 'Cerebral palsy'."
        in _squash(text)
    )


def test_markdown_is_derived_from_the_record(itb: CriteriaSet) -> None:
    record = build_record(itb, _answers(EXAMPLE))
    text = render(record, "markdown").decode()
    assert text.startswith("# Reasoning record: Intrathecal baclofen (ITB) pump")
    assert "## Every applicable item" in text and "## Review" in text
    assert render(record, "json").decode() == record.to_json()


def test_write_atomic_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="output folder does not exist"):
        write_atomic(tmp_path / "nope" / "r.pdf", b"x")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_leaves_nothing_behind_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(b"previous report")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ReportError, match="No space left on device"):
        write_atomic(target, b"new report")
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_cli_report_formats(tmp_path: Path) -> None:
    for fmt, suffix in (("pdf", "pdf"), ("markdown", "md"), ("json", "json")):
        out = tmp_path / f"r.{suffix}"
        done = CliRunner().invoke(
            main, ["report", "--criteria", str(ITB), "--answers", str(EXAMPLE), "--format", fmt, "-o", str(out)]
        )
        assert done.exit_code == 0, done.stderr
        assert out.stat().st_size > 1000
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert parse_record((tmp_path / "r.json").read_text()).case.label == "MS-meeting-03"


def test_cli_report_errors_leave_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("criteria: itb_pump\nanswers:\n  age_years: {value: 999}\n")
    out = tmp_path / "r.pdf"
    done = CliRunner().invoke(
        main, ["report", "--criteria", str(ITB), "--answers", str(bad), "--format", "pdf", "-o", str(out)]
    )
    assert done.exit_code == 2
    assert "999 is out of range" in done.stderr
    assert not out.exists()
    missing = CliRunner().invoke(
        main,
        [
            "report",
            "--criteria",
            str(ITB),
            "--answers",
            str(EXAMPLE),
            "--format",
            "pdf",
            "-o",
            str(tmp_path / "x" / "r.pdf"),
        ],
    )
    assert missing.exit_code == 2
    assert "output folder does not exist" in missing.stderr
    no_output = CliRunner().invoke(
        main, ["report", "--criteria", str(ITB), "--answers", str(EXAMPLE), "--format", "pdf"]
    )
    assert no_output.exit_code == 2
    assert "a PDF needs an output file" in no_output.stderr


def test_pdf_cuts_a_very_long_word_without_losing_characters(itb: CriteriaSet) -> None:
    answer_set = _answers(EXAMPLE)
    word = "".join(chr(ord("a") + i % 26) for i in range(5000))
    answer_set.answers["goals"].note = f"start {word} end"
    text, _ = _pdf_text(render(build_record(itb, answer_set), "pdf"))
    assert word in "".join(text.split())


def test_a_record_of_format_2_is_still_read_with_its_text_and_hash(itb: CriteriaSet) -> None:
    """Format 3 nests the assessment; a format-2 record (its fields at the top level) still reads, renders
    and keeps the exact text, so its hash is the one that was signed."""
    current = build_record(itb, _answers(EXAMPLE))
    data = json.loads(current.to_json())
    assessment = data.pop("assessment")
    for key in ("decisive_unknowns", "stages", "current_stage", "routine", "departures"):  # not in format 2
        assessment.pop(key)
    old = json.dumps({**data, **assessment, "format_version": "2"}, indent=2, ensure_ascii=False) + "\n"
    record = parse_record(old)
    assert record.format_version == "2" and record.findings == current.findings
    assert record.to_json() == old
    assert record.sha256() == hashlib.sha256(old.encode()).hexdigest()
    assert record.findings[0].statement in render_markdown(record)


def test_a_record_of_format_3_is_still_read_with_its_text_and_hash(itb: CriteriaSet) -> None:
    """Format 3 repeated the stages, decisive unknowns and current stage at the top level and knew no
    routine checks nor why an unknown is decisive: such a record still reads, renders and keeps its text."""
    current = build_record(itb, answer_set({"cause": "stroke", "oral_baclofen": "unknown", "severity": "severe"}))
    data = json.loads(current.to_json())
    assessment = data["assessment"]
    assessment.pop("routine")
    assessment.pop("departures")
    for unknown in assessment["decisive_unknowns"]:
        unknown.pop("why")
    for stage in assessment["stages"]:
        stage.pop("routine")
    for key in ("decisive_unknowns", "stages", "current_stage"):
        data[key] = assessment[key]
    old = json.dumps({**data, "format_version": "3"}, indent=2, ensure_ascii=False) + "\n"
    record = parse_record(old)
    assert record.format_version == "3" and record.findings == current.findings
    assert [u.criterion for u in record.decisive_unknowns] == [u.criterion for u in current.decisive_unknowns]
    assert record.current_stage == "screening" and record.routine == ()
    assert record.to_json() == old
    assert record.sha256() == hashlib.sha256(old.encode()).hexdigest()
    assert f"Decisive unknowns ({len(record.assessment.decisive_for('screening'))})" in render_markdown(record)
    assert '"routine"' not in old and '"why"' not in old


def test_the_record_holds_the_assessment_once(itb: CriteriaSet) -> None:
    data = json.loads(build_record(itb, _answers(EXAMPLE)).to_json())
    assert data["format_version"] == "5"
    assert not {"decisive_unknowns", "stages", "current_stage"} & set(data)
    assert {"decisive_unknowns", "stages", "current_stage", "routine"} <= set(data["assessment"])


def _decision(outcome: str) -> Decision:
    return Decision(outcome=outcome, until="a review", decided_on=dt.date(2026, 3, 4))  # type: ignore[arg-type]


def test_a_record_of_format_4_reads_its_departures_as_the_rule_of_its_time_made_them(itb: CriteriaSet) -> None:
    """Format 4 had no departures in the record: they are gathered from its findings on reading, and the
    record keeps its text and hash."""
    current = build_record(itb, answer_set({"active_infection": "yes", "cause": "stroke"}))
    data = json.loads(current.to_json())
    data["assessment"].pop("departures")
    old = json.dumps({**data, "format_version": "4"}, indent=2, ensure_ascii=False) + "\n"
    record = parse_record(old)
    assert record.to_json() == old and record.sha256() == hashlib.sha256(old.encode()).hexdigest()
    why = departure(record, _decision("screening_offered"))
    assert why is not None and why.startswith("the criteria hold back a screening test here (Active infection")
    assert departure(record, _decision("not_offered")) is None


def _with_departures(cset: CriteriaSet, rules: list[Departure]) -> CriteriaSet:
    """The set with other departure rules, built as a loaded set is (its hash covers them)."""
    data = cset.model_dump(mode="json", by_alias=True)
    data["departures"] = [r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in rules]
    return CriteriaSet.model_validate(data, strict=False)


def test_the_departure_rules_are_criteria_data(itb: CriteriaSet) -> None:
    """What departs is read from the criteria's ``departures``: a set without them sees none, and a rule's
    words and stage are its own; findings of a later stage do not count at the meeting's question."""
    answers = answer_set({"active_infection": "yes"})
    held = build_record(itb, answers)
    why = departure(held, _decision("screening_offered"))
    assert why is not None and why.startswith("the criteria hold back a screening test here (Active infection")
    assert "item(s) unanswered" in why  # the screening items still open are counted
    assert departure(held, _decision("deferred")) is None
    bare = _with_departures(itb, [])
    assert departure(build_record(bare, answers), _decision("screening_offered")) is None
    later = _with_departures(
        itb, [d.model_copy(update={"stage": "implantation", "says": "words of the rule"}) for d in itb.departures]
    )
    assert (departure(build_record(later, answers), _decision("screening_offered")) or "").startswith(
        "words of the rule"
    )
    custom = Departure.model_validate(
        {
            "id": "declined",
            "outcomes": ["not_offered"],
            "stage": "screening",
            "when": {"not": {"present": "contraindication"}},
            "says": "nothing stops it",
        }
    )
    mine = _with_departures(itb, [custom])
    assert (
        departure(build_record(mine, answer_set({"cause": "stroke"})), _decision("not_offered")) == "nothing stops it"
    )
    assert departure(build_record(mine, answers), _decision("screening_offered")) is None
