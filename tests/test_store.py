"""Stored cases on SQLite and on a real PostgreSQL server: autosave, workflow, audit, drift,
conflicts, export/import, migrations and crash safety."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from candidacy import CriteriaSet, load_criteria_text
from candidacy.case import SetAnswer, SetNote
from candidacy.errors import CandidacyError
from candidacy.identity import Identity
from candidacy.reasoning.answers import MAX_NOTE
from candidacy.reports import render
from candidacy.settings import Settings, SettingsError, load_settings
from candidacy.store import CaseStore, ConflictError, FrozenError, StoreError
from candidacy.store.migrate import SchemaError, current_revision, head_revision, migrate

from .conftest import ITB, ROOT
from .store_fixtures import lock_version as _lock

DR_A = Identity("dr a", "Specialty registrar", "personal")
DR_B = Identity("dr b", "Physiotherapist", "personal")
ALICE = Identity("alice", "Consultant", "oidc", "alice@example.org")
BOB = Identity("bob", "Consultant", "oidc", "bob@example.org")
DR_R = Identity("Dr R", "Consultant", "personal")


def _sign(store: CaseStore, case_id: int, lock: int, comment: str = "") -> str:
    """Sign off as Dr R, acknowledging every unanswered item."""
    return store.review(case_id, lock, DR_R, comment, [criterion for criterion, _ in store.gaps(case_id)])


def test_create_list_filter_and_summary(store: CaseStore) -> None:
    meeting = dt.date(2026, 12, 3)
    first = store.create_case("itb_pump", "MS-meeting-03", meeting, DR_A)
    store.create_case("itb_pump", "SCI-referral-11", dt.date(2026, 12, 10), DR_A)
    lock = store.save_answer(first, _lock(store, first), "active_infection", "yes", DR_A)
    assert [r.label for r in store.list_cases(meeting_date=meeting)] == ["MS-meeting-03"]
    assert [r.label for r in store.list_cases(search="sci")] == ["SCI-referral-11"]
    assert [r.label for r in store.list_cases(search="%")] == []
    row = store.list_cases(meeting_date=meeting)[0]
    assert (row.contraindications, row.status, row.lock_version) == (1, "draft", lock)
    assert row.next_step.startswith("Active infection: defer the screening test")
    store.archive(first, lock, DR_A)
    assert [r.label for r in store.list_cases()] == ["SCI-referral-11"]
    assert len(store.list_cases(include_archived=True)) == 2


def test_autosave_survives_a_restart(db_url: str, itb: CriteriaSet) -> None:
    first = CaseStore(db_url, {itb.id: itb})
    case_id = first.create_case("itb_pump", "Case A", None, DR_A)
    lock = first.save_answer(case_id, _lock(first, case_id), "age_years", 52, DR_A)
    lock = first.save_note(case_id, lock, "age_years", "from the referral letter, µ ≥ é", DR_A)
    lock = first.save_header(case_id, lock, "assessor", "Dr A", DR_A)
    first.close()
    again = CaseStore(db_url, {itb.id: itb})
    detail = again.get(case_id)
    assert detail.answers.answers["age_years"].value == 52
    assert detail.answers.answers["age_years"].note == "from the referral letter, µ ≥ é"
    assert detail.answers.case.assessor == "Dr A"
    assert detail.row.lock_version == lock
    again.close()


def test_review_freezes_and_revisions_keep_history(store: CaseStore) -> None:
    case_id = store.create_case("itb_pump", "Case B", None, DR_A)
    lock = store.save_answer(case_id, _lock(store, case_id), "cause", "stroke", DR_A)
    lock = store.mark_ready(case_id, lock, DR_A)
    assert store.get(case_id).row.status == "ready"
    digest = _sign(store, case_id, lock, "agree with the findings")
    detail = store.get(case_id)
    assert (detail.row.status, detail.content_hash, detail.reviewed_by) == ("reviewed", digest, "Dr R")
    pdf_at_review = render(store.record(case_id, 1), "pdf")
    with pytest.raises(FrozenError, match="was reviewed and is frozen; start a new revision"):
        store.save_answer(case_id, detail.row.lock_version, "cause", "other", DR_A)
    with pytest.raises(StoreError, match="needs a reason"):
        store.revise(case_id, detail.row.lock_version, " ", DR_A)
    lock = store.revise(case_id, detail.row.lock_version, "new MRI report", DR_A)
    store.save_answer(case_id, lock, "cause", "other", DR_A)
    history = store.revisions(case_id)
    assert [(r.number, r.status, r.content_hash) for r in history] == [(1, "reviewed", digest), (2, "draft", None)]
    assert history[0].answers.answers["cause"].value == "stroke"
    assert history[1].answers.answers["cause"].value == "other"
    assert render(store.record(case_id, 1), "pdf") == pdf_at_review


def test_audit_trail_records_every_change(store: CaseStore) -> None:
    case_id = store.create_case("itb_pump", "Case C", None, DR_A)
    lock = store.save_answer(case_id, _lock(store, case_id), "seizures", "none", DR_A)
    lock = store.save_answer(case_id, lock, "seizures", "uncontrolled", DR_B)
    lock = store.save_note(case_id, lock, "seizures", "two in October", DR_B)
    store.mark_ready(case_id, lock, DR_B)
    trail = [(e.actor, e.action, e.item, e.old, e.new) for e in store.audit_trail(case_id)]
    assert trail == [
        ("dr a", "create", None, None, "Case C"),
        ("dr a", "answer", "seizures", None, '"none"'),
        ("dr b", "answer", "seizures", '"none"', '"uncontrolled"'),
        ("dr b", "note", "seizures", None, "two in October"),
        ("dr b", "ready", None, "draft", "ready"),
    ]


def test_the_changes_of_one_action_are_stored_together_or_not_at_all(store: CaseStore) -> None:
    """An accepted answer and its provenance note: one transaction, one audit row each; when the second
    is refused, the first is not stored either."""
    case_id = store.create_case("itb_pump", "Case D", None, DR_A)
    lock = _lock(store, case_id)
    rows = len(store.audit_trail(case_id))
    too_long = SetNote("seizures", "x" * (MAX_NOTE + 1))
    with pytest.raises(CandidacyError):
        store.apply(case_id, lock, [SetAnswer("seizures", "uncontrolled"), too_long], DR_A)
    assert "seizures" not in store.get(case_id).answers.answers
    assert (len(store.audit_trail(case_id)), _lock(store, case_id)) == (rows, lock)
    saved = store.apply(
        case_id, lock, [SetAnswer("seizures", "uncontrolled"), SetNote("seizures", "From record")], DR_A
    )
    assert saved.lock_version == _lock(store, case_id)
    assert saved.content.answers == store.get(case_id).answers  # what the store accepted is what it holds
    assert store.get(case_id).answers.answers["seizures"].note == "From record"
    assert [(e.action, e.item) for e in store.audit_trail(case_id)[rows:]] == [
        ("answer", "seizures"),
        ("note", "seizures"),
    ]


def test_a_change_that_changes_nothing_writes_nothing(store: CaseStore) -> None:
    """An empty note saved over no note, or an answer saved again, is no change: no audit row, and the
    lock stays, so another session's next write is not refused because of it."""
    case_id = store.create_case("itb_pump", "Case E", None, DR_A)
    lock = store.save_answer(case_id, _lock(store, case_id), "seizures", "none", DR_A)
    rows = len(store.audit_trail(case_id))
    assert store.save_note(case_id, lock, "seizures", "", DR_B) == lock
    assert store.save_answer(case_id, lock, "seizures", "none", DR_B) == lock
    saved = store.apply(case_id, lock, [SetNote("reliable_support", ""), SetAnswer("seizures", "none")], DR_B)
    assert saved.lock_version == lock
    assert (len(store.audit_trail(case_id)), _lock(store, case_id)) == (rows, lock)


