"""The command line as a user runs it: exit codes, one located line per problem, output formats."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from candidacy.cli import main

from .conftest import ITB, ROOT

EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "candidacy", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_validate_default_folder_is_clean() -> None:
    done = run("validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: criteria/itb_pump.yaml: itb_pump version 1.3.0, 57 criteria, sha256 ")


def test_validate_broken_file_prints_file_line_column(tmp_path: Path) -> None:
    broken = tmp_path / "itb.yaml"
    text = ITB.read_text(encoding="utf-8").replace(
        'applies_when: {criterion: ambulatory, equals: "yes"}', 'applies_when: {criterion: ambulant, equals: "yes"}'
    )
    broken.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "criterion: ambulant" in row)
    done = CliRunner().invoke(main, ["validate", str(broken)])
    assert done.exit_code == 1
    assert done.stderr == (
        f"{broken}:{line}:35: sections.1.criteria.2.applies_when.criterion [criterion 'leg_strength']: "
        "unknown criterion 'ambulant'\n"
    )


def test_validate_missing_path() -> None:
    done = CliRunner().invoke(main, ["validate", "no/such.yaml"])
    assert done.exit_code == 1
    assert "no/such.yaml: no such file or folder" in done.stderr


def test_evaluate_json_has_the_documented_keys() -> None:
    done = run("evaluate", "--criteria", "criteria/itb_pump.yaml", "--answers", str(EXAMPLE), "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["format_version"], document["case"]["label"]) == ("5", "MS-meeting-03")
    record = document["assessment"]  # the record contains the assessment
    for key in ("criteria", "findings", "missing", "not_applicable", "next_steps", "answered", "applicable"):
        assert key in record
    assert set(record["criteria"]) >= {"id", "version", "sha256"}
    assert record["criteria"]["id"] == "itb_pump"
    finding = record["findings"][0]
    assert set(finding) >= {"criterion", "kind", "statement", "rationale", "sources"}
    assert [(s["id"], s["stage"], s["status"]) for s in record["next_steps"]] == [
        ("support_screening", "screening", "suggested"),
        ("lower_first_dose_ms", "screening", "suggested"),
    ]
    assert (record["answered"], record["applicable"]) == (50, 50)
    assert record["decisive_unknowns"] == []
    assert record["current_stage"] == "screening"


def test_evaluate_json_names_the_decisive_unknowns_of_an_incomplete_referral() -> None:
    """Only what the referral letter says: the screening step names what could change it, and no more."""
    referral = ROOT / "examples" / "incomplete_referral.json"
    done = run("evaluate", "--criteria", "criteria/itb_pump.yaml", "--answers", str(referral), "--format", "json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)["assessment"]
    [step] = [s for s in record["next_steps"] if s["stage"] == "screening"]
    assert step["id"] == "support_screening" and step["status"] == "pending"
    [screening] = [s for s in record["stages"] if s["current"]]
    decisive = {
        u["criterion"]: u["steps"] for u in record["decisive_unknowns"] if u["criterion"] in screening["decisive"]
    }
    assert list(decisive) == screening["decisive"]  # the stage lists them in the engine's rank
    assert step["awaiting"] == list(decisive)  # the step names what it waits on in the same rank
    # ranked: what could stand in the way (the type of hypertonia, what has been tried) before what would change
    # how the test is done; the toxin cannot stand in the way of a diffuse pattern
    assert list(decisive) == [
        "tone_is_spasticity",
        "therapy_tried",
        "lower_limb_mas",
        "relies_on_tone",
        "botulinum_toxin",
    ]
    assert "support_screening" in decisive["therapy_tried"]
    # the letter says nothing of infection or consent: routine work before the test, not a decisive unknown
    routine = [r["criterion"] for r in record["routine"]]
    assert "active_infection" not in decisive and "active_infection" in routine and "test_risks_discussed" in routine
    # items that cannot change any step are not decisive, and implantation-only items do not hold up screening
    assert "sedation_sensitive" not in decisive and "spasm_frequency" not in decisive
    assert "refill_commitment" not in step["awaiting"] and "implant_depth" not in step["awaiting"]
    for unknown in record["decisive_unknowns"]:
        assert set(unknown) == {"criterion", "title", "stage", "status", "steps", "why"}
        assert unknown["why"].startswith("'") and unknown["why"].endswith(".")


def test_evaluate_markdown_and_text() -> None:
    md = CliRunner().invoke(
        main, ["evaluate", "--criteria", str(ITB), "--answers", str(EXAMPLE), "--format", "markdown"]
    )
    assert md.exit_code == 0
    assert md.stdout.startswith("# Reasoning record: Intrathecal baclofen (ITB) pump")
    assert "Baclofen to 80 mg/day: drowsy, little effect." in md.stdout
    text = CliRunner().invoke(main, ["evaluate", "--criteria", str(ITB), "--answers", str(EXAMPLE)])
    assert (
        "Next steps suggested by the criteria:\n  Before a screening test (now):\n  1. The criteria support proceeding"
        in text.stdout
    )


def test_evaluate_bad_answers_exit_2(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("criteria: itb_pump\nanswers:\n  age_years: {value: 300}\n  walks: {value: 'yes'}\n")
    done = CliRunner().invoke(main, ["evaluate", "--criteria", str(ITB), "--answers", str(answers)])
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        f"{answers}:3:22: answers.age_years.value [criterion 'age_years']: 300 is out of range: expected 0 to 120 years",
        f"{answers}:4:10: answers.walks [criterion 'walks']: unknown criterion 'walks' in criteria set 'itb_pump'",
    ]


def test_evaluate_unreadable_answers_exit_2(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text('{"criteria": "itb_pump", "answers": ')
    done = CliRunner().invoke(main, ["evaluate", "--criteria", str(ITB), "--answers", str(answers)])
    assert done.exit_code == 2
    assert re.match(rf"{re.escape(str(answers))}:\d+:\d+: not valid YAML: ", done.stderr)


def test_schema_file_is_current() -> None:
    done = CliRunner().invoke(main, ["schema"])
    assert done.exit_code == 0
    assert done.stdout == (ROOT / "criteria" / "schema.json").read_text(encoding="utf-8"), (
        "criteria/schema.json is stale: run `make schema`"
    )
    schema = json.loads(done.stdout)
    assert "sections" in schema["required"]


def test_schema_to_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["schema", "-o", str(tmp_path / "missing" / "schema.json")])
    assert done.exit_code == 2
    assert "output folder does not exist" in done.stderr


def test_evaluate_and_report_print_the_same_json_document(tmp_path: Path) -> None:
    """One canonical shape: evaluate --format json and report --format json give the same bytes."""
    args = ["--criteria", "criteria/itb_pump.yaml", "--answers", str(EXAMPLE), "--format", "json"]
    evaluated = run("evaluate", *args)
    reported = run("report", *args, "-o", str(tmp_path / "record.json"))
    assert evaluated.returncode == reported.returncode == 0, evaluated.stderr + reported.stderr
    assert evaluated.stdout == (tmp_path / "record.json").read_text(encoding="utf-8")
