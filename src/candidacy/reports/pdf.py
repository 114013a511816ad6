"""The printable PDF record (fpdf2): what another clinician reads, files and signs.

Layout: title and notice; case and criteria identity; the summary in the fixed order; every
applicable item with answer, note, finding, rationale and sources; items not applicable with the
reason; the source list; a reviewer sign-off block. Every page carries the case label and "page N of M".
The font (Source Sans Pro, OFL) comes from a PyPI package, so Unicode text (é, µ, ≥) renders without
system fonts. The output is deterministic: the same record gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import font_source_sans_pro
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from candidacy.reasoning.assessment import CitedSource
from candidacy.reports.departure import departure
from candidacy.reports.meeting import AgendaEntry, agenda_entry
from candidacy.reports.record import ItemEntry, Record
from candidacy.reports.render import case_lines, routine_heading, step_groups
from candidacy.text import printable

__all__ = ["render_meeting_pdf", "render_pdf"]

_FONTS = Path(font_source_sans_pro.__file__).parent / "files"
_FAMILY = "SourceSans"
_KIND_LABELS = {
    "contraindication": "Contraindication",
    "caution": "Caution",
    "unfavourable": "Factor against",
    "favourable": "Factor in favour",
    "prerequisite-unmet": "Prerequisite not met",
    "missing": "Missing information",
}
_FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class _Document(FPDF):
    def __init__(self, record: Record) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.record: Record | None = record
        self._widths: dict[tuple[str, str, float, str], float] = {}
        for style, name in (("", "Regular"), ("B", "Bold"), ("I", "It")):
            self.add_font(_FAMILY, style, str(_FONTS / f"SourceSansPro-{name}.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(f"Reasoning record: {record.criteria.title}")
        self.set_subject(f"Case {record.case.label}" if record.case.label else "Reasoning record")
        self.set_creator("candidacy")
        # A reviewed record must be reproducible byte for byte: no wall-clock time in the file.
        created = record.case.assessed_on
        when = dt.datetime(created.year, created.month, created.day, tzinfo=dt.UTC) if created else _FIXED_DATE
        self.set_creation_date(when)

    def normalize_text(self, text: str) -> str:
        """Every string drawn goes through here: control and bidirectional characters made visible."""
        return str(super().normalize_text(printable(text)))

    def header(self) -> None:
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(90)
        if self.record is None:  # the cover of a meeting pack
            self.cell(0, 5, "Meeting pack: cover and agenda")
        else:
            label = self.record.case.label or "(no case label)"
            self.cell(0, 5, f"Case {label}  ·  {self.record.criteria.id} {self.record.criteria.version}")
        self.cell(0, 5, "Decision support for clinician review, not a decision", align="R")
        self.ln(8)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(90)
        where = f"Case {self.record.case.label or '(no case label)'}" if self.record else "Meeting pack"
        self.cell(0, 5, where, new_x=XPos.LMARGIN)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    # -- building blocks -------------------------------------------------------------------------
    def heading(self, text: str, size: float = 13) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(_FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(self, text: str, size: float = 10, style: str = "", indent: float = 0) -> None:
        self._flow(text, size, style, indent)

    def labelled(self, label: str, text: str, indent: float = 0) -> None:
        """A bold label and plain text flowing after it (text is written as-is, never interpreted)."""
        self._flow(text, 10, "", indent, label=f"{label}: ")

    # fpdf2's own line breaking re-measures the line for every character it adds, which made a
    # ten-page record take about a third of a second. Words are measured once (cached) and each line
    # is placed with cell(), which still breaks pages automatically.
    def _width(self, text: str) -> float:
        cache_key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self._widths.get(cache_key)
        if width is None:
            width = self._widths[cache_key] = self.get_string_width(text)
        return width

    def _flow(self, text: str, size: float, style: str, indent: float, label: str = "") -> None:
        line_height = size * 0.48
        left = self.l_margin + indent
        available = self.w - self.r_margin - left
        self.set_font(_FAMILY, style, size)
        lines = self._wrap(text, available, self._label_width(label, size) if label else 0.0)
        for number, line in enumerate(lines):
            if self.will_page_break(line_height):
                self.add_page()
            self.set_x(left)
            if number == 0 and label:
                self.set_font(_FAMILY, "B", size)
                self.cell(self._width(label), line_height, label)
                self.set_font(_FAMILY, style, size)
            self.cell(0, line_height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _fit(self, word: str, room: float) -> int:
        """How many leading characters of ``word`` fit in ``room`` (at least one), in one pass."""
        used = 0.0
        for count, char in enumerate(word):
            used += self._width(char)
            if used > room:
                return max(count, 1)
        return len(word)

    def _label_width(self, label: str, size: float) -> float:
        self.set_font(_FAMILY, "B", size)
        width = self._width(label)
        self.set_font(_FAMILY, "", size)
        return width

    def _wrap(self, text: str, available: float, first_offset: float) -> list[str]:
        lines: list[str] = []
        space = self._width(" ")
        for paragraph in text.split("\n") or [""]:
            current: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                room = available - (first_offset if not lines else 0.0)
                width = self._width(word)
                gap = space if current else 0.0
                if current and used + gap + width > room:
                    lines.append(" ".join(current))
                    current, used, gap = [], 0.0, 0.0
                    room = available
                while width > room and len(word) > 1:  # a word longer than a line is cut
                    cut = self._fit(word, room)
                    lines.append(word[:cut])
                    word = word[cut:]
                    width = self._width(word)
                    room = available
                current.append(word)
                used += gap + width
            lines.append(" ".join(current))
        return lines


def _cites(sources: tuple[CitedSource, ...]) -> str:
    return "; ".join(f"[{s.id}] {s.locator} ({s.strength})" for s in sources)


def render_pdf(record: Record) -> bytes:
    pdf = _Document(record)
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
    pdf = _Document(records[0])
    pdf.set_title(title)
    pdf.record = None
    _cover(pdf, title, records, agenda)
    for record in records:
        pdf.record = record
        _record_pages(pdf, record)
    return bytes(pdf.output())


def _cover(pdf: _Document, title: str, records: list[Record], agenda: Sequence[AgendaEntry]) -> None:
    """The cover: what the pack is, the criteria it was read against, and the agenda, one case a block."""
    pdf.add_page()
    pdf.set_font(_FAMILY, "B", 20)
    pdf.multi_cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(f"{len(records)} case{'s' if len(records) != 1 else ''} · meeting pack", size=12)
    pdf.ln(2)
    pdf.set_fill_color(232, 240, 254)
    pdf.set_font(_FAMILY, "B", 10)
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


def _record_pages(pdf: _Document, record: Record) -> None:
    pdf.add_page()
    pdf.set_font(_FAMILY, "B", 17)
    pdf.multi_cell(0, 8, "Reasoning record", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(record.criteria.title, size=12)
    pdf.ln(2)
    pdf.set_fill_color(232, 240, 254)
    pdf.set_font(_FAMILY, "B", 10)
    pdf.multi_cell(0, 5, record.notice, fill=True, padding=2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    for key, value in case_lines(record.case):
        pdf.labelled(key, value)
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

    _decision(pdf, record)
    _sign_off(pdf, record)


def _item(pdf: _Document, item: ItemEntry) -> None:
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    kind = f"  —  {_KIND_LABELS[item.finding_kind]}" if item.finding_kind else ""
    pdf.para(f"{item.title}{kind}", size=10.5, style="B")
    pdf.para(item.question, size=9, style="I", indent=3)
    pdf.labelled("Answer", item.answer_label or "not answered", indent=3)
    if item.note:
        pdf.labelled("Assessor's note", item.note, indent=3)
    pdf.labelled("Finding", item.finding or "none by itself", indent=3)
    pdf.labelled("Rationale", item.rationale, indent=3)
    pdf.labelled("Sources", _cites(item.sources), indent=3)
    pdf.ln(1.5)


def _decision(pdf: _Document, record: Record) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
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


def _sign_off(pdf: _Document, record: Record) -> None:
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    pdf.heading("Reviewer sign-off")
    sign = record.sign_off
    if sign is None:
        pdf.para("I have read the reasoning above; the decision rests with the treating team.", size=9.5)
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


def _blank_lines(pdf: _Document, labels: tuple[str, ...]) -> None:
    for label in labels:
        pdf.set_font(_FAMILY, "", 10)
        pdf.cell(28, 10, f"{label}:")
        y = pdf.get_y() + 8
        pdf.line(pdf.l_margin + 28, y, pdf.w - pdf.r_margin, y)
        pdf.ln(12)
