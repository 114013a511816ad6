"""Commands on the stored cases: list, show, export, import."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import click

from candidacy.cli.common import emit, say
from candidacy.errors import StoreError
from candidacy.files import read_limited
from candidacy.reasoning.answers import check_answers
from candidacy.reasoning.engine import evaluate
from candidacy.reports.render import render_text
from candidacy.store import open_store
from candidacy.store.summary import summary_line

__all__ = ["cases_group"]

MAX_BACKUP_BYTES = 512 * 1024 * 1024


@click.group(name="cases")
def cases_group() -> None:
    """Stored cases (database from CANDIDACY_DATABASE_URL, default data/candidacy.db)."""


@cases_group.command("list")
@click.option("--meeting", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only this meeting date.")
@click.option("--status", type=click.Choice(["draft", "ready", "reviewed"]), help="Only this status.")
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
@click.argument("case_id", type=int)
@click.option("--audit", "with_audit", is_flag=True, help="Also print the audit trail.")
def cases_show(case_id: int, with_audit: bool) -> None:
    """The record of a case's current revision (text), its revisions and, on request, its audit trail."""
    store = open_store()
    detail = store.get(case_id)
    cset = store.criteria.get(detail.row.criteria_id)
    if cset is None:
        raise StoreError(f"case {case_id} uses criteria set '{detail.row.criteria_id}', which is not loaded")
    drift = store.drift(case_id)
    say(summary_line(detail.row))
    for rev in store.revisions(case_id):
        signed = (
            f" reviewed by {rev.reviewed_by} ({rev.reviewed_role}), hash {rev.content_hash}" if rev.content_hash else ""
        )
        reason = f" reason: {rev.reason}" if rev.reason else ""
        say(f"revision {rev.number}: {rev.status}{signed}{reason}")
    if drift is not None:
        click.echo("criteria changed since this revision was assessed:")
        for line in drift.lines():
            say(f"  {line}")
    say(render_text(cset, evaluate(cset, check_answers(cset, detail.answers)), detail.answers.case), nl=False)
    if with_audit:
        click.echo("audit trail:")
        for entry in store.audit_trail(case_id):
            say(f"  {entry.describe()}")


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
    count = store.import_jsonl(iter(raw.decode("utf-8", "replace").splitlines(keepends=True)))
    click.echo(f"imported {count} cases")
