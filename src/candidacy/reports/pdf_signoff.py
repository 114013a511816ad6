"""The end of the record PDF: the team decision and the reviewer sign-off, kept together on one page.

They are measured first, on a scratch document, and start a page of their own when they do not fit
below, so that the signature lines are never split nor left alone on the last page. Not recorded in
the tool, each gets blank lines to write on; signed, the sign-off prints the reviewer, the time and
the revision hash with what the hash covers (:data:`HASH_COVERS`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from candidacy.reports.departure import departure
from candidacy.reports.pdf_layout import FAMILY, Document
from candidacy.reports.record import Record

__all__ = ["HASH_COVERS", "closing"]

#: What the revision hash is computed over, printed wherever the hash is.
HASH_COVERS = (
    "The revision hash is the SHA-256 of this record's canonical JSON (record format {version}), stored "
    "with the signed revision and checked by 'candidacy cases verify': the case header, every answer and "
    "note, the assessment (findings, gaps, next steps), every item with its rationale and sources, the "
    "team decision and this sign-off. It does not cover the PDF's layout; any change to what it covers "
    "gives another hash."
)


def closing(pdf: Document, record: Record) -> None:
    """The team decision and the sign-off, on one page: measured first, on a page of their own if they do
    not fit below. Longer than a page (very long reasons or comment), the decision flows and the sign-off
    is kept whole where it fits on a page."""
    together = _height(record, (_decision, _sign_off))
    if together is not None:
        if together > pdf.page_break_trigger - pdf.get_y():
            pdf.add_page()
        _decision(pdf, record)
        _sign_off(pdf, record)
        return
    _decision(pdf, record)
    alone = _height(record, (_sign_off,))
    if alone is not None and alone > pdf.page_break_trigger - pdf.get_y():
        pdf.add_page()
    _sign_off(pdf, record)


def _height(record: Record, parts: Sequence[Callable[[Document, Record], None]]) -> float | None:
    """The height the parts take from the top of a page, or None when they need more than one page."""
    probe = _probe(record)
    start, top = probe.page, probe.get_y()
    for part in parts:
        part(probe, record)
    return probe.get_y() - top if probe.page == start else None


_PROBES = threading.local()


def _probe(record: Record) -> Document:
    """A scratch document to measure on, at the top of a fresh page: one per thread, kept, because
    loading the fonts costs more than the measuring (it is never output)."""
    probe: Document | None = getattr(_PROBES, "document", None)
    if probe is None or probe.page >= 100:
        probe = _PROBES.document = Document(record)
    probe.record = record
    probe.add_page()
    return probe


def _decision(pdf: Document, record: Record) -> None:
    pdf.heading("Team decision")
    decision = record.decision
    if decision is None:
        pdf.para("Not recorded in the tool; write it here.", size=9.5, style="I")
        _blank_lines(pdf, ("Outcome", "Reasons", "Present", "Date"))
        return
    pdf.labelled("Outcome", decision.label())
    pdf.labelled("Date", decision.decided_on.isoformat())
    pdf.labelled("Present", ", ".join(decision.present) or "not recorded")
    why = departure(record, decision)
    if why:
        pdf.labelled("Departs from the criteria", why)
    if decision.reasons:
        pdf.labelled("Reasons", decision.reasons)


def _sign_off(pdf: Document, record: Record) -> None:
    pdf.heading("Reviewer sign-off")
    sign = record.sign_off
    if sign is None:
        pdf.para("I have read the reasoning above; the decision rests with the treating team.", size=9.5)
        pdf.para(
            "Not signed in the tool: this record carries no revision hash. Signed in the tool, the record "
            "prints the reviewer, the time and the hash of what was signed.",
            size=8.5,
            style="I",
        )
        pdf.ln(3)
        _blank_lines(pdf, ("Name", "Role", "Date", "Signature"))
        return
    pdf.labelled("Reviewer", sign.reviewer)
    pdf.labelled("Role", sign.role)
    pdf.labelled("Identity", sign.source_label())
    pdf.labelled("Signed", f"{sign.signed_at:%Y-%m-%d %H:%M:%S} UTC ({sign.signed_at_local} local)")
    pdf.labelled("Revision", str(sign.revision))
    if sign.acknowledged_gaps:
        named = "; ".join(f"{g.title} [{g.criterion}]" for g in sign.acknowledged_gaps)
        pdf.labelled(f"Signed with {len(sign.acknowledged_gaps)} unanswered, acknowledged", named)
    else:
        pdf.labelled("Unanswered items", "none")
    if sign.comment:
        pdf.labelled("Comment", sign.comment)
    pdf.labelled("Revision hash", record.sha256())
    pdf.para(HASH_COVERS.format(version=record.format_version), size=8.5, style="I")


def _blank_lines(pdf: Document, labels: tuple[str, ...]) -> None:
    for label in labels:
        pdf.set_font(FAMILY, "", 10)
        pdf.cell(28, 10, f"{label}:")
        y = pdf.get_y() + 8
        pdf.line(pdf.l_margin + 28, y, pdf.w - pdf.r_margin, y)
        pdf.ln(12)