def test_second_writer_gets_a_conflict_and_nothing_is_overwritten(db_url: str, itb: CriteriaSet) -> None:
    alice, bob = CaseStore(db_url, {itb.id: itb}), CaseStore(db_url, {itb.id: itb})
    case_id = alice.create_case("itb_pump", "Case D", None, ALICE)
    seen_by_both = _lock(alice, case_id)
    alice.save_answer(case_id, seen_by_both, "ambulatory", "no", ALICE)
    with pytest.raises(ConflictError) as caught:
        bob.save_answer(case_id, seen_by_both, "ambulatory", "yes", BOB)
    message = str(caught.value)
    assert "changed by someone else since you opened it" in message
    assert 'alice (Consultant), signed in as alice@example.org answer Walks (revision 1): None -> "no"' in message
    assert alice.get(case_id).answers.answers["ambulatory"].value == "no"
    alice.close()
    bob.close()


def test_criteria_drift_is_reported(db_url: str, itb: CriteriaSet) -> None:
    store = CaseStore(db_url, {itb.id: itb})
    case_id = store.create_case("itb_pump", "Case E", None, DR_A)
    assert store.drift(case_id) is None
    store.close()
    text = ITB.read_text(encoding="utf-8").replace('version: "1.3.0"', 'version: "1.4.0"')
    text = text.replace("question: Is the patient malnourished?", "question: Is the patient undernourished?")
    newer = load_criteria_text(text, "itb_pump.yaml")
    store = CaseStore(db_url, {newer.id: newer})
    drift = store.drift(case_id)
    assert drift is not None
    assert drift.lines() == ["criteria version 1.3.0 -> 1.4.0", "changed: malnutrition (question)"]
    again = store.drift(case_id, store.get(case_id))  # the app passes the revision it has just read
    assert again is not None and again.lines() == drift.lines()
    store.close()


