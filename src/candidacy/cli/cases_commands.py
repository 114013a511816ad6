"""Commands on the stored cases: list, show, sign-off, verify, export, import."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import click

from candidacy.case import SignOffRevision
from candidacy.case.workflow import STATUSES
from candidacy.cli.common import emit, say
from candidacy.cli.errors import EXIT_TAMPER
from candidacy.errors import Problem, SourceFileError, StoreError
from candidacy.files import read_limited
from candidacy.identity import Identity
from candidacy.reasoning.answers import check_answers
from candidacy.reasoning.engine import evaluate
from candidacy.reports.markdown import render_markdown
from candidacy.reports.render import render_text
from candidacy.store import open_store
from candidacy.store.summary import summary_line
from candidacy.store.tables import MAX_ID

__all__ = ["cases_group"]

MAX_BACKUP_BYTES = 512 * 1024 * 1024
CASE_NUMBER = click.IntRange(1, MAX_ID)


@click.group(name="cases")
def cases_group() -> None:
    """Stored cases (database from CANDIDACY_DATABASE_URL, default data/candidacy.db)."""


@cases_group.command("list")
@click.option("--meeting", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only this meeting date.")
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--search", default="", help="Text in the case label.")
@click.option("--all", "include_archived", is_flag=True, help="Include archived cases.")
def cases_list(meeting: dt.datetime | None, status: str | None, search: str, include_archived: bool) -> None:
    """One line per case: id, meeting, label, status, counts and the next step."""
    rows = open_store().list_cases(meeting.date() if meeting else None, status, search, include_archived)
    for row in rows:
        say(summary_line(row))
    if not rows:
        click.echo("no cases")


@cases_group.command("show")
@click.argument("case_id", type=CASE_NUMBER)
@click.option("--audit", "with_audit", is_flag=True, help="Also print the audit trail.")
def cases_show(case_id: int, with_audit: bool) -> None:
    """A case's revisions and its current record: the frozen, signed record when it was reviewed (then,
    separately, whether today's criteria read it differently), else the record as it stands."""
    store = open_store()
    detail = store.get(case_id)
    store.check(case_id)  # the chain and the seal: TAMPERED wherever verify would say so
    revisions = store.revisions(case_id)
    cset = store.criteria.get(detail.row.criteria_id)
    if cset is None:
        raise StoreError(f"case {case_id} uses criteria set '{detail.row.criteria_id}', which is not loaded")
    drift = store.drift(case_id)
    say(summary_line(detail.row))
    for rev in revisions:
        signed = (
            f" reviewed by {rev.reviewed_by} ({rev.reviewed_role}), hash {rev.content_hash}" if rev.content_hash else ""
        )
        reason = f" reason: {rev.reason}" if rev.reason else ""
        say(f"revision {rev.number}: {rev.status}{signed}{reason}")
    if detail.record is not None:
        click.echo(f"\n--- frozen record of revision {detail.number}, as signed (sha256 {detail.content_hash}) ---\n")
        say(render_markdown(detail.record), nl=False)
        click.echo("\n--- end of the frozen record ---")
    else:
        say(render_text(cset, evaluate(cset, check_answers(cset, detail.answers)), detail.answers.case), nl=False)
        if detail.decision is not None:
            say(f"Team decision: {detail.decision.label()} ({detail.decision.decided_on.isoformat()})")
    click.echo("drift: " + ("none: today's criteria are the ones this revision was assessed with" if drift is None else
               "today's criteria differ from those this revision was assessed with:"))  # fmt: skip
    if drift is not None:
        for line in drift.lines():
            say(f"  {line}")
    if with_audit:
        click.echo("audit trail:")
        for entry in store.audit_trail(case_id):
            say(f"  {entry.describe()}")


@cases_group.command("sign-off")
@click.argument("case_id", type=CASE_NUMBER)
@click.option("--name", required=True, help="The reviewer's name, as it will stand on the record.")
@click.option("--role", required=True, help="The reviewer's role, e.g. 'Consultant neurologist'.")
@click.option("--comment", default="", help="A comment that becomes part of the sign-off.")
@click.option("--acknowledge-gaps", is_flag=True, help="Sign although applicable items are unanswered (listed).")
def cases_sign_off(case_id: int, name: str, role: str, comment: str, acknowledge_gaps: bool) -> None:
    """Sign off a case's current revision (it must be ready for review); prints the revision hash."""
    store = open_store()
    actor = Identity(name=name.strip(), role=role.strip(), source="cli")
    detail = store.get(case_id)
    gaps = tuple(criterion for criterion, _ in store.gaps(case_id)) if acknowledge_gaps else ()
    saved = store.apply(case_id, detail.row.lock_version, SignOffRevision(comment, gaps), actor)
    assert saved.content.record is not None
    say(f"signed off revision {detail.number} of case {case_id}; revision hash {saved.content.record.sha256()}")


@cases_group.command("verify")
@click.option("--head", "show_heads", is_flag=True, help="Print every case's chain head and the database head.")
def cases_verify(show_heads: bool) -> None:
    """Check every audit chain, frozen record and sign-off; exit 3 naming the first broken case and row."""
    from candidacy.store.verify import verify

    report = verify(open_store().engine)
    if show_heads:
        for case_id, head in sorted(report.heads.items()):
            click.echo(f"case {case_id} {head}")
        click.echo(f"database {report.head}")
    if not report.ok:
        first, *others = report.lines()
        say(f"TAMPERED: first broken: {first}", err=True)
        for other in others:
            say(f"also broken: {other}", err=True)
        sys.exit(EXIT_TAMPER)
    unsealed = f"; {report.unsealed} case(s) not changed since states were sealed" if report.unsealed else ""
    click.echo(
        f"ok: {len(report.heads)} cases, {report.rows_checked} audit rows, {report.revisions_checked} revisions, "
        f"{report.worksheets_checked} worksheets, {report.snapshots_checked} criteria snapshots checked{unsealed}; "
        f"database head {report.head}",
        err=show_heads,
    )


@cases_group.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="JSON Lines file (default: stdout).")
def cases_export(output: Path | None) -> None:
    """Every case with its revisions and audit trail, as JSON Lines (a backup that restores)."""
    buffer = io.StringIO()
    count = open_store().export_jsonl(buffer)
    emit(buffer.getvalue().encode("utf-8"), output)
    click.echo(f"exported {count} cases", err=True)


@cases_group.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def cases_import(path: Path) -> None:
    """Restore an export into an empty database."""
    store = open_store()
    raw = read_limited(path, limit=MAX_BACKUP_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFileError(Problem(f"not UTF-8 text (bad byte at offset {exc.start})", file=str(path))) from exc
    count = store.import_jsonl(iter(text.split("\n")))  # not splitlines(): U+2028 inside a note is no line end
    click.echo(f"imported {count} cases, every chain and signed record verified")
