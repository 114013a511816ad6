"""Command line: ``python -m candidacy validate|evaluate|schema``.

The core raises :class:`~candidacy.errors.CandidacyError`; this edge prints one line per problem and
chooses the exit code (1: criteria invalid, 2: answers or input invalid).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from candidacy.answers import check_answers, load_answers
from candidacy.engine import evaluate
from candidacy.errors import AnswersError, CandidacyError, SourceFileError
from candidacy.loader import criteria_files, load_criteria
from candidacy.record import build_record
from candidacy.render import render_json, render_text
from candidacy.reports.markdown import render_markdown
from candidacy.schema import criteria_json_schema

__all__ = ["main"]

EXIT_CRITERIA = 1
EXIT_INPUT = 2


def _fail(error: CandidacyError, code: int) -> None:
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


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of criteria files (criteria/schema.json is generated with it)."""
    text = criteria_json_schema()
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        click.echo(f"{output}: cannot write: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT)
