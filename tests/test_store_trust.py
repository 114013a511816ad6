"""A record a team can trust, on SQLite and a real PostgreSQL: sign-off with acknowledged gaps and
roles, the team decision, the hash chain and frozen hashes (triggers, checks on read, ``cases verify``),
an import that refuses forgeries naming the line, and the workflow table."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pypdf import PdfReader

from candidacy import CriteriaSet
from candidacy.case.workflow import STATUSES, TRANSITIONS, next_status
from candidacy.cli import main
from candidacy.errors import CandidacyError
from candidacy.identity import Identity
from candidacy.reports import render
from candidacy.reports.signoff import Decision
from candidacy.store import CaseStore, FrozenError, StoreError, TamperError
from candidacy.store.migrate import migrate
from candidacy.store.verify import verify

from .store_fixtures import lock_version as _lock

ASSESSOR = Identity("Dr A", "Specialty registrar", "personal", permissions=frozenset({"assessor"}))
REVIEWER = Identity("Dr R", "Consultant neurologist", "oidc", "r@example.org")


def _signed_case(store: CaseStore, label: str = "MS-03") -> tuple[int, str]:
    """A case with a contraindication, a decision with reasons, signed over its acknowledged gaps."""
    case_id = store.create_case("itb_pump", label, dt.date(2026, 12, 3), ASSESSOR)
    lock = store.save_answer(case_id, _lock(store, case_id), "active_infection", "yes", ASSESSOR)
    decision = Decision(
        outcome="deferred",
        until="the infection has been treated",
        reasons="urinary infection on antibiotics",
        present=("Dr A", "Dr R"),
        decided_on=dt.date(2026, 12, 3),
    )
    lock = store.save_decision(case_id, lock, decision, ASSESSOR)
    lock = store.mark_ready(case_id, lock, ASSESSOR)
    gaps = [criterion for criterion, _ in store.gaps(case_id)]
    return case_id, store.review(case_id, lock, REVIEWER, "agree to defer", gaps)


# -- sign-off -------------------------------------------------------------------------------------


def test_sign_off_needs_a_reviewer_and_the_gaps_acknowledged(store: CaseStore) -> None:
    case_id = store.create_case("itb_pump", "Case S", None, ASSESSOR)
    lock = store.save_answer(case_id, _lock(store, case_id), "cause", "stroke", ASSESSOR)
    lock = store.mark_ready(case_id, lock, ASSESSOR)
    with pytest.raises(StoreError, match="Dr A is not a reviewer; only a reviewer can sign off"):
        store.review(case_id, lock, ASSESSOR)
    gaps = store.gaps(case_id)
    assert ("severity", "Overall severity of spasticity") in gaps and ("cause", "Cause of spasticity") not in gaps
    with pytest.raises(StoreError, match=rf"{len(gaps)} applicable item\(s\) are unanswered: .*severity") as refused:
        store.review(case_id, lock, REVIEWER)
    assert "Overall severity of spasticity" in str(refused.value)  # named by title, never by internal id
    named = "; ".join(title for _, title in gaps)
    assert str(refused.value).startswith(f"{len(gaps)} applicable item(s) are unanswered: {named}. Answer them")
    with pytest.raises(StoreError, match=r"1 applicable item\(s\) are unanswered"):
        store.review(case_id, lock, REVIEWER, "", [c for c, _ in gaps[1:]])
    assert store.get(case_id).row.status == "ready"  # nothing signed by the refusals
    digest = store.review(case_id, lock, REVIEWER, "signed over the gaps", [c for c, _ in gaps])
    sign = store.get(case_id).sign_off
    assert sign is not None
    assert (sign.reviewer, sign.role, sign.source, sign.subject) == (
        "Dr R",
        "Consultant neurologist",
        "oidc",
        "r@example.org",
    )
    assert [g.criterion for g in sign.acknowledged_gaps] == [c for c, _ in gaps]
    assert store.record(case_id).sha256() == digest
    review = store.audit_trail(case_id)[-1]
    assert (review.action, review.actor, review.role, review.subject, review.source, review.new) == (
        "review", "Dr R", "Consultant neurologist", "r@example.org", "oidc", digest,
    )  # fmt: skip


def test_reviewer_must_differ_from_the_last_editor_when_configured(db_url: str, itb: CriteriaSet) -> None:
    store = CaseStore(db_url, {itb.id: itb}, reviewer_must_differ=True)
    case_id = store.create_case("itb_pump", "Case T", None, REVIEWER)
    lock = store.save_answer(case_id, _lock(store, case_id), "cause", "stroke", REVIEWER)
    lock = store.mark_ready(case_id, lock, REVIEWER)
    gaps = [c for c, _ in store.gaps(case_id)]
    with pytest.raises(StoreError, match="Dr R made the last change to this revision; another reviewer"):
        store.review(case_id, lock, REVIEWER, "", gaps)
    other = Identity("Dr Q", "Consultant", "oidc", "q@example.org")
    assert store.review(case_id, lock, other, "", gaps)
    store.close()


def test_a_change_needs_someone_named(store: CaseStore) -> None:
    with pytest.raises(StoreError, match="say who you are"):
        store.create_case("itb_pump", "Case U", None, Identity(" ", "", "personal"))
    nobody = Identity("Visitor", "", "oidc", permissions=frozenset())
    with pytest.raises(StoreError, match="may not change cases"):
        store.create_case("itb_pump", "Case U", None, nobody)


# -- the team decision ------------------------------------------------------------------------------


def test_a_decision_departing_from_the_criteria_needs_reasons(store: CaseStore) -> None:
    case_id = store.create_case("itb_pump", "Case V", None, ASSESSOR)
    lock = store.save_answer(case_id, _lock(store, case_id), "active_infection", "yes", ASSESSOR)
    offered = Decision(outcome="screening_offered", decided_on=dt.date(2026, 12, 3), present=("Dr A",))
    with pytest.raises(StoreError, match=r"hold back a screening test here .*Active infection.*needs its reasons"):
        store.save_decision(case_id, lock, offered, ASSESSOR)
    with pytest.raises(ValueError, match="'until'"):
        Decision(outcome="deferred", decided_on=dt.date(2026, 12, 3))
    reasoned = offered.model_copy(update={"reasons": "infection treated since the referral letter"})
    lock = store.save_decision(case_id, lock, reasoned, ASSESSOR)
    assert store.get(case_id).decision == reasoned
    assert store.list_cases()[0].decision == "Screening test offered"
    assert store.audit_trail(case_id)[-1].action == "decision"


def test_reviewed_pdf_and_markdown_print_the_sign_off_decision_and_hash(store: CaseStore) -> None:
    case_id, digest = _signed_case(store)
    record = store.record(case_id)
    markdown = render(record, "markdown").decode().replace("\u2060", "")  # word joiners keep addresses unlinked
    for expected in (
        "- **Reviewer:** Dr R",
        "- **Role:** Consultant neurologist",
        "- **Identity:** signed in as r@example.org",
        " UTC (",
        "- **Outcome:** Deferred until the infection has been treated",
        "> urinary infection on antibiotics",
        "- **Present:** Dr A, Dr R",
        f"`{digest}`",
        "> agree to defer",
        "(`severity`)",
    ):
        assert expected in markdown, expected
    pdf = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(render(record, "pdf"))).pages)
    flat = " ".join(pdf.split())
    for expected in ("Reviewer: Dr R", "Consultant neurologist", "signed in as r@example.org", "Deferred until the",
                     "urinary infection on antibiotics", "agree to defer", digest[:40]):  # fmt: skip
        assert expected in flat or expected in pdf.replace("\n", ""), expected
    unsigned = store.create_case("itb_pump", "Case W", None, ASSESSOR)
    blank = render(store.record(unsigned), "markdown").decode()
    assert "Reviewed by: ______" in blank and "Signature: ______" in blank


# -- tamper evidence ------------------------------------------------------------------------------


def test_the_database_refuses_changes_to_a_frozen_revision(store: CaseStore) -> None:
    _signed_case(store)
    statements = [
        "UPDATE revisions SET answers = '{}' WHERE content_hash IS NOT NULL",
        "DELETE FROM revisions WHERE content_hash IS NOT NULL",
        "UPDATE audit SET actor = 'someone else'",
    ]
    if store.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit")
    for statement in statements:
        with pytest.raises(sa.exc.DatabaseError, match=r"frozen|append-only"), store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert verify(store.engine).ok


#: Every trigger that guards content on SQLite (PostgreSQL's are switched off per session instead).
TRIGGERS = (
    "audit_no_update",
    "audit_no_delete",
    "revisions_frozen_update",
    "revisions_frozen_delete",
    "worksheets_confirmed_update",
    "worksheets_confirmed_delete",
    "snapshots_fixed_update",
    "snapshots_fixed_delete",
)


def _without_triggers(store: CaseStore, statement: str, **params: Any) -> None:
    """Change data the way someone with full database rights could: triggers off, then the change."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET session_replication_role = replica"))  # triggers do not fire
        else:
            for name in TRIGGERS:
                conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.execute(sa.text(statement), params)


