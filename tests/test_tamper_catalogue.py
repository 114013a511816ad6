"""The tamper catalogue: every fact that makes a case what it is, changed outside the application.

Each change is made the way someone with full database rights could (by SQL, triggers off where they
guard the table), on SQLite and a real PostgreSQL, and through an edited backup. For each: ``cases
verify`` names it (exit 3), the database head moves, and reading the case (``cases show``, the app's
path) says TAMPERED instead of showing the forged content. A damaged database never raises a
traceback from verify, show or list.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from candidacy.cli import main
from candidacy.criteria.models import CriteriaSet
from candidacy.identity import Identity
from candidacy.store import CaseStore, StoreError, TamperError
from candidacy.store.screening import ScreeningStore
from candidacy.store.verify import verify

from .screening_support import EXAMPLE, protocol
from .store_fixtures import lock_version
from .test_store_trust import ASSESSOR, REVIEWER, _signed_case, _without_triggers

NURSE = Identity("N. Ward", "Nurse", "personal")


def _draft(store: CaseStore, label: str = "DRAFT-1") -> int:
    case_id = store.create_case("itb_pump", label, dt.date(2026, 12, 3), ASSESSOR)
    store.save_answer(case_id, lock_version(store, case_id), "active_infection", "no", ASSESSOR)
    return case_id


def _confirmed_worksheet(store: CaseStore) -> tuple[int, int]:
    from candidacy.screening.loader import load_worksheet

    proto = protocol()
    sheets = ScreeningStore(store, {proto.id: proto})
    case_id = store.create_case("itb_pump", "WS-1", None, ASSESSOR)
    ws_id = sheets.create(case_id, proto.id, NURSE)
    lock = sheets.save(ws_id, 1, load_worksheet(EXAMPLE, proto), NURSE)
    sheets.confirm(ws_id, lock, "positive_function_kept", "", ASSESSOR, lock_version(store, case_id))
    return case_id, ws_id


def _signed(store: CaseStore) -> int:
    return _signed_case(store)[0]


def _forge_revision(store: CaseStore, case_id: int) -> None:
    """A revision 2 with other answers (active infection yes -> no) behind a signed case, pointed at."""
    with store.engine.begin() as conn:
        rev = conn.execute(sa.text("SELECT * FROM revisions WHERE case_id = :id"), {"id": case_id}).mappings().one()
        answers = json.loads(rev["answers"])
        answers["answers"]["active_infection"] = {"value": "no", "note": ""}
        conn.execute(
            sa.text(
                "INSERT INTO revisions (case_id, number, criteria_id, criteria_version, criteria_sha256, answers, "
                "status, reason, created_at) VALUES (:id, 2, :cid, :ver, :sha, :answers, 'draft', '', :at)"
            ),
            {
                "id": case_id,
                "cid": rev["criteria_id"],
                "ver": rev["criteria_version"],
                "sha": rev["criteria_sha256"],
                "answers": json.dumps(answers),
                "at": rev["created_at"],
            },
        )
        conn.execute(sa.text("UPDATE cases SET revision = 2, status = 'draft' WHERE id = :id"), {"id": case_id})


def _sql(statement: str) -> Callable[[CaseStore, int], None]:
    """A forgery by one SQL statement (``:id`` is the case), triggers off."""

    def forge(store: CaseStore, case_id: int) -> None:
        _without_triggers(store, statement, id=case_id)

    return forge


def _worksheet_case(store: CaseStore) -> int:
    return _confirmed_worksheet(store)[0]


def _rehash_worksheet(store: CaseStore, case_id: int) -> None:
    import hashlib

    with store.engine.connect() as conn:
        ws_id, content = conn.execute(
            sa.text("SELECT id, content FROM screening_worksheets WHERE case_id = :id"), {"id": case_id}
        ).one()
    forged = str(content).replace('"micrograms":75', '"micrograms":100')
    assert forged != content
    digest = hashlib.sha256(forged.encode()).hexdigest()
    _without_triggers(
        store,
        "UPDATE screening_worksheets SET content = :c, content_hash = :h WHERE id = :w",
        c=forged,
        h=digest,
        w=ws_id,
    )


#: name -> (how the case is made honestly, how it is then changed outside the application)
FORGERIES: dict[str, tuple[Callable[[CaseStore], int], Callable[[CaseStore, int], None]]] = {
    "a forged revision behind a signed case": (_signed, _forge_revision),
    "a draft's answers edited in place": (
        _draft,
        _sql("UPDATE revisions SET answers = replace(answers, '\"no\"', '\"yes\"') WHERE case_id = :id"),
    ),
    "a revision pointer moved": (_draft, _sql("UPDATE cases SET revision = 7 WHERE id = :id")),
    "a revision deleted": (_draft, _sql("DELETE FROM revisions WHERE case_id = :id")),
    "the label changed": (_draft, _sql("UPDATE cases SET label = 'RELABELLED' WHERE id = :id")),
    "the case archived": (_draft, _sql("UPDATE cases SET archived = true WHERE id = :id")),
    "the meeting date moved": (_draft, _sql("UPDATE cases SET meeting_date = '2026-12-10' WHERE id = :id")),
    "the list's summary changed": (_draft, _sql("UPDATE cases SET contraindications = 3 WHERE id = :id")),
    "the reviewer of a signed revision changed": (
        _signed,
        _sql("UPDATE revisions SET reviewed_by = 'Dr Forger' WHERE case_id = :id"),
    ),
    "a confirmed worksheet changed with its hash recomputed": (_worksheet_case, _rehash_worksheet),
    "garbage in a revision's answers": (
        _draft,
        _sql('UPDATE revisions SET answers = \'{"not": "answers"\' WHERE case_id = :id'),
    ),
}


def _env(store: CaseStore) -> dict[str, str]:
    return {"CANDIDACY_DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_every_change_outside_the_application_is_named_and_moves_the_head(store: CaseStore, name: str) -> None:
    make, forge = FORGERIES[name]
    bystander = _draft(store, "BYSTANDER")
    case_id = make(store)
    before = verify(store.engine)
    assert before.ok, before.lines()
    forge(store, case_id)
    report = verify(store.engine)
    assert not report.ok, name
    assert any(line.startswith(f"case {case_id}:") for line in report.lines()), (name, report.lines())
    assert report.head != before.head
    with pytest.raises(StoreError, match=r"TAMPERED|does not exist"):  # what show and the app read
        store.get(case_id)
    store.get(bystander)  # another case still reads
    result = CliRunner().invoke(main, ["cases", "show", str(case_id)], env=_env(store))
    assert result.exit_code in (2, 3) and "Traceback" not in result.output, result.output
    done = CliRunner().invoke(main, ["cases", "verify"], env=_env(store))
    assert done.exit_code == 3 and f"case {case_id}" in done.output, done.output


def test_a_sign_off_of_forged_answers_is_refused(store: CaseStore) -> None:
    case_id = _signed(store)
    _forge_revision(store, case_id)
    with pytest.raises(TamperError):
        store.review(case_id, 99, REVIEWER, "", [])


def test_a_damaged_database_is_read_as_evidence_never_a_traceback(store: CaseStore) -> None:
    orphan = _draft(store, "ORPHAN")
    dated = _draft(store, "BAD-DATE")
    _draft(store, "SNAPSHOT")
    head = verify(store.engine).head
    with store.engine.connect() as conn:  # the case row goes, its rows stay: foreign keys off first
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET session_replication_role = replica")
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.execute(sa.text("DELETE FROM cases WHERE id = :id"), {"id": orphan})
        conn.commit()
    if store.engine.dialect.name == "sqlite":  # PostgreSQL cannot hold an impossible date
        _without_triggers(store, "UPDATE cases SET meeting_date = '2026-13-45' WHERE id = :id", id=dated)
    _without_triggers(store, "UPDATE criteria_snapshots SET content = replace(content, 'spasticity', 'spasm')")
    report = verify(store.engine)
    lines = report.lines()
    assert any(f"of case {orphan}, which does not exist" in line for line in lines), lines
    assert any("criteria snapshot" in line and "does not match its hash" in line for line in lines), lines
    assert report.head != head
    if store.engine.dialect.name == "sqlite":
        assert any(line.startswith(f"case {dated}:") for line in lines), lines
        [row] = [r for r in store.list_cases() if r.id == dated]
        assert "is not a date" in row.damaged
        with pytest.raises(TamperError, match="is not a date"):
            store.get(dated)
    env = _env(store)
    for command in (["cases", "verify"], ["cases", "list"], ["cases", "show", str(orphan)]):
        result = CliRunner().invoke(main, command, env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.output)


def test_a_case_number_beyond_the_database_is_a_clear_error(store: CaseStore) -> None:
    huge = "99999999999999999999999"
    with pytest.raises(StoreError, match="does not exist"):
        store.get(int(huge))
    result = CliRunner().invoke(main, ["cases", "show", huge], env=_env(store))
    assert result.exit_code == 2 and "Traceback" not in result.output and "range" in result.output


def test_an_edited_backup_is_refused_naming_the_line(store: CaseStore, itb: CriteriaSet, tmp_path: object) -> None:
    case_id = _draft(store)
    out = io.StringIO()
    store.export_jsonl(out)
    lines = out.getvalue().splitlines()
    forged = []
    for line in lines:
        doc = json.loads(line)
        if doc.get("case", {}).get("id") == case_id:
            doc["case"]["label"] = "RELABELLED"
            doc["revisions"][0]["answers"] = doc["revisions"][0]["answers"].replace('"no"', '"yes"')
        forged.append(json.dumps(doc))
    fresh = CaseStore(f"sqlite:///{tmp_path}/restore.db", {itb.id: itb})
    with pytest.raises(StoreError, match=rf"line \d+: case {case_id}: .*its stored content is not what"):
        fresh.import_jsonl(iter(forged))
    assert fresh.list_cases() == []
    assert fresh.import_jsonl(iter(lines)) == 1  # the untouched backup restores
    assert verify(fresh.engine).ok
    fresh.close()


def test_a_backup_written_before_states_were_sealed_restores(
    store: CaseStore, itb: CriteriaSet, tmp_path: object
) -> None:
    """Exports of earlier releases have no ``state`` on their audit rows (and hashes without it): they
    restore and verify, unsealed, and the next change seals them."""
    from candidacy.store.chain import CHAINED, row_hash

    case_id = _draft(store)
    out = io.StringIO()
    store.export_jsonl(out)
    old = []
    for line in out.getvalue().splitlines():
        doc = json.loads(line)
        prev = ""
        for row in doc.get("audit", []):  # what the release before sealing wrote
            del row["state"]
            fields = [row[name] for name in CHAINED[:-1]]
            fields[2] = dt.datetime.fromisoformat(fields[2])
            row["prev_hash"], row["row_hash"] = prev, row_hash(prev, fields)
            prev = row["row_hash"]
        if "case" in doc:
            doc["case"]["audit_head"] = prev
        old.append(json.dumps(doc))
    fresh = CaseStore(f"sqlite:///{tmp_path}/old.db", {itb.id: itb})
    assert fresh.import_jsonl(iter(old)) == 1
    report = verify(fresh.engine)
    assert report.ok and report.unsealed == 1
    fresh.save_answer(case_id, lock_version(fresh, case_id), "cause", "stroke", ASSESSOR)
    sealed = verify(fresh.engine)
    assert sealed.ok and sealed.unsealed == 0
    fresh.close()


def test_a_change_committed_while_a_case_is_read_is_not_called_tampered(
    store: CaseStore, itb: CriteriaSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session's save lands between reading the case's last seal and reading its content."""
    from candidacy.store import state as sealing

    case_id = _draft(store)
    other = CaseStore(store.engine.url.render_as_string(hide_password=False), {itb.id: itb})
    real = sealing.case_state
    pending = ["seizures"]

    def racing(conn: sa.engine.Connection, ident: int) -> str:
        if pending:  # once: the other session commits a change right now
            item = pending.pop()
            other.save_answer(case_id, lock_version(other, case_id), item, "none", ASSESSOR)
        return real(conn, ident)

    monkeypatch.setattr(sealing, "case_state", racing)
    detail = store.get(case_id)  # read while the other session writes: no TAMPERED
    assert detail.row.id == case_id and not pending
    monkeypatch.setattr(sealing, "case_state", real)
    assert verify(store.engine).ok
    other.close()


