"""Answers recorded under earlier versions of the criteria open under this one, through the migrations
the criteria declare (YAML, not code): what maps is read across, what does not is named as unanswered
with a note, never dropped; answers of a version no declared chain leads from are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from candidacy import CriteriaSet, load_criteria_text
from candidacy.cli import main
from candidacy.draft import read_draft
from candidacy.errors import AnswersError, CriteriaError
from candidacy.reasoning.answers import Answer, AnswerSet, check_answers, migrate_answers
from candidacy.reasoning.engine import evaluate
from candidacy.store import CaseStore

from .conftest import ITB, ROOT


def _old(version: str, **answers: Answer) -> AnswerSet:
    return AnswerSet(criteria="itb_pump", version=version, answers=answers)


def test_a_1_0_0_file_opens_with_what_maps_read_across_and_the_rest_asked_again(itb: CriteriaSet) -> None:
    old = _old(
        "1.0.0",
        seizures=Answer(value="yes", note="two fits in 2019"),
        coagulation=Answer(value="no"),
        cause=Answer(value="multiple_sclerosis"),
    )
    migrated, lines = migrate_answers(itb, old)
    assert migrated.version == itb.version
    assert migrated.answers["coagulation"].value == "none"  # 'no' keeps its meaning
    assert migrated.answers["cause"].value == "multiple_sclerosis"  # not listed: kept as it was
    seizures = migrated.answers["seizures"]
    assert seizures.value is None  # 'yes' has no single equivalent (controlled or not): asked again
    assert seizures.note.startswith("[Answered 'yes' under version 1.0.0, which has no equivalent now") and (
        "two fits in 2019" in seizures.note
    )
    assert lines[0] == f"Read across from version 1.0.0 to {itb.version} by the migration the criteria declare."
    assert "seizures: 'yes' has no equivalent; left unanswered, to be asked again" in lines
    assert "coagulation: 'no' is read as 'none'" in lines
    result = evaluate(itb, check_answers(itb, old))  # the checker reads it across the same way
    assert "seizures" in {m.criterion for m in result.missing}
    # unanswered with a note (the earlier answer), a routine check is an open question, not routine work
    assert "seizures" not in {r.criterion for r in result.routine}


def test_a_1_1_0_file_keeps_every_answer(itb: CriteriaSet) -> None:
    old = _old("1.1.0", coagulation=Answer(value="can_pause"), seizures=Answer(value="controlled"))
    migrated, lines = migrate_answers(itb, old)
    assert {k: a.value for k, a in migrated.answers.items()} == {"coagulation": "can_pause", "seizures": "controlled"}
    assert len(lines) == 3 and lines[1].startswith("1.1.0 to 1.2.0: Routine checks are marked")
    assert lines[2].startswith("1.2.0 to 1.3.0: Oral baclofen and the other oral drugs are now separate items")


def test_a_1_2_0_file_reads_split_items_into_their_new_items(itb: CriteriaSet) -> None:
    old = _old(
        "1.2.0",
        oral_agents=Answer(value="not_tried", note="never given baclofen"),
        risks_discussed=Answer(value="yes"),
        screening_reaction=Answer(value="yes", note="vomited twice"),
        screening_test=Answer(value="positive"),
    )
    migrated, lines = migrate_answers(itb, old)
    answers = migrated.answers
    assert (answers["oral_baclofen"].value, answers["oral_baclofen"].note) == ("not_tried", "never given baclofen")
    assert "oral_agents" not in answers and "risks_discussed" not in answers
    assert answers["test_risks_discussed"].value == answers["implant_risks_discussed"].value == "yes"
    assert answers["screening_reaction"].value is None  # mild or significant: asked again, the note kept
    assert answers["screening_reaction"].note.startswith("[Answered 'yes' under version 1.2.0") and (
        "vomited twice" in answers["screening_reaction"].note
    )
    assert "oral_agents: now asked as oral_baclofen" in lines
    assert "risks_discussed: now asked as test_risks_discussed, implant_risks_discussed" in lines
    assert "screening_reaction: 'yes' has no equivalent; left unanswered, to be asked again" in lines
    result = evaluate(itb, check_answers(itb, old))
    assert "screening_reaction" in {m.criterion for m in result.missing}


def test_a_version_with_no_declared_path_is_refused(itb: CriteriaSet) -> None:
    with pytest.raises(AnswersError, match="declares no migration from that version"):
        check_answers(itb, _old("0.9.0", cause=Answer(value="stroke")))
    assert migrate_answers(itb, _old("0.9.0"))[1] == ()


def test_the_cli_names_the_migration_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"criteria": "itb_pump", "version": "1.0.0", "answers": {"vp_shunt": {"value": "yes"}}}))
    done = CliRunner().invoke(main, ["evaluate", "--criteria", str(ITB), "--answers", str(path), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert "note: Read across from version 1.0.0" in done.stderr
    assert "note: vp_shunt: 'yes' has no equivalent; left unanswered, to be asked again" in done.stderr
    record = json.loads(done.stdout)
    assert record["answers"]["vp_shunt"]["value"] is None and "[Answered 'yes'" in record["answers"]["vp_shunt"]["note"]


def test_the_upload_reads_an_old_file_across(itb: CriteriaSet) -> None:
    raw = json.dumps({"criteria": "itb_pump", "version": "1.1.0", "answers": {"cause": {"value": "stroke"}}}).encode()
    loaded, lines = read_draft(raw, "old.json", itb)
    assert loaded.version == itb.version and loaded.answers["cause"].value == "stroke" and lines


def test_a_stored_case_of_an_earlier_version_opens(tmp_path: Path, itb: CriteriaSet) -> None:
    """A case stored by the release of criteria 1.0.0 (in that release's schema, before states were
    sealed) opens in this one with its answers read through the declared migration."""
    import datetime as dt

    import sqlalchemy as sa

    from candidacy.store.migrate import migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    migrate(engine, "0006")
    old = _old("1.0.0", adherence_concerns=Answer(value="no"), active_infection=Answer(value="yes"))
    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:  # as that release stored it
        conn.execute(
            sa.text(
                "INSERT INTO cases (id, label, criteria_id, status, archived, lock_version, revision, created_at, "
                "updated_at) VALUES (1, 'Old-01', 'itb_pump', 'draft', false, 1, 1, :at, :at)"
            ),
            {"at": at},
        )
        conn.execute(
            sa.text(
                "INSERT INTO revisions (case_id, number, criteria_id, criteria_version, criteria_sha256, answers, "
                "status, reason, created_at) VALUES (1, 1, 'itb_pump', '1.0.0', :sha, :answers, 'draft', '', :at)"
            ),
            {"sha": "0" * 64, "answers": old.model_dump_json(), "at": at},
        )
    engine.dispose()
    store = CaseStore(url, {itb.id: itb})
    record = store.record(1)
    assert {f.criterion for f in record.findings} >= {"active_infection"}
    assert record.answers["adherence_concerns"].value == "no"  # stored as it was recorded
    assert "adherence_concerns" not in {m.criterion for m in record.missing}  # read as 'none', answered
    store.close()


def test_a_migration_naming_an_answer_this_version_lacks_is_refused() -> None:
    text = ITB.read_text(encoding="utf-8").replace(
        'screening_reaction: {values: {"no": none, "yes": ~}}', 'screening_reaction: {values: {"no": absent, "yes": ~}}'
    )
    with pytest.raises(
        CriteriaError, match=r"migrations\.2\.answers\.screening_reaction\.values\.no.*'absent' is not an answer"
    ):
        load_criteria_text(text, "itb_pump.yaml")


def test_every_example_answers_file_is_of_the_current_version(itb: CriteriaSet) -> None:
    for path in sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.json")):
        data = json.loads(path.read_text()) if path.suffix == ".json" else None
        if data is not None and data.get("version") not in (None, itb.version):
            pytest.fail(f"{path.name} is of version {data['version']}")
