"""Worksheets in the store: saved as typed with a field-by-field audit in the case's hash chain,
confirmed once (then frozen and hash-checked), and the confirmed outcome becomes the case's answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DatabaseError

from candidacy import clock
from candidacy.case import CaseContent, Context, apply_change
from candidacy.case.worksheet_changes import ConfirmOutcome
from candidacy.criteria.loader import load_criteria
from candidacy.identity import Identity
from candidacy.screening.loader import load_worksheet
from candidacy.screening.ward import choose_definition, give_dose, set_value
from candidacy.store import CaseStore, FrozenError, StoreError, TamperError
from candidacy.store.screening import ScreeningStore
from candidacy.store.tables import screening_worksheets
from candidacy.store.verify import verify

from .screening_support import EXAMPLE, ROOT, START, protocol

ME = Identity(name="Dr A. Example", role="Consultant", source="personal")
NURSE = Identity(name="N. Example", role="Ward nurse", source="personal")


@pytest.fixture
def stores(tmp_path: Path) -> tuple[CaseStore, ScreeningStore]:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    cases = CaseStore(f"sqlite:///{tmp_path / 'db.sqlite'}", {cset.id: cset})
    proto = protocol()
    return cases, ScreeningStore(cases, {proto.id: proto})


def test_saved_as_typed_with_every_field_in_the_chained_audit(stores: tuple[CaseStore, ScreeningStore]) -> None:
    cases, screening = stores
    proto = protocol()
    case_id = cases.create_case("itb_pump", "T-9", None, ME)
    ws_id = screening.create(case_id, proto.id, ME)
    stored = screening.get(ws_id)
    ws = choose_definition(proto, stored.worksheet, "mean_lower_limb_ashworth_1", ME, START - dt.timedelta(hours=2))
    lock = screening.save(ws_id, stored.lock_version, ws, ME)
    ws = give_dose(proto, ws, 50, ME, START)
    lock = screening.save(ws_id, lock, ws, ME)
    typed = set_value(proto, ws, 0, 0, "spasms", "3", NURSE, START - dt.timedelta(minutes=5))
    lock = screening.save(ws_id, lock, typed, NURSE)
    assert screening.get(ws_id).worksheet.doses[0].observations[0].spasms == "3"
    trail = cases.audit_trail(case_id)
    spasm = [e for e in trail if e.item and e.item.endswith("observations.0h.spasms")]
    assert len(spasm) == 1 and spasm[0].new == "3" and spasm[0].actor == "N. Example"
    assert any(e.item == f"ws{ws_id}:plan.definition" and e.new == "mean_lower_limb_ashworth_1" for e in trail)
    assert verify(cases.engine).ok  # the chain holds with the worksheet rows in it


def test_confirming_writes_the_case_answer_with_the_worksheet_as_evidence(
    stores: tuple[CaseStore, ScreeningStore],
) -> None:
    cases, screening = stores
    proto = protocol()
    case_id = cases.create_case("itb_pump", "MS-2026-014", None, ME)
    ws_id = screening.create(case_id, proto.id, ME)
    lock = screening.save(ws_id, 1, load_worksheet(EXAMPLE, proto), ME)
    case_lock = cases.get(case_id).row.lock_version
    lock, case_lock = screening.confirm(ws_id, lock, "positive_function_kept", "", ME, case_lock)
    answers = cases.get(case_id).answers.answers
    assert answers["screening_test"].value == "positive"
    assert f"From screening worksheet {ws_id}" in answers["screening_test"].note
    assert answers["screening_definition"].value == "ashworth_1"
    assert answers["screening_reaction"].value == "mild_transient"  # the headache after 75 micrograms
    stored = screening.get(ws_id)
    assert stored.status == "confirmed" and stored.content_hash
    with pytest.raises(FrozenError):
        screening.save(ws_id, lock, stored.worksheet, ME)
    lock = screening.reopen(ws_id, lock, "a 4 h value was typed in the wrong row", ME)
    assert screening.get(ws_id).worksheet.plan.amendments[-1].reason == "a 4 h value was typed in the wrong row"


def test_a_confirmed_worksheet_changed_outside_the_app_is_refused(stores: tuple[CaseStore, ScreeningStore]) -> None:
    cases, screening = stores
    proto = protocol()
    case_id = cases.create_case("itb_pump", "T-3", None, ME)
    ws_id = screening.create(case_id, proto.id, ME)
    lock = screening.save(ws_id, 1, load_worksheet(EXAMPLE, proto), ME)
    screening.confirm(ws_id, lock, "positive_function_kept", "", ME, cases.get(case_id).row.lock_version)
    stored = screening.get(ws_id)
    forged = stored.worksheet.model_copy(deep=True)
    forged.doses[1].micrograms = 100
    with pytest.raises(DatabaseError, match="frozen"), cases.engine.begin() as conn:  # the database refuses
        conn.execute(update(screening_worksheets).values(content=forged.model_dump_json()))
    with cases.engine.begin() as conn:  # someone allowed to drop the trigger
        conn.execute(text("DROP TRIGGER worksheets_confirmed_update"))
        conn.execute(update(screening_worksheets).values(content=forged.model_dump_json()))
    with pytest.raises(TamperError):
        screening.get(ws_id)
    assert "does not match the hash it was confirmed with" in " ".join(verify(cases.engine).lines())


def test_a_backup_carries_the_worksheets_and_refuses_a_changed_one(
    stores: tuple[CaseStore, ScreeningStore], tmp_path: Path
) -> None:
    import io
    import json

    cases, screening = stores
    proto = protocol()
    case_id = cases.create_case("itb_pump", "MS-2026-015", None, ME)
    ws_id = screening.create(case_id, proto.id, ME)
    lock = screening.save(ws_id, 1, load_worksheet(EXAMPLE, proto), ME)
    screening.confirm(ws_id, lock, "positive_function_kept", "", ME, cases.get(case_id).row.lock_version)
    buffer = io.StringIO()
    cases.export_jsonl(buffer)
    lines = buffer.getvalue().splitlines()
    restored = CaseStore(f"sqlite:///{tmp_path / 'restored.db'}", cases.criteria)
    assert restored.import_jsonl(iter(lines)) == 1
    assert ScreeningStore(restored, {proto.id: proto}).get(ws_id).worksheet == screening.get(ws_id).worksheet
    assert verify(restored.engine).head == verify(cases.engine).head
    doc = json.loads(lines[-1])
    doc["screening_worksheets"][0]["content"] = doc["screening_worksheets"][0]["content"].replace("75", "50")
    lines[-1] = json.dumps(doc)
    forged = CaseStore(f"sqlite:///{tmp_path / 'forged.db'}", cases.criteria)
    with pytest.raises(StoreError, match=rf"line {len(lines)}: case {case_id}: screening worksheet {ws_id} does not"):
        forged.import_jsonl(iter(lines))


def _confirmable(stores: tuple[CaseStore, ScreeningStore], label: str) -> tuple[int, int, int, int]:
    cases, screening = stores
    proto = protocol()
    case_id = cases.create_case("itb_pump", label, None, ME)
    ws_id = screening.create(case_id, proto.id, ME)
    lock = screening.save(ws_id, 1, load_worksheet(EXAMPLE, proto), ME)
    return case_id, ws_id, lock, cases.get(case_id).row.lock_version


def test_a_tolerated_dose_answers_an_open_hypersensitivity_question_and_never_a_recorded_one(
    stores: tuple[CaseStore, ScreeningStore],
) -> None:
    cases, screening = stores
    case_id, ws_id, lock, case_lock = _confirmable(stores, "T-open")
    case_lock = cases.save_answer(case_id, case_lock, "baclofen_hypersensitivity", "unknown", ME)
    case_lock = cases.save_note(case_id, case_lock, "baclofen_hypersensitivity", "GP letter: 'allergy?'", ME)
    screening.confirm(ws_id, lock, "positive_function_kept", "", ME, case_lock)
    settled = cases.get(case_id).answers.answers["baclofen_hypersensitivity"]
    assert settled.value == "none"
    assert settled.note.startswith("GP letter: 'allergy?'\n") and f"Worksheet {ws_id}." in settled.note
    case_id, ws_id, lock, case_lock = _confirmable(stores, "T-recorded")
    case_lock = cases.save_answer(case_id, case_lock, "baclofen_hypersensitivity", "intolerance_only", ME)
    screening.confirm(ws_id, lock, "positive_function_kept", "", ME, case_lock)
    assert cases.get(case_id).answers.answers["baclofen_hypersensitivity"].value == "intolerance_only"


def test_a_confirmation_whose_last_write_fails_changes_nothing(
    stores: tuple[CaseStore, ScreeningStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases, screening = stores
    case_id, ws_id, lock, case_lock = _confirmable(stores, "T-fail")
    before = cases.get(case_id)
    trail = len(cases.audit_trail(case_id))

    def broken(*_args: object, **_kwargs: object) -> int:
        raise StoreError("the disk is full")

    monkeypatch.setattr(ScreeningStore, "_write", broken)
    with pytest.raises(StoreError, match="disk is full"):
        screening.confirm(ws_id, lock, "positive_function_kept", "", ME, case_lock)
    after = cases.get(case_id)
    assert after.answers == before.answers and after.row.lock_version == before.row.lock_version
    assert "screening_test" not in after.answers.answers
    assert len(cases.audit_trail(case_id)) == trail
    stored = screening.get(ws_id)
    assert stored.status == "open" and stored.worksheet.confirmation is None and stored.lock_version == lock
    assert verify(cases.engine).ok


def test_a_confirmation_is_stored_exactly_as_the_change_function_applies_it(
    stores: tuple[CaseStore, ScreeningStore],
) -> None:
    cases, screening = stores
    case_id, ws_id, lock, case_lock = _confirmable(stores, "T-same")
    case_lock = cases.mark_ready(case_id, case_lock, ME)
    stored = screening.get(ws_id)
    content = CaseContent(cases.get(case_id).answers, "ready", worksheets={ws_id: stored.worksheet}, case_id=case_id)
    proto = protocol()
    context = Context(cases.criteria["itb_pump"], ME, clock.now().replace(microsecond=0), {proto.id: proto})
    applied = apply_change(content, ConfirmOutcome(ws_id, "positive_function_kept"), context)
    rows = len(cases.audit_trail(case_id))
    lock, case_lock = screening.confirm(ws_id, lock, "positive_function_kept", "", ME, case_lock)
    written = [(e.action, e.item, e.old, e.new) for e in cases.audit_trail(case_id)[rows:]]
    steps = [(step.action, *astuple(step.lines[0])) for step in applied.earlier]
    assert written == steps + [("screening", *astuple(line)) for line in applied.lines]
    after = cases.get(case_id)
    assert after.answers == applied.content.answers and after.row.status == applied.content.status == "draft"
    assert case_lock == after.row.lock_version == cases.get(case_id).row.lock_version
    assert screening.get(ws_id).worksheet == applied.content.worksheet(ws_id)
    assert verify(cases.engine).ok


def test_a_confirmation_is_refused_without_the_case_lock_version(stores: tuple[CaseStore, ScreeningStore]) -> None:
    cases, screening = stores
    case_id, ws_id, lock, _ = _confirmable(stores, "T-lockless")
    with pytest.raises(StoreError, match="needs its lock version"):
        screening.apply(ws_id, ConfirmOutcome(ws_id, "positive_function_kept"), ME, lock)
    assert screening.get(ws_id).status == "open" and "screening_test" not in cases.get(case_id).answers.answers
