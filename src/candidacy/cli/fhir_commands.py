"""FHIR commands: the criteria as a Questionnaire, an assessment as a QuestionnaireResponse, import, and the
observations of an assessment extracted as a transaction Bundle."""

from __future__ import annotations

from pathlib import Path

import click

from candidacy.cli.common import ANSWERS, CRITERIA, OUTPUT, RELEASE, emit, load_both, load_criteria_set, say
from candidacy.criteria.yamlsource import parse_bytes
from candidacy.draft import draft_json
from candidacy.errors import CriteriaError, FhirError
from candidacy.fhir import RELEASES, questionnaire, questionnaire_response, read_response, response_release
from candidacy.fhir.extract import extraction_bundle
from candidacy.fhir.response import dumps
from candidacy.files import read_limited

__all__ = ["fhir"]


@click.group()
def fhir() -> None:
    """FHIR R5 / R4B exchange: Questionnaire, QuestionnaireResponse, import and extraction."""


@fhir.command("questionnaire")
@CRITERIA
@RELEASE
@OUTPUT
def fhir_questionnaire(criteria_path: Path, release: str, output: Path | None) -> None:
    """Print the criteria set as a FHIR Questionnaire."""
    cset = load_criteria_set(criteria_path)
    try:
        resource = questionnaire(cset, release)
    except FhirError as error:  # the criteria set cannot be expressed: a criteria problem
        raise CriteriaError(error.problems) from error
    emit(dumps(resource).encode("utf-8"), output)


@fhir.command("response")
@CRITERIA
@ANSWERS
@RELEASE
@OUTPUT
def fhir_response(criteria_path: Path, answers_path: Path, release: str, output: Path | None) -> None:
    """Print an assessment as a FHIR QuestionnaireResponse."""
    cset, answer_set = load_both(criteria_path, answers_path)
    emit(dumps(questionnaire_response(cset, answer_set, release)).encode("utf-8"), output)


@fhir.command("import")
@CRITERIA
@click.argument("response_path", type=click.Path(path_type=Path))
@click.option(
    "--release",
    type=click.Choice(list(RELEASES)),
    help="FHIR release of the response when its meta.profile does not say (it must agree when it does).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Answers file to write (default: stdout).")
def fhir_import(criteria_path: Path, response_path: Path, release: str | None, output: Path | None) -> None:
    """Read a QuestionnaireResponse (from this tool or any SDC form filler) into an answers file (JSON)."""
    cset = load_criteria_set(criteria_path)
    answer_set, notes = read_response(cset, read_limited(response_path), str(response_path), release)
    for line in notes:  # what a person should know about the import (items a 'completed' form left blank)
        say(f"note: {line}", err=True)
    emit(draft_json(answer_set).encode("utf-8"), output)


@fhir.command("extract")
@CRITERIA
@click.option("--response", "response_path", type=click.Path(path_type=Path), help="QuestionnaireResponse (JSON).")
@click.option("--answers", "answers_path", type=click.Path(path_type=Path), help="Answers file (YAML or JSON).")
@click.option(
    "--release",
    type=click.Choice(list(RELEASES)),
    help="FHIR release of the Bundle (default: the response's own, else R5); a response stating another is refused.",
)
@OUTPUT
def fhir_extract(
    criteria_path: Path, response_path: Path | None, answers_path: Path | None, release: str | None, output: Path | None
) -> None:
    """Print the observations of an assessment (a QuestionnaireResponse or an answers file) as a FHIR
    transaction Bundle of Observations and one Provenance (SDC observation-based extraction)."""
    if (response_path is None) == (answers_path is None):
        raise click.UsageError("give the assessment as exactly one of --response FILE or --answers FILE")
    if response_path is not None:
        cset = load_criteria_set(criteria_path)
        name = str(response_path)
        raw = read_limited(response_path)
        answer_set, notes = read_response(cset, raw, name, release)
        release = response_release(parse_bytes(raw, name).data, release)
        for line in notes:
            say(f"note: {line}", err=True)
    else:
        assert answers_path is not None
        cset, answer_set = load_both(criteria_path, answers_path)
        name = str(answers_path)
    try:
        bundle = extraction_bundle(cset, answer_set, release or "R5")
    except FhirError as error:
        raise FhirError([p.message for p in error.problems], file=name) from None
    if "entry" not in bundle:
        say("note: no observation item is answered; the Bundle has no entries", err=True)
    emit(dumps(bundle).encode("utf-8"), output)
