"""Command line: ``python -m candidacy validate|evaluate|report|fhir|diff|cases|screening|schema``.

The commands live in small modules beside this one; the root group runs every one of them inside the
one error handler of :mod:`candidacy.cli.errors`, which turns the project's errors into one line per
problem and an exit code (1: criteria invalid, 2: any other bad input, output or store failure).
"""

from __future__ import annotations

import click

from candidacy.cli.assess_commands import evaluate_command, report
from candidacy.cli.cases_commands import cases_group
from candidacy.cli.criteria_commands import diff_command, schema, validate
from candidacy.cli.errors import CandidacyGroup
from candidacy.cli.fhir_commands import fhir
from candidacy.cli.prefill_commands import prefill
from candidacy.cli.screening import screening

__all__ = ["main"]

fhir.add_command(prefill)  # `fhir prefill`: proposals from a patient's record


@click.group(cls=CandidacyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Decision support for intrathecal baclofen pump candidate selection (for clinician review)."""


for command in (validate, evaluate_command, report, fhir, diff_command, cases_group, screening, schema):
    main.add_command(command)
