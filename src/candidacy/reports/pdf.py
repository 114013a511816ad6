"""The printable PDF record (fpdf2): what another clinician reads, files and signs.

Layout: title and notice; on page 1, what a reader needs first: the case header with the assessor,
the step for the meeting's question, the team decision and the sign-off status (who, when, the
revision hash, or "not signed"); then the criteria identity; the summary in the fixed order; every
applicable item with answer, note, finding, rationale and sources; items not applicable with the
reason; the source list; the team decision and the reviewer sign-off, kept together on one page so
that the signature lines are never split nor left alone on the last page. Every page carries the case
label (shortened with an ellipsis to fit; the full label is on page 1) and "page N of M".

The page itself (font, running header and footer, text flow, deterministic bytes) is
:mod:`.pdf_layout`; the closing decision and sign-off, measured to stay together, :mod:`.pdf_signoff`.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf.enums import XPos, YPos

from candidacy.criteria.kinds import KINDS_BY_ID
from candidacy.reasoning.assessment import CitedSource
from candidacy.reports.meeting import AgendaEntry, agenda_entry, meeting_step
from candidacy.reports.pdf_layout import FAMILY, Document
from candidacy.reports.pdf_signoff import HASH_COVERS, closing
from candidacy.reports.record import ItemEntry, Record
from candidacy.reports.render import case_lines, routine_heading, step_groups

__all__ = ["render_meeting_pdf", "render_pdf"]


def _cites(sources: tuple[CitedSource, ...]) -> str:
    return "; ".join(f"[{s.id}] {s.locator} ({s.strength})" for s in sources)


def render_pdf(record: Record) -> bytes:
    pdf = Document(record)
    _record_pages(pdf, record)
    return bytes(pdf.output())


def render_meeting_pdf(records: list[Record], title: str, agenda: Sequence[AgendaEntry] | None = None) -> bytes:
    """A meeting pack: a cover page with the agenda, then every record from a new page.

    ``agenda`` holds the stored cases' lines (status, decision); without it the lines are built from
    the records alone. Counts on the agenda are those of the summary (see :mod:`.meeting`).
    """
    if not records:
        raise ValueError("no records to render")
    if agenda is None:
        agenda = [
            agenda_entry(n, 0, r.case.label or "(no case label)", "not stored", 0, r) for n, r in enumerate(records, 1)
        ]
    pdf = Document(records[0])
    pdf.set_title(title)
    pdf.record = None
    _cover(pdf, title, records, agenda)
    for record in records:
        pdf.record = record
        _record_pages(pdf, record)
    return bytes(pdf.output())


def _cover(pdf: Document, title: str, records: list[Record], agenda: Sequence[AgendaEntry]) -> None:
    """The cover: what the pack is, the criteria it was read against, and the agenda, one case a block."""
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 20)
    pdf.multi_cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(f"{len(records)} case{'s' if len(records) != 1 else ''} · meeting pack", size=12)
    pdf.ln(2)
    pdf.set_fill_color(232, 240, 254)
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5, records[0].notice, fill=True, padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    sets = sorted(
        {f"{r.criteria.id}, version {r.criteria.version}, reviewed {r.criteria.review_date}" for r in records}
    )
    for line in sets:
        pdf.labelled("Criteria set", line)
    pdf.para(
        "Counts: findings by kind; 'not yet answered' means an item without an answer; 'missing "
        "information' means an item answered Unknown.",
        size=8.5,
        style="I",
    )
    pdf.heading("Agenda")
    for entry in agenda:
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        stored = f"   (case #{entry.case_id})" if entry.case_id else ""
        pdf.para(f"{entry.number}. {entry.label}{stored}", size=11, style="B")
        status, _decision, answered, findings, *_ = entry.facts()
        pdf.labelled("Status", status, indent=5)
        pdf.labelled("Team decision", entry.decision or "not recorded", indent=5)
        pdf.labelled("Progress", answered.capitalize(), indent=5)
        pdf.labelled("Findings", findings, indent=5)
        if entry.decisive:
            pdf.labelled(f"Decisive unknowns ({len(entry.decisive)})", "; ".join(entry.decisive), indent=5)
        pdf.labelled("Step for the meeting", entry.step or "none yet", indent=5)
        pdf.ln(1.5)


def _record_pages(pdf: Document, record: Record) -> None:
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 17)
    pdf.multi_cell(0, 8, "Reasoning record", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(record.criteria.title, size=12)
    pdf.ln(2)
    pdf.set_fill_color(232, 240, 254)
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5, record.notice, fill=True, padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _at_a_glance(pdf, record)
    ref = record.criteria
    pdf.labelled("Criteria set", f"{ref.id}, version {ref.version}, reviewed {ref.review_date}")
    pdf.labelled("Criteria sha256", ref.sha256)
    pdf.labelled("Answered", f"{record.answered} of {record.applicable} applicable items")

    pdf.heading("Summary")
    for _, heading, findings in record.summary():
        pdf.para(f"{heading} ({len(findings)})", size=11, style="B")
        if not findings:
            pdf.para("None recorded.", style="I", indent=4)
        for f in findings:
            pdf.para(f"• {f.title}: {f.statement}  [{f.criterion}]", indent=4)
    unanswered = [m for m in record.missing if m.status == "unanswered"]
    if unanswered:
        pdf.para(f"Not yet answered ({len(unanswered)})", size=11, style="B")
        pdf.para(", ".join(m.title for m in unanswered), indent=4)
    pdf.para("Next steps the criteria point to", size=11, style="B")
    if not record.next_steps:
        pdf.para("None.", style="I", indent=4)
    number = 1
    for group in step_groups(
        record.stages, record.next_steps, record.decisive_unknowns, record.missing, record.routine
    ):
        if group.label:
            pdf.para(f"{group.label}{' (now)' if group.current else ''}: {group.question}", style="B", indent=4)
        for step in group.steps:
            pdf.para(f"{number}. {step.step}", indent=4)
            pdf.para(f"because {step.basis}", size=8.5, style="I", indent=8)
            number += 1
        if group.decisive:
            pdf.para(f"Decisive unknowns ({len(group.decisive)}), most decisive first:", indent=4)
            for i, u in enumerate(group.decisive, 1):
                pdf.para(f"{i}. {u.title}: {u.why}", indent=8)
        if group.settled_note():
            pdf.para(group.settled_note(), indent=4)
        if group.routine:
            pdf.para(f"{routine_heading(group)} ({len(group.routine)}):", indent=4)
            for r in group.routine:
                pdf.para(f"{r.title} (expected: {r.expected}): {r.obtain}", size=8.5, indent=8)
        if group.to_settle:
            pdf.para("Also settle before this stage: " + "; ".join(m.title for m in group.to_settle), indent=4)

    pdf.heading("Every applicable item")
    for item in record.items:
        if item.applicable:
            _item(pdf, item)

    skipped = [i for i in record.items if not i.applicable]
    if skipped:
        pdf.heading("Not applicable")
        for item in skipped:
            kept = f" Earlier answer kept: {item.answer_label}." if item.answer_label else ""
            pdf.para(f"• {item.title} [{item.criterion}]: {item.reason}{kept}", indent=2)

    pdf.heading("Sources")
    for source in record.sources:
        note = f" ({source.note})" if source.note else ""
        pdf.para(f"[{source.id}] {source.citation}{note}", size=9, indent=2)

    closing(pdf, record)


def _at_a_glance(pdf: Document, record: Record) -> None:
    """Page 1: the case header with its assessor, the step for the meeting's question, the team decision
    and the sign-off status, so that a signed record differs from an unsigned one on its first page."""
    rows = dict(case_lines(record.case))
    pdf.labelled("Case", record.case.label or "(no case label)")
    pdf.labelled("Assessor", rows.get("Assessor") or "not recorded")
    for key in ("Date of assessment", "Meeting date"):
        if key in rows:
            pdf.labelled(key, rows[key])
    step = meeting_step(record.assessment)
    current = next((s for s in record.stages if s.id == record.current_stage), None)
    question = f" ({current.label.lower()})" if current else ""
    shown = step.step if step else "none yet: the criteria point to no step"
    pdf.labelled(f"Step for the meeting's question{question}", shown)
    decisive = record.decisive_for(record.current_stage)
    if decisive:
        pdf.labelled(f"Decisive unknowns ({len(decisive)})", "; ".join(u.title for u in decisive))
    decision = record.decision
    if decision is None:
        pdf.labelled("Team decision", "not recorded")
    else:
        pdf.labelled("Team decision", f"{decision.label()} ({decision.decided_on.isoformat()})")
    sign = record.sign_off
    if sign is None:
        pdf.labelled("Sign-off", "not signed")
    else:
        pdf.labelled(
            "Sign-off",
            f"signed by {sign.reviewer} ({sign.role}; {sign.source_label()}) on "
            f"{sign.signed_at:%Y-%m-%d %H:%M:%S} UTC, revision {sign.revision}",
        )
        pdf.labelled("Revision hash", record.sha256())
        pdf.para(HASH_COVERS.format(version=record.format_version), size=8.5, style="I")
    pdf.ln(2)


def _item(pdf: Document, item: ItemEntry) -> None:
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    kind = f"  —  {KINDS_BY_ID[item.finding_kind].singular}" if item.finding_kind else ""
    pdf.para(f"{item.title}{kind}", size=10.5, style="B")
    pdf.para(item.question, size=9, style="I", indent=3)
    pdf.labelled("Answer", item.answer_label or "not answered", indent=3)
    if item.note:
        pdf.labelled("Assessor's note", item.note, indent=3)
    pdf.labelled("Finding", item.finding or "none by itself", indent=3)
    pdf.labelled("Rationale", item.rationale, indent=3)
    pdf.labelled("Sources", _cites(item.sources), indent=3)
    pdf.ln(1.5)
