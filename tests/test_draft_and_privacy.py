"""Drafts round-trip through the answers file format; identifier-like labels are spotted."""

from __future__ import annotations

import pytest

from candidacy import AnswersError, CriteriaSet, SourceFileError
from candidacy.criteria.catalogue import load_catalogue
from candidacy.draft import download_name, draft_json, load_draft, new_draft, set_answer, set_note
from candidacy.reasoning.privacy import identifier_warning

from .conftest import ROOT


def test_draft_round_trip(itb: CriteriaSet) -> None:
    draft = new_draft(itb)
    set_answer(draft, "cause", "stroke")
    set_answer(draft, "age_years", 71)
    set_note(draft, "age_years", "Seen with daughter; µ-level detail ≥ fine")
    set_note(draft, "seizures", "note before any answer")
    draft.case.label = "Stroke-meeting-02"
    text = draft_json(draft)
    again = load_draft(text.encode(), "d.json", itb)
    assert again == draft
    assert draft_json(again) == text


def test_clearing_answer_and_note_removes_the_entry(itb: CriteriaSet) -> None:
    draft = new_draft(itb)
    set_answer(draft, "cause", "stroke")
    set_answer(draft, "cause", None)
    assert "cause" not in draft.answers


def test_load_draft_refuses_bad_files(itb: CriteriaSet) -> None:
    with pytest.raises(SourceFileError):
        load_draft(b"\xff\xfe", "x.json", itb)
    with pytest.raises(AnswersError, match="criteria set 'other'"):
        load_draft(b'{"criteria": "other"}', "x.json", itb)


def test_download_name_is_safe(itb: CriteriaSet) -> None:
    draft = new_draft(itb)
    draft.case.label = "../../etc/passwd <script>"
    assert download_name(draft, "md") == "itb_pump-etc-passwd-script.md"
    draft.case.label = ""
    assert download_name(draft, "json") == "itb_pump-case.json"


@pytest.mark.parametrize(
    "label",
    ["943 476 5919", "9434765919", "born 12/03/1961", "1961-03-12", "MRN 4455667", "j.smith@example.org", "H1234567"],
)
def test_identifier_like_labels_are_flagged(label: str) -> None:
    assert identifier_warning(label) is not None


@pytest.mark.parametrize("label", ["MS-meeting-03", "Case B", "TBI referral 7", "Nov-26 #4", ""])
def test_pseudonyms_pass(label: str) -> None:
    assert identifier_warning(label) is None


def test_catalogue_keeps_valid_sets_beside_invalid_ones(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "itb.yaml").write_text((ROOT / "criteria" / "itb_pump.yaml").read_text(encoding="utf-8"))
    (folder / "bad.yaml").write_text("id: [\n")
    cat = load_catalogue(folder)
    assert list(cat.sets) == ["itb_pump"]
    assert cat.default_id == "itb_pump"
    assert list(cat.problems) == [str(folder / "bad.yaml")]
    assert load_catalogue(folder / "missing").problems