def test_export_then_import_restores_everything(store: CaseStore, tmp_path: Path, itb: CriteriaSet) -> None:
    case_id = store.create_case("itb_pump", "Case F", dt.date(2026, 12, 3), DR_A)
    lock = store.save_answer(case_id, _lock(store, case_id), "cause", "stroke", DR_A)
    with pytest.raises(StoreError, match="mark it ready for review before signing off"):
        _sign(store, case_id, lock)
    _sign(store, case_id, store.mark_ready(case_id, lock, DR_A))
    buffer = io.StringIO()
    assert store.export_jsonl(buffer) == 1
    target = CaseStore(f"sqlite:///{tmp_path / 'restored.db'}", {itb.id: itb})
    assert target.import_jsonl(iter(buffer.getvalue().splitlines())) == 1
    assert target.get(case_id).answers == store.get(case_id).answers
    assert [(e.action, e.new) for e in target.audit_trail(case_id)] == [
        (e.action, e.new) for e in store.audit_trail(case_id)
    ]
    assert render(target.record(case_id, 1), "pdf") == render(store.record(case_id, 1), "pdf")
    again = io.StringIO()
    target.export_jsonl(again)
    assert again.getvalue() == buffer.getvalue()
    with pytest.raises(StoreError, match="only into an empty database"):
        target.import_jsonl(iter(buffer.getvalue().splitlines()))
    new_id = target.create_case("itb_pump", "after import", None, DR_A)
    assert new_id == case_id + 1
    target.close()