def test_a_changed_frozen_record_is_caught_on_reading_and_by_verify(store: CaseStore) -> None:
    case_id, _ = _signed_case(store)
    other, _ = _signed_case(store, "SCI-11")
    forged = store.record(case_id).to_json().replace("urinary infection", "no infection")
    _without_triggers(store, "UPDATE revisions SET record = :record WHERE case_id = :id", record=forged, id=case_id)
    with pytest.raises(TamperError, match=f"case {case_id} revision 1: the signed record does not match its hash"):
        store.get(case_id)
    with pytest.raises(TamperError):
        store.record(case_id)
    store.get(other)  # the other case still reads
    report = verify(store.engine)
    assert [(b.case_id, b.row) for b in report.breaks] == [(case_id, None)]
    assert "does not match its hash" in report.breaks[0].describe()


def test_changed_answers_of_a_frozen_revision_are_caught(store: CaseStore) -> None:
    case_id, _ = _signed_case(store)
    answers = store.get(case_id).answers.model_copy(deep=True)
    answers.answers.pop("active_infection")
    _without_triggers(
        store, "UPDATE revisions SET answers = :a WHERE case_id = :id", a=answers.model_dump_json(), id=case_id
    )
    with pytest.raises(TamperError, match="the stored answers differ from the signed record"):
        store.get(case_id)


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE audit SET actor = 'Dr Forged' WHERE action = 'answer'", "its content does not match its hash"),
        ("DELETE FROM audit WHERE action = 'answer'", "does not follow the previous row"),
        ("DELETE FROM audit WHERE action = 'review'", "latest hash is not its last row"),
        ("UPDATE audit SET at = '2020-01-01 00:00:00' WHERE action = 'create'", "does not match its hash"),
    ],
)
def test_verify_names_the_first_broken_case_and_row(store: CaseStore, statement: str, reason: str) -> None:
    first, _ = _signed_case(store, "first")
    second, _ = _signed_case(store, "second")
    target = store.audit_trail(second)
    _without_triggers(store, statement + f" AND case_id = {second}")
    report = verify(store.engine)
    assert [b.case_id for b in report.breaks] == [second]
    assert reason in report.breaks[0].reason
    if "latest hash" not in reason:
        ids = _row_ids(store, second)
        assert report.breaks[0].row in ids or report.breaks[0].row is not None
    assert len(target) >= 4
    assert first not in [b.case_id for b in report.breaks]


