"""``candidacy fhir prefill``: what a patient's FHIR record proposes for the checklist, with provenance.

It prints proposals, conflicts, out-of-date items and the import summary; it answers nothing (a
proposal becomes an answer only when a clinician accepts it on the Assess page).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from candidacy import clock
from candidacy.cli.common import CRITERIA, load_criteria_set, say
from candidacy.fhir.prefill import Prefill, propose
from candidacy.fhir.prefill_report import as_dict, summary_lines
from candidacy.fhir.prefill_rules import load_rules, rules_path
from candidacy.fhir.record import read_record
from candidacy.files import read_limited

__all__ = ["prefill"]


@click.command("prefill")
@CRITERIA
@click.option(
    "--record",
    "records",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path),
    help="A FHIR Bundle (JSON) or Bulk Data NDJSON file of one patient; repeat for several files.",
)
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(path_type=Path),
    help="Prefill rules (default: fhir/<criteria name>_prefill.yaml beside the criteria file).",
)
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Assessment date for ages, months since onset and look-backs (default: today).",
)
@click.option(
    "--patient-identifier",
    help="The case's patient identifier (system|value or a value); a record of another patient is refused.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def prefill(
    criteria_path: Path,
    records: tuple[Path, ...],
    rules_file: Path | None,
    on: dt.datetime | None,
    patient_identifier: str | None,
    as_json: bool,
) -> None:
    """Propose answers from a patient's FHIR record (R4, R4B or R5), each with the resources behind it."""
    cset = load_criteria_set(criteria_path)
    rules = load_rules(rules_file or rules_path(criteria_path), cset)
    files = [(str(path), read_limited(path)) for path in records]
    record = read_record(files, clock.today(), patient_identifier)
    result = propose(cset, rules, record, on.date() if on else clock.today())
    if as_json:
        say(json.dumps(as_dict(result), indent=2, ensure_ascii=False))
        return
    for line in _text(result):
        say(line)


def _text(result: Prefill) -> list[str]:
    lines = [f"Assessment date {result.on.isoformat()}. Nothing below is an answer until a clinician accepts it.", ""]
    lines.append(f"Proposals ({len(result.proposals)}):")
    for p in result.proposals:
        lines += [f"  {p.title} [{p.criterion}]: {p.label}", f"    {p.note_line()}"]
        if p.check:
            lines.append(f"    Check before accepting: {p.check}")
    if result.conflicts:
        lines += ["", f"Conflicts, no proposal ({len(result.conflicts)}):"]
        for c in result.conflicts:
            lines.append(f"  {c.title} [{c.criterion}]: the record says different things")
            for label, cand in c.candidates:
                lines.append(f"    {label}: {'; '.join(s.line() for s in cand.sources)} (rule {cand.rule})")
    if result.stale:
        lines += ["", f"Out of date, not proposed ({len(result.stale)}):"]
        for s in result.stale:
            where = "; ".join(x.line() for x in s.sources)
            lines.append(f"  {s.title} [{s.criterion}]: {s.label}: {where}, older than {s.look_back_months} months")
    lines += ["", "Import summary:", *(f"  {line}" for line in summary_lines(result))]
    return lines
