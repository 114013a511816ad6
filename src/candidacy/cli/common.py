"""What several commands share: the common options, reading the two inputs, writing the output."""

from __future__ import annotations

from pathlib import Path

import click

from candidacy.criteria.loader import load_criteria
from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError, CriteriaError
from candidacy.fhir import RELEASES
from candidacy.files import write_atomic
from candidacy.reasoning.answers import AnswerSet, check_answers, load_answers, migrate_answers
from candidacy.text import printable

__all__ = ["ANSWERS", "CRITERIA", "OUTPUT", "RELEASE", "emit", "load_both", "load_criteria_set", "say"]

CRITERIA = click.option(
    "--criteria", "criteria_path", required=True, type=click.Path(path_type=Path), help="Criteria YAML file."
)
ANSWERS = click.option(
    "--answers", "answers_path", required=True, type=click.Path(path_type=Path), help="Answers file (YAML or JSON)."
)
RELEASE = click.option("--release", type=click.Choice(list(RELEASES)), default="R5", show_default=True)
OUTPUT = click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (default: standard output).")


def load_criteria_set(path: Path) -> CriteriaSet:
    """The criteria set at ``path``; any failure to read it counts as an invalid criteria set (exit 1)."""
    try:
        return load_criteria(path)
    except CriteriaError:
        raise
    except CandidacyError as error:
        raise CriteriaError(error.problems) from error


def load_both(criteria_path: Path, answers_path: Path) -> tuple[CriteriaSet, AnswerSet]:
    cset = load_criteria_set(criteria_path)
    answer_set, located = load_answers(answers_path)
    check_answers(cset, answer_set, located)
    migrated, lines = migrate_answers(cset, answer_set)
    for line in lines:  # an earlier version's answers are read across: say how, on stderr
        say(f"note: {line}", err=True)
    return cset, migrated


def say(text: str, nl: bool = True, err: bool = False) -> None:
    """Print text that may carry user input, with control and bidirectional characters made visible."""
    click.echo(printable(text), nl=nl, err=err)


def emit(data: bytes, output: Path | None) -> None:
    """Write to a file atomically (a regular or new file only), or print text to standard output."""
    if output is None:
        say(data.decode("utf-8"), nl=False)
        return
    write_atomic(output, data)