def _row_ids(store: CaseStore, case_id: int) -> list[int]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT id FROM audit WHERE case_id = :c"), {"c": case_id}).scalars())


def test_cases_verify_command(store: CaseStore, db_url: str) -> None:
    case_id, _ = _signed_case(store)
    runner = CliRunner()
    env = {"CANDIDACY_DATABASE_URL": db_url}
    done = runner.invoke(main, ["cases", "verify"], env=env)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(
        "ok: 1 cases, 5 audit rows, 1 revisions, 0 worksheets, 1 criteria snapshots checked; database head "
    )
    heads = runner.invoke(main, ["cases", "verify", "--head"], env=env)
    assert heads.stdout.splitlines()[0] == f"case {case_id} {store.get(case_id).row.audit_head}"
    assert heads.stdout.splitlines()[1] == f"database {verify(store.engine).head}"
    _without_triggers(store, "UPDATE audit SET new = '\"no\"' WHERE action = 'answer'")
    row = _row_ids(store, case_id)[1]
    broken = runner.invoke(main, ["cases", "verify"], env=env)
    assert broken.exit_code == 3
    assert (
        f"TAMPERED: first broken: case {case_id}: audit row {row}: its content does not match its hash" in broken.stderr
    )


def test_cases_show_prints_the_frozen_record_then_the_drift(store: CaseStore, db_url: str) -> None:
    case_id, digest = _signed_case(store)
    shown = CliRunner().invoke(main, ["cases", "show", str(case_id)], env={"CANDIDACY_DATABASE_URL": db_url})
    assert shown.exit_code == 0, shown.stderr
    frozen = shown.stdout.split("--- frozen record of revision 1, as signed")[1].split("--- end of the frozen record")[
        0
    ]
    assert digest in frozen and "**Outcome:** Deferred until the infection has been treated" in frozen
    assert shown.stdout.index("drift: none") > shown.stdout.index("--- end of the frozen record")
    _without_triggers(store, "UPDATE revisions SET record = 'x' WHERE case_id = :id", id=case_id)
    tampered = CliRunner().invoke(main, ["cases", "show", str(case_id)], env={"CANDIDACY_DATABASE_URL": db_url})
    assert (
        tampered.exit_code == 3 and "TAMPERED: case 1 revision 1: the signed record does not match" in tampered.stderr
    )


