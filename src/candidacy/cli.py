"""Command line: ``python -m candidacy validate|evaluate|report|fhir|schema``.

The core raises :class:`~candidacy.errors.CandidacyError`; this edge prints one line per problem and
chooses the exit code (1: criteria invalid, 2: answers or input invalid).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from candidacy.answers import AnswerSet, check_answers, load_answers
from candidacy.draft import draft_json
from candidacy.engine import evaluate
from candidacy.errors import AnswersError, CandidacyError, SourceFileError
from candidacy.fhir import RELEASES, FhirError, answers_from_response, questionnaire, questionnaire_response
from candidacy.fhir.response import dumps
from candidacy.loader import criteria_files, load_criteria
from candidacy.models import CriteriaSet
from candidacy.record import build_record
from candidacy.render import render_json, render_text
from candidacy.reports import RENDERERS, ReportError, render, write_atomic
from candidacy.reports.markdown import render_markdown
from candidacy.schema import criteria_json_schema
from candidacy.yamlsource import read_limited

__all__ = ["main"]

EXIT_CRITERIA = 1
EXIT_INPUT = 2


def _fail(error: CandidacyError, code: int) -> NoReturn:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Decision support for intrathecal baclofen pump candidate selection (for clinician review)."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check criteria files (default: the criteria/ folder). Exit 1 with FILE:LINE:COL lines on error."""
    targets: list[Path] = []
    missing: list[Path] = []
    for path in paths or (Path("criteria"),):
        if path.is_dir():
            targets += criteria_files(path)
        elif path.exists():
            targets.append(path)
        else:
            missing.append(path)
    for path in missing:
        click.echo(f"{path}: no such file or folder", err=True)
    if not targets and not missing:
        click.echo("no criteria files found", err=True)
        sys.exit(EXIT_CRITERIA)
    failed = bool(missing)
    for path in targets:
        try:
            cset = load_criteria(path)
        except CandidacyError as error:
            failed = True
            for problem in error.problems:
                click.echo(str(problem), err=True)
            continue
        click.echo(
            f"ok: {path}: {cset.id} version {cset.version}, {len(cset.criteria_by_id)} criteria, sha256 {cset.sha256}"
        )
    sys.exit(EXIT_CRITERIA if failed else 0)


@main.command(name="evaluate")
@click.option("--criteria", "criteria_path", required=True, type=click.Path(path_type=Path), help="Criteria YAML file.")
@click.option(
    "--answers", "answers_path", required=True, type=click.Path(path_type=Path), help="Answers file (YAML or JSON)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def evaluate_command(criteria_path: Path, answers_path: Path, fmt: str) -> None:
    """Evaluate an answers file against a criteria set and print the findings."""
    try:
        cset = load_criteria(criteria_path)
    except CandidacyError as error:
        _fail(error, EXIT_CRITERIA)
        return
    try:
        answer_set, located = load_answers(answers_path)
        checked = check_answers(cset, answer_set, located)
    except (AnswersError, SourceFileError) as error:
        _fail(error, EXIT_INPUT)
        return
    assessment = evaluate(cset, checked)
    case = answer_set.case
    if fmt == "json":
        click.echo(render_json(assessment, case), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(build_record(cset, answer_set, assessment)), nl=False)
    else:
        click.echo(render_text(cset, assessment, case), nl=False)


def _load_both(criteria_path: Path, answers_path: Path) -> tuple[CriteriaSet, AnswerSet]:
    try:
        cset = load_criteria(criteria_path)
    except CandidacyError as error:
        _fail(error, EXIT_CRITERIA)
        raise  # unreachable: _fail exits
    try:
        answer_set, located = load_answers(answers_path)
        check_answers(cset, answer_set, located)
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
        raise
    return cset, answer_set


def _emit(data: bytes, output: Path | None) -> None:
    """Write to a file atomically (no partial file on failure), or to standard output."""
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        write_atomic(output, data)
    except ReportError as error:
        _fail(error, EXIT_INPUT)


@main.command()
@click.option("--criteria", "criteria_path", required=True, type=click.Path(path_type=Path), help="Criteria YAML file.")
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path), help="Answers file.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), required=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (required for pdf).")
def report(criteria_path: Path, answers_path: Path, fmt: str, output: Path | None) -> None:
    """Write the reasoning record as PDF, Markdown or canonical JSON."""
    if fmt == "pdf" and output is None:
        click.echo("a PDF needs an output file: add -o FILE.pdf", err=True)
        sys.exit(EXIT_INPUT)
    cset, answer_set = _load_both(criteria_path, answers_path)
    _emit(render(build_record(cset, answer_set), fmt), output)


@main.group()
def fhir() -> None:
    """FHIR R5 / R4B exchange: Questionnaire, QuestionnaireResponse, and import."""


_RELEASE = click.option("--release", type=click.Choice(list(RELEASES)), default="R5", show_default=True)


@fhir.command("questionnaire")
@click.option("--criteria", "criteria_path", required=True, type=click.Path(path_type=Path), help="Criteria YAML file.")
@_RELEASE
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (default: standard output).")
def fhir_questionnaire(criteria_path: Path, release: str, output: Path | None) -> None:
    """Print the criteria set as a FHIR Questionnaire."""
    try:
        cset = load_criteria(criteria_path)
    except CandidacyError as error:
        _fail(error, EXIT_CRITERIA)
        return
    try:
        resource = questionnaire(cset, release)
    except FhirError as error:
        _fail(error, EXIT_CRITERIA)
        return
    _emit(dumps(resource).encode("utf-8"), output)


@fhir.command("response")
@click.option("--criteria", "criteria_path", required=True, type=click.Path(path_type=Path), help="Criteria YAML file.")
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path), help="Answers file.")
@_RELEASE
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (default: standard output).")
def fhir_response(criteria_path: Path, answers_path: Path, release: str, output: Path | None) -> None:
    """Print an assessment as a FHIR QuestionnaireResponse."""
    cset, answer_set = _load_both(criteria_path, answers_path)
    try:
        resource = questionnaire_response(cset, answer_set, release)
    except FhirError as error:
        _fail(error, EXIT_INPUT)
        return
    _emit(dumps(resource).encode("utf-8"), output)


@fhir.command("import")
@click.option("--criteria", "criteria_path", required=True, type=click.Path(path_type=Path), help="Criteria YAML file.")
@click.argument("response_path", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Answers file to write (default: stdout).")
def fhir_import(criteria_path: Path, response_path: Path, output: Path | None) -> None:
    """Read a QuestionnaireResponse back into an answers file (JSON)."""
    try:
        cset = load_criteria(criteria_path)
    except CandidacyError as error:
        _fail(error, EXIT_CRITERIA)
        return
    try:
        raw = read_limited(response_path)
        answer_set = answers_from_response(cset, raw, str(response_path))
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
        return
    _emit(draft_json(answer_set).encode("utf-8"), output)


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of criteria files (criteria/schema.json is generated with it)."""
    _emit(criteria_json_schema().encode("utf-8"), output)
