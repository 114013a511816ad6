"""Commands on criteria files: validate, diff, schema."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from candidacy.cli.common import OUTPUT, emit, load_criteria_set, say
from candidacy.cli.errors import EXIT_CRITERIA, report_error
from candidacy.criteria.diff import diff_criteria
from candidacy.criteria.loader import criteria_files, load_criteria
from candidacy.criteria.schema import criteria_json_schema
from candidacy.errors import CandidacyError
from candidacy.fhir.prefill_rules import load_rules, rules_path
from candidacy.learning.vignettes import load_vignettes, vignette_folder

__all__ = ["diff_command", "schema", "validate"]


@click.command()
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
        say(f"{path}: no such file or folder", err=True)
    if not targets and not missing:
        click.echo("no criteria files found", err=True)
        sys.exit(EXIT_CRITERIA)
    failed = bool(missing)
    for path in targets:
        try:  # every file is checked, so errors are reported here rather than ending the command
            cset = load_criteria(path)
            vignettes = load_vignettes(vignette_folder(path, cset), cset)
            rules = load_rules(rules_path(path), cset) if rules_path(path).is_file() else None
        except CandidacyError as error:
            failed = True
            report_error(error)
            continue
        say(
            f"ok: {path}: {cset.id} version {cset.version}, {len(cset.criteria_by_id)} criteria, sha256 {cset.sha256}"
            + (f"; {len(vignettes)} vignettes" if vignettes else "")
            + (f"; {len(rules.rules)} prefill rules" if rules else "")
        )
    sys.exit(EXIT_CRITERIA if failed else 0)


@click.command(name="diff")
@click.argument("old_path", type=click.Path(path_type=Path))
@click.argument("new_path", type=click.Path(path_type=Path))
def diff_command(old_path: Path, new_path: Path) -> None:
    """List the criteria added, removed or changed between two criteria files."""
    result = diff_criteria(load_criteria_set(old_path), load_criteria_set(new_path))
    for line in result.lines():
        say(line)
    if result.empty:
        click.echo("no differences in the criteria")


@click.command()
@OUTPUT
def schema(output: Path | None) -> None:
    """Print the JSON Schema of criteria files (criteria/schema.json is generated with it)."""
    emit(criteria_json_schema().encode("utf-8"), output)
