"""Command line: ``python -m candidacy validate|evaluate|report|fhir|diff|cases|schema``.

The core raises :class:`~candidacy.errors.CandidacyError`; this edge prints one line per problem and
chooses the exit code (1: criteria invalid, 2: answers or input invalid, 3: stored data tampered with).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

import click

from candidacy.criteria.diff import diff_criteria
from candidacy.criteria.loader import criteria_files, load_criteria
from candidacy.criteria.models import CriteriaSet
from candidacy.criteria.schema import criteria_json_schema
from candidacy.criteria.yamlsource import read_limited
from candidacy.draft import draft_json
from candidacy.errors import CandidacyError
from candidacy.fhir import RELEASES, FhirError, answers_from_response, questionnaire, questionnaire_response
from candidacy.fhir.response import dumps
from candidacy.identity import Identity
from candidacy.learning.vignettes import load_vignettes, vignette_folder
from candidacy.reasoning.answers import AnswerSet, check_answers, load_answers
from candidacy.reasoning.engine import evaluate
from candidacy.reports import RENDERERS, ReportError, render, write_atomic
from candidacy.reports.markdown import render_markdown
from candidacy.reports.record import build_record
from candidacy.reports.render import render_text
from candidacy.store import CaseStore, TamperError, open_store
from candidacy.store.summary import summary_line
from candidacy.store.workflow import STATUSES

__all__ = ["main"]

EXIT_CRITERIA = 1
EXIT_INPUT = 2
EXIT_TAMPER = 3

_CRITERIA = click.option(
    "--criteria", "criteria_path", required=True, type=click.Path(path_type=Path), help="Criteria YAML file."
)
_ANSWERS = click.option(
    "--answers", "answers_path", required=True, type=click.Path(path_type=Path), help="Answers file (YAML or JSON)."
)
_RELEASE = click.option("--release", type=click.Choice(list(RELEASES)), default="R5", show_default=True)


def _fail(error: CandidacyError, code: int) -> NoReturn:
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
        try:
            vignettes = load_vignettes(vignette_folder(path, cset), cset)
        except CandidacyError as error:
            failed = True
            for problem in error.problems:
                click.echo(str(problem), err=True)
            continue
        click.echo(
            f"ok: {path}: {cset.id} version {cset.version}, {len(cset.criteria_by_id)} criteria, sha256 {cset.sha256}"
            + (f"; {len(vignettes)} vignettes" if vignettes else "")
        )
    sys.exit(EXIT_CRITERIA if failed else 0)


@main.command(name="evaluate")
@_CRITERIA
@_ANSWERS
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def evaluate_command(criteria_path: Path, answers_path: Path, fmt: str) -> None:
    """Evaluate an answers file against a criteria set and print the findings."""
    cset, answer_set = _load_both(criteria_path, answers_path)
    assessment = evaluate(cset, check_answers(cset, answer_set))
    case = answer_set.case
    if fmt == "json":  # the same document as report --format json
        click.echo(build_record(cset, answer_set, assessment).to_json(), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(build_record(cset, answer_set, assessment)), nl=False)
    else:
        click.echo(render_text(cset, assessment, case), nl=False)


def _criteria_or_exit(criteria_path: Path) -> CriteriaSet:
    try:
        return load_criteria(criteria_path)
    except CandidacyError as error:
        _fail(error, EXIT_CRITERIA)


def _load_both(criteria_path: Path, answers_path: Path) -> tuple[CriteriaSet, AnswerSet]:
    cset = _criteria_or_exit(criteria_path)
    try:
        answer_set, located = load_answers(answers_path)
        check_answers(cset, answer_set, located)
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
    return cset, answer_set


def _emit(data: bytes, output: Path | None) -> None:
    """Write to a file atomically (no partial file on failure), or to standard output."""
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        write_atomic(output, data)
    except ReportError as error:
        _fail(error, EXIT_INPUT)


@main.command()
@_CRITERIA
@_ANSWERS
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), required=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (required for pdf).")
def report(criteria_path: Path, answers_path: Path, fmt: str, output: Path | None) -> None:
    """Write the reasoning record as PDF, Markdown or canonical JSON."""
    if fmt == "pdf" and output is None:
        click.echo("a PDF needs an output file: add -o FILE.pdf", err=True)
        sys.exit(EXIT_INPUT)
    cset, answer_set = _load_both(criteria_path, answers_path)
    _emit(render(build_record(cset, answer_set), fmt), output)


@main.group()
def fhir() -> None:
    """FHIR R5 / R4B exchange: Questionnaire, QuestionnaireResponse, and import."""


@fhir.command("questionnaire")
@_CRITERIA
@_RELEASE
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (default: standard output).")
def fhir_questionnaire(criteria_path: Path, release: str, output: Path | None) -> None:
    """Print the criteria set as a FHIR Questionnaire."""
    cset = _criteria_or_exit(criteria_path)
    try:
        resource = questionnaire(cset, release)
    except FhirError as error:
        _fail(error, EXIT_CRITERIA)
    _emit(dumps(resource).encode("utf-8"), output)


@fhir.command("response")
@_CRITERIA
@_ANSWERS
@_RELEASE
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (default: standard output).")
def fhir_response(criteria_path: Path, answers_path: Path, release: str, output: Path | None) -> None:
    """Print an assessment as a FHIR QuestionnaireResponse."""
    cset, answer_set = _load_both(criteria_path, answers_path)
    try:
        resource = questionnaire_response(cset, answer_set, release)
    except FhirError as error:
        _fail(error, EXIT_INPUT)
    _emit(dumps(resource).encode("utf-8"), output)


@fhir.command("import")
@_CRITERIA
@click.argument("response_path", type=click.Path(path_type=Path))
@click.option(
    "--release",
    type=click.Choice(list(RELEASES)),
    help="FHIR release of the response when its meta.profile does not say (it must agree when it does).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Answers file to write (default: stdout).")
def fhir_import(criteria_path: Path, response_path: Path, release: str | None, output: Path | None) -> None:
    """Read a QuestionnaireResponse (from this tool or any SDC form filler) into an answers file (JSON)."""
    cset = _criteria_or_exit(criteria_path)
    try:
        raw = read_limited(response_path)
        answer_set = answers_from_response(cset, raw, str(response_path), release)
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
    _emit(draft_json(answer_set).encode("utf-8"), output)


@main.command(name="diff")
@click.argument("old_path", type=click.Path(path_type=Path))
@click.argument("new_path", type=click.Path(path_type=Path))
def diff_command(old_path: Path, new_path: Path) -> None:
    """List the criteria added, removed or changed between two criteria files."""
    try:
        old, new = load_criteria(old_path), load_criteria(new_path)
    except CandidacyError as error:
        _fail(error, EXIT_CRITERIA)
    result = diff_criteria(old, new)
    for line in result.lines():
        click.echo(line)
    if result.empty:
        click.echo("no differences in the criteria")


@main.group(name="cases")
def cases_group() -> None:
    """Stored cases (database from CANDIDACY_DATABASE_URL, default data/candidacy.db)."""


def _store() -> CaseStore:
    try:
        return open_store()
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)


@cases_group.command("list")
@click.option("--meeting", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only this meeting date.")
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--search", default="", help="Text in the case label.")
@click.option("--all", "include_archived", is_flag=True, help="Include archived cases.")
def cases_list(meeting: dt.datetime | None, status: str | None, search: str, include_archived: bool) -> None:
    """One line per case: id, meeting, label, status, counts and the next step."""
    store = _store()
    rows = store.list_cases(meeting.date() if meeting else None, status, search, include_archived)
    for row in rows:
        click.echo(summary_line(row))
    if not rows:
        click.echo("no cases")


@cases_group.command("show")
@click.argument("case_id", type=int)
@click.option("--audit", "with_audit", is_flag=True, help="Also print the audit trail.")
def cases_show(case_id: int, with_audit: bool) -> None:
    """A case's revisions and its current record: the frozen, signed record when it was reviewed (then,
    separately, whether today's criteria read it differently), else the record as it stands."""
    store = _store()
    try:
        detail = store.get(case_id)
        revisions = store.revisions(case_id)
        cset = store.criteria[detail.row.criteria_id]
        drift = store.drift(case_id)
    except TamperError as error:
        click.echo(str(error), err=True)
        click.echo("run 'python -m candidacy cases verify' to check the whole database", err=True)
        sys.exit(EXIT_TAMPER)
    except (CandidacyError, KeyError) as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_INPUT)
    click.echo(summary_line(detail.row))
    for rev in revisions:
        signed = (
            f" reviewed by {rev.reviewed_by} ({rev.reviewed_role}), hash {rev.content_hash}" if rev.content_hash else ""
        )
        reason = f" reason: {rev.reason}" if rev.reason else ""
        click.echo(f"revision {rev.number}: {rev.status}{signed}{reason}")
    if detail.record is not None:
        click.echo(f"\n--- frozen record of revision {detail.number}, as signed (sha256 {detail.content_hash}) ---\n")
        click.echo(render_markdown(detail.record), nl=False)
        click.echo("\n--- end of the frozen record ---")
    else:
        click.echo(
            render_text(cset, evaluate(cset, check_answers(cset, detail.answers)), detail.answers.case), nl=False
        )
        if detail.decision is not None:
            click.echo(f"Team decision: {detail.decision.label()} ({detail.decision.decided_on.isoformat()})")
    click.echo("drift: " + ("none: today's criteria are the ones this revision was assessed with" if drift is None else
               "today's criteria differ from those this revision was assessed with:"))  # fmt: skip
    if drift is not None:
        for line in drift.lines():
            click.echo(f"  {line}")
    if with_audit:
        click.echo("audit trail:")
        for entry in store.audit_trail(case_id):
            click.echo(f"  {entry.describe()}")


