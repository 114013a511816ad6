"""Commands on one assessment: evaluate (print the findings) and report (write the record)."""

from __future__ import annotations

from pathlib import Path

import click

from candidacy.cli.common import ANSWERS, CRITERIA, emit, load_both, say
from candidacy.errors import InputError
from candidacy.reasoning.answers import check_answers
from candidacy.reasoning.engine import evaluate
from candidacy.reports import RENDERERS, render
from candidacy.reports.markdown import render_markdown
from candidacy.reports.record import build_record
from candidacy.reports.render import render_text

__all__ = ["evaluate_command", "report"]


@click.command(name="evaluate")
@CRITERIA
@ANSWERS
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def evaluate_command(criteria_path: Path, answers_path: Path, fmt: str) -> None:
    """Evaluate an answers file against a criteria set and print the findings."""
    cset, answer_set = load_both(criteria_path, answers_path)
    assessment = evaluate(cset, check_answers(cset, answer_set))
    case = answer_set.case
    if fmt == "json":  # the same document as report --format json; JSON escapes every control character
        click.echo(build_record(cset, answer_set, assessment).to_json(), nl=False)
    elif fmt == "markdown":
        say(render_markdown(build_record(cset, answer_set, assessment)), nl=False)
    else:
        say(render_text(cset, assessment, case), nl=False)


@click.command()
@CRITERIA
@ANSWERS
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), required=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (required for pdf).")
def report(criteria_path: Path, answers_path: Path, fmt: str, output: Path | None) -> None:
    """Write the reasoning record as PDF, Markdown or canonical JSON."""
    if fmt == "pdf" and output is None:
        raise InputError("a PDF needs an output file: add -o FILE.pdf")
    cset, answer_set = load_both(criteria_path, answers_path)
    emit(render(build_record(cset, answer_set), fmt), output)
