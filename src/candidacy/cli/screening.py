"""``python -m candidacy screening --worksheet FILE``: the worksheet's result, as the app shows it.

The protocol is found by the id the worksheet names, in the criteria folder's ``screening/``
subfolder (or given with ``--protocol``). Text prints the result sentences and their numbers; JSON
gives the same result as data; PDF writes the printable worksheet with its charts.
"""

from __future__ import annotations

from pathlib import Path

import click

from candidacy.cli.common import emit
from candidacy.criteria.catalogue import load_catalogue
from candidacy.errors import CandidacyError, CriteriaError, InputError
from candidacy.screening.loader import load_protocol, load_worksheet, protocol_files, screening_folder
from candidacy.screening.pdf import render_worksheet_pdf
from candidacy.screening.protocol import Protocol
from candidacy.screening.render import result_json, result_text
from candidacy.settings import load_settings

__all__ = ["screening"]


def _protocol_for(worksheet: Path, protocol_path: Path | None) -> Protocol:
    settings = load_settings()
    catalogue = load_catalogue(settings.criteria_dir)
    paths = [protocol_path] if protocol_path else protocol_files(screening_folder(settings.criteria_dir))
    from candidacy.screening.loader import worksheet_protocol_id

    wanted = worksheet_protocol_id(worksheet)
    for path in paths:
        try:
            protocol = load_protocol(path)
            if protocol.id != wanted and protocol_path is None:
                continue
            cset = catalogue.sets.get(protocol.criteria)
            return load_protocol(path, cset) if cset is not None else protocol
        except CriteriaError:
            raise
        except CandidacyError as error:  # a protocol that cannot be read is an invalid protocol (exit 1)
            raise CriteriaError(error.problems) from error
    raise InputError(f"{worksheet}: no screening protocol '{wanted}' in {screening_folder(settings.criteria_dir)}")


@click.command()
@click.option("--worksheet", "worksheet_path", required=True, type=click.Path(path_type=Path), help="Worksheet file.")
@click.option("--protocol", "protocol_path", type=click.Path(path_type=Path), help="Protocol YAML (default: by id).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "pdf"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (required for pdf).")
def screening(worksheet_path: Path, protocol_path: Path | None, fmt: str, output: Path | None) -> None:
    """The result of a screening worksheet per dose, the next step, and the printable worksheet."""
    if fmt == "pdf" and output is None:
        raise InputError("a PDF needs an output file: add -o FILE.pdf")
    protocol = _protocol_for(worksheet_path, protocol_path)
    ws = load_worksheet(worksheet_path, protocol)
    if fmt == "pdf":
        data = render_worksheet_pdf(protocol, ws)
    elif fmt == "json":
        data = result_json(protocol, ws).encode("utf-8")
    else:
        data = result_text(protocol, ws).encode("utf-8")
    emit(data, output)