@cases_group.command("sign-off")
@click.argument("case_id", type=int)
@click.option("--name", required=True, help="The reviewer's name, as it will stand on the record.")
@click.option("--role", required=True, help="The reviewer's role, e.g. 'Consultant neurologist'.")
@click.option("--comment", default="", help="A comment that becomes part of the sign-off.")
@click.option("--acknowledge-gaps", is_flag=True, help="Sign although applicable items are unanswered (listed).")
def cases_sign_off(case_id: int, name: str, role: str, comment: str, acknowledge_gaps: bool) -> None:
    """Sign off a case's current revision (it must be ready for review); prints the revision hash."""
    store = _store()
    actor = Identity(name=name.strip(), role=role.strip(), source="cli")
    try:
        detail = store.get(case_id)
        gaps = [criterion for criterion, _ in store.gaps(case_id)] if acknowledge_gaps else []
        digest = store.review(case_id, detail.row.lock_version, actor, comment, gaps)
    except TamperError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_TAMPER)
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
    click.echo(f"signed off revision {detail.number} of case {case_id}; revision hash {digest}")


@cases_group.command("verify")
@click.option("--head", "show_heads", is_flag=True, help="Print every case's chain head and the database head.")
def cases_verify(show_heads: bool) -> None:
    """Check every audit chain, frozen record and sign-off; exit 3 naming the first broken case and row."""
    from candidacy.store.verify import verify

    report = verify(_store().engine)
    if show_heads:
        for case_id, head in sorted(report.heads.items()):
            click.echo(f"case {case_id} {head}")
        click.echo(f"database {report.head}")
    if report.breaks:
        click.echo(f"TAMPERED: first broken: {report.breaks[0].describe()}", err=True)
        for other in report.breaks[1:]:
            click.echo(f"also broken: {other.describe()}", err=True)
        sys.exit(EXIT_TAMPER)
    click.echo(
        f"ok: {len(report.heads)} cases, {report.rows_checked} audit rows, {report.revisions_checked} revisions "
        f"checked; database head {report.head}",
        err=show_heads,
    )


@cases_group.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="JSON Lines file (default: stdout).")
def cases_export(output: Path | None) -> None:
    """Every case with its revisions and audit trail, as JSON Lines (a backup that restores)."""
    import io

    buffer = io.StringIO()
    count = _store().export_jsonl(buffer)
    _emit(buffer.getvalue().encode("utf-8"), output)
    click.echo(f"exported {count} cases", err=True)


@cases_group.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def cases_import(path: Path) -> None:
    """Restore an export into an empty database."""
    store = _store()
    try:
        with path.open(encoding="utf-8") as lines:
            count = store.import_jsonl(iter(lines))
    except OSError as exc:
        click.echo(f"{path}: cannot read: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT)
    except CandidacyError as error:
        _fail(error, EXIT_INPUT)
    click.echo(f"imported {count} cases, every chain and signed record verified")


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of criteria files (criteria/schema.json is generated with it)."""
    _emit(criteria_json_schema().encode("utf-8"), output)


from candidacy.cli.screening import screening  # noqa: E402 (a command module registered on the group)

main.add_command(screening)