def test_migration_from_the_first_schema_keeps_data(db_url: str, itb: CriteriaSet) -> None:
    engine = sa.create_engine(db_url)
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO cases (id, label, criteria_id, status, archived, lock_version, revision, created_at, updated_at) "
                "VALUES (1, 'old case', 'itb_pump', 'draft', false, 1, 1, :now, :now)"
            ),
            {"now": now},
        )
        answers = json.dumps(
            {"criteria": "itb_pump", "version": itb.version, "answers": {"cause": {"value": "stroke"}}}
        )
        conn.execute(
            sa.text(
                "INSERT INTO revisions (case_id, number, criteria_id, criteria_version, criteria_sha256, answers, status, "
                "reason, created_at) VALUES (1, 1, 'itb_pump', :version, :sha, :answers, 'draft', '', :now)"
            ),
            {"version": itb.version, "sha": itb.sha256, "answers": answers, "now": now},
        )
    engine.dispose()
    store = CaseStore(db_url, {itb.id: itb})
    assert current_revision(store.engine) == head_revision()
    row = store.list_cases()[0]
    assert (row.label, row.contraindications, row.next_step) == ("old case", 0, "")
    assert store.get(1).answers.answers["cause"].value == "stroke"
    store.save_answer(1, row.lock_version, "active_infection", "yes", DR_A)
    assert store.list_cases()[0].contraindications == 1
    store.close()


def test_a_newer_schema_is_refused(db_url: str, itb: CriteriaSet) -> None:
    CaseStore(db_url, {itb.id: itb}).close()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="schema revision '9999', which this version of candidacy does not know"):
        CaseStore(db_url, {itb.id: itb})
    engine.dispose()


CRASH_SCRIPT = """
import sys
sys.path.insert(0, {src!r})
from candidacy import load_criteria
from candidacy.store import CaseStore
cset = load_criteria({itb!r})
store = CaseStore({url!r}, {{cset.id: cset}})
from candidacy.identity import Identity
burst = Identity("burst", "", "cli")
case_id = store.create_case("itb_pump", "burst", None, burst)
lock = store.get(case_id).row.lock_version
print("case", case_id, flush=True)
for i in range(100000):
    lock = store.save_note(case_id, lock, "cause", f"note {{i}}", burst)
    print("ack", i, flush=True)
"""


def test_every_acknowledged_autosave_survives_a_killed_process(db_url: str, itb: CriteriaSet) -> None:
    """Atomicity: a process killed mid-burst leaves every acknowledged change and no half-written one.

    It kills the process, not the machine, so it would pass with SQLite's synchronous=OFF too; that a
    change survives a power cut needs the data on disk at commit, which test_durability checks is in force.
    """
    script = CRASH_SCRIPT.format(src=str(ROOT / "src"), itb=str(ITB), url=db_url)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    case_id = int(process.stdout.readline().split()[1])
    last = -1
    for line in process.stdout:
        last = int(line.split()[1])
        if last >= 40:
            break
    os.kill(process.pid, signal.SIGKILL)  # in the middle of the burst
    process.wait(timeout=30)
    store = CaseStore(db_url, {itb.id: itb})
    note = store.get(case_id).answers.answers["cause"].note
    saved = int(note.split()[1])
    assert saved >= last  # every acknowledged change is there (one more may have committed unacknowledged)
    notes = [e.new for e in store.audit_trail(case_id) if e.action == "note"]
    assert notes[: last + 1] == [f"note {i}" for i in range(last + 1)]
    store.close()


def test_settings_are_validated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError, match="CANDIDACY_DATABASE_URL: must start with sqlite://"):
        load_settings()
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", "postgresql://u@localhost/db")
    assert load_settings().database == "postgresql+psycopg://u@localhost/db"
    monkeypatch.delenv("CANDIDACY_DATABASE_URL")
    monkeypatch.setenv("CANDIDACY_DATA_DIR", str(tmp_path))
    assert Settings().database == f"sqlite:///{tmp_path / 'candidacy.db'}"


def test_the_database_refuses_to_change_or_delete_audit_rows(store: CaseStore) -> None:
    case_id = store.create_case("itb_pump", "Case G", None, DR_A)
    for statement in ("UPDATE audit SET actor = 'someone else'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DatabaseError, match="the audit trail is append-only"), store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert [e.actor for e in store.audit_trail(case_id)] == ["dr a"]


def test_the_migrations_build_exactly_the_declared_tables(db_url: str) -> None:
    """The schema is declared once (``store/tables.py``); the migrations must build that and nothing else."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from candidacy.store.tables import metadata

    engine = sa.create_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert differences == []