# -- import that verifies -----------------------------------------------------------------------------


def _export(store: CaseStore) -> list[str]:
    buffer = io.StringIO()
    store.export_jsonl(buffer)
    return buffer.getvalue().splitlines()


def test_export_import_verify_gives_the_same_heads(store: CaseStore, tmp_path: Path, itb: CriteriaSet) -> None:
    _signed_case(store, "one")
    case_id, _ = _signed_case(store, "two")
    lock = store.revise(case_id, _lock(store, case_id), "new MRI report", ASSESSOR)
    store.save_answer(case_id, lock, "cause", "stroke", ASSESSOR)
    store.duplicate(case_id, ASSESSOR)
    before = verify(store.engine)
    assert before.ok and len(before.heads) == 3
    target = CaseStore(f"sqlite:///{tmp_path / 'restored.db'}", {itb.id: itb})
    assert target.import_jsonl(iter(_export(store))) == 3
    after = verify(target.engine)
    assert after.ok and after.heads == before.heads and after.head == before.head
    assert _export(target) == _export(store)
    target.close()


def _line(lines: list[str], label: str) -> tuple[int, dict[str, Any]]:
    for number, line in enumerate(lines):
        doc = json.loads(line)
        if "case" in doc and doc["case"]["label"] == label:
            return number, doc
    raise AssertionError(label)


def _forge_review_of_empty_case(doc: dict[str, Any]) -> None:
    doc["case"]["status"] = "reviewed"
    rev = doc["revisions"][0]
    rev.update(status="reviewed", content_hash="0" * 64, record="{}", reviewed_by="Dr Forged")


def _rename_actor(doc: dict[str, Any]) -> None:
    doc["audit"][1]["actor"] = "Dr Forged"


def _drop_audit_row(doc: dict[str, Any]) -> None:
    del doc["audit"][1]


def _change_frozen_record(doc: dict[str, Any]) -> None:
    doc["revisions"][0]["record"] = doc["revisions"][0]["record"].replace("agree to defer", "agree to operate")


def _unknown_status(doc: dict[str, Any]) -> None:
    doc["case"]["status"] = "approved"


def _move_audit_rows(doc: dict[str, Any]) -> None:
    for row in doc["audit"]:
        row["case_id"] = 1


def _missing_field(doc: dict[str, Any]) -> None:
    del doc["case"]["label"]


def _consistent_forgery(doc: dict[str, Any]) -> None:
    """A contraindication removed from the signed record, with its hash recomputed: still refused."""
    import hashlib

    rev = doc["revisions"][0]
    record = json.loads(rev["record"])
    findings = record["assessment"]["findings"]
    record["assessment"]["findings"] = [f for f in findings if f["kind"] != "contraindication"]
    rev["record"] = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    rev["content_hash"] = hashlib.sha256(rev["record"].encode()).hexdigest()


