"""The printable PDF record (fpdf2): what another clinician reads, files and signs.

Layout: title and notice; on page 1, what a reader needs first: the case header with the assessor,
the step for the meeting's question, the team decision and the sign-off status (who, when, the
revision hash, or "not signed"); then the criteria identity; the summary in the fixed order; every
applicable item with answer, note, finding, rationale and sources; items not applicable with the
reason; the source list; the team decision and the reviewer sign-off, kept together on one page so
that the signature lines are never split nor left alone on the last page. Every page carries the case
label (shortened with an ellipsis to fit; the full label is on page 1) and "page N of M".

The font (Source Sans Pro, OFL) comes from a PyPI package, so Unicode text (é, µ, ≥) renders without
system fonts. A character the font cannot draw (full-width letters, CJK, emoji) is never dropped: it
is printed as its code point, ``[U+FF2D]``, so that two different labels never print alike. The
output is deterministic: the same record gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import font_source_sans_pro
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from candidacy.criteria.kinds import KINDS_BY_ID
from candidacy.reasoning.assessment import CitedSource
from candidacy.reports.departure import departure
from candidacy.reports.meeting import AgendaEntry, agenda_entry, meeting_step
from candidacy.reports.record import ItemEntry, Record
from candidacy.reports.render import case_lines, routine_heading, step_groups
from candidacy.text import printable

__all__ = ["render_meeting_pdf", "render_pdf"]

_FONTS = Path(font_source_sans_pro.__file__).parent / "files"
_FAMILY = "SourceSans"
_FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_ELLIPSIS = "…"
_RUNNING_NOTE = "Decision support for clinician review, not a decision"
#: What the revision hash is computed over, printed wherever the hash is.
HASH_COVERS = (
    "The revision hash is the SHA-256 of this record's canonical JSON (record format {version}), stored "
    "with the signed revision and checked by 'candidacy cases verify': the case header, every answer and "
    "note, the assessment (findings, gaps, next steps), every item with its rationale and sources, the "
    "team decision and this sign-off. It does not cover the PDF's layout; any change to what it covers "
    "gives another hash."
)


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
        """Every string drawn goes through here: control and bidirectional characters made visible, and
        each character the current font has no glyph for written as its code point (never dropped)."""
        shown = printable(text)
        font = self.current_font
        cmap = getattr(font, "cmap", None) if font is not None else None
        if cmap is not None:
            shown = "".join(c if c in "\n\t" or ord(c) in cmap else f"[U+{ord(c):04X}]" for c in shown)
        return str(super().normalize_text(shown))

    def header(self) -> None:
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(90)
        note_width = self.get_string_width(_RUNNING_NOTE) + 4
        if self.record is None:  # the cover of a meeting pack
            left = "Meeting pack: cover and agenda"
        else:
            ref = f"  ·  {self.record.criteria.id} {self.record.criteria.version}"
            room = self.epw - note_width - self.get_string_width(ref)
            left = f"Case {self.shortened(self.record.case.label or '(no case label)', room, 'Case ')}{ref}"
        self.cell(self.epw - note_width, 5, left)
        self.cell(note_width, 5, _RUNNING_NOTE, align="R", new_x=XPos.LMARGIN)
        self.ln(8)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, "", 8)
        self.set_text_color(90)
        pages = "Page 999 of 999"  # the widest the page number can be once {nb} is filled in
        room = self.epw - self.get_string_width(pages) - 4
        if self.record is None:
            where = "Meeting pack"
        else:
            where = f"Case {self.shortened(self.record.case.label or '(no case label)', room, 'Case ')}"
        self.cell(room, 5, where, new_x=XPos.RIGHT)
        self.cell(self.epw - room, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def shortened(self, text: str, room: float, before: str = "") -> str:
        """``text`` cut to fit ``room`` (with ``before`` in front of it), ending in an ellipsis when cut."""
        if self.get_string_width(before + text) <= room:
            return text
        low, high = 0, len(text)  # the most characters that still fit with the ellipsis
        while low < high:
            middle = (low + high + 1) // 2
            if self.get_string_width(before + text[:middle] + _ELLIPSIS) <= room:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + _ELLIPSIS

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

    _closing(pdf, record)


def _at_a_glance(pdf: _Document, record: Record) -> None:
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


def _closing(pdf: _Document, record: Record) -> None:
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


def _height(record: Record, parts: Sequence[Callable[[_Document, Record], None]]) -> float | None:
    """The height the parts take from the top of a page, or None when they need more than one page."""
    probe = _probe(record)
    start, top = probe.page, probe.get_y()
    for part in parts:
        part(probe, record)
    return probe.get_y() - top if probe.page == start else None


_PROBES = threading.local()


def _probe(record: Record) -> _Document:
    """A scratch document to measure on, at the top of a fresh page: one per thread, kept, because
    loading the fonts costs more than the measuring (it is never output)."""
    probe: _Document | None = getattr(_PROBES, "document", None)
    if probe is None or probe.page >= 100:
        probe = _PROBES.document = _Document(record)
    probe.record = record
    probe.add_page()
    return probe


def _item(pdf: _Document, item: ItemEntry) -> None:
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


def _decision(pdf: _Document, record: Record) -> None:
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


def _blank_lines(pdf: _Document, labels: tuple[str, ...]) -> None:
    for label in labels:
        pdf.set_font(_FAMILY, "", 10)
        pdf.cell(28, 10, f"{label}:")
        y = pdf.get_y() + 8
        pdf.line(pdf.l_margin + 28, y, pdf.w - pdf.r_margin, y)
        pdf.ln(12)
