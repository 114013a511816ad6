"""The command line's one error handler: a project error becomes one line per problem and an exit code.

Exit codes: 0 done; 1 a criteria set is invalid (:class:`~candidacy.errors.CriteriaError`); 3 stored
data was changed outside the application (:class:`~candidacy.errors.TamperError`, whose message starts
with ``TAMPERED:``); 2 any other project error (bad input file or value, output not writable, bad setting,
the case store refused or failed). Every line written to the terminal is made printable first, so
that a hostile file name or value cannot send escape sequences to the terminal.
"""

from __future__ import annotations

from typing import Any

import click

from candidacy.errors import CandidacyError, CriteriaError, TamperError
from candidacy.text import printable

__all__ = ["EXIT_CRITERIA", "EXIT_INPUT", "EXIT_TAMPER", "CandidacyGroup", "exit_code", "report_error"]

EXIT_CRITERIA = 1
EXIT_INPUT = 2
EXIT_TAMPER = 3

_EXIT_CODES: tuple[tuple[type[CandidacyError], int], ...] = ((CriteriaError, EXIT_CRITERIA), (TamperError, EXIT_TAMPER))


def exit_code(error: CandidacyError) -> int:
    for kind, code in _EXIT_CODES:
        if isinstance(error, kind):
            return code
    return EXIT_INPUT


def report_error(error: CandidacyError) -> None:
    if isinstance(error, TamperError):
        click.echo(printable(str(error)), err=True)
        click.echo("run 'python -m candidacy cases verify' to check the whole database", err=True)
        return
    for problem in error.problems:
        click.echo(printable(str(problem)), err=True)


class CandidacyGroup(click.Group):
    """The root command group: every subcommand runs inside the one handler."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CandidacyError as error:
            report_error(error)
            ctx.exit(exit_code(error))