def test_an_audit_row_changed_outside_the_application_is_tampered_in_show_and_the_app(store: CaseStore) -> None:
    case_id = _draft(store)
    _without_triggers(store, "UPDATE audit SET actor = 'Dr Forger' WHERE case_id = :id", id=case_id)
    assert any(line.startswith(f"case {case_id}:") for line in verify(store.engine).lines())
    with pytest.raises(TamperError, match="its content does not match its hash"):
        store.check(case_id)
    result = CliRunner().invoke(main, ["cases", "show", str(case_id)], env=_env(store))
    assert result.exit_code == 3 and "TAMPERED" in result.output, result.output


def test_a_change_under_an_unchanged_lock_is_caught_by_the_next_write_and_opening(store: CaseStore) -> None:
    """A page rerun reads the open case at the lock version its session checked or wrote without hashing
    the whole case again (``trusted_lock``); every other read, every write and opening still check it."""
    case_id = _draft(store)
    lock = lock_version(store, case_id)
    _without_triggers(store, "UPDATE cases SET label = 'RELABELLED' WHERE id = :id", id=case_id)  # lock kept
    assert store.get(case_id, trusted_lock=lock).row.label == "RELABELLED"  # the rerun's read
    with pytest.raises(TamperError, match="changed outside the application"):
        store.get(case_id)  # any other read
    with pytest.raises(TamperError, match="changed outside the application"):
        store.get(case_id, trusted_lock=lock - 1)  # a read at another version
    with pytest.raises(TamperError, match="changed outside the application"):
        store.save_answer(case_id, lock, "seizures", "none", ASSESSOR)  # the next write
    with pytest.raises(TamperError, match="changed outside the application"):
        store.check(case_id)  # opening the case
    assert store.get(case_id, trusted_lock=lock).answers.answers.get("seizures") is None  # nothing written
