"""``python -m candidacy screening --worksheet FILE``: the worksheet's result, as the app shows it.

The protocol is found by the id the worksheet names, in the criteria folder's ``screening/``
subfolder (or given with ``--protocol``). Text prints the result sentences and their numbers; JSON
gives the same result as data; PDF writes the printable worksheet with its charts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from candidacy.criteria.catalogue import load_catalogue
from candidacy.errors import CandidacyError
from candidacy.reports import ReportError, write_atomic
from candidacy.screening.loader import load_protocol, load_worksheet, protocol_files, screening_folder
from candidacy.screening.pdf import render_worksheet_pdf
from candidacy.screening.protocol import Protocol
from candidacy.screening.render import result_json, result_text
from candidacy.settings import load_settings

__all__ = ["screening"]

EXIT_CRITERIA = 1
EXIT_INPUT = 2


def _fail(error: CandidacyError, code: int) -> NoReturn:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    sys.exit(code)


def _protocol_for(worksheet: Path, protocol_path: Path | None) -> Protocol:
    try:
        settings = load_settings()
        catalogue = load_catalogue(settings.criteria_dir)
        paths = [protocol_path] if protocol_path else protocol_files(screening_folder(settings.criteria_dir))
        from candidacy.screening.loader import worksheet_protocol_id

        wanted = worksheet_protocol_id(worksheet)
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
    for path in paths:
        try:
            protocol = load_protocol(path)
            if protocol.id != wanted and protocol_path is None:
                continue
            cset = catalogue.sets.get(protocol.criteria)
            return load_protocol(path, cset) if cset is not None else protocol
        except CandidacyError as error:
            _fail(error, EXIT_CRITERIA)
    click.echo(f"{worksheet}: no screening protocol '{wanted}' in {screening_folder(settings.criteria_dir)}", err=True)
    sys.exit(EXIT_INPUT)


@click.command()
@click.option("--worksheet", "worksheet_path", required=True, type=click.Path(path_type=Path), help="Worksheet file.")
@click.option("--protocol", "protocol_path", type=click.Path(path_type=Path), help="Protocol YAML (default: by id).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "pdf"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (required for pdf).")
def screening(worksheet_path: Path, protocol_path: Path | None, fmt: str, output: Path | None) -> None:
    """The result of a screening worksheet per dose, the next step, and the printable worksheet."""
    if fmt == "pdf" and output is None:
        click.echo("a PDF needs an output file: add -o FILE.pdf", err=True)
        sys.exit(EXIT_INPUT)
    protocol = _protocol_for(worksheet_path, protocol_path)
    try:
        ws = load_worksheet(worksheet_path, protocol)
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
    if fmt == "pdf":
        data = render_worksheet_pdf(protocol, ws)
    elif fmt == "json":
        data = result_json(protocol, ws).encode("utf-8")
    else:
        data = result_text(protocol, ws).encode("utf-8")
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        write_atomic(output, data)
    except ReportError as error:
        _fail(error, EXIT_INPUT)
