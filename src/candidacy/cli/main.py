"""Command line: ``python -m candidacy validate|evaluate|report|fhir|diff|cases|screening|schema``.

The commands live in small modules beside this one; the root group runs every one of them inside the
one error handler of :mod:`candidacy.cli.errors`, which turns the project's errors into one line per
problem and an exit code (1: criteria invalid, 2: any other bad input, output or store failure).
A command's module is imported when that command runs (or when the help lists it): a run of
``screening`` does not load the case store, nor ``cases`` the PDF writer, and starts in about half the time.
"""

from __future__ import annotations

import importlib

import click

from candidacy.cli.errors import CandidacyGroup

__all__ = ["main"]

# command name -> (module, attribute); the help lists them in alphabetical order, as click does
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("candidacy.cli.criteria_commands", "validate"),
    "evaluate": ("candidacy.cli.assess_commands", "evaluate_command"),
    "report": ("candidacy.cli.assess_commands", "report"),
    "fhir": ("candidacy.cli.fhir_commands", "fhir"),
    "diff": ("candidacy.cli.criteria_commands", "diff_command"),
    "cases": ("candidacy.cli.cases_commands", "cases_group"),
    "screening": ("candidacy.cli.screening", "screening"),
    "schema": ("candidacy.cli.criteria_commands", "schema"),
}


class _LazyGroup(CandidacyGroup):
    """The root group, importing a command's module only when the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        if cmd_name == "fhir" and isinstance(command, click.Group) and "prefill" not in command.commands:
            from candidacy.cli.prefill_commands import prefill

            command.add_command(prefill)  # `fhir prefill`: proposals from a patient's record
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Decision support for intrathecal baclofen pump candidate selection (for clinician review)."""