@pytest.mark.parametrize(
    ("forge", "message"),
    [
        (_forge_review_of_empty_case, "case 2 revision 1: the signed record cannot be read"),
        (_rename_actor, "case 2: audit row"),
        (_drop_audit_row, "does not follow the previous row"),
        (_change_frozen_record, "does not match its hash"),
        (_unknown_status, "case.status"),
        (_move_audit_rows, "belongs to case 1"),
        (_missing_field, "case.label: Field required"),
        (_consistent_forgery, "not what its criteria make of its answers"),
    ],
)
def test_a_forged_import_is_refused_naming_the_line(
    store: CaseStore, tmp_path: Path, itb: CriteriaSet, forge: Callable[[dict[str, Any]], None], message: str
) -> None:
    _signed_case(store, "one")
    _signed_case(store, "two")
    lines = _export(store)
    number, doc = _line(lines, "two")
    forge(doc)
    lines[number] = json.dumps(doc)
    target = CaseStore(f"sqlite:///{tmp_path / f'forged-{forge.__name__}.db'}", {itb.id: itb})
    with pytest.raises(StoreError) as refused:
        target.import_jsonl(iter(lines))
    text = str(refused.value)
    assert text.startswith(f"line {number + 1}: ") and message in text and "nothing was imported" in text, text
    assert target.list_cases(include_archived=True) == []  # all or nothing
    target.close()


def test_a_malformed_line_is_refused_not_a_traceback(store: CaseStore, tmp_path: Path, itb: CriteriaSet) -> None:
    _signed_case(store)
    lines = [*_export(store), '{"case": 1}', "not json"]
    target = CaseStore(f"sqlite:///{tmp_path / 'bad.db'}", {itb.id: itb})
    with pytest.raises(StoreError, match=rf"line {len(lines) - 1}: case: Input should be an object"):
        target.import_jsonl(iter(lines))
    target.close()


# -- workflow, one path -----------------------------------------------------------------------------


def test_workflow_table_is_the_only_way_between_statuses() -> None:
    for (action, before), after in TRANSITIONS.items():
        assert next_status(action, before, 1, 1) == after
    for status in STATUSES:
        for action in ("review", "ready", "revise", "answer"):
            if (action, status) not in TRANSITIONS:
                with pytest.raises(StoreError):
                    next_status(action, status, 1, 1)
    with pytest.raises(FrozenError):
        next_status("answer", "reviewed", 1, 1)


def test_duplicate_and_save_as_case_are_single_transactions(store: CaseStore) -> None:
    case_id = store.create_case("itb_pump", "Case X", None, ASSESSOR)
    store.save_answer(case_id, _lock(store, case_id), "cause", "stroke", ASSESSOR)
    copy = store.duplicate(case_id, ASSESSOR)
    assert store.get(copy).answers.answers["cause"].value == "stroke"
    assert [e.action for e in store.audit_trail(copy)] == ["create", "duplicate"]
    # A failing save-as-case leaves nothing behind: the answers are checked inside the transaction.
    bad = store.get(case_id).answers.model_copy(deep=True)
    bad.answers["cause"] = bad.answers["cause"].model_copy(update={"value": "not an option"})
    with pytest.raises(CandidacyError, match="'not an option' is not an answer of this item"):
        store.create_case("itb_pump", "Case Y", None, ASSESSOR, answers=bad)
    assert [r.label for r in store.list_cases()] == ["Case X (copy)", "Case X"]


def test_a_database_from_before_the_chain_is_chained_on_upgrade(db_url: str, itb: CriteriaSet) -> None:
    engine = sa.create_engine(db_url)
    migrate(engine, "0003")
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO cases (id, label, criteria_id, status, archived, lock_version, revision, created_at, "
                "updated_at) VALUES (1, 'old case', 'itb_pump', 'draft', false, 2, 1, :now, :now)"
            ),
            {"now": now},
        )
        answers = json.dumps({"criteria": "itb_pump", "version": itb.version, "answers": {}})
        conn.execute(
            sa.text(
                "INSERT INTO revisions (case_id, number, criteria_id, criteria_version, criteria_sha256, answers, "
                "status, reason, created_at) VALUES (1, 1, 'itb_pump', :v, :sha, :answers, 'draft', '', :now)"
            ),
            {"v": itb.version, "sha": itb.sha256, "answers": answers, "now": now},
        )
        for action in ("create", "answer"):
            conn.execute(
                sa.text(
                    "INSERT INTO audit (case_id, revision, at, actor, action) VALUES (1, 1, :now, 'dr old', :action)"
                ),
                {"now": now, "action": action},
            )
    engine.dispose()
    store = CaseStore(db_url, {itb.id: itb})
    assert verify(store.engine).ok
    store.save_answer(1, 2, "cause", "stroke", ASSESSOR)
    assert verify(store.engine).ok and len(store.audit_trail(1)) == 3
    store.close()
